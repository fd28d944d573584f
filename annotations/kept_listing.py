"""Listings of every article kept as rendered rows, re-rendered where counts changed
(issue 14).

``newstag list`` piped, ``stats`` piped and their ``--json`` print a row per article.
Made afresh, 20,000 rows cost ~75 ms more than 100: the whole index decoded and
checked, every counts shard read and checked, every row formatted. So each of these
listings is kept in ``counts/<kind>`` as the text its rows print (annotations/kept_rows.py,
each row cut where its counts part starts and ends: annotations/listing_pieces.py) with
the stamps (inode, mtime, size) of the index and of every counts shard it was made from,
and, for each row, the article's id, its shard and what a count of it can reach.

A later listing stats the index and ``counts/`` (~1 ms). When the index is the same
version, only the shards whose stamp changed (one after a tag) are read, their
articles' rows checked as the full read checks them and re-rendered, and the rows
whose text changed (one after a tag) written to ``counts/<kind>.changes`` (the whole
listing again once they are a twentieth of it: rewriting 7 MB for one tag was ~13 ms).
When the index changed (an import), a writer died mid-way, the machine rebooted (the
counts are verified again), a changed row does not fit its article, or the kept file
is missing, damaged or of another format, the listing is made afresh from the index and
the counts, exactly as before, and kept again.

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
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

import msgspec

from annotations.atomic_io import entry_problem, read_db_bytes
from annotations.counts import LabelCounts, unusable
from annotations.counts_files import CountsFiles, shard_number
from annotations.counts_stamp import Stamp, stamp
from annotations.db_folder import INDEX_FILE
from annotations.errors import DatabaseError
from annotations.file_stamps import as_list
from annotations.index_file import ArticleSummary
from annotations.kept_rows import KeptRows, uints
from annotations.listing_pieces import KINDS, RowPieces
from annotations.stats import listing
from annotations.store import Store, no_gc

FORMAT = 3  # 2: the rows as one text; 3: as the bytes they print
CHANGES = ".changes"  # the suffix of a listing's file of changes
CHANGES_AT_MOST = 500  # rows, or a twentieth of them: more, and the whole listing is written

_Count = Annotated[int, msgspec.Meta(ge=0)]
_FileStamp = Annotated[list[int], msgspec.Meta(min_length=3, max_length=3)]


class KeptListing(msgspec.Struct, gc=False):
    format: int
    nonce: str  # this file's own: names the listing a file of changes applies to
    index: _FileStamp
    shards: dict[str, _FileStamp]  # every counts shard's stamp when it was read
    rows: KeptRows


class _Changes(msgspec.Struct, gc=False):
    """Rows re-rendered since the kept listing ``base`` was written, and the stamps they
    bring it to."""

    base: str  # the nonce of the listing they change: any other listing ignores them
    shards: dict[str, _FileStamp]
    at: list[_Count]
    rows: list[bytes]
    cut: list[_Count]
    tail: list[_Count]
    shown: list[bool]


class _File(msgspec.Struct):
    listing: dict[str, KeptListing]  # TinyDB-shaped, like every file of the database


class _ChangesFile(msgspec.Struct):
    changes: dict[str, _Changes]


# MessagePack, not JSON: the rows of a JSON listing are text full of quotes and line
# breaks that JSON escapes; unescaping 7 MB of them was ~10 ms of `stats --json`.
_DECODER = msgspec.msgpack.Decoder(_File)
_CHANGES_DECODER = msgspec.msgpack.Decoder(_ChangesFile)


def kept_listing(store: Store, kind: RowPieces, before: Stamp | None = None
                 ) -> KeptListing | None:
    """Every article's row of ``kind``, from the kept listing where it is current (the
    shards written since re-read), else made afresh and kept; None when ``kind`` cannot
    be made in pieces (the caller prints the listing its own way). ``before``: the
    stamps, when the caller has just taken them (and found the counts settled before)."""
    files = CountsFiles(store.root)
    # Settled first, then the stamps: a heal by another process in between would leave
    # stamps of the shards it then rewrote, and the listing kept before them shown as
    # current with the rows the heal corrected.
    settled = _counts_settled(files)
    before = stamp(store) if before is None else before
    if before is not None and before.index is not None and settled:
        kept = read_kept(files, kind)
        if kept is not None and kept.index == list(before.index):
            changed = {name for name in kept.shards.keys() | before.shards.keys()
                       if kept.shards.get(name) != as_list(before.shards.get(name))}
            if not changed:
                return kept
            if _rerender(files, kept, changed, before, kind):
                _keep_changes(files, kind, kept)
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
    were read (as they may be recorded: annotations/counts_stamp.py); None when ``kind``
    cannot be made in pieces."""
    with no_gc():
        pieces = kind.whole(summaries, counts)
        if pieces is None:
            return None
        try:
            rows = KeptRows.of([s.id for s in summaries],
                               bytes(shard_number(s.id) for s in summaries),
                               [s.sentences + s.headings for s in summaries],
                               [s.sentences for s in summaries], *pieces, end=kind.end,
                               last_end=kind.last_end)
        except UnicodeEncodeError:  # a lone surrogate in a title (a hand-edited index):
            return None  # listed as every listing was, and not kept
    recorded = before.recorded() if before is not None else None
    return KeptListing(
        FORMAT, "", as_list(recorded.index) or [] if recorded else [],
        {name: list(st) for name, st in recorded.shards.items()} if recorded else {}, rows)


def _rerender(files: CountsFiles, kept: KeptListing, changed: set[str], now: Stamp,
              kind: RowPieces) -> bool:
    """Re-render the rows of the ``changed`` shards, as patches over the kept rows;
    False when the listing must be made afresh (a shard gone or unusable, a row missing
    or too big)."""
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
    table = kept.rows
    places = sorted(at for number in numbers for at in _places(table.shard, number))
    room, sentences = uints(table.room), uints(table.sentences)
    # The full read's check: a row missing or that does not fit is healed there.
    if unusable(rows, {table.ids[at]: _Room(room[at]) for at in places}):
        return False
    found = [rows[table.ids[at]] for at in places]
    rendered = table.with_dynamics(places, kind.dynamics(found, [sentences[at]
                                                                 for at in places]))
    table.patches.update(rendered)
    kept.shards = {name: list(st) for name, st in now.recorded().shards.items()}
    return True


@dataclass(slots=True)
class _Room:
    """What a count of a kept row can reach, as ``counts.unusable`` reads an index row."""

    sentences: int  # with the headings
    headings: int = 0


def _places(shard: bytes, number: int) -> list[int]:
    """Where ``number`` is in ``shard`` (a find per row: a scan of 20,000 in Python was
    ~1.5 ms)."""
    places, at = [], shard.find(number)
    while at >= 0:
        places.append(at)
        at = shard.find(number, at + 1)
    return places


def _counts_settled(files: CountsFiles) -> bool:
    """No writer died mid-way and the counts were verified since the boot: else the
    full read heals them first."""
    try:
        return files.pending() is None and files.verified_this_boot()
    except (OSError, DatabaseError):
        return False


def read_kept(files: CountsFiles, kind: RowPieces) -> KeptListing | None:
    """The kept listing of ``kind`` as it is on disk, its changes applied as patches;
    None when there is none usable."""
    if entry_problem(files.folder, folder=True):  # a link out of the database: not read
        return None
    try:
        if _too_big(files, kind):
            return None
        data = read_db_bytes(files.folder / kind.kind)
        with no_gc():
            kept = _DECODER.decode(data).listing.get("1") if data is not None else None
        if kept is None or kept.format != FORMAT or not kept.rows.whole() \
                or (kept.rows.end, kept.rows.last_end) != (kind.end, kind.last_end):
            return None
        data = read_db_bytes(files.folder / (kind.kind + CHANGES))
        changes = _CHANGES_DECODER.decode(data).changes.get("1") if data is not None \
            else None
    except (OSError, DatabaseError, msgspec.MsgspecError, RecursionError, ValueError):
        return None
    if changes is None or changes.base != kept.nonce:  # none, or another listing's
        return kept
    columns = (changes.rows, changes.cut, changes.tail, changes.shown)
    if any(len(column) != len(changes.at) for column in columns) \
            or any(at >= len(kept.rows.ids) for at in changes.at):
        return None
    kept.rows.patches = {at: (row, cut, tail, shown) for at, row, cut, tail, shown
                         in zip(changes.at, *columns, strict=True)}
    kept.shards = changes.shards
    return kept


def _too_big(files: CountsFiles, kind: RowPieces) -> bool:
    """A kept file far bigger than the index it lists (a listing is ~1.5 times it at
    most; a 3 GB file was read whole, 16 s and 3 GB of memory): not read, made afresh."""
    try:
        index = (files.root / INDEX_FILE).stat().st_size
    except FileNotFoundError:
        index = 0
    most = 8 * index + (1 << 20)
    for name in (kind.kind, kind.kind + CHANGES):
        with contextlib.suppress(FileNotFoundError):
            if os.lstat(files.folder / name).st_size > most:
                return True
    return False


def _keep(files: CountsFiles, kind: RowPieces, kept: KeptListing) -> None:
    """The whole listing, under a new nonce (a file of changes is another's then)."""
    kept.rows.fold()
    kept.nonce = secrets.token_hex(8)
    try:
        payload = msgspec.msgpack.encode({"listing": {"1": kept}})
    except (msgspec.EncodeError, UnicodeEncodeError):  # a lone surrogate in a title
        return  # (a hand-edited index): listed, not kept, as where it cannot be written
    with contextlib.suppress(OSError, DatabaseError):
        if files.folder.is_dir():
            files.write_bytes(kind.kind, payload, durable=False)
            changes = files.folder / (kind.kind + CHANGES)
            if changes.exists() and not entry_problem(changes):  # else doctor's to move
                files._inside(kind.kind + CHANGES).unlink()


def _keep_changes(files: CountsFiles, kind: RowPieces, kept: KeptListing) -> None:
    """The rows changed since the whole listing was written, while they are few; else
    the whole listing again."""
    changed = kept.rows.patches
    if len(changed) > max(CHANGES_AT_MOST, len(kept.rows.ids) // 20) or not kept.nonce:
        _keep(files, kind, kept)
        return
    order = sorted(changed)
    rows, cut, tail, shown = zip(*(changed[at] for at in order), strict=True) if order \
        else ((), (), (), ())
    changes = _Changes(kept.nonce, kept.shards, order, list(rows), list(cut), list(tail),
                       list(shown))
    with contextlib.suppress(OSError, DatabaseError):
        if files.folder.is_dir():
            files.write_bytes(kind.kind + CHANGES,
                              msgspec.msgpack.encode({"changes": {"1": changes}}),
                              durable=False)


def verify_kept_listings(store: Store) -> list[tuple[str, str, bool]]:
    """What is wrong with the kept listings, as (file name, problem, the entry itself is
    unusable): an entry that is not a regular file, or a listing that is current (every
    stamp as now) but differs from one made afresh. A stale or unreadable one is not
    wrong: the next listing makes it afresh. Nothing is written: the counts are read as
    they are (a listing would heal them first: see ``_as_listed``)."""
    files = CountsFiles(store.root)
    if entry_problem(files.folder, folder=True) or not files.folder.is_dir():
        return []  # counts/ itself is reported (and rebuilt) by verify_counts
    problems = []
    now = stamp(store)
    read: tuple[Sequence[ArticleSummary], Mapping[str, LabelCounts]] | None = None
    looked = False
    for kind in KINDS:
        entries = [(name, problem) for name in (kind.kind, kind.kind + CHANGES)
                   if (problem := entry_problem(files.folder / name))]
        if entries:
            problems += [(name, problem, True) for name, problem in entries]
            continue
        kept = read_kept(files, kind)
        if kept is None or now is None or now.index is None \
                or kept.index != list(now.index) \
                or kept.shards != {n: list(st) for n, st in now.shards.items()}:
            continue
        if not looked:
            read, looked = _as_listed(store, files), True
        if read is None:
            continue  # not used until the counts are healed: nothing to compare
        fresh = made_afresh(*read, kind, now)
        kept.rows.fold()
        if fresh is not None:  # the rows compared, not when they were made
            fresh.nonce, fresh.index, fresh.shards = kept.nonce, kept.index, kept.shards
        if fresh is None or fresh != kept:
            problems.append((kind.kind, "disagrees with the index and the kept counts",
                             False))
    return problems


def _as_listed(store: Store, files: CountsFiles
               ) -> tuple[Sequence[ArticleSummary], Mapping[str, LabelCounts]] | None:
    """The index rows and the counts a listing would print now, read without healing,
    recounting or writing anything (doctor only looks); None when the counts must be
    healed or recounted first: a listing then makes itself afresh, and what is wrong
    with them is the counts' own finding (whose repair removes every kept listing)."""
    if not _counts_settled(files):
        return None
    try:
        rows, bad = files.read_all()
    except (OSError, DatabaseError):
        return None
    summaries = store.summaries()
    if bad or unusable(rows, {s.id: s for s in summaries}):
        return None
    return summaries, rows


def remove_kept_listings(store: Store) -> None:
    """Removed, not rebuilt: the next listing makes them afresh (doctor --repair)."""
    files = CountsFiles(store.root)
    for kind in KINDS:
        for name in (kind.kind, kind.kind + CHANGES):
            with contextlib.suppress(OSError, DatabaseError):  # a folder: moved by doctor
                files._inside(name).unlink()
