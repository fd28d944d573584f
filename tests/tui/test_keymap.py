"""Label keys and user remaps go through Textual's keymap, checked against the reader's bindings."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from annotations.config import MAX_LABELS, load_config
from annotations.errors import ConfigError
from annotations.ingest import import_paths
from annotations.store import Store
from tui.app import NewstagApp
from tui.article_view import ArticleView
from tui.screens.modals import NoteScreen
from tui.screens.reader import ReaderScreen

# Invented text: two taggable sentences.
ARTICLE = ("Harbour Talks Resume\n\n"
           "The ministers of Norland and Sudmark met in Kelport on Tuesday.\n"
           "They agreed to cut tariffs on timber and salt by half.\n")
# Keys the reader uses that the old hand-kept RESERVED_KEYS did not list, and two it did.
READER_KEYS = ["c", "p", "h", "N", "[", "]", "home", "end", "?", "/"]


def write_config(folder: Path, labels: str, extra: str = "") -> Path:
    path = folder / "keys-config.yaml"
    path.write_text(f"labels:\n{labels}{extra}", "utf-8")
    return path


def one_label(key: str) -> str:
    return f"  - {{name: trade, key: {key!r}, colour: '#e5a50a'}}\n"


@pytest.fixture
def article_db(tmp_path, nlp) -> tuple[Path, str]:
    source = tmp_path / "harbour.txt"
    source.write_text(ARTICLE, "utf-8")
    db = tmp_path / "db"
    report = import_paths(Store.open(db), [source], lambda: nlp)
    return db, report.added[0]


@pytest.mark.parametrize("key", READER_KEYS)
def test_a_label_on_a_reader_key_is_refused_naming_the_file_and_key(tmp_path, key):
    path = write_config(tmp_path, one_label(key))
    config = load_config(str(path))
    with pytest.raises(ConfigError) as refused:
        NewstagApp(config, Store.open(tmp_path / "db"))
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: labels[0].key: {key!r} is already the reader's key")


@pytest.mark.parametrize("key", ["c", "home", "?"])
def test_the_reader_refuses_it_in_one_line_with_exit_2_and_creates_nothing(cli, tmp_path, key):
    path = write_config(tmp_path, one_label(key))
    db = tmp_path / "never-created"
    result = cli("--config", str(path), db=db)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert str(path) in lines[0] and "labels[0].key" in lines[0] and repr(key) in lines[0]
    assert "Traceback" not in result.err
    assert not db.exists()


def test_more_labels_than_slots_is_a_config_error(tmp_path):
    labels = "".join(f"  - {{name: l{i}, key: 'f{i + 1}'}}\n" for i in range(MAX_LABELS + 1))
    path = write_config(tmp_path, labels)
    with pytest.raises(ConfigError, match=rf"labels: at most {MAX_LABELS} labels"):
        load_config(str(path))


def stored_labels(db: Path, article_id: str) -> dict[int, list[str]]:
    """What is on disk, read by a fresh Store."""
    annotations = Store.open(db, create=False).annotations(article_id)
    return {i: a.labels for i, a in annotations.items()}


async def open_reader(app, pilot, article_id) -> ArticleView:
    app.open_article(article_id)
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    return app.screen.query_one(ArticleView)


def footer_keys(app) -> list[tuple[str, str]]:
    return [(k.key_display, k.description) for k in app.screen.query_one(Footer).query(FooterKey)]


async def test_a_label_on_x_is_pressed_through_the_keymap(tmp_path, article_db):
    db, article_id = article_db
    labels = one_label("x") + "  - {name: defence, key: '2', colour: '#e01b24'}\n"
    app = NewstagApp(load_config(str(write_config(tmp_path, labels))), Store.open(db))
    async with app.run_test(size=(120, 30)) as pilot:
        view = await open_reader(app, pilot, article_id)
        first = view.cursor
        await pilot.press("x")
        await pilot.pause()
        # The keymap moves a rebound key to the end of Textual's map; the footer still
        # shows the labels first, named for the label, with the configured key.
        assert footer_keys(app)[:2] == [("x", "Trade"), ("2", "Defence")]
        # Slot 3 has no label: its default key does nothing and is not shown.
        assert "3" not in [key for key, _ in footer_keys(app)]
        await pilot.press("3")
        await pilot.pause()
    assert stored_labels(db, article_id) == {first: ["trade"]}


async def test_keys_section_remaps_a_binding_and_frees_its_key_for_a_label(tmp_path,
                                                                         article_db):
    db, article_id = article_db
    path = write_config(tmp_path, one_label("c"), "keys:\n  reader.note: ctrl+n\n")
    app = NewstagApp(load_config(str(path)), Store.open(db))
    async with app.run_test(size=(120, 30)) as pilot:
        view = await open_reader(app, pilot, article_id)
        first = view.cursor
        await pilot.press("c")
        await pilot.pause()
        assert not isinstance(app.screen, NoteScreen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        # The help shows the key the keymap gave, not the declared one.
        assert ("^n", "Note") in app.screen.rows
    assert stored_labels(db, article_id) == {first: ["trade"]}


@pytest.mark.parametrize(("keys", "where", "problem"), [
    ("reader.nope: x", "keys.reader.nope", "no such key binding"),
    ("reader.label.1: x", "keys.reader.label.1", "no such key binding"),
    ("reader.note: j", "keys.reader.note", "'j' is already the reader's key for 'Next'"),
    ("reader.note: '1'", "labels[0].key", "'1' is already the reader's key for 'Note'"),
    ("reader.note: 'a,,b'", "keys.reader.note", "must be a key"),
])
def test_bad_remaps_are_config_errors(tmp_path, keys, where, problem):
    path = write_config(tmp_path, one_label("1"), f"keys:\n  {keys}\n")
    with pytest.raises(ConfigError) as refused:
        NewstagApp(load_config(str(path)), Store.open(tmp_path / "db"))
    assert str(refused.value).startswith(f"{path}: {where}: {problem}")
