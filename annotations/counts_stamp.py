"""What the kept counts were read from: the index's and every counts shard's stamp
(inode, mtime, size). Every shard is replaced whole on each write, so a changed stamp
says which were written since (annotations/library_rows.py, corpus_totals.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from annotations.counts_files import META, CountsFiles
from annotations.store import Store

FileStamp = tuple[int, int, int]  # inode, mtime in ns, size


@dataclass(frozen=True, slots=True)
class Stamp:
    index: FileStamp | None
    shards: dict[str, FileStamp]


def _stamp_of(st: os.stat_result) -> FileStamp:
    return st.st_ino, st.st_mtime_ns, st.st_size


def stamp(store: Store) -> Stamp | None:
    """The index's and every shard's stamp; None when ``counts/`` cannot be scanned
    (then nothing can be compared, and everything is read)."""
    try:
        index = _stamp_of(store.index_path.stat())
    except FileNotFoundError:
        index = None
    folder = CountsFiles(store.root).folder
    try:
        with os.scandir(folder) as entries:
            shards = {e.name: _stamp_of(e.stat(follow_symlinks=False)) for e in entries
                      if e.name.endswith(".json") and e.name != META}
    except FileNotFoundError:
        shards = {}
    except OSError:
        return None
    return Stamp(index, shards)
