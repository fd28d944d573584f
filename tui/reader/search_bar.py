"""The reader's search field: opened by the screen, it posts what was asked for."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class SearchBar(Input):
    """Hidden until opened; Enter posts ``SearchSubmitted``, escape posts ``SearchClosed``."""

    BINDINGS = [Binding("escape", "close", "Close search", show=False, id="search.close")]

    class SearchSubmitted(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class SearchClosed(Message):
        """Closed without a new search; the previous one stays."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(placeholder="Search in this article (Enter to jump, escape to close)",
                         id=id)
        self.display = False

    def open(self, query: str) -> None:
        """Show the field holding the current query and take the focus."""
        self.display = True
        self.value = query
        self.focus()

    def action_close(self) -> None:
        self.display = False
        self.post_message(self.SearchClosed())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.display = False
        self.post_message(self.SearchSubmitted(event.value.strip()))
