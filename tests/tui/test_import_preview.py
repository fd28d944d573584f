"""A new article opened from the command line is shown while it is processed (issue 9,
stretch): its first lines within a second or so, more as they come, read only until the
import stores it; then the stored article replaces it where the reader was."""

from __future__ import annotations

import asyncio
import time

from textual import events

from annotations.ingest import import_paths
from annotations.store import Store
from tests.tui.conftest import make_app
from tests.tui.test_stop_import import write_long_article


async def _until(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never: {what}")


async def _type(app, *keys: str) -> None:
    """Keys sent as Pilot sends them, without its wait for the process to go idle: spaCy
    keeps it busy for the whole import, so ``pilot.press`` waits ~2 s per key (Textual's
    wait_for_idle gives up after 1 s, twice) and the import would end before the keys."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)
        await asyncio.sleep(0.05)


def _title(app) -> str:
    return str(app.reader.query_one("#reader-title").render())


async def test_a_new_article_is_read_while_it_is_processed_then_tagged_where_the_reader_was(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "long.txt"
    write_long_article(source, 8000)  # ~2,000 lines: seconds of processing
    db = tmp_path / "db"
    app = make_app(db, paths=[source])
    async with app.run_test(size=(120, 30)) as pilot:
        await _until(lambda: app.reader is not None and app.screen is app.reader,
                     "a reader while importing")
        await pilot.pause()
        preview = app.reader
        assert preview.preview, "the reader came only after the import"
        assert Store.open(db).summaries() == [], "the previewed article is already listed"
        assert "processing:" in _title(app)
        assert "Port Authorities Review Berthing Fees" in _title(app)
        shown = len(preview.article.sentences)
        assert 0 < shown < 8000
        assert preview.article.sentences[1].start == len("Port Authorities Review Berthing "
                                                         "Fees\n\n")
        await _type(app, "j", "j", "j", "1", "0", "c")
        assert app.reader is preview and preview.preview, "the import ended too soon to test"
        cursor = preview.view.cursor
        assert cursor == 4  # the heading is sentence 0; j from 1 three times
        assert preview.annotations == {}
        assert any("Still processing" in n.message for n in app._notifications)
        assert app.screen is preview, "a writing key opened something on a preview"

        await _until(lambda: app.reader is not None and not app.reader.preview
                     and app.screen is app.reader, "the stored article replacing the preview")
        reader = app.reader
        await pilot.pause()
        assert len(reader.article.sentences) > shown
        assert reader.view.cursor == cursor, "the stored article opened somewhere else"
        assert "processing" not in _title(app)
        store = Store.open(db)
        [summary] = store.summaries()
        assert summary.sentences + summary.headings == len(reader.article.sentences)
        assert store.load_annotations(summary.id)[0] == {}, "a key on the preview tagged"
        await pilot.press("1")
        await pilot.pause()
        assert list(store.load_annotations(summary.id)[0]) == [cursor]


async def test_escape_from_a_preview_stays_in_the_library_when_the_import_ends(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "long.txt"
    write_long_article(source, 4000)
    db = tmp_path / "db"
    app = make_app(db, paths=[source])
    async with app.run_test(size=(120, 30)) as pilot:
        await _until(lambda: app.reader is not None and app.screen is app.reader,
                     "a reader while importing")
        await _type(app, "escape")
        await pilot.pause()
        assert app.reader is None and app.screen is app.library
        await _until(app.import_stopped.is_set, "the import to end")
        await pilot.pause(0.2)
        assert app.reader is None and app.screen is app.library, \
            "the article was forced open after the person left its preview"
        assert len(Store.open(db).summaries()) == 1


def test_previews_are_prefixes_of_the_stored_article_and_only_for_one_new_article(
        tmp_path, nlp):
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    write_long_article(one, 1200)
    write_long_article(two, 400)
    two.write_text(two.read_text("utf-8").replace("Gdansk", "Gdynia"), "utf-8")
    store = Store.open(tmp_path / "db")
    previews = []

    def preview(article, done, total):
        assert article.id not in {s.id for s in store.summaries()}, "listed before stored"
        previews.append((article, done, total))

    import_paths(store, [one], lambda: nlp, preview=preview)
    assert len(previews) >= 2, "a 300-line article was previewed once at most"
    stored = store.load_article(store.summaries()[0].id)
    sizes = [len(a.sentences) for a, _, _ in previews]
    assert sizes == sorted(sizes) and sizes[-1] < len(stored.sentences)
    for article, done, total in previews:
        n = len(article.sentences)
        assert article.id == stored.id and done < total
        assert article.sentences == stored.sentences[:n]
        assert article.text == stored.text[:article.sentences[-1].end]
        assert article.entities == [e for e in stored.entities
                                    if e.end <= article.sentences[-1].end]

    previews.clear()
    import_paths(store, [two, tmp_path / "three.txt"], lambda: nlp, preview=preview)
    assert previews, "one new file (and one missing) is one new article: previewed"
    previews.clear()
    two.write_text(two.read_text("utf-8") + "A new closing line in Busan.\n", "utf-8")
    third = tmp_path / "third.txt"
    write_long_article(third, 400)
    third.write_text(third.read_text("utf-8").replace("Busan", "Incheon"), "utf-8")
    import_paths(store, [two, third], lambda: nlp, preview=preview)
    assert previews == [], "two articles in one import were previewed"
