"""The library's rows, re-read only where they changed (issue 14).

Coming back from the reader, the library used to read every article's kept counts
again (256 shards, ~45 ms at 20,000 articles) although usually one article changed:
the one that was open. Every counts shard is replaced whole on each write (a new
inode: annotations/counts_files.py), so a stat of the 256 shards (~1 ms) says which
shards were written since the rows were read, by this process or any other, and only
their articles are read again. The index decides the rest: when it was replaced (an
import, by us or by another process) or when the counts may need healing (a pending
marker, a new boot), everything is read again, as on the first screen.

The stamps are taken *before* the rows are read: a shard written in between is seen
as changed next time and read once more, never missed.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotations.counts_files import CountsFiles
from annotations.counts_stamp import Stamp, stamp
from annotations.errors import DatabaseError
from annotations.stats import LibraryRow, first_library_rows, library_rows
from annotations.store import Store


class KeptRows:
    """The library's rows and what they were read from."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rows: Sequence[LibraryRow] = []
        self._stamp: Stamp | None = None
        self._where: dict[str, int] = {}  # article id -> its position in rows

    def read(self) -> Sequence[LibraryRow]:
        """Every row, read again."""
        before = stamp(self.store)
        self.rows = library_rows(self.store)
        self._where = {row[0]: i for i, row in enumerate(self.rows)}
        self._stamp = before.recorded() if before is not None else None
        return self.rows

    def first(self, count: int) -> Sequence[LibraryRow]:
        """Every row, with kept counts for the first ``count`` articles only (a first
        screen in import order); the caller reads everything (``read``) once it is drawn.
        Not stamped: until then ``changed`` reads everything."""
        self.rows = first_library_rows(self.store, count)
        self._where, self._stamp = {}, None
        return self.rows

    def changed(self) -> Sequence[LibraryRow] | None:
        """The rows with those whose shard was written since re-read; None when nothing
        changed. Everything is read again when the index changed or counts need healing."""
        old, new = self._stamp, stamp(self.store)
        if old is None or new is None or new.index != old.index or self._needs_healing():
            return self.read()
        names = {n for n in old.shards.keys() | new.shards.keys()
                 if old.shards.get(n) != new.shards.get(n)}
        if not names:
            return None
        files = CountsFiles(self.store.root)
        ids: list[str] = []
        for name in names:
            shard = files.read_shard(name)
            if shard is None:  # gone or unusable: the full path recounts and mends it
                return self.read()
            ids += [i for i in shard if i in self._where]
        counts = self.store.listed_counts(ids)
        rows = list(self.rows)  # a new list: the screen's prepared orders see a new set
        for article_id in ids:
            if (c := counts.get(article_id)) is not None:
                at = self._where[article_id]
                a, title, source, sentences, _, _ = rows[at]
                rows[at] = (a, title, source, sentences, c.reviewed, c.labels)
        self.rows, self._stamp = rows, new.recorded()
        return rows

    def _needs_healing(self) -> bool:
        """A writer died mid-way or the machine rebooted: the full read heals first."""
        files = CountsFiles(self.store.root)
        try:
            return files.pending() is not None or not files.verified_this_boot()
        except (OSError, DatabaseError):  # a marker that is not a file: the full path says so
            return True
