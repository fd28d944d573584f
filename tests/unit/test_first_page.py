"""The index's first rows are kept for first screens (annotations/first_page.py): used
only for the very index version they were taken from, never when damaged, never
written over something that is not a regular file."""

from __future__ import annotations

import json
import os
import threading

import pytest

from annotations.atomic_io import CorruptFile
from annotations.counts_files import COUNTS_DIR
from annotations.first_page import FIRST_PAGE
from annotations.model import Article, Sentence
from annotations.stats import first_library_rows, listing
from annotations.store import Store
from tests.helpers import clock_step

ARTICLES = 30


def _article(n: int, title: str | None = None) -> Article:
    text = f"Barge {n} unloaded grain at Saltcombe."
    return Article(id=f"p{n:03d}", text=text, title=title or f"Saltcombe barge {n}",
                   source="quay", sentences=[Sentence(0, 0, len(text))])


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store.open(tmp_path / "db")
    store.save_articles([(a, a.id) for a in map(_article, range(ARTICLES))])
    clock_step()  # a page of an index written within a clock step is not kept
    return store


def _page(store: Store):
    return store.root / COUNTS_DIR / FIRST_PAGE


def test_a_read_of_every_row_keeps_the_first_page_and_a_first_screen_reads_only_it(store):
    Store.open(store.root, create=False).kept_counts()  # and verified this boot's counts
    assert _page(store).is_file()
    # The index changed in place with its stamp (inode, mtime, size) kept: a first screen
    # shows what the page says, so it read the page and not the index.
    st = store.index_path.stat()
    data = store.index_path.read_bytes().replace(b"Saltcombe barge 2", b"Saltcombe BARGE 2")
    with open(store.index_path, "r+b") as handle:
        handle.write(data)
    os.utime(store.index_path, ns=(st.st_atime_ns, st.st_mtime_ns))
    fresh = Store.open(store.root, create=False)
    rows, total = fresh.first_summaries(3)
    assert [r.title for r in rows] == ["Saltcombe barge 0", "Saltcombe barge 1",
                                       "Saltcombe barge 2"]
    assert total == ARTICLES
    assert fresh._index_cache is None  # no row of the index decoded
    summaries, counts, total = listing(fresh, limit=2)
    assert [s.id for s in summaries] == ["p000", "p001"] and total == ARTICLES
    library = first_library_rows(fresh, 3)
    assert len(library) == ARTICLES and library[2][1] == "Saltcombe barge 2"
    assert fresh._index_cache is None
    assert library[ARTICLES - 1][0] == "p029"  # a row past the screen: the index is read


def test_a_page_of_another_index_version_is_never_used(store):
    store.summaries()
    store.save_articles([(_article(0, "Renamed at Saltcombe"), "p000-edited")])
    store.save_articles([(_article(500), "p500")])
    clock_step()
    fresh = Store.open(store.root, create=False)
    rows, total = fresh.first_summaries(2)
    assert rows[0].title == "Renamed at Saltcombe" and total == ARTICLES + 1
    # and that read kept the page of this version, which the next first screen uses
    again = Store.open(store.root, create=False)
    assert again.first_summaries(2)[0][0].title == "Renamed at Saltcombe"
    assert again._index_cache is None


def test_a_damaged_row_is_reported_and_no_page_is_kept_for_that_index(store):
    store.summaries()
    tables = json.loads(store.index_path.read_bytes())
    tables["articles"]["9"]["sentences"] = "nine"
    store.index_path.write_text(json.dumps(tables), "utf-8")
    for _ in range(2):
        with pytest.raises(CorruptFile) as raised:
            Store.open(store.root, create=False).first_summaries(3)
        assert "not a newstag index" in str(raised.value)


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"page":{"1":{"format":99}}}',
                                     b'{"page":{"1":{"format":2,"index":[1,2,3],'
                                     b'"schema":5,"articles":1,"rows":[]}}}'])
def test_a_damaged_or_foreign_page_is_not_used_and_is_written_again(store, content):
    store.summaries()
    _page(store).write_bytes(content)
    fresh = Store.open(store.root, create=False)
    rows, total = fresh.first_summaries(2)
    assert [r.id for r in rows] == ["p000", "p001"] and total == ARTICLES
    assert fresh._index_cache is not None  # read from the index
    again = Store.open(store.root, create=False)
    assert again.first_summaries(2)[1] == ARTICLES and again._index_cache is None


def test_a_fifo_in_place_of_the_page_is_never_read_nor_replaced(store):
    os.mkfifo(_page(store))
    done = threading.Event()

    def first_screen() -> None:
        fresh = Store.open(store.root, create=False)
        assert fresh.first_summaries(2)[1] == ARTICLES
        fresh.summaries()
        done.set()

    worker = threading.Thread(target=first_screen, daemon=True)
    worker.start()
    worker.join(10)
    assert done.is_set()  # a blocking read of the FIFO would hang here
    assert _page(store).is_fifo()


def test_a_page_behind_a_link_is_never_read(store, tmp_path):
    """counts/ made a link to a folder outside the database (opening refuses it; the page
    is not read even so), holding a page that names the index version."""
    from annotations.counts_files import CountsFiles
    from annotations.first_page import read_first_page

    Store.open(store.root, create=False).summaries()
    st = store.index_path.stat()
    key = (st.st_ino, st.st_mtime_ns, st.st_size)
    assert read_first_page(CountsFiles(store.root), key) is not None
    outside = tmp_path / "outside"
    (store.root / COUNTS_DIR).rename(outside)
    (store.root / COUNTS_DIR).symlink_to(outside)
    assert read_first_page(CountsFiles(store.root), key) is None


def test_opening_takes_the_schema_version_from_the_page_of_this_index(store):
    """Kept with the rows: opening reads no byte of a 5 MB index for it. A page of this
    index version is trusted for it (as for its rows); of another version, not."""
    Store.open(store.root, create=False).summaries()
    tables = json.loads(_page(store).read_bytes())
    tables["page"]["1"]["schema"] = 99
    _page(store).write_text(json.dumps(tables), "utf-8")
    with pytest.raises(Exception, match="written by a newer newstag"):
        Store.open(store.root, create=False)
    store.save_articles([(_article(77), "p077")])  # a new index version
    assert Store.open(store.root, create=False).first_summaries(1)[1] == ARTICLES + 1


def test_a_title_with_a_lone_surrogate_is_read_from_the_index_and_no_page_is_kept(store):
    """An index edited by hand can hold "\\ud800" (read by json's path): the page cannot
    be written in UTF-8, and every read of the rows raised UnicodeEncodeError."""
    tables = json.loads(store.index_path.read_bytes())
    tables["articles"]["1"]["title"] = "Broken \ud800 barge"
    store.index_path.write_text(json.dumps(tables), "utf-8")
    fresh = Store.open(store.root, create=False)
    assert fresh.summaries()[0].title == "Broken \ud800 barge"
    assert not _page(store).exists()
    rows, total = Store.open(store.root, create=False).first_summaries(2)
    assert rows[0].title == "Broken \ud800 barge" and total == ARTICLES
