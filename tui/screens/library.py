"""The library: every article with its progress; `/` filters, Enter opens.

One model for keys: filtering starts with `/` (as searching does in the reader) and the
filter box says so. While the box has focus every printable key is text for it (`q`
and `s` included); escape or Enter leave it. Outside it `q` quits and `s` sorts.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, ProgressBar, Static
from textual.widgets.data_table import CellDoesNotExist

from tui.navigation import OpenArticle
from tui.safe_text import untrusted, untrusted_cell
from tui.widgets import plural, progress_bar

SORTS = ("imported", "title", "progress")
_TABLE_ACTIONS = {"down": "action_cursor_down", "up": "action_cursor_up",
                  "pagedown": "action_page_down", "pageup": "action_page_up"}


class LibraryScreen(Screen):
    BINDINGS = [
        Binding("enter", "open_article", "Open", id="library.open"),
        Binding("slash", "focus_filter", "Filter", id="library.filter"),
        Binding("s", "cycle_sort", "Sort", id="library.sort"),
        Binding("q", "app.quit", "Quit", id="library.quit"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear"),
    ]

    def __init__(self) -> None:
        super().__init__(id="library")
        self.rows: list[dict] = []
        self.sort = "imported"

    def compose(self) -> ComposeResult:
        yield Static(Content("newstag — library"), id="library-title")
        # select_on_focus would select what was typed before, and the next key replaced it.
        yield Input(placeholder="Press / to filter by title, source or id", id="library-filter",
                    select_on_focus=False)
        yield DataTable(id="library-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="import-status"):
            yield Static("", id="import-label")
            yield ProgressBar(id="import-progress", show_eta=False)
        yield Static("", id="library-summary")
        yield Footer()

    def on_mount(self) -> None:
        self._columns_for = 0
        self.query_one("#import-status").display = False
        self.query_one(DataTable).focus()
        self.refresh_table()

    def _fit_columns(self) -> None:
        """Give the title what the fixed columns leave, so nothing scrolls sideways."""
        table = self.query_one(DataTable)
        width = max(self.size.width - 2, 40)  # less the vertical scrollbar
        if width == self._columns_for and table.columns:
            return
        self._columns_for = width
        narrow = width < 96
        fixed = {"source": 12 if narrow else 16, "sentences": 5, "progress": 15,
                 "labels": 14 if narrow else 22}
        padding = 2 * 5  # one cell each side of every column
        title = max(12, width - sum(fixed.values()) - padding)
        table.clear(columns=True)
        table.add_column("Title", key="title", width=title)
        table.add_column("Source", key="source", width=fixed["source"])
        table.add_column("Sent.", key="sentences", width=fixed["sentences"])
        table.add_column("Progress", key="progress", width=fixed["progress"])
        table.add_column("Labels", key="labels", width=fixed["labels"])

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_table()

    def set_rows(self, rows: list[dict]) -> None:
        self.rows = rows
        if self.is_mounted:
            self.refresh_table()

    def refresh_table(self) -> None:
        table = self.query_one(DataTable)
        selected = self.selected_article()
        self._fit_columns()
        query = self.query_one(Input).value.strip().lower()
        rows = [r for r in self.rows if not query or query in
                f"{r['title']} {r['source']} {r['id']}".lower()]
        if self.sort == "title":
            rows.sort(key=lambda r: r["title"].lower())
        elif self.sort == "progress":
            rows.sort(key=lambda r: (r["reviewed"] / r["sentences"]) if r["sentences"] else 0)
        table.clear()
        label_colours = {label.name: label.colour for label in self.app.config.labels}
        for r in rows:
            labels = Text(no_wrap=True, overflow="ellipsis")
            for name, n in sorted(r["labels"].items()):  # labels may come from imports
                labels.append_text(untrusted_cell(f"{name} {n} ", label_colours.get(name, "")))
            table.add_row(
                untrusted_cell(r["title"]),
                untrusted_cell(r["source"]),
                Text(str(r["sentences"]), justify="right"),
                Text(f"{progress_bar(r['reviewed'], r['sentences'], 8)} "
                     f"{r['reviewed']}/{r['sentences']}"),
                labels,
                key=r["id"],
            )
        if selected is not None and selected in {r["id"] for r in rows}:
            table.move_cursor(row=table.get_row_index(selected))
        total = sum(r["sentences"] for r in self.rows)
        reviewed = sum(r["reviewed"] for r in self.rows)
        shown = (f"{len(rows)} of {plural(len(self.rows), 'article')}" if query
                 else plural(len(self.rows), "article"))
        self.query_one("#library-summary", Static).update(Content(
            f" {shown} · {reviewed}/{total} sentences reviewed · sorted by {self.sort}"
            " · Enter opens · / filters · s sorts · ? help"))

    def selected_article(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return key.value

    def show_import_progress(self, done: int, total: int, label: str) -> None:
        if not self.is_mounted:
            return
        status = self.query_one("#import-status")
        status.display = total > 0 and done < total
        self.query_one("#import-label", Static).update(untrusted(label))
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    # -- actions -------------------------------------------------------------
    def action_open_article(self) -> None:
        article_id = self.selected_article()
        if article_id:
            self.post_message(OpenArticle(article_id))

    def action_focus_filter(self) -> None:
        self.query_one(Input).focus()

    def action_clear_filter(self) -> None:
        filter_input = self.query_one(Input)
        filter_input.value = ""
        self.query_one(DataTable).focus()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.refresh_table()

    @on(Input.Changed, "#library-filter")
    def _filter_changed(self) -> None:
        self.refresh_table()

    @on(Input.Submitted, "#library-filter")
    def _filter_submitted(self) -> None:
        self.query_one(DataTable).focus()
        self.action_open_article()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_article()

    def on_key(self, event: events.Key) -> None:
        filter_input = self.query_one(Input)
        if event.key in ("down", "up", "pagedown", "pageup") and filter_input.has_focus:
            table = self.query_one(DataTable)
            table.focus()
            getattr(table, _TABLE_ACTIONS[event.key])()
            event.stop()
