"""The cyclic GC is paused while the reader starts and runs again once the first screen
is drawn (tui/startup.py), whichever screen comes first."""

from __future__ import annotations

import gc

import pytest

from tests.helpers import MAIN_ARTICLE
from tui.startup import START


@pytest.fixture
def paused():
    START.pause()
    assert not gc.isenabled()
    yield
    START.resume()
    gc.enable()


async def _settle(pilot, app, screen_id: str) -> None:
    for _ in range(200):
        await pilot.pause(0.01)
        if app.screen.id == screen_id:
            await pilot.pause()
            return
    raise AssertionError(f"{screen_id} never came up; on screen: {app.screen.id}")


async def test_the_gc_runs_again_once_a_known_article_is_on_screen(app_factory, paused):
    app = app_factory(paths=[MAIN_ARTICLE])  # imported before: the reader comes first
    async with app.run_test(size=(120, 35)) as pilot:
        await _settle(pilot, app, "reader")
        assert gc.isenabled()


async def test_the_gc_runs_again_once_the_library_is_on_screen(app_factory, paused):
    app = app_factory()
    async with app.run_test(size=(120, 35)) as pilot:
        await _settle(pilot, app, "library")
        assert gc.isenabled()


async def test_the_gc_runs_again_when_the_first_article_cannot_be_read(app_factory, db_copy,
                                                                      main_id, paused):
    from annotations.store import Store

    store = Store.open(db_copy)
    store._article_path(main_id).write_text('{"article": {"1": {"text": 5}}}', "utf-8")
    app = app_factory(paths=[MAIN_ARTICLE])
    async with app.run_test(size=(120, 35)) as pilot:
        for _ in range(100):
            await pilot.pause(0.01)
            if app._notifications:
                break
        messages = [n.message for n in app._notifications]
        assert any("not a newstag article" in m for m in messages), messages
        assert gc.isenabled()
