"""A new article opened from the command line is shown while it is processed (issue 9,
stretch): its first lines within a second or so, more as they come, read only until the
import stores it; then the stored article replaces it where the reader was."""

from __future__ import annotations

import asyncio
import time

from textual import events

from annotations.ingest import import_paths
from annotations.nlp import line_jobs
from annotations.store import Store
from tests.helpers import article_id_for
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
        # A preview grows a dozen times: its whole layout waits for a key or the wheel.
        view = preview.view
        assert view._window, "a growing preview was laid out whole"
        view.post_message(events.MouseScrollDown(view, 10, 10, 0, 0, 0, False, False, False))
        await _until(lambda: not view._window, "the whole layout for the wheel")
        body = len("Port Authorities Review Berthing Fees\n\n")
        assert preview.article.sentences[1].start == body  # the whole text, from the start
        await _type(app, "j", "j", "j", "1", "0", "c")
        assert app.reader is preview and preview.preview, "the import ended too soon to test"
        at = preview.article.sentences[preview.view.cursor].start
        assert at > preview.article.sentences[2].start, "j did not move the cursor"
        assert preview.annotations == {}
        assert any("Still processing" in n.message for n in app._notifications)
        assert app.screen is preview, "a writing key opened something on a preview"
        shown = len(preview.article.entities)

        await _until(lambda: app.reader is not None and not app.reader.preview
                     and app.screen is app.reader, "the stored article replacing the preview")
        reader = app.reader
        await pilot.pause()
        assert len(reader.article.entities) > shown
        assert reader.article.sentences[reader.view.cursor].start == at, \
            "the stored article opened somewhere else than the preview's cursor"
        cursor = reader.view.cursor
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
    stored = store.load_article(store.summaries()[0].id)
    lines = line_jobs(stored.text)
    first, done, total = previews[0]
    assert (done, total) == (0, len(lines)), "no preview before spaCy"
    assert [(x.start, x.end, x.heading) for x in first.sentences] == lines
    assert first.entities == [] and first.text == stored.text
    assert len(previews) >= 3, "a 300-line article was previewed while processed once at most"
    assert [d for _, d, _ in previews] == sorted(d for _, d, _ in previews)
    for article, done, total in previews[1:]:
        assert article.id == stored.id and 0 < done < total == len(lines)
        boundary = lines[done - 1][1]
        processed = [x for x in stored.sentences if x.end <= boundary]
        n = len(processed)
        assert article.sentences[:n] == processed
        assert [(x.index, x.start, x.end, x.heading) for x in article.sentences[n:]] == \
            [(n + i, *line) for i, line in enumerate(lines[done:])]
        assert article.entities == [e for e in stored.entities if e.end <= boundary]
        assert article.text == stored.text

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


async def test_an_article_opened_from_the_palette_during_a_preview_is_not_taken_away(
        app_factory, db_copy, tmp_path):
    """ctrl+p to another article while the new one is processed: when the import ends the
    reader stays on the article the person chose."""
    from textual.command import CommandPalette

    other = article_id_for(db_copy, "andean-lithium-export-rules.txt")
    source = tmp_path / "long.txt"
    write_long_article(source, 4000)
    app = app_factory(paths=[source])
    async with app.run_test(size=(120, 30)):
        await _until(lambda: app.reader is not None and app.screen is app.reader
                     and app.reader.preview, "a preview")
        await _type(app, "ctrl+p")
        await _until(lambda: isinstance(app.screen, CommandPalette), "the palette")
        await _type(app, *"andean")
        await asyncio.sleep(0.5)  # the palette searches in a worker
        await _type(app, "enter")
        await _until(lambda: app.reader is not None and app.reader.article.id == other
                     and app.screen is app.reader, "the article chosen in the palette")
        assert not app.import_stopped.is_set(), "the import ended too soon to test"
        await _until(app.import_stopped.is_set, "the import to end")
        await asyncio.sleep(0.3)
        assert app.reader is not None and app.reader.article.id == other, \
            "the imported article took the place of the one the person chose"
        assert app.screen is app.reader


async def test_a_failed_import_ends_its_preview_with_the_reason(tmp_path, monkeypatch):
    """A preview must not say "processing" for ever. The fault is faked (the one fake in
    this file): spaCy failing to load cannot be caused for real where the tests run, since
    the fallback model is installed with them."""
    import annotations.pipeline_loader
    from annotations.errors import ModelNotInstalled

    def no_model(model, warn):
        time.sleep(0.5)  # the lines are on screen first
        raise ModelNotInstalled("no spaCy model could be loaded: (test)")

    monkeypatch.setattr(annotations.pipeline_loader, "load_pipeline", no_model)
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "long.txt"
    write_long_article(source, 400)
    app = make_app(tmp_path / "db", paths=[source])
    async with app.run_test(size=(120, 30)):
        await _until(lambda: app.reader is not None and app.screen is app.reader,
                     "the lines while spaCy loads")
        await _until(lambda: app.reader is None and app.screen is app.library,
                     "the library after the failure", seconds=30)
        await asyncio.sleep(0.3)  # the library's rows are read again after the pop
        assert any("no spaCy model could be loaded" in n.message for n in app._notifications)
    assert Store.open(tmp_path / "db").summaries() == []


async def test_a_preview_from_a_file_of_several_articles_keeps_what_the_person_set_up(
        tmp_path, monkeypatch, nlp):
    """A JSONL file whose one new record is previewed; meanwhile the person filters by a
    label-free filter, opens the stats screen: when the article is stored the same screen
    becomes taggable under the stats screen (which stays open), the filter still applies,
    and the entity corrections in force showed in the preview already."""
    import json

    from annotations.entity_corrections import add_rule, make_rule
    from annotations.ingest import import_paths as run_import
    from tui.screens.stats import StatsScreen

    monkeypatch.chdir(tmp_path)
    long_text = tmp_path / "long.txt"
    write_long_article(long_text, 6000)
    records = tmp_path / "wire.jsonl"
    small = {"id": "wire-1", "title": "Harbour Dues", "text": "Harbour Dues\n\nDues rose."}
    records.write_text(json.dumps(small) + "\n", "utf-8")
    db = tmp_path / "db"
    store = Store.open(db)
    run_import(store, [records], lambda: nlp)
    add_rule(store, make_rule(store, "Mombasa", "PERSON", ["PERSON", "GPE"]), future=True)
    big = {"id": "wire-2", "title": "Berthing Fees", "text": long_text.read_text("utf-8")}
    records.write_text(json.dumps(small) + "\n" + json.dumps(big) + "\n", "utf-8")

    app = make_app(db, paths=[records])
    async with app.run_test(size=(120, 30)):
        await _until(lambda: app.reader is not None and app.screen is app.reader
                     and app.reader.preview and app.reader.article.entities, "processed lines")
        preview = app.reader
        text = preview.article.text
        mombasa = {text[e.start:e.end]: e.label for e in preview.article.entities
                   if text[e.start:e.end] == "Mombasa"}
        assert mombasa == {"Mombasa": "PERSON"}, "the preview ignored the corrections"
        preview.apply_filter("unreviewed")
        await _type(app, "S")
        await _until(lambda: isinstance(app.screen, StatsScreen), "the stats screen")
        assert not app.import_stopped.is_set(), "the import ended too soon to test"
        await _until(app.import_stopped.is_set, "the import to end")
        await _until(lambda: not preview.preview, "the preview to become the stored article")
        assert isinstance(app.screen, StatsScreen), "the stats screen was closed under them"
        assert app.reader is preview and preview.filter_key == "unreviewed"
        assert "processing" not in _title(app)
        await _type(app, "escape")
        await _until(lambda: app.screen is preview, "back to the reader")
        cursor = preview.view.cursor
        await _type(app, "1")
        await _until(lambda: Store.open(db).load_annotations("wire-2")[0], "the tag")
        assert list(Store.open(db).load_annotations("wire-2")[0]) == [cursor]
