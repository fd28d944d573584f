"""The library on a large corpus: filter, sort, open and the cursor at the end (issue 14).

The database of 2,000 articles is written straight through ``Store`` (no spaCy): one
article in three has sentences tagged, so progress, labels and counts differ by row.
Everything is checked against what the store itself says (titles, kept counts), so
the rows drawn are the rows the store holds.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from annotations.config import load_config
from annotations.model import Article, ReviewState, Sentence, SentenceAnnotation
from annotations.store import Store, now_iso
from tests.helpers import REPO
from tui.app import NewstagApp
from tui.library_table import HEADER_LINES, LibraryTable
from tui.screens.reader import ReaderScreen

ARTICLES = 2000
SIZE = (120, 30)
HUMAN_PAUSE = 0.15  # seconds between keys, about a person typing
PLACES = ["Oslo", "Manila", "Lima", "Nairobi", "Hanoi", "Quito", "Tallinn", "Accra",
          "Dhaka", "Bogotá"]
TOPICS = ["tariffs", "troop rotation", "fisheries talks", "grain corridor", "port fees",
          "sanctions review", "visa rules"]
LABELS = ["trade", "defence", "diplomacy"]


def _article(n: int, rng: random.Random) -> Article:
    place, topic = rng.choice(PLACES), rng.choice(TOPICS)
    lines = [f"Officials in {place} discussed {topic} on day {n}.",
             f"Delegates from {rng.choice(PLACES)} asked for more time.",
             f"A statement on {topic} is expected next week in {place}."][:1 + n % 3]
    sentences, pos = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, pos, pos + len(line)))
        pos += len(line) + 1
    return Article(id=f"w{n:05d}", text="\n".join(lines),
                   title=f"{place} {topic} briefing {n}", source=f"desk-{n % 4}",
                   published="2026-02-01", sentences=sentences)


def _tags(a: Article) -> list[SentenceAnnotation]:
    """Every third article: its first sentences reviewed, one label each."""
    n = int(a.id[1:])
    if n % 3:
        return []
    stamp = now_iso()
    return [SentenceAnnotation(a.id, s.index, a.sentence_text(s), s.start, s.end,
                               [LABELS[(n + s.index) % 3]], ReviewState.REVIEWED, "", "test",
                               stamp, stamp)
            for s in a.sentences[:1 + n % 2]]


@pytest.fixture(scope="module")
def big_library(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("library-scale") / "db"
    store = Store.open(db)
    rng = random.Random(14)
    for first in range(0, ARTICLES, 1000):
        articles = [_article(n, rng) for n in range(first, min(ARTICLES, first + 1000))]
        store.save_articles([(a, a.id) for a in articles])
        store.put_annotations([t for a in articles for t in _tags(a)])
    return db


@pytest.fixture
def app(big_library, tmp_path, monkeypatch) -> NewstagApp:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    db = tmp_path / "db"
    shutil.copytree(big_library, db)
    return NewstagApp(load_config(str(REPO / "config.yaml")), Store.open(db))


def expected_rows(store: Store) -> list[tuple[str, str, str, int, int]]:
    """(id, title, source, sentences, reviewed) as the store says, in import order."""
    counts = store.kept_counts()
    return [(s.id, s.title, s.source, s.sentences, counts[s.id].reviewed)
            for s in store.summaries()]


def shown_ids(table: LibraryTable) -> list[str]:
    return [table.row_at(i)[0] for i in range(table.row_count)]


def drawn_lines(table: LibraryTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


async def type_slowly(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause(HUMAN_PAUSE)


async def test_filter_typed_at_human_pace_keeps_every_key_and_matches_the_store(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.library.query_one(LibraryTable)
        rows = expected_rows(app.store)
        assert table.row_count == ARTICLES == len(rows)
        query = "quito sanctions"
        await type_slowly(pilot, "slash", *"quito", "space", *"sanctions")
        assert app.library.query_one("#library-filter").value == query
        wanted = [r[0] for r in rows if query in f"{r[1]} {r[2]} {r[0]}".lower()]
        assert 0 < len(wanted) < ARTICLES
        assert shown_ids(table) == wanted
        summary = str(app.library.query_one("#library-summary").render())
        assert f"{len(wanted)} of {ARTICLES} articles" in summary
        # q and s are text in the filter: the app still runs and the sort did not change
        await type_slowly(pilot, "q", "s")
        assert app.is_running and app.library.sort == "imported"
        assert table.row_count == 0
        await type_slowly(pilot, "backspace", "backspace")
        assert shown_ids(table) == wanted
        await type_slowly(pilot, "escape")
        assert table.row_count == ARTICLES and table.has_focus


async def test_sort_cycles_title_progress_imported_over_every_row(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.library.query_one(LibraryTable)
        rows = expected_rows(app.store)
        await pilot.press("s")
        assert app.library.sort == "title"
        by_title = [r[0] for r in sorted(rows, key=lambda r: r[1].lower())]
        assert shown_ids(table) == by_title
        await pilot.press("s")
        assert app.library.sort == "progress"
        by_progress = [r[0] for r in sorted(rows, key=lambda r: r[4] / r[3])]
        assert shown_ids(table) == by_progress
        await pilot.press("s")
        assert app.library.sort == "imported"
        assert shown_ids(table) == [r[0] for r in rows]


async def test_open_an_article_from_a_filtered_sorted_view(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.library.query_one(LibraryTable)
        rows = expected_rows(app.store)
        await pilot.press("s")  # by title
        await type_slowly(pilot, "slash", *"hanoi")
        # The first down leaves the filter box for the table and moves, as before.
        await pilot.press("down", "down", "down")
        wanted = sorted((r for r in rows if "hanoi" in r[1].lower()),
                        key=lambda r: r[1].lower())
        assert table.has_focus and table.cursor == 3
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article.id == wanted[3][0]
        await pilot.press("escape")
        await pilot.pause()
        # Back in the library: the same filter, sort and article under the cursor.
        assert app.screen is app.library
        assert table.selected[0] == wanted[3][0]


async def test_cursor_at_the_end_of_the_list(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.library.query_one(LibraryTable)
        rows = expected_rows(app.store)
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor == ARTICLES - 1
        lines = drawn_lines(table)
        last_drawn = next(line for line in reversed(lines) if line.strip())
        assert rows[-1][1] in last_drawn
        await pilot.press("pagedown", "down")  # past the end: stays on the last row
        assert table.cursor == ARTICLES - 1
        await pilot.press("up")
        assert table.selected[0] == rows[-2][0]
        await pilot.press("home")
        assert table.cursor == 0 and table.scroll_y == 0


async def test_rows_drawn_are_the_store_counts_and_only_a_screenful_is_built(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.library.query_one(LibraryTable)
        rows = expected_rows(app.store)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        lines = drawn_lines(table)
        assert lines[0].split()[:1] == ["Title"]
        first = int(table.scroll_y)
        drawn = lines[HEADER_LINES:]
        for offset, line in enumerate(drawn):
            _, title, source, sentences, reviewed = rows[first + offset]
            assert line.startswith(f" {title}"[:20])
            assert f"{reviewed}/{sentences}" in line and source in line
        # Only rows that were on screen were ever built: three screens (the first, two
        # pages down) and this check, not 2,000 rows.
        assert table._strips.misses <= 5 * table.size.height
        summary = str(app.library.query_one("#library-summary").render())
        assert (f"{ARTICLES} articles · {sum(r[4] for r in rows)}/{sum(r[3] for r in rows)} "
                "sentences reviewed") in summary


async def test_first_screen_counts_then_every_row_before_any_key(app):
    """The first screen reads the kept counts of the rows it shows; every row is read
    right after it is drawn, and a key that comes first still acts on every row."""
    from annotations.library_rows import KeptRows

    first = KeptRows(app.store).first(5)
    rows = expected_rows(app.store)
    assert [r[4] for r in first[:5]] == [r[4] for r in rows[:5]]
    assert [r[4] for r in first] != [r[4] for r in rows]  # not every row is counted
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        summary = app.library.query_one("#library-summary")
        reviewed, sentences = sum(r[4] for r in rows), sum(r[3] for r in rows)
        assert [r[4] for r in app.library.rows] == [r[4] for r in rows]
        assert f"{reviewed}/{sentences} sentences reviewed" in str(summary.render())
        # As on a first screen: only some rows counted, and a sort key before the rest.
        app.library.set_rows(KeptRows(app.store).first(5), complete=False)
        app._library_partial = True
        assert "counting…" in str(summary.render())
        await pilot.press("s", "s")
        assert app.library.sort == "progress"
        table = app.library.query_one(LibraryTable)
        assert shown_ids(table) == [r[0] for r in sorted(rows, key=lambda r: r[4] / r[3])]
        assert f"{reviewed}/{sentences} sentences reviewed" in str(summary.render())


async def test_first_screen_draws_each_row_once_before_its_first_paint(app, monkeypatch):
    """The Resize that follows the first render no longer makes every drawn line stale
    (a line's key holds the width): each row is drawn for the first paint, again for
    the focus (the cursor's colour) and once every row is read; not a fourth time.
    Resizing still redraws every line at the new width."""
    from collections import Counter

    drawn: Counter[int] = Counter()
    original = LibraryTable._render_row

    def counted(table, position, width):
        drawn[position] += 1
        return original(table, position, width)

    monkeypatch.setattr(LibraryTable, "_render_row", counted)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.library.query_one(LibraryTable)
        on_screen = table.scrollable_content_region.height - HEADER_LINES
        assert set(drawn) == {-1, *range(on_screen)}
        # The first paint, the focus repaint, every row read (show): once each.
        assert max(drawn.values()) <= 3, drawn
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        lines = drawn_lines(table)
        assert all(len(line) == table.scrollable_content_region.width for line in lines)
        rows = expected_rows(app.store)
        assert lines[HEADER_LINES].startswith(f" {rows[0][1]}"[:20])


async def test_first_screen_is_painted_before_any_index_row_is_decoded(app, monkeypatch):
    """The first screen's rows, and whether the library is empty, come from the kept
    first page (annotations/first_page.py): the index (every row checked, ~10 ms at
    20,000 articles) is first decoded once rows are on screen, to read every row."""
    # Every row read once (and this boot's counts verified): the first page is kept.
    Store.open(app.store.root, create=False).kept_counts()
    drawn: list[int] = []
    decoded_after: list[int] = []
    render, tables = LibraryTable._render_row, Store._index_tables

    def counted(table, position, width):
        drawn.append(position)
        return render(table, position, width)

    def index_tables(store, key):
        decoded_after.append(len(drawn))
        return tables(store, key)

    monkeypatch.setattr(LibraryTable, "_render_row", counted)
    monkeypatch.setattr(Store, "_index_tables", index_tables)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert decoded_after and decoded_after[0] > 0, (decoded_after, len(drawn))
        assert [r[0] for r in app.library.rows] == [r[0] for r in expected_rows(app.store)]


def test_first_rows_are_made_on_demand_and_agree_with_every_row(big_library):
    """first_library_rows: the first rows with their kept counts, the rest with none,
    each row made when asked for (a first screen asks only for those it draws)."""
    from annotations.stats import first_library_rows, library_rows

    store = Store.open(big_library)
    every = library_rows(store)
    first = first_library_rows(store, 7)
    assert not isinstance(first, list) and len(first) == len(every) == ARTICLES
    assert list(first[:7]) == every[:7]
    assert first[-1][:4] == every[-1][:4] and first[-1][4:] == (0, {})
    assert [r[0] for r in first] == [r[0] for r in every]
    assert first[3:12:4] == [first[3], first[7], first[11]]
    assert any(r[4] for r in every[7:])  # the others' counts are not read yet
    with pytest.raises(IndexError):
        first[ARTICLES]


async def test_the_selected_article_stays_under_the_cursor_through_sorts(app):
    """A sort keeps the article under the cursor where it is now shown (found by its
    place in the rows, kept per set of rows: no list of every shown id per key)."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.library.query_one(LibraryTable)
        await pilot.press("down", "down", "down", "down", "down")
        chosen = table.selected[0]
        for sort in ("title", "progress", "imported"):
            await pilot.press("s")
            assert app.library.sort == sort
            assert table.selected[0] == chosen
            assert shown_ids(table)[table.cursor] == chosen
