"""Listings of every article kept as rendered rows, re-rendered where counts changed
(issue 14).

``newstag list`` piped, ``stats`` piped and their ``--json`` print a row per article.
Made afresh, 20,000 rows cost ~75 ms more than 100: the whole index decoded and
checked, every counts shard read and checked, every row formatted. So each of these
listings is kept in ``counts/<kind>`` as its rows' pieces (annotations/listing_pieces.py)
with the stamps (inode, mtime, size) of the index and of every counts shard it was made
from, and, for each row, the article's id, its shard and what a count of it can reach.

A later listing stats the index and ``counts/`` (~1 ms). When the index is the same
version, only the shards whose stamp changed (one after a tag) are read, their
articles' rows checked as the full read checks them and re-rendered, and the kept
file written again. When the index changed (an import), a writer died mid-way, the
machine rebooted (the counts are verified again), a changed row does not fit its
article, or the kept file is missing, damaged or of another format, the listing is made
afresh from the index and the counts, exactly as before, and kept again.

Why stamps are enough: every shard and the index are replaced whole on each write (a
new inode), by whoever writes them, and the stamps are taken *before* anything is read,
so a file written meanwhile is seen as changed next time, never missed (as for the
corpus totals, annotations/corpus_totals.py). A listing made while counts were being
healed is not kept (the stamps moved while it was read).

Derived data: it is written without fsync (a torn file does not decode and is made
afresh), not under the store's lock (each writer's file is whole and names its own
stamps), never over something that is not a regular file, and a database that cannot
be written still lists. It holds raw text: what reaches a terminal goes through the
caller's one sanitising path, as a fresh listing does. ``doctor`` compares a current
kept listing with a fresh one; ``doctor --repair`` removes them all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Annotated

import msgspec

from annotations.atomic_io import entry_problem, read_db_bytes
from annotations.counts import LabelCounts
from annotations.counts_files import CountsFiles, shard_name
from annotations.counts_stamp import Stamp, stamp
from annotations.errors import DatabaseError
from annotations.index_file import ArticleSummary
from annotations.listing_pieces import KINDS, RowPieces
from annotations.stats import listing
from annotations.store import Store, no_gc

FORMAT = 1

_Count = Annotated[int, msgspec.Meta(ge=0)]
_Shard = Annotated[int, msgspec.Meta(ge=0, le=255)]
_FileStamp = Annotated[list[int], msgspec.Meta(min_length=3, max_length=3)]


class KeptListing(msgspec.Struct, gc=False):
    format: int
    index: _FileStamp
    shards: dict[str, _FileStamp]  # every counts shard's stamp when it was read
    ids: list[str]  # in import order, as the listing prints them
    shard: list[_Shard]  # each row's counts shard (its name's number)
    room: list[_Count]  # sentences and headings: what a count can reach
    sentences: list[_Count]
    # Each row whole (one string, not three: 20,000 strings more were ~4 ms to decode
    # and join), its dynamic part from cut[i] to tail[i]; a row not printed has an
    # empty dynamic part and is in ``hidden``.
    rows: list[str]
    cut: list[_Count]
    tail: list[_Count]
    hidden: list[_Count]

    def printed(self) -> list[str]:
        """The printed rows, in order."""
        if not self.hidden:
            return self.rows
        hidden = set(self.hidden)
        return [row for i, row in enumerate(self.rows) if i not in hidden]

    def whole(self) -> bool:
        n = len(self.ids)
        return all(len(column) == n for column in (self.shard, self.room, self.sentences,
                                                    self.rows, self.cut, self.tail)) \
            and all(i < n for i in self.hidden)  # a cut out of its row: odd text, no harm

    def set_dynamic(self, at: int, dynamic: str | None) -> None:
        row, cut = self.rows[at], self.cut[at]
        self.rows[at] = row[:cut] + (dynamic or "") + row[self.tail[at]:]
        self.tail[at] = cut + len(dynamic or "")
        if (dynamic is None) != (at in self.hidden):
            self.hidden = sorted(set(self.hidden) ^ {at})


class _File(msgspec.Struct):
    listing: dict[str, KeptListing]  # TinyDB-shaped, like every file of the database


# MessagePack, not JSON: the rows of a JSON listing are text full of quotes and line
# breaks that JSON escapes; unescaping 7 MB of them was ~10 ms of `stats --json`.
_DECODER = msgspec.msgpack.Decoder(_File)


def kept_listing(store: Store, kind: RowPieces) -> KeptListing | None:
    """Every article's row of ``kind``, from the kept listing where it is current (the
    shards written since re-read), else made afresh and kept; None when ``kind`` cannot
    be made in pieces (the caller prints the listing its own way)."""
    files = CountsFiles(store.root)
    before = stamp(store)
    if before is not None and before.index is not None and _counts_settled(files):
        kept = read_kept(files, kind)
        if kept is not None and kept.index == list(before.index):
            changed = {name for name in kept.shards.keys() | before.shards.keys()
                       if kept.shards.get(name) != _as_list(before.shards.get(name))}
            if not changed:
                return kept
            if _rerender(files, kept, changed, before, kind):
                _keep(files, kind, kept)
                return kept
    summaries, counts, _ = listing(store)
    made = made_afresh(summaries, counts, kind, before)
    if made is not None and before is not None and before.index is not None \
            and stamp(store) == before and _counts_settled(files):
        _keep(files, kind, made)
    return made


def made_afresh(summaries: Sequence[ArticleSummary], counts: Mapping[str, LabelCounts],
                kind: RowPieces, before: Stamp | None) -> KeptListing | None:
    """The listing of ``summaries`` and their ``counts``, with the stamps ``before`` they
    were read; None when ``kind`` cannot be made in pieces."""
    with no_gc():
        pieces = kind.whole(summaries, counts)
        if pieces is None:
            return None
        heads, dynamic, tails = pieces
        return KeptListing(
            FORMAT, _as_list(before.index) or [] if before else [],
            {name: list(st) for name, st in before.shards.items()} if before else {},
            [s.id for s in summaries], [int(shard_name(s.id)[:2], 16) for s in summaries],
            [s.sentences + s.headings for s in summaries], [s.sentences for s in summaries],
            [h + (d or "") + t for h, d, t in zip(heads, dynamic, tails, strict=True)],
            cut := [len(h) for h in heads],
            [c + len(d or "") for c, d in zip(cut, dynamic, strict=True)],
            [i for i, d in enumerate(dynamic) if d is None])


def _rerender(files: CountsFiles, kept: KeptListing, changed: set[str], now: Stamp,
              kind: RowPieces) -> bool:
    """Re-render in place the rows of the ``changed`` shards; False when the listing
    must be made afresh (a shard gone or unusable, a row missing or too big)."""
    if any(name not in now.shards for name in changed):
        return False
    numbers = set()
    for name in changed:
        try:
            numbers.add(int(name[:2], 16) if len(name) == 7 else -1)
        except ValueError:
            return False
    rows = files.read_all_listed(changed)
    if rows is None:
        return False
    get = rows.get
    for at in [i for i, n in enumerate(kept.shard) if n in numbers]:
        row, room = get(kept.ids[at]), kept.room[at]
        # The full read's check (counts.unusable): a row that does not fit is healed there.
        if row is None or row.reviewed > room or row.tagged > room \
                or row.none_apply > row.reviewed \
                or (row.labels and max(row.labels.values()) > room):
            return False
        kept.set_dynamic(at, kind.dynamic(row, kept.sentences[at]))
    kept.shards = {name: list(st) for name, st in now.shards.items()}
    return True


def _counts_settled(files: CountsFiles) -> bool:
    """No writer died mid-way and the counts were verified since the boot: else the
    full read heals them first."""
    try:
        return files.pending() is None and files.verified_this_boot()
    except (OSError, DatabaseError):
        return False


def read_kept(files: CountsFiles, kind: RowPieces) -> KeptListing | None:
    """The kept listing of ``kind`` as it is on disk; None when there is none usable."""
    if entry_problem(files.folder, folder=True):  # a link out of the database: not read
        return None
    try:
        data = read_db_bytes(files.folder / kind.kind)
        with no_gc():
            kept = _DECODER.decode(data).listing.get("1") if data is not None else None
    except (OSError, DatabaseError, msgspec.MsgspecError, RecursionError, ValueError):
        return None
    if kept is None or kept.format != FORMAT or not kept.whole():
        return None
    return kept


def _keep(files: CountsFiles, kind: RowPieces, kept: KeptListing) -> None:
    with contextlib.suppress(OSError, DatabaseError):
        if files.folder.is_dir():
            files.write_bytes(kind.kind, msgspec.msgpack.encode({"listing": {"1": kept}}),
                              durable=False)


def _as_list(file_stamp: Sequence[int] | None) -> list[int] | None:
    return list(file_stamp) if file_stamp is not None else None


def verify_kept_listings(store: Store) -> list[tuple[str, str, bool]]:
    """What is wrong with the kept listings, as (file name, problem, the entry itself is
    unusable): an entry that is not a regular file, or a listing that is current (every
    stamp as now) but differs from one made afresh. A stale or unreadable one is not
    wrong: the next listing makes it afresh."""
    files = CountsFiles(store.root)
    if entry_problem(files.folder, folder=True) or not files.folder.is_dir():
        return []  # counts/ itself is reported (and rebuilt) by verify_counts
    problems = []
    now = stamp(store)
    for kind in KINDS:
        if problem := entry_problem(files.folder / kind.kind):
            problems.append((kind.kind, problem, True))
            continue
        kept = read_kept(files, kind)
        if kept is None or now is None or now.index is None \
                or kept.index != list(now.index) \
                or kept.shards != {n: list(st) for n, st in now.shards.items()}:
            continue
        summaries, counts, _ = listing(store)
        fresh = made_afresh(summaries, counts, kind, now)
        if fresh is None or fresh != kept:
            problems.append((kind.kind, "disagrees with the index and the kept counts",
                             False))
    return problems


def remove_kept_listings(store: Store) -> None:
    """Removed, not rebuilt: the next listing makes them afresh (doctor --repair)."""
    files = CountsFiles(store.root)
    for kind in KINDS:
        with contextlib.suppress(OSError, DatabaseError):  # a folder: moved aside by doctor
            files._inside(kind.kind).unlink()
