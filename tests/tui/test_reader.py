"""The reader driven by Pilot; every assertion about tagging checks the store on disk."""

from __future__ import annotations

from pathlib import Path

import yaml

from annotations.model import ReviewState
from annotations.store import Store
from tests.helpers import CORPUS_ARTICLES, MAIN_SENTENCES
from tests.tui.conftest import make_app
from tui.article_view import ArticleView
from tui.screens.modals import FilterScreen, HelpScreen, NoteScreen
from tui.screens.reader import ReaderScreen


def stored(app, article_id):
    """What is on disk, read by a fresh Store."""
    return Store.open(app.store.root, create=False).annotations(article_id)


async def open_main(app, pilot, main_id):
    app.open_article(main_id)
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    return app.screen.query_one(ArticleView)


async def test_navigation_skips_headings(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        sentences = view.article.sentences
        assert view.cursor == 0
        await pilot.press("j")
        assert view.cursor == 1
        await pilot.press("down", "down")
        assert view.cursor == 3
        await pilot.press("k", "up")
        assert view.cursor == 1
        heading = next(s.index for s in sentences if s.heading)
        await pilot.press("g", *["j"] * (heading - 1))
        assert view.cursor == heading - 1
        await pilot.press("j")
        assert view.cursor == heading + 1  # the heading was skipped
        await pilot.press("k")
        assert view.cursor == heading - 1
        await pilot.press("G")
        assert view.cursor == max(s.index for s in sentences if not s.heading)
        await pilot.press("g")
        assert view.cursor == 0
        await pilot.press("end")
        last = view.cursor
        await pilot.press("home")
        assert view.cursor == 0 and last > 0
        await pilot.press("pagedown")
        assert view.cursor > 1
        before = view.cursor
        await pilot.press("pageup")
        assert view.cursor < before


async def test_label_keys_toggle_and_mark_reviewed(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_main(app, pilot, main_id)
        await pilot.press("1", "2")
        saved = stored(app, main_id)[0]
        assert saved.labels == ["trade", "defence"] and saved.state is ReviewState.REVIEWED
        await pilot.press("1")
        assert stored(app, main_id)[0].labels == ["defence"]
        await pilot.press("2")
        assert 0 not in stored(app, main_id)  # last label off: unreviewed again
        await pilot.press("3", "j")  # j moves without confirming anything
        assert set(stored(app, main_id)) == {0}


async def test_confirm_none_apply_and_clear(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        await pilot.press("enter")
        assert view.cursor == 1
        first = stored(app, main_id)[0]
        assert first.labels == [] and first.state is ReviewState.REVIEWED
        await pilot.press("2", "space")
        assert view.cursor == 2
        assert stored(app, main_id)[1].labels == ["defence"]
        await pilot.press("0")
        assert view.cursor == 3 and stored(app, main_id)[2].state is ReviewState.REVIEWED
        await pilot.press("k", "backspace")
        assert 2 not in stored(app, main_id)


async def test_note_editor_saves_cancels_and_undoes(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_main(app, pilot, main_id)
        await pilot.press("c")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"check [this]", "ctrl+s")
        assert stored(app, main_id)[0].note == "check [this]"
        assert stored(app, main_id)[0].state is ReviewState.UNREVIEWED
        await pilot.press("c", "x", "escape")
        assert stored(app, main_id)[0].note == "check [this]"
        await pilot.press("u")
        assert 0 not in stored(app, main_id)
        await pilot.press("ctrl+r")
        assert stored(app, main_id)[0].note == "check [this]"


async def test_undo_and_redo_every_change(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        await pilot.press("1", "2", "j", "0")
        assert stored(app, main_id)[0].labels == ["trade", "defence"]
        assert 1 in stored(app, main_id)
        await pilot.press("u")
        assert 1 not in stored(app, main_id) and view.cursor == 1
        await pilot.press("u")
        assert stored(app, main_id)[0].labels == ["trade"] and view.cursor == 0
        await pilot.press("u", "u")
        assert stored(app, main_id) == {}
        await pilot.press("ctrl+r", "ctrl+r", "ctrl+r")
        assert stored(app, main_id)[0].labels == ["trade", "defence"]
        assert 1 in stored(app, main_id)


async def test_next_unreviewed(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        await pilot.press("0", "0", "g")  # sentences 0 and 1 reviewed
        await pilot.press("right_square_bracket")
        assert view.cursor == 2
        await pilot.press("left_square_bracket")  # nothing unreviewed before: wraps round
        last = max(s.index for s in view.article.sentences if not s.heading)
        assert view.cursor == last


async def test_search_highlights_and_jumps(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        await pilot.press("slash", *"nickel", "enter")
        text = view.article.text
        hits = [s.index for s in view.article.sentences
                if "nickel" in text[s.start:s.end].lower()]
        assert hits == [6, 7, 14]  # the fixture names nickel in three sentences
        assert view.cursor == hits[0]
        assert view.matches and all(text[a:b].lower() == "nickel" for a, b in view.matches)
        await pilot.press("n")
        assert view.cursor == hits[1]
        await pilot.press("N")
        assert view.cursor == hits[0]


async def test_filter_by_label_and_unreviewed(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        await pilot.press("j", "1", "j", "j", "1")
        await pilot.press("f")
        assert isinstance(app.screen, FilterScreen)
        await pilot.press("down", "down", "down", "enter")  # tagged trade
        assert view.taggable_visible() == [1, 3]
        assert view.cursor in (1, 3)
        await pilot.press("f", "home", "down", "enter")  # unreviewed
        assert 1 not in view.taggable_visible() and 0 in view.taggable_visible()


async def test_entity_panel_steps_through_mentions_and_toggles_highlight(app_factory,
                                                                         main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        await pilot.press("p")
        panel = app.screen.query_one("#entity-panel")
        assert panel.display and panel.has_focus
        ids = [panel.get_option_at_index(i).id for i in range(panel.option_count)]
        target = next(i for i, x in enumerate(ids) if x and x.startswith("entity:GPE:Japan"))
        panel.highlighted = target
        await pilot.press("enter")
        text = view.article.text
        first = view.cursor
        assert "Japan" in text[view.article.sentences[first].start:
                               view.article.sentences[first].end]
        await pilot.press("enter")
        # Japan is named in sentences 0, 7 and 8; each Enter steps to the next mention.
        assert (first, view.cursor) == (7, 8)
        type_row = next(i for i, x in enumerate(ids) if x == "type:GPE")
        panel.highlighted = type_row
        await pilot.press("enter")
        assert "GPE" in view.highlights.hidden_types
        await pilot.press("p", "h")
        assert view.highlights.entities is False


async def test_export_from_the_reader_writes_yaml(app_factory, main_id, tmp_path):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_main(app, pilot, main_id)
        await pilot.press("1", "e")
        await pilot.pause()
        await pilot.press("enter")  # the dialog's default: YAML into the current folder
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        [path] = list(Path.cwd().glob("newstag-export-*.yaml"))
        data = yaml.safe_load(path.read_text("utf-8"))
        article = next(a for a in data["articles"] if a["id"] == main_id)
        assert article["sentences"][0]["labels"] == ["trade"]


async def test_escape_goes_back_and_position_is_remembered(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_main(app, pilot, main_id)
        await pilot.press("j", "j", "j", "escape")
        assert app.screen is app.library
        view = await open_main(app, pilot, main_id)
        assert view.cursor == 3
        await pilot.press("j", "q")
    from annotations.positions import position

    assert position(Store.open(app.store.root, create=False), main_id) == 4


async def test_mouse_click_selects_a_sentence(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        layout = view._layout
        block = view._block_of[2]
        await pilot.click(ArticleView, offset=(20, layout.first_line[block]))
        assert view.cursor == 2


async def test_help_lists_every_binding(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_main(app, pilot, main_id)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        described = {d for _, d in app.screen.rows}
        for binding in ReaderScreen.BINDINGS:
            if not binding.id.startswith("reader.label."):  # label slots: listed below
                assert binding.description in described
        # The labels are listed first, with their keys, marks and descriptions.
        assert [x[2] for x in app.screen.labels] == ["trade", "defence", "diplomacy"]
        await pilot.press("escape", "f1")
        assert isinstance(app.screen, HelpScreen)


async def test_hostile_text_is_shown_literally_and_runs_nothing(hostile_db, tmp_path,
                                                                monkeypatch):
    import shutil

    db, article_id = hostile_db
    copy = tmp_path / "db"
    shutil.copytree(db, copy)
    monkeypatch.chdir(tmp_path)
    app = make_app(copy)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_article(article_id)
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        lines = [view.render_line(y).text for y in range(view.size.height)]
        screen = "\n".join(lines)
        assert "[@click=app.quit]x[/]" in screen
        assert "[bold]loud[/bold]" in screen and "stray [/]" in screen
        assert "\x1b" not in screen and "\x07" not in screen and "\x00" not in screen
        assert "␛[31mred" in screen and "␇" in screen
        for y in range(8):
            await pilot.click(ArticleView, offset=(30, y))
        await pilot.press("j", "1", "c", *"[/] note", "ctrl+s")
        assert app.is_running
        await pilot.press("question_mark", "escape", "p", "p")
        assert app.is_running
        placed = Store.open(copy, create=False).annotations(article_id)
        assert any(a.note == "[/] note" for a in placed.values())


async def test_small_terminals_do_not_crash(app_factory, main_id):
    for size, key, labels in (((80, 24), "1", ["trade"]), ((40, 12), "2", ["trade", "defence"])):
        app = app_factory()
        async with app.run_test(size=size) as pilot:
            view = await open_main(app, pilot, main_id)
            await pilot.press("j", key, "G", "p", "p", "f", "escape", "question_mark",
                              "escape")
            assert view.cursor is not None and app.is_running
            assert stored(app, main_id)[1].labels == labels


async def test_library_filters_sorts_and_opens(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.library.query_one("#library-table")
        assert table.row_count == CORPUS_ARTICLES
        await pilot.press("slash", *"philippines")  # only in one source name
        assert table.row_count == 1
        await pilot.press("enter")
        assert isinstance(app.screen, ReaderScreen) and app.screen.article.id == main_id
        await pilot.press("escape")
        await pilot.press("escape")  # clears the filter
        assert table.row_count == CORPUS_ARTICLES
        await pilot.press("s")
        assert app.library.sort == "title"
        titles = [table.row_at(i)[1] for i in range(table.row_count)]
        assert titles == sorted(titles, key=str.lower)


async def test_empty_database_imports_the_bundled_samples(tmp_path, monkeypatch):
    from annotations.sources import sample_paths

    monkeypatch.chdir(tmp_path)
    app = make_app(tmp_path / "fresh", samples=sample_paths())
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.library.rows) == len(sample_paths()) >= 3


async def test_reader_picks_up_tags_written_by_another_process(app_factory, main_id,
                                                               db_copy):
    import asyncio
    import subprocess
    import sys

    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        await pilot.press("1")  # our own change first
        proc = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "tui.cli", "tag", main_id, "3",
                             "diplomacy", "--db", str(db_copy)], capture_output=True,
            text=True)
        assert proc.returncode == 0, proc.stderr
        for _ in range(30):
            await pilot.pause(0.1)
            if 3 in view.annotations:
                break
        assert view.annotations[3].labels == ["diplomacy"]
        assert view.annotations[0].labels == ["trade"]
        assert f"2/{MAIN_SENTENCES} reviewed" in str(app.screen.query_one("#status").render())


async def test_library_columns_fit_an_80_column_terminal(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.library.query_one("#library-table")
        header = table.render_line(0).text
        for name in ("Title", "Source", "Sent.", "Progress", "Labels"):
            assert name in header
        assert len(header.rstrip()) <= table.scrollable_content_region.width
        assert table.max_scroll_x == 0


async def test_undo_never_erases_a_change_made_since_by_another_process(app_factory, main_id):
    """Found by an adversarial review: `u` wrote the old state back over a tag and note
    that `newstag tag` (a real second process) had written after the reader's change."""
    import os
    import subprocess
    import sys

    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        view = await open_main(app, pilot, main_id)
        await pilot.press("1")
        assert stored(app, main_id)[0].labels == ["trade"]
        env = {**os.environ, "NEWSTAG_DB": str(app.store.root)}
        subprocess.run([sys.executable, "-m", "tui.cli", "tag", main_id, "0", "trade",
                        "defence", "--note", "from a script"], env=env, check=True,
                       capture_output=True, timeout=120)
        await pilot.press("u")
        await pilot.pause()
        kept = stored(app, main_id)[0]
        assert kept.labels == ["trade", "defence"] and kept.note == "from a script"
        assert any("Not undone" in str(n.message) for n in app._notifications)
        assert view.annotations[0].labels == ["trade", "defence"]  # the screen shows it too
        await pilot.press("ctrl+r")  # nothing to redo: the refused edit is forgotten
        assert stored(app, main_id)[0].note == "from a script"


async def test_a_tag_written_between_loading_and_watching_still_shows(app_factory, main_id,
                                                                      db_copy, monkeypatch):
    """The reader took the annotation file's signature once it was watching, after the
    annotations were loaded: a tag another process wrote in between never showed (found
    by a review). A real write (a second Store, as `newstag tag` makes it) is placed at
    that moment."""
    from annotations.store import Store
    from tests.helpers import put_tag
    from tui.screens.reader import ReaderScreen

    real = ReaderScreen._start_watching

    def meanwhile(screen):
        put_tag(Store.open(db_copy, create=False), main_id, 3, ["diplomacy"])
        real(screen)

    monkeypatch.setattr(ReaderScreen, "_start_watching", meanwhile)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        assert 3 not in view.annotations  # loaded before the write
        for _ in range(30):
            await pilot.pause(0.1)
            if 3 in view.annotations:
                break
        assert view.annotations[3].labels == ["diplomacy"]


async def test_a_file_rewritten_with_its_signature_within_a_clock_step_still_shows(
        app_factory, main_id, db_copy):
    """A file written twice within a step of the file system's clock can keep its
    signature (inode reused, same size, same mtime: annotations/file_stamps.py). Emulated
    by rewriting the file in place, its size and mtime kept, right after the reader took
    in the first write: the next look reads it again all the same."""
    import os

    from annotations.store import Store
    from tests.helpers import put_tag

    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_main(app, pilot, main_id)
        screen = app.screen
        put_tag(Store.open(db_copy, create=False), main_id, 3, ["trade"])
        screen.pick_up_external_changes()  # at once: taken in, within the write's step
        assert view.annotations[3].labels == ["trade"]
        path = Store.open(db_copy, create=False)._annotation_path(main_id)
        st = path.stat()
        data = path.read_bytes()
        assert data.count(b'"labels":["trade"]') == 1
        with open(path, "r+b") as handle:
            handle.write(data.replace(b'"labels":["trade"]', b'"labels":["trad3"]'))
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert Store.open(db_copy, create=False).annotations_signature(main_id) == \
            (st.st_ino, st.st_mtime_ns, st.st_size)
        screen.pick_up_external_changes()
        assert view.annotations[3].labels == ["trad3"]
