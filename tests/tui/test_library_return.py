"""Back from the reader, the library re-reads only what changed (issue 14).

A small library written straight through ``Store`` (no spaCy), a real app driven by
Pilot, real CLI subprocesses writing to the same database. The rows are checked
against the store's own kept counts, and the shard reads are counted with a spy that
lets every real read happen.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.config import load_config
from annotations.counts_files import CountsFiles, shard_name
from annotations.model import Article, Sentence
from annotations.store import Store
from tests.helpers import REPO
from tui.app import NewstagApp
from tui.library_table import LibraryTable
from tui.screens.reader import ReaderScreen

ARTICLES = 40
SIZE = (120, 30)


def _article(n: int) -> Article:
    lines = [f"Envoys in Harbourtown weighed grain tariffs on day {n}.",
             f"The port authority of Lowmere answered on day {n}."]
    sentences, pos = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, pos, pos + len(line)))
        pos += len(line) + 1
    return Article(id=f"r{n:03d}", text="\n".join(lines), title=f"Harbour note {n}",
                   source="desk", published="2026-03-01", sentences=sentences)


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    root = tmp_path / "db"
    Store.open(root).save_articles([(a, a.id) for a in map(_article, range(ARTICLES))])
    return root


def make_app(db: Path) -> NewstagApp:
    config = load_config(str(REPO / "config.yaml"))
    config.suggestions = False  # what key 1 does is the label, nothing else
    return NewstagApp(config, Store.open(db))


def row_of(app: NewstagApp, article_id: str) -> tuple:
    return next(r for r in app.library.rows if r[0] == article_id)


def count_shard_reads(monkeypatch) -> list[str]:
    """Every shard read from now on (the real read still happens)."""
    reads: list[str] = []
    real = CountsFiles.inspect_shard

    def spy(self, name):
        reads.append(name)
        return real(self, name)

    monkeypatch.setattr(CountsFiles, "inspect_shard", spy)
    return reads


async def open_first_and_tag(pilot, app: NewstagApp) -> str:
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ReaderScreen)
    await pilot.press("1")  # trade on the first sentence
    await pilot.pause()
    return app.screen.article.id


async def test_a_tag_made_in_the_reader_shows_in_its_row_after_escape(db, monkeypatch):
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        opened = await open_first_and_tag(pilot, app)
        assert row_of(app, opened)[4] == 0  # the library has not been told yet
        reads = count_shard_reads(monkeypatch)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.library
        # Only the open article's shard was read again, not the corpus.
        assert set(reads) == {shard_name(opened)}
        kept = Store.open(db, create=False).kept_counts()[opened]
        assert kept.reviewed == 1 and kept.labels == {"trade": 1}
        assert row_of(app, opened)[4:] == (1, {"trade": 1})
        drawn = app.library.query_one(LibraryTable).render_line(1).text
        assert "Harbour note 0" in drawn and "1/2" in drawn.replace(" ", "")


async def test_a_tag_by_another_process_to_another_article_also_shows(db, cli, monkeypatch):
    app = make_app(db)
    other = "r017"
    async with app.run_test(size=SIZE) as pilot:
        opened = await open_first_and_tag(pilot, app)
        assert shard_name(other) != shard_name(opened)
        result = cli("tag", other, "1", "defence", "diplomacy", db=db)
        assert result.code == 0, result.err
        reads = count_shard_reads(monkeypatch)
        await pilot.press("escape")
        await pilot.pause()
        assert set(reads) == {shard_name(opened), shard_name(other)}
        assert row_of(app, opened)[4:] == (1, {"trade": 1})
        assert row_of(app, other)[4:] == (1, {"defence": 1, "diplomacy": 1})


async def test_an_import_by_another_process_reads_every_row_again(db, cli, tmp_path):
    app = make_app(db)
    source = tmp_path / "extra.jsonl"
    source.write_text('{"id": "late-1", "title": "Late harbour note", '
                      '"text": "The ferry to Lowmere ran late again today."}\n', "utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await open_first_and_tag(pilot, app)
        result = cli("import", source, db=db)
        assert result.code == 0, result.err
        await pilot.press("escape")
        await pilot.pause()
        assert [r[0] for r in app.library.rows][-1] == "late-1"
        assert len(app.library.rows) == ARTICLES + 1


async def test_nothing_changed_keeps_the_rows_and_reads_no_shard(db, monkeypatch):
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = app.library.rows
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        reads = count_shard_reads(monkeypatch)
        await pilot.press("escape")
        await pilot.pause()
        assert app.library.rows is rows and reads == []
