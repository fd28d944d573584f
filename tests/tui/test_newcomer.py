"""Issue 9: the reader as a newcomer meets it (Pilot, human-pace keys, what the screen shows)."""

from __future__ import annotations

import time

from annotations.store import Store
from tests.helpers import article_id_for
from tui.article_view import ArticleView
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen

HUMAN_PAUSE = 0.15  # seconds between keys, about a person typing


async def type_slowly(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause(HUMAN_PAUSE)


async def open_main(app, pilot, main_id) -> ArticleView:
    app.open_article(main_id)
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    return app.screen.query_one(ArticleView)


async def test_palette_opens_another_article_while_a_reader_is_open(app_factory, main_id,
                                                                    db_copy):
    """ctrl+p, part of another title, Enter: the new article replaces the reader (no crash)."""
    other = article_id_for(db_copy, "andean-lithium-export-rules.txt")
    app = app_factory()
    async with app.run_test(size=(120, 35)) as pilot:
        await open_main(app, pilot, main_id)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_slowly(pilot, *"andean")
        await pilot.pause(0.5)  # the palette searches in a worker
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article.id == other
        # One reader on the stack, over the library.
        readers = [s for s in app.screen_stack if isinstance(s, ReaderScreen)]
        assert len(readers) == 1
        assert isinstance(app.screen_stack[-2], LibraryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
