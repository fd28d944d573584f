"""The reader's first frame already shows the article and, in the status line, the
sentence the cursor is on (the view used to lay out on its first Resize event, which
Textual sends after that paint: two frames without the article came first, issue 9)."""

from __future__ import annotations

from annotations.positions import save_position
from annotations.store import Store
from tests.helpers import MAIN_ARTICLE
from tui.article_view import ArticleView
from tui.reader.status_line import StatusLine
from tui.screens.reader import ReaderScreen


async def test_first_paint_of_the_reader_has_the_article_and_its_cursor(
        app_factory, db_copy, main_id, monkeypatch):
    store = Store.open(db_copy)
    article = store.load_article(main_id)
    start = next(s.index for s in reversed(article.sentences) if not s.heading)
    save_position(store, main_id, start)  # opens on the last sentence, not the first
    painted: list[tuple[int | None, bool, str, list[str]]] = []
    original = ReaderScreen._compositor_refresh

    def first_paint(screen):
        if not painted:
            view = screen.query_one(ArticleView)
            rows = [view.render_line(y).text for y in range(view.size.height)]
            status = str(screen.query_one(StatusLine).render())
            painted.append((view.cursor, view._layout is not None, status, rows))
        original(screen)

    monkeypatch.setattr(ReaderScreen, "_compositor_refresh", first_paint)
    app = app_factory(paths=[str(MAIN_ARTICLE)])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        [(cursor, laid_out, status, rows)] = painted
        assert laid_out and cursor == start
        assert f"sentence {start} ·" in status
        last_words = article.sentence_text(article.sentences[start]).split()[-1]
        assert any(last_words in row for row in rows), rows
        assert "▶" in "".join(rows)  # the cursor is drawn, on screen
        view = app.screen.query_one(ArticleView)
        assert view.cursor == start  # and the Resize that came after moved nothing
        assert f"sentence {start} ·" in str(app.screen.query_one(StatusLine).render())


async def test_reader_from_the_command_line_then_escape_shows_the_whole_library(
        app_factory, db_copy):
    """Opened straight into a reader, the library is built only when first needed (not
    before the reader's first screen: tests/unit/test_import_hygiene.py); Escape then
    shows it with every row counted."""
    from tests.tui.test_newcomer import screen_text
    from tui.screens.library import LibraryScreen

    app = app_factory(paths=[str(MAIN_ARTICLE)])
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        summaries = Store.open(db_copy).summaries()
        assert len(app.screen.rows) == len(summaries)
        text = screen_text(app)
        assert "sentences reviewed" in text and "counting…" not in text
        assert all(s.title[:20] in text for s in summaries[:3])
        await pilot.press("enter")  # and the first row opens
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article.id == summaries[0].id


async def test_search_field_is_mounted_when_first_opened_and_takes_a_burst(app_factory):
    """The reader's first screen has no search field (a hidden Input was ~3 ms of it);
    '/' mounts it, and keys typed in the same burst all land in it; opened again, it is
    the same field with the last query."""
    from textual.widgets import Input

    from tui.reader.search_bar import SearchBar

    app = app_factory(paths=[str(MAIN_ARTICLE)])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert not app.screen.query(Input)
        view = app.screen.query_one(ArticleView)
        await pilot.press("slash", *"nickel", "enter")
        text = view.article.text
        hits = [s.index for s in view.article.sentences
                if "nickel" in text[s.start:s.end].lower()]
        assert hits and view.cursor == hits[0]
        assert view.has_focus
        await pilot.press("slash")
        await pilot.pause()
        [bar] = app.screen.query(SearchBar)
        assert bar.display and bar.has_focus and bar.value == "nickel"
        await pilot.press("escape")
        await pilot.pause()
        assert not bar.display and view.has_focus and view.cursor == hits[0]


async def test_entity_panel_is_mounted_when_first_opened(app_factory):
    """The reader's first screen has no entity panel (a hidden OptionList was ~2 ms of it);
    highlighting can be switched before it exists; 'p' mounts and shows it, 'p' hides it."""
    from tui.reader.entity_panel import EntityPanel

    app = app_factory(paths=[str(MAIN_ARTICLE)])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and not reader.query(EntityPanel)
        await pilot.press("h", "h", "p")
        [panel] = reader.query(EntityPanel)
        assert panel.display and panel.has_focus and panel.option_count
        assert panel.parent is reader.query_one("#reader-body")
        await pilot.press("p")
        assert not panel.display and reader.query_one(ArticleView).has_focus
