"""Messages that ask the app to change what is shown ("attributes down, messages up").

Screens and the command palette never push or pop the reader themselves: they post one
of these and the app, which owns the screen stack, does it whatever screen is on top
(a palette, a modal, the reader itself).
"""

from __future__ import annotations

from textual.message import Message


class OpenArticle(Message):
    """Show this article in the reader, replacing any open reader."""

    def __init__(self, article_id: str) -> None:
        super().__init__()
        self.article_id = article_id


class CloseReader(Message):
    """Close the reader (if open) and show the library."""
