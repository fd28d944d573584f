"""What the kept counts were read from: the index's and every counts shard's stamp
(inode, mtime, size). Every shard is replaced whole on each write, so a changed stamp
says which were written since (annotations/library_rows.py, corpus_totals.py,
kept_listing.py); what is recorded to be compared later is recorded as
annotations/file_stamps.py says (a file written too recently is read again).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from annotations.counts_files import META, CountsFiles
from annotations.file_stamps import FileStamp, recorded_stamp
from annotations.store import Store


@dataclass(frozen=True, slots=True)
class Stamp:
    index: FileStamp | None
    shards: dict[str, FileStamp]
    # The clock before the files were stat'ed: what is recorded is judged then, not when
    # it is recorded (after the reads): a file written again after it was read, within
    # the step of the write before, keeps that stamp however long the reads took.
    taken_ns: int = field(default_factory=time.time_ns, compare=False)

    def recorded(self) -> Stamp:
        """This stamp as it may be recorded (annotations/file_stamps.py)."""
        at = self.taken_ns
        return Stamp(recorded_stamp(*self.index, at) if self.index else None,
                     {n: recorded_stamp(*s, at) for n, s in self.shards.items()}, at)


def _stamp_of(st: os.stat_result) -> FileStamp:
    return st.st_ino, st.st_mtime_ns, st.st_size


def stamp(store: Store) -> Stamp | None:
    """The index's and every shard's stamp; None when ``counts/`` cannot be scanned
    (then nothing can be compared, and everything is read)."""
    taken = time.time_ns()
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
    return Stamp(index, shards, taken)
