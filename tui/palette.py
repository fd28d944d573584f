"""Command palette entries that open an article.

Textual's ``SystemCommand`` takes ``str`` titles and its provider highlights matches
with ``Content.from_markup``: an article title would be parsed as markup (a
``[@click=…]`` became a clickable action, a stray ``[/]`` crashed the app). This
provider matches on the sanitised plain text and hands the palette ``Content``,
which it shows as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.style import Style

from annotations.errors import UserError
from annotations.text import printable
from tui.navigation import OpenArticle
from tui.safe_text import untrusted

MAX_ARTICLES = 200
TITLE_CHARS = 80


@dataclass(frozen=True)
class _Entry:
    article_id: str
    name: str  # "Open: <title>", sanitised: what is matched and shown
    # Content, never a str: Textual parses a str help as markup (its hint says str).
    help: Content


class ArticleCommands(Provider):
    """An "Open: <title>" entry for each of the first articles of the library."""

    async def startup(self) -> None:
        try:
            summaries = self.app.store.summaries()[:MAX_ARTICLES]  # type: ignore[attr-defined]
        except UserError:
            summaries = []
        self._entries = [
            _Entry(s.id, "Open: " + printable(s.title[:TITLE_CHARS]),
                   untrusted(f"{s.source} [{s.id}]"))
            for s in summaries
        ]

    def _open(self, article_id: str) -> None:
        # The app replaces the reader whatever screen is on top (the palette is).
        self.app.post_message(OpenArticle(article_id))

    async def discover(self) -> Hits:
        for entry in self._entries:
            yield DiscoveryHit(Content(entry.name, strip_control_codes=False),
                               partial(self._open, entry.article_id), text=entry.name,
                               help=entry.help)  # type: ignore[arg-type]  # see _Entry.help

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries:
            score, offsets = matcher.fuzzy_search.match(matcher.query, entry.name)
            if score > 0:
                yield Hit(score, _highlight(entry.name, offsets, matcher.match_style),
                          partial(self._open, entry.article_id), text=entry.name,
                          help=entry.help)  # type: ignore[arg-type]  # see _Entry.help


def _highlight(name: str, offsets: Sequence[int], style: Style) -> Content:
    """Matcher.highlight without its markup parsing: style the matched characters."""
    content = Content(name, strip_control_codes=False)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(style, offset, offset + 1)
    return content
