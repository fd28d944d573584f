"""The library's table: draws only the rows on screen, whatever the size of the corpus.

A ScrollView on the Line API (like the reader's ArticleView and Toolong's log
lines): ``render_line(y)`` builds the one row at that line, so 20,000 articles
cost what a screenful does. Textual's DataTable was measured first: filled with
20,000 rows it took 12 s to appear and 3-4 s per filter key (every row becomes
cells and a row object before anything is drawn).

Rows are plain tuples (``annotations.stats.LibraryRow``: id, title, source,
sentences, reviewed, labels) read once; the screen filters and sorts them into
``view``, a list of indexes into them. Titles, sources and labels
come from files: they become Content from ``printable`` text here, never markup.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import NamedTuple

from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.color import Color
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from annotations.stats import LibraryRow as Row
from annotations.text import printable
from tui.widgets import progress_bar

HEADER_LINES = 1
STRIP_CACHE_SIZE = 256


class Columns(NamedTuple):
    title: int
    source: int
    sentences: int
    progress: int
    labels: int

    @classmethod
    def fitting(cls, width: int) -> Columns:
        """Fixed columns, and the title takes what they leave (nothing scrolls sideways)."""
        narrow = width < 96
        source, sentences, progress, labels = (12 if narrow else 16), 5, 15, \
            (14 if narrow else 22)
        padding = 2 * 5  # one cell each side of every column
        title = max(12, width - source - sentences - progress - labels - padding)
        return cls(title, source, sentences, progress, labels)


def _cell(content: Content, width: int, right: bool = False) -> Content:
    """One column: cut with … or padded to ``width``, a space each side."""
    if content.cell_length > width:
        content = content.truncate(width, ellipsis=True)
    gap = " " * (width - content.cell_length)
    inner = Content(gap) + content if right else content + Content(gap)
    return Content(" ") + inner + Content(" ")


class LibraryTable(ScrollView, can_focus=True):
    """Rows of articles with a cursor; Enter (the screen's binding) opens the one under it."""

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    COMPONENT_CLASSES = {
        "library-table--header",
        "library-table--cursor",
        "library-table--odd-row",  # zebra stripes
    }

    # The colours of Textual's DataTable, which the library used before.
    DEFAULT_CSS = """
    LibraryTable { background: $surface; color: $foreground; overflow-x: hidden;
                   overflow-y: auto; }
    LibraryTable > .library-table--header { text-style: bold; background: $panel;
                                            color: $foreground; }
    LibraryTable > .library-table--cursor { background: $block-cursor-blurred-background;
                                            color: $block-cursor-blurred-foreground;
                                            text-style: $block-cursor-blurred-text-style; }
    LibraryTable:focus > .library-table--cursor { background: $block-cursor-background;
                                                  color: $block-cursor-foreground;
                                                  text-style: $block-cursor-text-style; }
    LibraryTable > .library-table--odd-row { background: $surface-lighten-1 50%; }
    LibraryTable:dark > .library-table--odd-row { background: $surface-darken-1 40%; }
    """

    class Selected(Message):
        """The row under the cursor was clicked again: open it."""

        def __init__(self, article_id: str) -> None:
            super().__init__()
            self.article_id = article_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: Sequence[Row] = []
        self.view: list[int] = []  # indexes into rows, in the order shown
        self.cursor = 0
        self.label_colours: dict[str, str] = {}
        self._label_styles: dict[str, Style] = {}
        self._strips: LRUCache[tuple, Strip] = LRUCache(STRIP_CACHE_SIZE)
        self._generation = 0  # bumped by whatever changes every line
        # Each article's index in rows, for the rows it was made from: finding the kept
        # cursor's row was a list of every shown id per filter key (~0.5 ms at 20,000).
        self._row_of: tuple[Sequence[Row], dict[str, int]] | None = None

    # -- data ----------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.view)

    def set_label_colours(self, colours: dict[str, str]) -> None:
        self._label_styles = {name: Style(foreground=Color.parse(colour))
                              for name, colour in colours.items() if colour}

    def show(self, rows: Sequence[Row], view: list[int], keep: str | None = None) -> None:
        """Show ``rows[i] for i in view``; the cursor stays on article ``keep`` if shown."""
        self.rows, self.view = rows, view
        cursor = 0
        if keep is not None:
            if self._row_of is None or self._row_of[0] is not rows:
                self._row_of = (rows, {row[0]: i for i, row in enumerate(rows)})
            at = self._row_of[1].get(keep)
            with contextlib.suppress(ValueError):  # not shown: the first row
                cursor = view.index(at) if at is not None else 0
        self.cursor = cursor
        self._generation += 1
        self._strips.clear()
        self.virtual_size = Size(self.scrollable_content_region.width,
                                 len(view) + HEADER_LINES)
        self.scroll_to(y=max(0, cursor - self._page() // 2), animate=False, immediate=True)
        self.refresh()

    def row_at(self, position: int) -> Row:
        return self.rows[self.view[position]]

    @property
    def selected(self) -> Row | None:
        return self.row_at(self.cursor) if 0 <= self.cursor < len(self.view) else None

    # -- cursor --------------------------------------------------------------
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_LINES)

    def move_cursor(self, position: int) -> None:
        if not self.view:
            return
        previous, self.cursor = self.cursor, max(0, min(position, len(self.view) - 1))
        if previous != self.cursor:  # document lines: ScrollView subtracts the scroll
            self.refresh_lines(previous + HEADER_LINES)
            self.refresh_lines(self.cursor + HEADER_LINES)
        top, page = int(self.scroll_y), self._page()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + page:
            self.scroll_to(y=self.cursor - page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + self._page())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.view) - 1)

    def on_click(self, event: events.Click) -> None:
        position = int(self.scroll_y) + event.y - HEADER_LINES
        if event.y < HEADER_LINES or not 0 <= position < len(self.view):
            return
        if position == self.cursor:
            self.post_message(self.Selected(self.row_at(position)[0]))
        else:
            self.move_cursor(position)

    def _repaint(self) -> None:
        self._generation += 1  # every cached line is stale
        self.refresh()

    def on_focus(self) -> None:
        self._repaint()  # the cursor's colour follows focus

    def on_blur(self) -> None:
        self._repaint()

    def on_resize(self) -> None:
        # The cached lines stay: their keys hold the width, and nothing else in a line
        # depends on the size (a new generation here drew the first screen's rows twice
        # before its first paint, the Resize coming after the first render, issue 14).
        self.virtual_size = Size(self.scrollable_content_region.width,
                                 len(self.view) + HEADER_LINES)

    # -- drawing -------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y < HEADER_LINES:
            key: tuple = ("header", width, self._generation)
            position = -1
        else:
            position = int(self.scroll_y) + y - HEADER_LINES
            if position >= len(self.view):
                return Strip.blank(width, self.visual_style.rich_style)
            key = (self.view[position], position == self.cursor, position % 2, width,
                   self._generation)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_row(position, width)
            self._strips[key] = strip
        return strip

    def _render_row(self, position: int, width: int) -> Strip:
        columns = Columns.fitting(width)
        if position < 0:
            line = (_cell(Content("Title"), columns.title)
                    + _cell(Content("Source"), columns.source)
                    + _cell(Content("Sent."), columns.sentences)
                    + _cell(Content("Progress"), columns.progress)
                    + _cell(Content("Labels"), columns.labels))
            style = self.get_visual_style("library-table--header")
        else:
            _, title, source, sentences, reviewed, counts = self.row_at(position)
            labels = Content("")
            for name, n in sorted(counts.items()):  # may come from imports: printable too
                label = Content(f"{printable(name)} {n} ", strip_control_codes=False)
                colour = self._label_styles.get(name)
                labels += label.stylize(colour) if colour is not None else label
            line = (_cell(Content(printable(title), strip_control_codes=False), columns.title)
                    + _cell(Content(printable(source), strip_control_codes=False),
                            columns.source)
                    + _cell(Content(str(sentences)), columns.sentences, right=True)
                    + _cell(Content(f"{progress_bar(reviewed, sentences, 8)} "
                                    f"{reviewed}/{sentences}"), columns.progress)
                    + _cell(labels, columns.labels))
            if position == self.cursor:
                style = self.get_visual_style("library-table--cursor")
            elif position % 2:
                style = self.get_visual_style("library-table--odd-row")
            else:
                style = None
        line = line.pad_right(max(0, width - line.cell_length))
        if style is not None:
            line = line.stylize_before(style)
        base = self.visual_style
        strip = Strip(line.render_segments(base), line.cell_length)
        return strip.extend_cell_length(width, base.rich_style).crop(0, width)
