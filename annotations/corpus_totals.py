"""Corpus totals for ``newstag stats``, flat with the corpus (issue 14).

``stats`` summed every article's kept counts row: 256 shards, every row, growing with
the corpus. The totals it prints (articles, sentences, reviewed, tagged, per label,
per annotator, per day) are kept instead in ``counts/totals``: one subtotal per counts
shard, each with the stamp (inode, mtime, size) of the shard it summed, and the index's
stamp with the article and sentence totals.

Why a subtotal per shard, validated by stamps, and not totals updated by each tag with
the difference between the old and the new row: every shard is replaced whole on each
write (a new inode), so a stat tells whether a subtotal still describes its shard, by
whoever wrote it, and no new crash window opens. A writer killed before, between or
after its writes leaves a shard whose stamp differs (re-summed on the next ``stats``)
or the pending marker (healed first, as every counts reader does). A difference
applied to a running total would need its own marker and recount, and a lost update
there would be wrong for good.

The usual ``stats`` is then: one stat of the index, a scan of ``counts/`` (256 stats,
~1 ms), the small totals file, and the shards written since the last ``stats`` (one
after a tag; ~n/256 rows each). When the index changed (an import) or the file is
missing or damaged, everything is summed as before and the file written again. It is
derived data: ``doctor`` compares it with a recount, ``doctor --repair`` removes it.

The stamps are taken before anything is read, so a shard written meanwhile is summed
again next time, never missed. Rows are trusted to belong to indexed articles (only
the index's writers and the kept-counts repair write rows); when the number of rows
summed is not the number of articles, everything is summed from the index again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Annotated

import msgspec

from annotations import counts as kept
from annotations.annotator_counts import AnnotatorCounts
from annotations.atomic_io import entry_problem, read_db_bytes
from annotations.counts_files import COUNTS_DIR, Counts, CountsFiles, shard_name
from annotations.counts_stamp import Stamp, stamp
from annotations.errors import DatabaseError
from annotations.file_stamps import as_list, recordable
from annotations.progress import merge_annotators
from annotations.store import Store

TOTALS = "totals"  # in counts/; not ``*.json``, so never taken for a shard
TOTALS_FORMAT = 1

_Count = Annotated[int, msgspec.Meta(ge=0)]
_Stamp = Annotated[list[int], msgspec.Meta(min_length=3, max_length=3)] | None


class Subtotal(msgspec.Struct, gc=False):
    """What the rows of one shard (or of the whole corpus) add up to."""

    sig: _Stamp
    rows: _Count
    reviewed: _Count
    tagged: _Count
    none_apply: _Count
    orphaned: _Count
    labels: dict[str, _Count]
    annotators: dict[str, AnnotatorCounts]

    @classmethod
    def of(cls, rows: Iterable[Counts], sig: list[int] | None = None) -> Subtotal:
        total = cls(sig, 0, 0, 0, 0, 0, {}, {})
        per_article = []
        for c in rows:
            total.rows += 1
            total.reviewed += c.reviewed
            total.tagged += c.tagged
            total.none_apply += c.none_apply
            total.orphaned += c.orphaned
            for label, n in c.labels.items():
                total.labels[label] = total.labels.get(label, 0) + n
            per_article.append(c.annotators)
        total.annotators = merge_annotators(per_article)
        return total

    def same(self, other: Subtotal) -> bool:
        """Equal apart from the stamp."""
        return msgspec.structs.replace(self, sig=None) == msgspec.structs.replace(other,
                                                                                  sig=None)


class Totals(msgspec.Struct, gc=False):
    format: int
    index: _Stamp
    articles: _Count
    sentences: _Count
    shards: dict[str, Subtotal]

    def corpus(self) -> Subtotal:
        """Every shard's subtotal added up."""
        parts = list(self.shards.values())
        total = Subtotal.of(())
        for p in parts:
            total.rows += p.rows
            total.reviewed += p.reviewed
            total.tagged += p.tagged
            total.none_apply += p.none_apply
            total.orphaned += p.orphaned
            for label, n in p.labels.items():
                total.labels[label] = total.labels.get(label, 0) + n
        total.annotators = merge_annotators(p.annotators for p in parts)
        return total


class _File(msgspec.Struct):
    totals: dict[str, Totals]  # TinyDB-shaped, like every file of the database


_DECODER = msgspec.json.Decoder(_File)


def read_totals(files: CountsFiles) -> Totals | None:
    """The kept totals; None when missing, damaged or of another format (NotAFile when
    the entry is not a regular file: a FIFO or a link is never read)."""
    data = read_db_bytes(files.folder / TOTALS)
    if data is None:
        return None
    try:
        totals = _DECODER.decode(data).totals.get("1")
    except (msgspec.MsgspecError, RecursionError, ValueError):
        return None
    return totals if totals is not None and totals.format == TOTALS_FORMAT else None


def _healed(store: Store, files: CountsFiles) -> bool:
    """Heal what a dead writer or a reboot left (as every counts reader does); False when
    the shards still cannot be trusted (a read-only database, a marker that is a FIFO)."""
    try:
        if files.pending() is not None or not files.verified_this_boot():
            kept.heal(store)
        return files.pending() is None and files.verified_this_boot()
    except (OSError, DatabaseError):
        return False


def _sum_all(store: Store, before: Stamp | None) -> Totals:
    """Every article's kept row summed, grouped by shard (what ``stats`` always did)."""
    counts = store.kept_counts()  # heals and recounts what it must
    summaries = store.summaries()
    by_shard: dict[str, list[Counts]] = {}
    for s in summaries:
        if (c := counts.get(s.id)) is not None:
            by_shard.setdefault(shard_name(s.id), []).append(c)
    stamps = before.shards if before is not None else {}
    shards = {name: Subtotal.of(by_shard.get(name, ()), as_list(stamps.get(name)))
              for name in by_shard.keys() | stamps.keys()}
    return Totals(TOTALS_FORMAT, as_list(before.index) if before else None,
                  len(summaries), sum(s.sentences for s in summaries), shards)


def corpus_totals(store: Store) -> Totals:
    """The corpus totals, summing only the shards written since they were last kept."""
    files = CountsFiles(store.root)
    if not _healed(store, files):
        return _sum_all(store, None)  # nothing kept is trusted; nothing is written
    now = stamp(store)
    try:
        old = read_totals(files)
    except (OSError, DatabaseError):
        return _sum_all(store, None)  # not a regular file: doctor --repair moves it
    if now is None:
        return _sum_all(store, None)
    totals = _updated(files, old, now) if old is not None else None
    if totals is None:
        totals = _sum_all(store, now)
    elif totals is old:
        return totals
    _keep(store, files, totals, now.taken_ns)
    return totals


def _updated(files: CountsFiles, old: Totals, now: Stamp) -> Totals | None:
    """``old`` with the shards written since summed again; ``old`` itself when none was;
    None when everything must be summed again."""
    if old.index != as_list(now.index):
        return None
    stamps = {name: as_list(s) for name, s in now.shards.items()}
    changed = [n for n in old.shards.keys() | stamps.keys()
               if n not in stamps or n not in old.shards or old.shards[n].sig != stamps[n]]
    if not changed:
        return old
    shards = dict(old.shards)
    for name in changed:
        if name not in stamps:
            shards.pop(name, None)
            continue
        rows = files.read_shard(name)
        if rows is None:  # unusable: the full sum recounts it
            return None
        shards[name] = Subtotal.of(rows.values(), stamps[name])
    if sum(s.rows for s in shards.values()) != old.articles:
        return None  # a row missing or one too many: the full sum decides
    return Totals(TOTALS_FORMAT, old.index, old.articles, old.sentences, shards)


def _keep(store: Store, files: CountsFiles, totals: Totals, taken_ns: int) -> None:
    """Write the totals, their stamps as they may be recorded (a file written within a
    step of its file system's clock before they were taken, ``taken_ns``, is summed
    again next time: counts_stamp.py);
    derived data, so a database that cannot be written still answers (from what was
    summed in memory)."""
    recorded = msgspec.structs.replace(
        totals, index=recordable(totals.index, taken_ns),
        shards={name: msgspec.structs.replace(sub, sig=recordable(sub.sig, taken_ns))
                for name, sub in totals.shards.items()})
    with contextlib.suppress(OSError, DatabaseError), store.locked():
        if not files.folder.is_dir():
            return
        files._write(TOTALS, {"totals": {"1": msgspec.to_builtins(recorded)}})


def recounted_totals(store: Store) -> Subtotal:
    """The corpus totals from every article's annotation file (doctor, the crash tests)."""
    rows = []
    for s in store.summaries():
        with contextlib.suppress(DatabaseError):
            rows.append(kept.recount(store, s.id))
    return Subtotal.of(rows)


def verify_totals(store: Store, recounted: kept.Recounts | None = None
                  ) -> list[tuple[str, bool]]:
    """What is wrong with the kept totals, as (problem, the entry itself is unusable):
    an entry that is not a regular file, a file that cannot be read as totals, a
    subtotal whose shard is unchanged since it was summed but which differs from a
    recount of that shard's articles, or index totals that do not match the index. A
    subtotal of a changed shard is not wrong: the next ``stats`` sums it again."""
    files = CountsFiles(store.root)
    path = files.folder / TOTALS
    if entry_problem(files.folder, folder=True) or not files.folder.is_dir():
        return []  # counts/ itself is reported (and rebuilt) by verify_counts
    if problem := entry_problem(path):
        return [(problem, True)]
    try:
        kept_totals = read_totals(files)
    except (OSError, DatabaseError) as exc:
        return [(str(exc), True)]
    if kept_totals is None:
        return [] if not path.exists() else [("cannot be read as newstag's totals", False)]
    now = stamp(store)
    if now is None:
        return []
    summaries = store.summaries()
    problems = []
    if kept_totals.index == as_list(now.index) and \
            (kept_totals.articles, kept_totals.sentences) != \
            (len(summaries), sum(s.sentences for s in summaries)):
        problems.append(("article or sentence totals disagree with the index", False))
    recounted = recounted or kept.Recounts(store)
    by_shard: dict[str, list[Counts]] = {}
    for s in summaries:
        with contextlib.suppress(DatabaseError):  # unreadable: the file checks report it
            by_shard.setdefault(shard_name(s.id), []).append(recounted(s.id))
    for name, sub in sorted(kept_totals.shards.items()):
        if sub.sig is not None and sub.sig == as_list(now.shards.get(name)) and \
                not sub.same(Subtotal.of(by_shard.get(name, ()))):
            problems.append((f"the totals of {COUNTS_DIR}/{name} disagree with a recount",
                             False))
    return problems


def remove_totals(store: Store) -> None:
    """Removed, not rebuilt: the next ``stats`` sums them again (doctor --repair)."""
    with contextlib.suppress(OSError):  # a folder in its place: moved aside by doctor
        CountsFiles(store.root)._inside(TOTALS).unlink()
