"""A long article's first screen is laid out from a window around the cursor; the rest
follows right after the first paint, and no key ever sees the window (issue 9)."""

from __future__ import annotations

from annotations.model import Article, Entity, Sentence
from annotations.store import Store
from annotations.text import content_id
from tui.article_view import ArticleView
from tui.screens.reader import ReaderScreen

SENTENCES = 3000


def _long_article(db) -> Article:
    """Invented: one short paragraph per 4 sentences, a heading every 500, an entity
    ("Quito") in every sentence, and one sentence only a search finds."""
    parts, spans, entities, offset = [], [], [], 0
    for n in range(SENTENCES):
        if n % 500 == 0:
            heading = f"Section {n // 500 + 1}"
            parts.append(heading + "\n")
            spans.append((offset, offset + len(heading), True))
            offset += len(heading) + 1
        word = "albatross" if n == 2345 else "ferry"
        sentence = f"Note {n} on the {word} service to Quito was filed on day {n % 28 + 1}."
        parts.append(sentence + ("\n" if n % 4 == 3 else " "))
        spans.append((offset, offset + len(sentence), False))
        at = offset + sentence.index("Quito")
        entities.append(Entity(at, at + 5, "GPE"))
        offset += len(sentence) + 1
    text = "".join(parts)
    article = Article(id="long-notes", text=text, title="Ferry notes", source="notes.txt",
                      sentences=[Sentence(i, s, e, h) for i, (s, e, h) in enumerate(spans)],
                      entities=entities)
    Store.open(db).save_article(article, content_id(text))
    return article


def _screen_rows(app) -> list[str]:
    view = app.screen.query_one(ArticleView)
    return [view.render_line(y).text for y in range(view.size.height)]


async def test_first_paint_uses_a_window_then_g_and_search_find_the_right_sentence(
        tmp_path, monkeypatch):
    from tests.tui.conftest import make_app

    monkeypatch.chdir(tmp_path)
    db = tmp_path / "db"
    article = _long_article(db)
    app = make_app(db)
    windows: list[int] = []
    original = ArticleView._relayout

    def watched(view, window=False):
        original(view, window)
        if view._layout is not None:
            windows.append(len(view._layout.blocks))

    monkeypatch.setattr(ArticleView, "_relayout", watched)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_article(article.id)
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        view = app.screen.query_one(ArticleView)
        # The first layout was a window, drawn with its entities; the whole one followed.
        assert windows[0] < len(article.sentences) // 5, windows
        assert windows[-1] == len(article.sentences)
        assert not view._window
        assert view._layout.total_lines > SENTENCES
        assert any("Note 0 on the ferry service to Quito" in row for row in _screen_rows(app))
        await pilot.press("G")
        await pilot.pause()
        last = len(article.sentences) - 1
        assert view.cursor == last
        assert any(f"Note {SENTENCES - 1} on the ferry" in row for row in _screen_rows(app))
        await pilot.press("g", "slash", *"albatross", "enter")
        await pilot.pause()
        hit = article.sentence_text(article.sentences[view.cursor])
        assert "albatross" in hit and hit.startswith("Note 2345 ")
        assert any("Note 2345 on the albatross" in row for row in _screen_rows(app))


async def test_a_key_pressed_while_only_the_window_is_laid_out_sees_the_whole_article(
        tmp_path, monkeypatch):
    """G before the rest is laid out: the key finishes the layout and lands on the last
    sentence (the completion after the first paint is held back here to be sure)."""
    from tests.tui.conftest import make_app

    monkeypatch.chdir(tmp_path)
    db = tmp_path / "db"
    article = _long_article(db)
    app = make_app(db)
    monkeypatch.setattr(ArticleView, "_complete_layout_later", lambda view: None,
                        raising=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_article(article.id)
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert view._window and len(view._layout.blocks) < len(article.sentences)
        await pilot.press("G")
        await pilot.pause()
        assert not view._window
        assert view.cursor == len(article.sentences) - 1
        assert any(f"Note {SENTENCES - 1} on the ferry" in row for row in _screen_rows(app))
        await pilot.press("k", "1")
        await pilot.pause()
        assert Store.open(db).annotations(article.id)[len(article.sentences) - 2].labels \
            == ["trade"]
