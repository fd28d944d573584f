"""Text from files reaches the screen only through one sanitising path.

Hostile titles, sources, ids, labels and notes (markup, OSC 52, CSI, C1, bidi
overrides, BEL, NUL) go into a real database on disk; the real app is driven
with Pilot and the real CLI runs in a subprocess. What the app rendered is read
from the compositor (the cells that would be written to the terminal), so the
assertions are about what a terminal would receive, not about widget internals.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from annotations.config import load_config
from annotations.ingest import import_paths
from annotations.interchange import import_file
from annotations.store import Store
from tests.helpers import REPO
from tui.app import NewstagApp
from tui.article_view import ArticleView
from tui.screens.modals import FilterScreen, HelpScreen, NoteScreen
from tui.screens.reader import ReaderScreen

OSC52 = "\x1b]52;c;cm0gLXJmIH4vKg==\x07"  # sets the clipboard to "rm -rf ~/*"
KIT = (f"[@click=app.screenshot()]x[/] [/] [bold red]R {OSC52} \x1b[2J \x9b "
       "\u202eevil BEL\x07 NUL\x00")
# Nothing of these may reach a terminal cell as it is.
RAW = ("\x1b", "\x07", "\x00", "\x9b", "\u202e")
# Nor may these reach the terminal's byte stream (SGR colour codes may: they are ours).
SEQUENCES = ("\x1b]52", "\x1b[2J", "\x07", "\x00", "\x9b", "\u202e")
LABEL = f"\u202e\x9blab\x1b[2J[/][b]{OSC52}"  # a label from an import, not in the config
SENTENCE = "The minister met the envoy in Paris on Monday."
TITLE = "Hostile " + KIT


def _article(article_id: str, title: str, source: str) -> dict:
    return {"id": article_id, "title": title, "source": source,
            "text": f"Hostile Heading\n\n{SENTENCE} Talks on trade went on.\n"
                    f"A second line names {KIT} in Berlin today.\n"}


def _write_jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def _annotation_yaml(path: Path, article_id: str) -> Path:
    """A newstag export whose label (not in the config) and note are hostile."""
    path.write_text(
        "format: newstag-annotations\nversion: 1\narticles:\n"
        f"- id: {json.dumps(article_id)}\n  sentences:\n"
        f"  - text: {json.dumps(SENTENCE)}\n"
        f"    labels: [trade, {json.dumps(LABEL)}]\n    state: reviewed\n"
        f"    note: {json.dumps('note ' + KIT)}\n", "utf-8")
    return path


def _config():
    return load_config(str(REPO / "config.yaml"))


@pytest.fixture
def hostile_store(tmp_path, nlp, monkeypatch) -> Store:
    """An article with a hostile title, source and id, tagged with a hostile label and note."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    store = Store.open(tmp_path / "db")
    src = _write_jsonl(tmp_path / "hostile.jsonl", _article("id-" + KIT, TITLE, "src " + KIT))
    import_paths(store, [src], lambda: nlp)
    import_file(store, _annotation_yaml(tmp_path / "a.yaml", "id-" + KIT), "yaml",
                _config().label_names, "", lambda: nlp)
    return store


def rendered(app: NewstagApp) -> tuple[str, str]:
    """(text of every cell on screen, the escape sequence a terminal would be sent)."""
    compositor = app.screen._compositor
    cells = "\n".join("".join(segment.text for segment in strip)
                      for strip in compositor.render_strips())
    stream = compositor.render_full_update().render_segments(app.console)
    return cells, stream


def assert_clean(app: NewstagApp, where: str) -> str:
    cells, stream = rendered(app)
    for char in RAW:
        assert char not in cells, f"{where}: {char!r} reached a cell"
    for sequence in SEQUENCES:
        assert sequence not in stream, f"{where}: {sequence!r} reached the terminal"
    return cells


# -- the rule ------------------------------------------------------------------
def test_printable_keeps_length_and_neutralises_every_terminal_control():
    from annotations.text import json_for_terminal, printable, visible_controls

    text = "a\x1b[2Jb\x07c\x00d\x9be\u202ef\u2066g\u2069h\x7fi\tj\nk\u2028l\ud800m"
    shown = printable(text)
    assert len(shown) == len(visible_controls(text)) == len(text)  # offsets hold
    assert shown == "a␛[2Jb␇c␀d\ufffde\ufffdf\ufffdg\ufffdh␡i j k␤l\ufffdm"
    assert printable("one\ntwo", multiline=True) == "one\ntwo"
    # Marks that only steer neighbouring neutrals stay (Arabic and Hebrew text needs them).
    assert printable("\u200fرئيس\u200e") == "\u200fرئيس\u200e"
    assert printable("e\u0301 🇮🇳 \u200d") == "e\u0301 🇮🇳 \u200d"
    value = {"t": "é\x9b\u202e\x7f\ud800\x1b"}
    dumped = json_for_terminal(json.dumps(value, ensure_ascii=False))
    assert dumped.isascii() is False and "\x9b" not in dumped and "\u202e" not in dumped
    assert json.loads(dumped) == value
    # ASCII only: json escaped every control but DEL, which is still escaped here.
    for ascii_only in ({"t": "plain \x1b\x00 text"}, {"t": "del \x7f here"}):
        dumped = json_for_terminal(json.dumps(ascii_only, ensure_ascii=False, indent=2))
        assert "\x7f" not in dumped and "\x1b" not in dumped and json.loads(dumped) == ascii_only


# -- the app -------------------------------------------------------------------
async def test_command_palette_shows_hostile_titles_literally(hostile_store, tmp_path):
    app = NewstagApp(_config(), hostile_store)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        assert app.is_running
        cells = assert_clean(app, "palette, every command")
        assert "Open: Hostile [@click=app.screenshot()]x[/] [/] [bold red]R ␛]52" in cells
        await pilot.press(*"Hostile")
        await pilot.pause(0.3)
        cells = assert_clean(app, "palette, searching")
        assert "[bold red]R ␛]52;c;cm0gLXJmIH4vKg==␇ ␛[2J" in cells
        assert "src [@click=app.screenshot()]x[/]" in cells  # the help line, literally
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ReaderScreen)
        assert "Hostile [@click=app.screenshot()]x[/] [/]" in assert_clean(app, "reader")
    assert not list(tmp_path.rglob("*.svg"))


async def test_clicking_a_markup_title_in_the_palette_runs_nothing(tmp_path, nlp,
                                                                   monkeypatch):
    monkeypatch.chdir(tmp_path)
    shots = tmp_path / "shots"
    shots.mkdir()
    store = Store.open(tmp_path / "db")
    title = "Clickable [@click=app.screenshot('shot.svg','shots')]x[/] trap"
    import_paths(store, [_write_jsonl(tmp_path / "c.jsonl", _article("c1", title, "s"))],
                 lambda: nlp)
    app = NewstagApp(_config(), store)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pilot.press("ctrl+p", *"Clickable")
        await pilot.pause(0.3)
        cells, _ = rendered(app)
        row, line = next((y, text) for y, text in enumerate(cells.split("\n"))
                         if "Open: Clickable" in text)
        # Where the "x" of the link sits if the title were markup.
        column = line.index("Open: Clickable ") + len("Open: Clickable ")
        await pilot.click(offset=(column, row))
        await pilot.pause(0.5)
        assert app.is_running
    assert not list(shots.iterdir())
    assert title in Store.open(tmp_path / "db", create=False).summaries()[0].title


async def test_library_reader_status_panels_help_and_note_editor(hostile_store):
    app = NewstagApp(_config(), hostile_store)
    async with app.run_test(size=(240, 40), notifications=True) as pilot:
        await pilot.pause(0.2)
        cells = assert_clean(app, "library")
        assert "Hostile [@click=app.screenshot()]x[/]" in cells
        assert "lab␛[2J" in cells  # the label column
        summary = hostile_store.summaries()[0]
        app.open_article(summary.id)
        await pilot.pause(0.2)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.query_one(ArticleView).cursor == 1  # the tagged, annotated sentence
        cells = assert_clean(app, "reader and status line")
        assert "note: note [@click=app.screenshot()]x[/] [/] [bold red]R ␛]52" in cells
        assert "\ufffd\ufffdlab␛[2J[/][b]␛]52" in cells
        await pilot.press("p")
        await pilot.pause(0.2)
        assert_clean(app, "entity panel")
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        assert_clean(app, "help")
        await pilot.press("escape", "f")
        await pilot.pause(0.2)
        assert isinstance(app.screen, FilterScreen)
        assert_clean(app, "filter chooser")
        await pilot.press("escape")
        reader.query_one(ArticleView).focus()
        await pilot.press("c")
        await pilot.pause(0.2)
        assert isinstance(app.screen, NoteScreen)
        cells = assert_clean(app, "note editor")
        assert "note [@click=app.screenshot()]x[/]" in cells
        await pilot.press("ctrl+s")  # saved without an edit
        await pilot.pause(0.2)
        assert app.is_running and app.screen is reader
    # Showing the note sanitised must not have changed what is stored.
    stored = Store.open(hostile_store.root, create=False).annotations(summary.id)
    assert stored[1].note == "note " + KIT


async def test_a_toast_naming_a_hostile_file_shows_it_literally(tmp_path, nlp, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"bad {OSC52}\u202e\x1b[2J.txt").write_bytes(b"\x00\x01\x02 binary \xff\xfe")
    _write_jsonl(folder / "good.jsonl", _article("g1", "Good", "s"))
    app = NewstagApp(_config(), Store.open(tmp_path / "db"), [folder])
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        for _ in range(100):
            await pilot.pause(0.1)
            if app.store.summaries():
                break
        await pilot.pause(0.3)
        cells = assert_clean(app, "toast")
        assert "bad ␛]52;c;cm0gLXJmIH4vKg==␇" in cells


# -- the CLI's human output ------------------------------------------------------
def _assert_plain(text: str, where: str) -> None:
    for char in RAW:
        assert char not in text, f"{where}: {char!r} was printed"


def test_cli_human_output_shows_hostile_text_literally(cli, tmp_path):
    db = tmp_path / "db\u202e\x1b[2J"  # the folder name is printed by import
    folder = tmp_path / "in"
    folder.mkdir()
    _write_jsonl(folder / "a.jsonl", _article("id-" + KIT, TITLE, "src " + KIT))
    (folder / f"bad {OSC52}\u202e.txt").write_bytes(b"\x00\x01 binary \xff\xfe")

    result = cli("import", folder, db=db)
    assert result.code == 0, result.err
    _assert_plain(result.out + result.err, "import")
    assert "bad ␛]52;c;cm0gLXJmIH4vKg==␇\ufffd.txt" in result.err

    result = cli("import-annotations", _annotation_yaml(tmp_path / "a.yaml", "id-" + KIT),
                 db=db)
    assert result.code == 0, result.err
    _assert_plain(result.out + result.err, "import-annotations")
    assert "\ufffd\ufffdlab␛[2J[/][b]␛]52" in result.err  # the unknown label is named

    listing = cli("list", db=db)
    shown = cli("show", "id-", db=db)
    stats = cli("stats", db=db)
    for name, result in (("list", listing), ("show", shown), ("stats", stats)):
        assert result.code == 0, result.err
        _assert_plain(result.out + result.err, name)
        assert len(result.out.splitlines()) == len(result.out.split("\n")) - 1
    # Printed as it is: nothing interpreted the markup, nothing hid a control.
    assert "Hostile [@click=app.screenshot()]x[/] [/] [bold red]R ␛]52;c;cm0gLXJmIH4vKg==␇ " \
           "␛[2J \ufffd \ufffdevil BEL␇ NUL␀ (src [@click" in listing.out
    assert "(note: note [@click=app.screenshot()]x[/] [/] [bold red]R ␛]52" in shown.out
    assert "[trade,\ufffd\ufffdlab␛[2J[/][b]␛]52" in shown.out
    assert "\ufffd\ufffdlab␛[2J[/][b]␛]52;c;cm0gLXJmIH4vKg==␇ 1" in stats.out
    assert "Hostile [@click=app.screenshot()]x[/]" in stats.out

    # --json keeps the stored text exactly, but as escapes: json.dumps(ensure_ascii=False)
    # alone would print U+009B (a one-byte CSI) and U+202E as they are.
    outputs = {name: cli(name, *extra, "--json", db=db).out
               for name, extra in (("list", ()), ("show", ("id-",)), ("stats", ()))}
    for name, out in outputs.items():
        _assert_plain(out, f"{name} --json")
    rows = json.loads(outputs["list"])
    assert rows[0]["title"] == TITLE and rows[0]["labels"][LABEL] == 1
    assert json.loads(outputs["show"])["sentences"][1]["note"] == "note " + KIT
    assert json.loads(outputs["stats"])["labels"][LABEL] == 1


async def test_a_hostile_label_description_in_the_config_is_shown_literally(hostile_store,
                                                                            tmp_path):
    """The Footer shows a binding's tooltip; a str tooltip would be parsed as markup."""
    from textual.widgets._footer import FooterKey

    config = tmp_path / "config.yaml"
    config.write_text(
        "labels:\n  - name: trade\n    key: \"1\"\n    colour: \"#e5a50a\"\n"
        "    description: \"[/] stray, [@click=app.quit]quit[/], \\e]52;c;cm0g\\a \\u202e\"\n",
        "utf-8")
    app = NewstagApp(load_config(str(config)), hostile_store)
    async with app.run_test(size=(240, 40), tooltips=True) as pilot:
        app.open_article(hostile_store.summaries()[0].id)
        await pilot.pause(0.2)
        for _ in range(50):  # the Footer recomposes when the reader's bindings arrive
            keys = [k for k in app.screen.query(FooterKey)
                    if k.description == "Trade" and k.region.width]
            if keys:
                break
            await pilot.pause(0.1)
        await pilot.hover(keys[0])
        await pilot.pause(1.0)
        assert app.is_running
        cells = assert_clean(app, "label tooltip")
        assert "[/] stray, [@click=app.quit]quit[/]," in cells and "␛]52;c;cm0g␇" in cells


def _on_a_terminal(args: list[str], env: dict) -> str:
    """Run the CLI with a real pseudo-terminal as its stdout; what it wrote there."""
    import os
    import pty
    import subprocess
    import sys

    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli", *args], stdout=terminal,
                            stderr=subprocess.DEVNULL, env=env)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(controller)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "doccano", "yaml"])
def test_an_export_shown_on_a_terminal_acts_on_nothing(cli, tmp_path, fmt):
    """`newstag export -f csv` to a terminal wrote ESC/OSC from ids, text and notes to it;
    a pipe still gets the data exactly."""
    db = tmp_path / "db"
    source = _write_jsonl(tmp_path / "a.jsonl", _article("id-" + KIT, TITLE, "src"))
    assert cli("import", source, db=db).code == 0
    note = "n " + KIT.replace("\x00", "")  # argv cannot hold a NUL
    assert cli("tag", "id-", "1", "trade", "--note", note, db=db).code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTAG_")}
    env["NEWSTAG_DB"] = str(db)
    shown = _on_a_terminal(["export", "-f", fmt], env)
    assert "trade" in shown
    for char in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert char not in shown, f"{fmt}: {char!r} reached the terminal"
    piped = cli("export", "-f", fmt, db=db).out
    assert "\x1b" in piped or "\\u001b" in piped  # the data itself is unchanged
