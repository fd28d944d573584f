"""What the kept counts were read from: the index's and every counts shard's stamp
(inode, mtime, size). Every shard is replaced whole on each write, so a changed stamp
says which were written since (annotations/library_rows.py, corpus_totals.py,
kept_listing.py); what is recorded to be compared later is recorded as
annotations/file_stamps.py says (a file written too recently is read again).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from annotations.counts_files import META, CountsFiles
from annotations.file_stamps import FileStamp, recorded_stamp
from annotations.store import Store


@dataclass(frozen=True, slots=True)
class Stamp:
    index: FileStamp | None
    shards: dict[str, FileStamp]

    def recorded(self) -> Stamp:
        """This stamp as it may be recorded now (annotations/file_stamps.py)."""
        now = time.time_ns()
        return Stamp(recorded_stamp(*self.index, now) if self.index else None,
                     {n: recorded_stamp(*s, now) for n, s in self.shards.items()})


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
