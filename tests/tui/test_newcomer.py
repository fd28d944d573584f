"""Issue 9: the reader as a newcomer meets it (Pilot, human-pace keys, what the screen shows)."""

from __future__ import annotations

import re
import time

from annotations.store import Store
from tests.helpers import article_id_for
from tui.article_view import ArticleView
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen

HUMAN_PAUSE = 0.15  # seconds between keys, about a person typing


async def type_slowly(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause(HUMAN_PAUSE)


async def open_main(app, pilot, main_id) -> ArticleView:
    app.open_article(main_id)
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    return app.screen.query_one(ArticleView)


async def test_palette_opens_another_article_while_a_reader_is_open(app_factory, main_id,
                                                                    db_copy):
    """ctrl+p, part of another title, Enter: the new article replaces the reader (no crash)."""
    other = article_id_for(db_copy, "andean-lithium-export-rules.txt")
    app = app_factory()
    async with app.run_test(size=(120, 35)) as pilot:
        await open_main(app, pilot, main_id)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_slowly(pilot, *"andean")
        await pilot.pause(0.5)  # the palette searches in a worker
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article.id == other
        # One reader on the stack, over the library.
        readers = [s for s in app.screen_stack if isinstance(s, ReaderScreen)]
        assert len(readers) == 1
        assert isinstance(app.screen_stack[-2], LibraryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


def screen_text(app) -> str:
    """Every character on the screen, as the terminal would show it."""
    from rich.console import Console

    console = Console(width=app.size.width, record=True, file=open("/dev/null", "w"),  # noqa: SIM115
                      legacy_windows=False)
    strips = app.screen._compositor.render_update(full=True)
    console.print(strips)
    return console.export_text()


async def test_library_filter_starts_with_slash_and_keeps_every_key(app_factory):
    """At a human pace: letters without / are not half-taken; after / every key is text."""
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        filter_input = app.library.query_one("#library-filter")
        table = app.library.query_one("#library-table")
        await type_slowly(pilot, *"ind")
        # Typing without / filters nothing (was: 'nd', the first letter dropped).
        assert filter_input.value == ""
        assert "/" in str(filter_input.placeholder)  # the screen says how to filter
        await type_slowly(pilot, "slash", *"arctq")
        assert filter_input.value == "arctq"  # q is text in the filter, not quit
        assert app.is_running
        await type_slowly(pilot, "backspace")
        assert filter_input.value == "arct" and table.row_count == 1
        await type_slowly(pilot, "slash", "s")
        assert filter_input.value == "arct/s"  # appended, nothing selected and replaced
        assert app.library.sort == "imported"  # s went into the filter, no sort
        await type_slowly(pilot, "escape")
        assert filter_input.value == "" and table.has_focus
        await type_slowly(pilot, "s")
        assert app.library.sort == "title"
        await type_slowly(pilot, "q")
        assert not app.is_running


async def test_counts_are_plural_only_when_more_than_one(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await type_slowly(pilot, "slash", *"arctic")
        summary = str(app.library.query_one("#library-summary").render())
        assert "1 of 5 articles" in summary
        await type_slowly(pilot, "escape")
        app.library.set_rows(app.library.rows[:1])
        await pilot.pause()
        summary = str(app.library.query_one("#library-summary").render())
        assert " 1 article " in summary


def write_big_article(path, sentences: int) -> None:
    """An invented article of ``sentences`` sentences, one paragraph per five."""
    places = ["Oslo", "Manila", "Lima", "Nairobi", "Hanoi", "Quito", "Tallinn", "Accra"]
    lines = ["Ministers Meet Over Shipping Rules", ""]
    paragraph = []
    for n in range(sentences):
        place = places[n % len(places)]
        paragraph.append(f"Delegates in {place} discussed clause {n} of the shipping draft "
                         f"on day {n % 28 + 1}.")
        if len(paragraph) == 5:
            lines.append(" ".join(paragraph))
            paragraph = []
    lines.append(" ".join(paragraph))
    path.write_text("\n".join(lines) + "\n", "utf-8")


async def test_big_import_moves_progress_and_q_stops_it_at_once(tmp_path, monkeypatch):
    """A 4,000-sentence import: the bar moves per batch; q stops it without a trace."""
    import asyncio

    from tests.tui.conftest import make_app

    monkeypatch.chdir(tmp_path)
    big = tmp_path / "big.txt"
    write_big_article(big, 4000)
    db = tmp_path / "db"
    app = make_app(db, paths=[big])
    seen: list[float] = []
    async with app.run_test(size=(120, 30)) as pilot:
        bar = app.library.query_one("#import-progress")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            if bar.progress and bar.total and bar.progress < bar.total:
                if not seen or bar.progress != seen[-1]:
                    seen.append(bar.progress)
                if len(seen) >= 3:
                    break
        assert len(seen) >= 3, f"the bar did not move: {seen}"
        # One new article is shown while it is processed; its title says how far it is.
        shown: list[str] = []
        while time.monotonic() < deadline and len(set(shown)) < 2:
            await asyncio.sleep(0.05)
            shown += re.findall(r"processing: ([\d,]+) of", screen_text(app))
        assert len(set(shown)) >= 2, f"the progress on screen did not move: {shown}"
        started = time.monotonic()
        await pilot.press("q")
        while not app.import_stopped.is_set() and time.monotonic() - started < 30:
            await asyncio.sleep(0.01)
        stopped_after = time.monotonic() - started
    assert app.import_stopped.is_set()
    print(f"import stopped {stopped_after * 1000:.0f} ms after q")
    assert stopped_after < 1.5, f"the import went on for {stopped_after:.2f} s after q"
    # Nothing half-done is listed: the index names no article of the stopped import.
    assert Store.open(db).summaries() == []


async def test_the_number_the_reader_shows_is_the_one_newstag_tag_takes(app_factory, main_id,
                                                                       db_copy, cli):
    """Past two headings, the reader's "sentence N" typed into `newstag tag` tags that sentence.

    (Past one heading the old 1-based count of taggable sentences happened to agree.)
    """
    import re

    app = app_factory()
    async with app.run_test(size=(120, 35)) as pilot:
        view = await open_main(app, pilot, main_id)
        second = [s.index for s in view.article.sentences if s.heading][1]
        await pilot.press("g", *["j"] * (second - 1))  # the first sentence after it
        await pilot.pause()
        cursor = view.cursor
        assert cursor == second + 1
        text = view.article.sentence_text(view.article.sentences[cursor])
        status = str(app.screen.query_one("#status").render())
    shown = int(re.search(r"sentence (\d+)", status).group(1))
    result = cli("tag", main_id, str(shown), "trade", db=db_copy)
    assert result.code == 0, result.err
    tagged = Store.open(db_copy, create=False).annotations(main_id)
    assert list(tagged) == [cursor]
    assert tagged[cursor].text == text and tagged[cursor].labels == ["trade"]


def store_long_article(db, sentences: int) -> str:
    """An invented article of ``sentences`` sentences stored in a real database.

    Sentences are cut at ". " by hand (spaCy would take minutes here and is not what
    these tests are about); five to a paragraph, a heading every 100 sentences.
    """
    from annotations.model import Article, Sentence
    from annotations.text import content_id

    parts: list[str] = []
    spans: list[tuple[int, int, bool]] = []
    offset = 0
    for n in range(sentences):
        if n % 100 == 0:
            heading = f"Part {n // 100 + 1}"
            parts.append(heading + "\n")
            spans.append((offset, offset + len(heading), True))
            offset += len(heading) + 1
        sentence = f"Clause {n} of the draft was read aloud in Geneva on day {n % 30 + 1}."
        end = "\n" if n % 5 == 4 else " "
        parts.append(sentence + end)
        spans.append((offset, offset + len(sentence), False))
        offset += len(sentence) + 1
    text = "".join(parts)
    article = Article(id="long-article", text=text, title="A long invented article",
                      source="long.txt",
                      sentences=[Sentence(i, s, e, h) for i, (s, e, h) in enumerate(spans)])
    Store.open(db).save_article(article, content_id(text))
    return article.id


def gutter_of(app, index: int) -> str:
    """The gutter of a sentence's first line as the terminal shows it now."""
    view = app.screen.query_one(ArticleView)
    line = view._layout.first_line[view._block_of[index]] - view.scroll_offset.y
    assert 0 <= line < view.size.height, "the sentence is not on screen"
    row = screen_text(app).splitlines()[view.region.y + line]
    return row[view.region.x:view.region.x + view._gutter_width]


async def test_gutter_is_fresh_after_end_tag_and_up_on_a_long_article(tmp_path, monkeypatch):
    """G, 1, k on a 20,000+ line article: the gutter shows the new label at once."""
    from tests.tui.conftest import make_app

    monkeypatch.chdir(tmp_path)
    db = tmp_path / "db"
    article_id = store_long_article(db, 20_000)
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_article(article_id)
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert view._layout.total_lines > 20_000
        await pilot.press("G")
        await pilot.pause()
        last = view.cursor
        await pilot.press("1")
        await pilot.pause()
        assert "T" in gutter_of(app, last)
        await pilot.press("k")
        await pilot.pause()
        assert Store.open(db).annotations(article_id)[last].labels == ["trade"]
        assert "T" in gutter_of(app, last), gutter_of(app, last)
        await pilot.press("1")
        await pilot.pause()
        assert "T" in gutter_of(app, view.cursor)
        await pilot.press("j", "1")  # off again on the last one
        await pilot.pause()
        assert "T" not in gutter_of(app, last)
        screen = screen_text(app)
        assert "sentence " + str(last) in screen


async def test_a_toast_leaves_the_status_line_visible_and_a_file_name_whole(app_factory,
                                                                            main_id):
    name = "/tmp/newstag-exports/newstag-export-20260507-101112-analysts-team.yaml"
    app = app_factory()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await open_main(app, pilot, main_id)
        app.notify(f"Exported to {name}", timeout=30)
        await pilot.pause(0.3)
        toast = app.screen.query_one("Toast")
        status = app.screen.query_one("#status")
        footer = app.screen.query_one("Footer")
        assert not toast.region.overlaps(status.region)
        assert not toast.region.overlaps(footer.region)
        assert any(name in line for line in screen_text(app).splitlines())
        assert "sentence 0" in screen_text(app).splitlines()[status.region.y]


async def test_labels_have_distinct_marks_and_are_shown_with_keys(app_factory, main_id):
    app = app_factory()
    async with app.run_test(size=(120, 35)) as pilot:
        view = await open_main(app, pilot, main_id)
        await pilot.press("2", "j", "3")
        await pilot.pause()
        assert gutter_of(app, 0)[1:4] == "·D·"
        assert gutter_of(app, 1)[1:4] == "··I"  # diplomacy is not a second "D"
        lines = screen_text(app).splitlines()
        legend = lines[app.screen.query_one("#legend").region.y]
        assert "1 T trade" in legend and "2 D defence" in legend and "3 I diplomacy" in legend
        footer = lines[app.screen.query_one("Footer").region.y]
        # At 120 columns the footer shows the label keys (it cut them off before).
        for key, name in (("1", "Trade"), ("2", "Defence"), ("3", "Diplomacy")):
            assert f"{key} {name}" in footer, footer
        assert view.cursor == 1


async def test_help_starts_with_the_labels_and_lists_space_help_and_palette(app_factory,
                                                                           main_id):
    from tui.screens.modals import HelpScreen

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_main(app, pilot, main_id)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        body = text[text.index("newstag — keys"):]
        assert body.index("Labels") < body.index("Keys")
        assert "T  trade — Tariffs, trade deals" in body
        assert "I  diplomacy — Talks, visits" in body
        keys = [k for k, _ in app.screen.rows]
        assert any("space" in k for k in keys)
        assert "?, f1" in keys and "ctrl+p" in keys
        # One help: Textual's own keys panel is not offered beside it.
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Keys" not in titles and "Help" in titles


def styled_segments(view, y: int, word: str):
    return [seg for seg in view.render_line(y) if word in seg.text]


async def test_search_hits_are_black_on_gold_in_light_and_dark_themes(app_factory, main_id):
    """Also on the cursor's own sentence (the cursor background used to cover the hit)."""
    from rich.color import Color as RichColor
    from rich.color import ColorSystem

    app = app_factory()
    async with app.run_test(size=(120, 35)) as pilot:
        view = await open_main(app, pilot, main_id)
        await pilot.press("slash", *"Manila", "enter")
        await pilot.pause()
        line = view._layout.first_line[view._block_of[view.cursor]] - view.scroll_offset.y
        assert "Manila" in view.article.sentence_text(view.article.sentences[view.cursor])
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            [hit] = styled_segments(view, line, "Manila")
            assert hit.text == "Manila"
            style = hit.style
            assert style.bold
            assert style.bgcolor.triplet.hex == "#ffd700", (theme, style)
            assert style.color.triplet.hex == "#000000", (theme, style)
    # In 256 colours gold stays gold (colour 220) and black stays black (16).
    assert RichColor.parse("#ffd700").downgrade(ColorSystem.EIGHT_BIT).number == 220
    assert RichColor.parse("#000000").downgrade(ColorSystem.EIGHT_BIT).number == 16


async def test_export_dialog_offers_format_and_path_and_remembers_them(app_factory, main_id,
                                                                       tmp_path):
    import csv

    from tui.screens.export import ExportScreen

    out = tmp_path / "exports"
    out.mkdir()
    app = app_factory()
    async with app.run_test(size=(120, 35)) as pilot:
        await open_main(app, pilot, main_id)
        await pilot.press("1", "e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#export-format").value = "csv"
        await pilot.pause()
        path_input = app.screen.query_one("#export-path")
        assert path_input.value.endswith(".csv")  # the extension follows the format
        path_input.value = str(out / "tags.csv")
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = list(csv.reader((out / "tags.csv").open(encoding="utf-8")))
        assert "trade" in rows[0] and len(rows) == 2
        await pilot.press("e")
        await pilot.pause()
        # The last choice is the default: CSV, in the same folder.
        assert app.screen.query_one("#export-format").value == "csv"
        default = app.screen.query_one("#export-path").value
        assert default.startswith(str(out)) and default.endswith(".csv")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    assert not list(tmp_path.glob("newstag-export-*"))  # nothing written where not asked


async def test_entity_panel_count_agrees_with_the_entity_filter(tmp_path, monkeypatch, nlp):
    """"Mention 1 of 2: Estonia" and the filter shows those 2, not "Estonian parliament"."""
    from annotations.ingest import import_paths
    from tests.tui.conftest import make_app
    from tui.screens.modals import FilterScreen

    monkeypatch.chdir(tmp_path)
    src = tmp_path / "baltic.txt"
    src.write_text("Baltic Ministers Meet\n\n"
                   "Estonia hosted the air defence exercise on Monday.\n"
                   "The Estonian parliament approved the budget on Tuesday.\n"
                   "Latvia and Estonia signed a new pact in Riga.\n", "utf-8")
    db = tmp_path / "db"
    [article_id] = import_paths(Store.open(db), [src], lambda: nlp).added
    app = make_app(db)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        view = await open_main(app, pilot, article_id)
        reader = app.screen
        await pilot.press("p")
        await pilot.pause()
        panel = reader.query_one("#entity-panel")
        ids = [panel.get_option_at_index(i).id for i in range(panel.option_count)]
        panel.highlighted = ids.index("entity:GPE:Estonia")
        await pilot.press("enter")
        await pilot.pause()
        toast = [n.message for n in app._notifications if "Mention" in n.message][-1]
        assert toast.endswith(" of 2: Estonia"), toast
        await pilot.press("p")  # the panel closes, the article has the focus again
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        options = app.screen.query_one("#filter-options")
        keys = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = keys.index("entity:Estonia")
        await pilot.press("enter")
        await pilot.pause()
        shown = view.taggable_visible()
        assert len(shown) == 2
        assert all("Estonian" not in view.article.sentence_text(view.article.sentences[i])
                   for i in shown)


async def test_an_imported_file_opens_at_once_and_reopens_if_it_was_edited(tmp_path,
                                                                          monkeypatch, nlp):
    """`newstag FILE` shows the stored article first; an edit is found in the background."""
    import asyncio

    from annotations.ingest import import_paths
    from tests.tui.conftest import make_app

    monkeypatch.chdir(tmp_path)
    src = tmp_path / "talks.txt"
    src.write_text("Talks Resume\n\nEnvoys met in Vienna on Monday.\n", "utf-8")
    db = tmp_path / "db"
    [article_id] = import_paths(Store.open(db), [src], lambda: nlp).added
    app = make_app(db, paths=[src])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # On screen before any import work (no spaCy, no re-reading of the file).
        assert isinstance(app.screen, ReaderScreen) and app.screen.article.id == article_id
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.article.id == article_id
    src.write_text("Talks Resume\n\nEnvoys met in Vienna on Tuesday.\n", "utf-8")
    app = make_app(db, paths=[src])
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):
            await asyncio.sleep(0.05)
            if isinstance(app.screen, ReaderScreen) and "Tuesday" in app.screen.article.text:
                break
        assert "Tuesday" in app.screen.article.text


async def test_newstag_file_shows_the_reader_first_and_escape_finds_the_library(
        tmp_path, monkeypatch, nlp):
    """The first screen of `newstag FILE` is the reader's: the library is not built
    before it (that cost the first screen its time), and is there, fresh, on escape."""
    from annotations.ingest import import_paths
    from tests.tui.conftest import make_app
    from tui.screens.library import LibraryScreen

    monkeypatch.chdir(tmp_path)
    src = tmp_path / "talks.txt"
    src.write_text("Talks Resume\n\nEnvoys met in Vienna on Monday.\n", "utf-8")
    other = tmp_path / "ports.txt"
    other.write_text("Port News\n\nRotterdam handled more containers in May.\n", "utf-8")
    db = tmp_path / "db"
    import_paths(Store.open(db), [src, other], lambda: nlp)
    app = make_app(db, paths=[src])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.library not in app.screen_stack and not app.library.is_mounted
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert len(app.library.rows) == 2  # filled when it was first needed
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.library and len(app.screen_stack) == 2
