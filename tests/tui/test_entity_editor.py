"""Correcting entities in the reader (``t``), driven by Pilot; every correction is checked
in the rules file on disk and in the entities the reader shows.

The article (tests/data/entities/harbour-talks.txt, invented) is one the real
en_core_web_sm gets wrong: "Trump" is ORG in sentences 1, 2 and 5, "Kestrel watch" is
missed, "Tuesday" is a DATE.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from annotations.entity_rules import load_rules
from annotations.ingest import import_paths
from annotations.store import Store
from tests.helpers import REPO
from tests.tui.conftest import make_app
from tui.reader.entity_editor import EntityEditor
from tui.screens.reader import ReaderScreen

SAMPLE = REPO / "tests" / "data" / "entities" / "harbour-talks.txt"


@pytest.fixture(scope="module")
def harbour_db(tmp_path_factory, nlp) -> Path:
    root = tmp_path_factory.mktemp("editor") / "db"
    import_paths(Store.open(root), [SAMPLE], lambda: nlp)
    return root


@pytest.fixture
def app(harbour_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    db = tmp_path / "db"
    shutil.copytree(harbour_db, db)
    return make_app(db)


def _labels(reader: ReaderScreen, text: str) -> list[tuple[int, str]]:
    """(sentence index, label) of every entity with this text, as the reader has them."""
    art = reader.article
    found = []
    for index, entities in art.entities_by_sentence().items():
        found += [(index, e.label) for e in entities if art.text[e.start:e.end] == text]
    return sorted(found)


async def _open_editor(app, pilot) -> tuple[ReaderScreen, EntityEditor]:
    app.open_article(Store.open(app.store.root).summaries()[0].id)
    await pilot.pause()
    reader = app.screen
    assert isinstance(reader, ReaderScreen) and reader.view.cursor == 1
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(app.screen, EntityEditor)
    return reader, app.screen


async def _settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def _rules(app) -> set[tuple]:
    return {(r.text, r.label, r.article, r.index) for r in load_rules(app.store.root)}


async def test_relabel_everywhere_then_undo_and_redo(app):
    async with app.run_test(size=(120, 36)) as pilot:
        reader, editor = await _open_editor(app, pilot)
        assert _labels(reader, "Trump") == [(1, "ORG"), (2, "ORG"), (5, "ORG")]
        assert editor.current()[2] == "ORG"
        await pilot.press("enter", "up", "enter")  # the type list opens on ORG; PERSON
        await _settle(app, pilot)
        assert _rules(app) == {("Trump", "PERSON", None, None)}
        assert _labels(reader, "Trump") == [(1, "PERSON"), (2, "PERSON"), (5, "PERSON")]
        assert editor.current()[2] == "PERSON"
        await pilot.press("u")
        await pilot.pause()
        assert _rules(app) == set()
        assert _labels(reader, "Trump") == [(1, "ORG"), (2, "ORG"), (5, "ORG")]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert _rules(app) == {("Trump", "PERSON", None, None)}
        assert _labels(reader, "Trump")[0] == (1, "PERSON")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader
        await pilot.press("u")  # the reader's own undo takes it too
        await pilot.pause()
        assert _rules(app) == set() and _labels(reader, "Trump")[0] == (1, "ORG")


async def test_remove_an_entity(app):
    async with app.run_test(size=(120, 36)) as pilot:
        reader, editor = await _open_editor(app, pilot)
        await pilot.press("l", "l", "l")
        assert reader.article.text[editor.sentence_start + editor.current()[0]:][:7] == "Tuesday"
        await pilot.press("d")
        await _settle(app, pilot)
        assert _rules(app) == {("Tuesday", None, None, None)}
        assert _labels(reader, "Tuesday") == []
        assert len(editor.entities) == 3


async def test_mark_a_new_span_and_give_it_a_type(app):
    async with app.run_test(size=(120, 36)) as pilot:
        reader, editor = await _open_editor(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("j", "j", "j")  # sentence 4: "Analysts at Kestrel watch said ..."
        assert reader.view.cursor == 4
        await pilot.press("t")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, EntityEditor) and editor.entities == []
        await pilot.press("m", "w", "w", "l")  # Analysts -> Kestrel, extended by "watch"
        start, end, _ = editor.current()
        assert editor.text[start:end] == "Kestrel watch"
        await pilot.press("enter", "down", "enter")  # PERSON first; ORG next
        await _settle(app, pilot)
        assert _rules(app) == {("Kestrel watch", "ORG", None, None)}
        assert _labels(reader, "Kestrel watch") == [(4, "ORG")]
        assert editor.marking is None and len(editor.entities) == 1


async def test_limit_a_correction_to_one_sentence(app):
    async with app.run_test(size=(120, 36)) as pilot:
        reader, editor = await _open_editor(app, pilot)
        await pilot.press("s", "s")
        assert editor.scope == "sentence"
        await pilot.press("enter", "down", "down", "enter")  # ORG -> GPE -> NORP
        await _settle(app, pilot)
        assert _rules(app) == {("Trump", "NORP", reader.article.id, 1)}
        assert _labels(reader, "Trump") == [(1, "NORP"), (2, "ORG"), (5, "ORG")]


async def test_entity_panel_shows_corrected_mentions(app):
    async with app.run_test(size=(120, 36)) as pilot:
        reader, _ = await _open_editor(app, pilot)
        await pilot.press("enter", "up", "enter")
        await _settle(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        panel = reader.query_one("#entity-panel")
        rows = [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
        assert any("Trump" in row and "×3" in row and "✎3" in row for row in rows), rows
