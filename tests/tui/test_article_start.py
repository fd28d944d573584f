"""A long article's entities and the rest of its file's check come right after the first
paint (annotations/article_start.py, issue 9); no key or click ever acts before them, and
a file damaged past the first window is still refused with one clear notice."""

from __future__ import annotations

import json

import pytest

from annotations.store import Store
from tests.tui.test_first_screen_window import SENTENCES, _long_article
from tui.article_view import ArticleView
from tui.screens.reader import ReaderScreen


def _damage_last_entity(db, article_id: str) -> str:
    """The last entity (far past the first window) ends after the text; the file's path."""
    path = Store.open(db)._article_path(article_id)
    tables = json.loads(path.read_text("utf-8"))
    body = tables["article"]["1"]
    body["entities"][-2] = len(body["text"]) + 5
    path.write_text(json.dumps(tables), "utf-8")
    return str(path)


def _messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _until_closed(pilot, app) -> None:
    """Pauses until the reader is closed (a few at most)."""
    for _ in range(20):
        if app.reader is None and not isinstance(app.screen, ReaderScreen):
            return
        await pilot.pause()


async def test_a_file_damaged_past_the_window_is_said_and_the_reader_closes(
        tmp_path, monkeypatch):
    from tests.tui.conftest import make_app

    monkeypatch.chdir(tmp_path)
    db = tmp_path / "db"
    article = _long_article(db)
    path = _damage_last_entity(db, article.id)
    shown: list[bool] = []
    original = ReaderScreen.on_mount

    def mounted(screen):  # the reader was shown from the start of the file
        shown.append(screen._start is not None)
        original(screen)

    monkeypatch.setattr(ReaderScreen, "on_mount", mounted)
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_article(article.id)
        await pilot.pause()
        await _until_closed(pilot, app)
        assert shown == [True]
        assert not isinstance(app.screen, ReaderScreen) and app.reader is None
        [message] = [m for m in _messages(app) if path in m]
        assert "not a newstag article" in message and "entity 2999" in message
    assert Store.open(db).annotations(article.id) == {}


@pytest.mark.parametrize("damaged", [False, True])
async def test_a_key_before_the_rest_is_read_waits_for_it(tmp_path, monkeypatch, damaged):
    """'1' pressed while only the start is read (the read after the first paint is held
    back here): the key first reads the rest, then tags a sentence of the whole article;
    when the rest is damaged, nothing is tagged and the reader closes."""
    from tests.tui.conftest import make_app

    monkeypatch.chdir(tmp_path)
    db = tmp_path / "db"
    article = _long_article(db)
    if damaged:
        path = _damage_last_entity(db, article.id)
    monkeypatch.setattr(ReaderScreen, "_finish_later", lambda screen: None)
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_article(article.id)
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader._start is not None
        assert reader.article.entities == []  # not yet read
        await pilot.press("1")
        await pilot.pause()
        tagged = Store.open(db).annotations(article.id)
        if damaged:
            await _until_closed(pilot, app)
            assert tagged == {} and app.reader is None
            assert not isinstance(app.screen, ReaderScreen)
            assert any(path in m and "not a newstag article" in m for m in _messages(app))
            return
        assert reader._start is None and len(reader.article.entities) == SENTENCES
        assert reader.article == Store.open(db).load_article(article.id)
        assert [i for i, a in tagged.items() if a.labels == ["trade"]] == [reader.view.cursor]
        assert reader.query_one(ArticleView)._start is None


async def test_opened_from_the_command_line_a_damaged_article_is_said_once(
        tmp_path, monkeypatch):
    """`newstag FILE` for an imported article whose file is damaged past the window: one
    notice, the library, and no check of FILE for changes (which reopened it)."""
    from dataclasses import replace

    from annotations.text import content_id
    from tests.tui.conftest import make_app
    from tui.app import NewstagApp

    monkeypatch.chdir(tmp_path)
    db = tmp_path / "db"
    article = _long_article(db)
    source = tmp_path / "notes.txt"
    source.write_text(article.text, "utf-8")
    Store.open(db).save_article(replace(article, source_path=str(source.resolve())),
                                content_id(article.text))
    path = _damage_last_entity(db, article.id)
    imports: list[object] = []
    monkeypatch.setattr(NewstagApp, "import_articles", lambda app, *a, **k: imports.append(a))
    app = make_app(db, paths=[str(source)])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await _until_closed(pilot, app)
        for _ in range(3):  # and whatever would follow (an import, a reopening)
            await pilot.pause()
        assert not isinstance(app.screen, ReaderScreen) and app.reader is None
        assert len([m for m in _messages(app) if path in m]) == 1
        assert imports == []
