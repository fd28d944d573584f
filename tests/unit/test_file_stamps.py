"""A file written again within one step of the file system's clock can keep its stamp
(annotations/file_stamps.py): what records stamps to compare later (the kept listings,
the corpus totals, the kept first page, the library's rows) must then read it again.

Emulated here, as the file system cannot be made to reuse an inode on demand: the file
is written again in place (its inode kept) with the same size, and its mtime put back,
so its stamp is exactly what it was. That is what ext4 before Linux 6.13 (a tick of
~4 ms), FAT or HFS+ (a second) give a file replaced twice within a step, when the
second replacement reuses the first one's freed inode (seen on this machine every few
writes).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from annotations.config import load_config
from annotations.counts_files import CountsFiles, shard_name
from annotations.counts_stamp import stamp
from annotations.file_stamps import FINE_STEP_NS, UNTRUSTED, recordable
from annotations.first_page import keep_first_page, read_first_page
from annotations.library_rows import KeptRows
from annotations.migrations import SCHEMA_VERSION
from annotations.stats import summary_stats
from annotations.store import Store
from tests.cli.test_list_stats_output import _printed_before, _store
from tests.helpers import REPO, clock_step, put_tag
from tui.cli import main


def _rewritten_with_its_stamp(path: Path, old: bytes, new: bytes) -> None:
    """``path`` with ``old`` replaced by ``new`` (as long), its inode, size and mtime kept."""
    st = path.stat()
    data = path.read_bytes()
    assert old in data and len(old) == len(new)
    with open(path, "r+b") as handle:
        handle.write(data.replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == \
        (st.st_ino, st.st_mtime_ns, st.st_size)


def _second_row_edit(store: Store, article_id: str, field: str = "tagged"
                     ) -> tuple[Path, bytes, bytes]:
    """The article's counts row in its shard, one count lowered by one (digit for digit):
    what a second write within the clock step could have made it."""
    shard = store.root / "counts" / shard_name(article_id)
    row = json.loads(shard.read_bytes())["rows"][article_id]
    old = json.dumps({field: row[field]}, separators=(",", ":"))[1:-1].encode()
    new = old.replace(str(row[field]).encode(), str(row[field] - 1).encode())
    return shard, old, new


def test_recordable_trusts_a_stamp_only_a_clock_step_after_the_write(tmp_path):
    path = tmp_path / "f"
    path.write_text("x", "utf-8")
    st = path.stat()
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    assert recordable(stamp, time.time_ns()) == [st.st_ino, UNTRUSTED, st.st_size]
    later = st.st_mtime_ns + FINE_STEP_NS + 1
    assert recordable(stamp, later) == list(stamp)
    whole_second = (st.st_ino, 1_700_000_000_000_000_000, 1)  # a file system by the second
    assert recordable(whole_second, whole_second[1] + FINE_STEP_NS + 1)[1] == UNTRUSTED
    assert recordable(whole_second, whole_second[1] + 2_000_000_001)[1] == whole_second[1]


def test_a_kept_listing_reads_again_a_shard_rewritten_within_the_clock_step(tmp_path,
                                                                           capsys):
    store = _store(tmp_path)
    clock_step()

    def listed() -> str:
        capsys.readouterr()
        assert main(["--db", str(store.root), "list"]) == 0
        return capsys.readouterr().out

    listed()
    put_tag(store, "a1", 1, ["defence"])
    assert listed() == _printed_before(store)[0]  # at once: the shard just written
    _rewritten_with_its_stamp(*_second_row_edit(store, "a1"))
    assert listed() == _printed_before(store)[0]


def test_the_corpus_totals_sum_again_a_shard_rewritten_within_the_clock_step(tmp_path):
    store = _store(tmp_path)
    config = load_config(str(REPO / "config.yaml"))
    clock_step()
    summary_stats(store, config)
    put_tag(store, "a1", 1, ["defence"])
    before = summary_stats(Store.open(store.root, create=False), config)["tagged"]
    _rewritten_with_its_stamp(*_second_row_edit(store, "a1"))
    assert summary_stats(Store.open(store.root, create=False), config)["tagged"] == before - 1


def test_no_first_page_is_kept_of_an_index_written_within_the_clock_step(tmp_path):
    store = _store(tmp_path)
    Store.open(store.root, create=False).summaries()  # at once: no page kept
    _rewritten_with_its_stamp(store.index_path, b"Plain title", b"Plain TITLE")
    fresh = Store.open(store.root, create=False)
    assert fresh.first_summaries(1)[0][0].title == "Plain TITLE"


def test_the_library_reads_again_a_shard_rewritten_within_the_clock_step(tmp_path):
    store = _store(tmp_path)
    clock_step()
    rows = KeptRows(store)
    rows.read()
    put_tag(store, "a1", 1, ["defence"])
    changed = rows.changed()
    assert changed is not None
    reviewed_then = next(r for r in changed if r[0] == "a1")[4]
    _rewritten_with_its_stamp(*_second_row_edit(store, "a1", "reviewed"))
    again = rows.changed()
    assert again is not None, "the shard's stamp is the same: only the rule reads it again"
    assert next(r for r in again if r[0] == "a1")[4] == reviewed_then - 1


def test_a_stamp_is_judged_when_it_was_taken_not_when_it_is_recorded(tmp_path):
    # The shard is read after its stamp is taken; written again after that read within
    # the step of this write, it keeps this stamp: the reads taking a step (20,000
    # articles) must not make the stamp trusted when it is recorded after them.
    store = _store(tmp_path)
    put_tag(store, "a1", 1, ["defence"])
    taken = stamp(store)
    assert taken is not None
    clock_step()
    assert taken.recorded().shards[shard_name("a1")][1] == UNTRUSTED
    clock_step()
    assert stamp(store).recorded().shards[shard_name("a1")][1] != UNTRUSTED


def test_no_first_page_is_kept_of_an_index_written_within_the_step_before_its_stamp(
        tmp_path):
    store = _store(tmp_path)
    taken = time.time_ns()
    st = store.index_path.stat()
    key = (st.st_ino, st.st_mtime_ns, st.st_size)
    rows = store.summaries()  # at once: no page kept
    clock_step()  # the index's read took a step
    files = CountsFiles(store.root)
    keep_first_page(files, key, SCHEMA_VERSION, rows, len(rows), taken)
    assert read_first_page(files, key) is None
    keep_first_page(files, key, SCHEMA_VERSION, rows, len(rows), time.time_ns())
    assert read_first_page(files, key) is not None
