"""The library: every article with its progress; `/` filters, Enter opens.

At corpus scale (20,000 articles) the table draws only the rows on screen
(tui/library_table.py) and a filter key or a sort is one pass over values
prepared once per set of rows, not a rebuild of the table.

One model for keys: filtering starts with `/` (as searching does in the reader) and the
filter box says so. While the box has focus every printable key is text for it (`q`
and `s` included); escape or Enter leave it. Outside it `q` quits and `s` sorts.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar, Static

from annotations.stats import LibraryRow
from tui.library_gain import GainTracker
from tui.library_table import LibraryTable
from tui.navigation import OpenArticle
from tui.safe_text import untrusted
from tui.widgets import plural

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
        Binding("g", "sort_by_gain", "Sort by expected gain (what suggestions doubt most)",
                show=False, id="library.sort_gain"),
        Binding("n", "least_sure", "Open the sentence suggestions are least sure about",
                show=False, id="library.least_sure"),
    ]

    def __init__(self) -> None:
        super().__init__(id="library")
        self.rows: Sequence[LibraryRow] = []
        self.sort = "imported"
        # Built from ``rows`` when first needed and kept until the rows change, so a
        # key typed in the filter or a sort costs one pass over 20,000 prepared values.
        self._keys: list[str] | None = None
        self._orders: dict[str, list[int]] = {}
        self._last: tuple[str, str, list[int]] | None = None  # sort, query, view
        # Sentences, reviewed: summed once per set of rows (None: not every row read yet).
        self._totals: tuple[int, int] | None = (0, 0)

    def compose(self) -> ComposeResult:
        yield Static(Content("newstag — library"), id="library-title")
        # select_on_focus would select what was typed before, and the next key replaced it.
        yield Input(placeholder="Press / to filter by title, source or id", id="library-filter",
                    select_on_focus=False)
        yield LibraryTable(id="library-table")
        with Horizontal(id="import-status"):
            yield Static("", id="import-label")
            yield ProgressBar(id="import-progress", show_eta=False)
        yield Static("", id="library-summary")
        yield Footer()
        yield GainTracker(id="gain-tracker")

    def on_mount(self) -> None:
        self.query_one("#import-status").display = False
        table = self.query_one(LibraryTable)
        table.set_label_colours({label.name: label.colour for label in self.app.config.labels})
        table.focus()
        self.refresh_table()

    def set_rows(self, rows: Sequence[LibraryRow], complete: bool = True) -> None:
        """``complete``: False when only the first screen's rows have their counts yet (the
        app's first screen); the summary then leaves out the corpus' reviewed total."""
        self.rows = rows
        self._keys, self._orders, self._last = None, {}, None
        self._totals = (sum(r[3] for r in rows), sum(r[4] for r in rows)) if complete \
            else None
        if self.is_mounted:
            self.refresh_table()
            self.query_one(GainTracker).invalidate()

    # -- filtering and sorting -------------------------------------------------
    def _order(self, sort: str) -> list[int]:
        """Row indexes in ``sort`` order (stable: ties stay in import order)."""
        if sort not in self._orders:
            rows = self.rows
            if sort == "title":
                titles = [r[1].lower() for r in rows]
                order = sorted(range(len(rows)), key=titles.__getitem__)
            elif sort == "gain":  # most expected gain first (tui/library_gain.py)
                gains = self.query_one(GainTracker).gains
                gain = [-g.gain if (g := gains.get(r[0])) else 0.0 for r in rows]
                order = sorted(range(len(rows)), key=gain.__getitem__)
            elif sort == "progress":
                done = [r[4] / r[3] if r[3] else 0 for r in rows]
                order = sorted(range(len(rows)), key=done.__getitem__)
            else:
                order = list(range(len(rows)))
            self._orders[sort] = order
        return self._orders[sort]

    def _view(self, query: str) -> list[int]:
        order = self._order(self.sort)
        if not query:
            return order
        if self._keys is None:
            self._keys = [f"{r[1]} {r[2]} {r[0]}".lower() for r in self.rows]
        keys = self._keys
        # Typing one more letter only narrows: search the rows the last key left.
        last = self._last
        base = last[2] if last and last[0] == self.sort and last[1] and \
            query.startswith(last[1]) else order
        return [i for i in base if query in keys[i]]

    def refresh_table(self) -> None:
        table = self.query_one(LibraryTable)
        selected = self.selected_article()
        query = self.query_one(Input).value.strip().lower()
        view = self._view(query)
        self._last = (self.sort, query, view)
        table.show(self.rows, view, keep=selected)
        shown = (f"{len(view)} of {plural(len(self.rows), 'article')}" if query
                 else plural(len(self.rows), "article"))
        progress = (f"{self._totals[1]}/{self._totals[0]} sentences reviewed"
                    if self._totals is not None else "counting…")
        self.query_one("#library-summary", Static).update(Content(
            f" {shown} · {progress} · sorted by {self.sort}"
            " · Enter opens · / filters · s sorts · ? help"))

    def selected_article(self) -> str | None:
        row = self.query_one(LibraryTable).selected
        return row[0] if row is not None else None

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
        self.query_one(LibraryTable).focus()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)] if self.sort in SORTS \
            else SORTS[0]  # from the gain sort (g) back to the first
        self.refresh_table()

    @on(Input.Changed, "#library-filter")
    def _filter_changed(self) -> None:
        self.refresh_table()

    @on(Input.Submitted, "#library-filter")
    def _filter_submitted(self) -> None:
        self.query_one(LibraryTable).focus()
        self.action_open_article()

    @on(LibraryTable.Selected)
    def _row_selected(self) -> None:
        self.action_open_article()

    def on_key(self, event: events.Key) -> None:
        filter_input = self.query_one(Input)
        if event.key in ("down", "up", "pagedown", "pageup") and filter_input.has_focus:
            table = self.query_one(LibraryTable)
            table.focus()
            getattr(table, _TABLE_ACTIONS[event.key])()
            event.stop()

    # -- most useful first (issue 10) ------------------------------------------
    _open_least_sure = False  # n was pressed: open once the gains are ready

    def _suggestions_off(self) -> bool:
        if self.app.suggestions.enabled:
            return False
        self.notify("Suggestions are off (suggestions: false in the config).")
        return True

    def action_sort_by_gain(self) -> None:
        if self._suggestions_off():
            return
        self.sort = "gain"
        tracker = self.query_one(GainTracker)
        tracker.request()
        if tracker.computing or not tracker.gains:
            self.notify("Computing the expected gain of every article…", timeout=3)
        self.refresh_table()

    def action_least_sure(self) -> None:
        if self._suggestions_off():
            return
        self._open_least_sure = True
        tracker = self.query_one(GainTracker)
        tracker.request()
        if tracker.computing or tracker.generation != self.app.suggestions.generation \
                or not tracker.gains:
            self.notify("Looking for the sentence suggestions are least sure about…",
                        timeout=3)
            return  # opened when the gains are ready
        self._open_least_sure_now()

    def _open_least_sure_now(self) -> None:
        from annotations.errors import UserError
        from annotations.positions import save_position
        from annotations.suggest.gain import most_useful
        from tui.safe_text import notify_untrusted

        self._open_least_sure = False
        best = most_useful(self.query_one(GainTracker).gains)
        if best is None or best.index is None:
            self.notify("No unreviewed sentence has a suggestion.")
            return
        try:  # the reader opens where its reading position is
            save_position(self.app.store, best.article_id, best.index)
        except (OSError, UserError) as exc:
            notify_untrusted(self, str(exc), severity="error")
            return
        self.post_message(OpenArticle(best.article_id))

    @on(GainTracker.Ready)
    def _gains_ready(self) -> None:
        self._orders.pop("gain", None)
        self._last = None
        if self.sort == "gain":
            self.refresh_table()
        if self._open_least_sure and self.is_current:  # not once another article is open
            self._open_least_sure_now()

    def suggester_changed(self) -> None:
        """A new suggester (the app tells every screen): gains in use are recomputed."""
        if self.is_mounted:
            self.query_one(GainTracker).invalidate()

    def on_screen_resume(self) -> None:
        if self.query_one(GainTracker).wanted:
            self.query_one(GainTracker).request()
