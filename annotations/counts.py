"""Per-article annotation counts kept beside the index, so nothing recounts the corpus.

``newstag list``, ``stats`` and the library need, for every article, how many
sentences are reviewed, tagged, none-apply, per label and orphaned. Reading
every annotation file for that made them grow with the corpus; instead the
transaction that changes an article's annotations (``Store.annotations_of``)
also writes that article's counts here.

Where: ``counts/<xx>.json``, 256 small shards keyed by a hash of the article id,
not the index. The index (``newstag.json``) is one file of every article; at
20,000 articles it is several MB, and rewriting it on every tag would make a
tag cost grow with the corpus (``benchmarks/bench_corpus_scale.py`` measures
it). A shard holds about n/256 rows, so rewriting one stays small.

Crash safety. The annotation file and the shard are two files written one after
the other, so a crash between them would leave counts that disagree with the
annotations. Counts are derived data: they can always be recounted from the
annotation file, so the design only has to *notice* a stale row cheaply:

* a process killed between the two writes (SIGKILL, an exception): before the
  annotation write the writer leaves ``counts/.pending`` naming the article and
  removes it after the shard write. Whoever next reads counts or writes under
  the lock finds it (one stat), recounts that one article and repairs its row.
* the machine dying (power cut): shard writes are not fsync'd (an fsync costs as
  much as the annotation write itself, and would double the cost of a tag), so
  after a power cut any shard may be behind. Each row keeps the signature
  (inode, mtime, size) of the annotation file it counted, and ``meta.json``
  names the boot in which the counts were last verified; when the machine has
  rebooted since (``/proc/sys/kernel/random/boot_id`` changed), the first reader
  compares every row's signature with a stat of its file and recounts the ones
  that differ (about 40 ms at 20,000 articles, once per boot). Where the boot id
  cannot be read, shard writes are fsync'd instead.
* a missing row, an unreadable shard or a shard of another format is recounted
  the same way; ``newstag doctor`` compares every row with a recount.

Damage. A shared or downloaded folder can hold anything under ``counts/``. Every
file is read through ``atomic_io.read_db_bytes`` (a FIFO or a link is refused, never
read); a row is used only when every field has the right type and fits its article
(no count above the article's sentences); anything else is treated as missing and
recounted. An entry that is not a regular file is never written over: its articles
are recounted on every read until ``newstag doctor --repair`` moves it to quarantine
and rebuilds the counts. When ``counts/`` itself or the pending marker cannot be
used, nothing kept is trusted: the answer is recounted from the annotation files,
and nothing is written.

Per-annotator counts (teams) go in as one more field of ``Counts``; bumping
``FORMAT`` makes every row be recounted once, with no schema migration.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from annotations.atomic_io import (
    CorruptFile,
    NotAFile,
    entry_problem,
)
from annotations.counts_files import (
    COUNTS_DIR,
    FORMAT,
    META,
    PENDING,
    Counts,
    CountsFiles,
    LabelCounts,
    Signature,
    boot_id,
    count,
    shard_name,
    signature_of,
)
from annotations.errors import DatabaseError, brief
from annotations.model import SentenceAnnotation

__all__ = ["COUNTS_DIR", "FORMAT", "META", "PENDING", "Counts", "CountsFiles", "LabelCounts",
           "Recounts", "Signature", "boot_id", "count", "crash_point", "heal", "kept_counts",
           "listed_counts", "rebuild", "recount", "shard_name", "signature_of", "unusable",
           "verify_counts"]

CRASH_ENV = "NEWSTAG_CRASH_AT"  # tests only: SIGKILL this process at a named point


def crash_point(name: str) -> None:
    """A real SIGKILL at a named point, for the crash tests (one dict lookup otherwise)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class Listed(Protocol):
    """What counting needs from an index row: how many sentences a count can reach."""

    sentences: int
    headings: int


def unusable(rows: Mapping[str, LabelCounts], index: Mapping[str, Listed]) -> list[str]:
    """Ids of the index with no row, or a row that does not fit the article.

    ``Counts.beyond`` written out inline: this runs over every row on every ``list``
    (about 7 ms at 20,000 articles; calling ``beyond`` per row doubled it).
    """
    unfit = []
    get = rows.get
    for article_id, summary in index.items():
        row = get(article_id)
        if row is None:
            unfit.append(article_id)
            continue
        n = summary.sentences + summary.headings
        if row.reviewed > n or row.tagged > n or row.none_apply > row.reviewed \
                or (row.labels and max(row.labels.values()) > n):
            unfit.append(article_id)
    return unfit


class ShardProblem(NamedTuple):
    """What ``newstag doctor`` reports of the counts folder."""

    path: Path
    problem: str
    entry: bool  # the file itself is unusable (moved to quarantine by a repair)


class AnnotationSource(Protocol):
    """What counting needs from the store (kept a protocol: store imports this module)."""

    root: Path

    def summaries(self) -> list: ...

    def load_annotations(self, article_id: str) -> tuple[dict[int, SentenceAnnotation],
                                                         list[SentenceAnnotation]]: ...

    def load_layers(self, article_id: str) -> Any: ...

    def _annotation_path(self, article_id: str) -> Path: ...

    def locked(self) -> contextlib.AbstractContextManager[None]: ...


class Recounts:
    """``recount`` once per article, remembered (with its error): ``doctor`` compares both
    the rows and the corpus totals with a recount, and read every annotation file twice."""

    def __init__(self, store: AnnotationSource) -> None:
        self.store = store
        self._done: dict[str, Counts | DatabaseError] = {}

    def __call__(self, article_id: str) -> Counts:
        done = self._done.get(article_id)
        if done is None:
            try:
                done = recount(self.store, article_id)
            except DatabaseError as exc:
                done = exc
            self._done[article_id] = done
        if isinstance(done, DatabaseError):
            raise done
        return done


def recount(store: AnnotationSource, article_id: str) -> Counts:
    """Counts taken from the article's annotation file as it is now."""
    path = store._annotation_path(article_id)
    signature = signature_of(path)
    from annotations.layers import merged, people_in

    current = store.load_layers(article_id)
    layers = current.layers()
    every = merged([*layers.values()] or [current.home])
    return count(every.placed, every.orphans, signature, people_in(layers))


def kept_counts(store: AnnotationSource, index: Mapping[str, Listed], part: bool = False
                ) -> dict[str, Counts]:
    """The kept counts of the articles of ``index``, healed first where a crash may have
    left them stale, recounted where a row is missing or does not fit its article.

    The usual path is one stat (the pending marker), one small read (meta) and
    the shards; no annotation file is opened. ``part``: ``index`` is a few articles
    (a first screenful), so only their shards are read.
    """
    files = CountsFiles(store.root)
    only = {shard_name(i) for i in index} if part else None
    try:
        unsaved: dict[str, Counts] = {}
        if files.pending() is not None or not files.verified_this_boot():
            unsaved = _heal(store)[1]
        rows, bad = files.read_all(only)
    except NotAFile:
        # counts/ or its marker cannot be used: nothing kept can be trusted. The answer
        # comes from the annotation files; nothing is written (doctor --repair mends it).
        return {i: recount(store, i) for i in index}
    rows.update(unsaved)
    if bad or unusable(rows, index):
        with store.locked():
            # Read again under the lock: a writer (an import) may have just written them.
            rows, bad = files.read_all(only)
            rows.update(unsaved)
            # Recount what has no usable row; rewrite the unreadable shards whole.
            fixed = {i: recount(store, i) for i in unusable(rows, index)}
            rows.update(fixed)
            if bad:
                fixed.update({i: c for i, c in rows.items() if shard_name(i) in bad})
            _put_quietly(files, fixed)
    return rows


def listed_counts(store: AnnotationSource, index: Mapping[str, Listed], part: bool = False
                  ) -> Mapping[str, LabelCounts]:
    """``kept_counts`` without the per-annotator counts, for what lists articles (``list``,
    ``stats``'s rows, the library): the same numbers, about a third of the cost. Only
    the usual case is read this way (nothing to heal, every shard as newstag writes it,
    every row fits its article); anything else goes through ``kept_counts``, which heals,
    recounts and rewrites exactly as before."""
    files = CountsFiles(store.root)
    try:
        if files.pending() is None and files.verified_this_boot():
            rows = files.read_all_listed({shard_name(i) for i in index} if part else None)
            if rows is not None and not unusable(rows, index):
                return rows
    except (OSError, DatabaseError):  # a marker that is not a file: the full path says so
        pass
    return kept_counts(store, index, part)


def heal(store: AnnotationSource) -> list[str]:
    """Under the lock: repair the row a dead writer left pending, and after a reboot
    recount every row whose annotation file is not the one it counted. Returns the
    ids recounted."""
    return _heal(store)[0]


def _heal(store: AnnotationSource) -> tuple[list[str], dict[str, Counts]]:
    """(ids recounted, the counts of those that could not be kept on disk)."""
    files = CountsFiles(store.root)
    recounted: list[str] = []
    unsaved: dict[str, Counts] = {}
    with store.locked():
        article_id = files.pending()
        kept = True
        if article_id and any(s.id == article_id for s in store.summaries()):
            fresh = {article_id: recount(store, article_id)}
            if not (kept := _put_quietly(files, fresh)):
                unsaved.update(fresh)
            recounted.append(article_id)
        if article_id is not None and kept:  # else the marker stays: the row is still stale
            with contextlib.suppress(OSError, DatabaseError):
                files.clear_pending()
        if not files.verified_this_boot():
            rows, _ = files.read_all()
            stale = {}
            for summary in store.summaries():
                row = rows.get(summary.id)
                if row is None or row.signature != signature_of(
                        store._annotation_path(summary.id)):
                    stale[summary.id] = recount(store, summary.id)
            recounted += list(stale)
            if _put_quietly(files, stale):
                with contextlib.suppress(OSError, DatabaseError):
                    files.mark_verified()
            else:
                unsaved.update(stale)
    return recounted, unsaved


def _put_quietly(files: CountsFiles, rows: Mapping[str, Counts]) -> bool:
    """Keep ``rows``; False when they could not all be kept. A read-only database, or a
    shard that is a link or a FIFO, still answers (from the recount in memory)."""
    if rows:
        try:
            files.put(rows)
        except (OSError, DatabaseError):
            return False
    return True


def verify_counts(store: AnnotationSource, recounted: Recounts | None = None
                  ) -> list[ShardProblem]:
    """Every problem of the counts folder: entries that are not regular files, files that
    cannot be used, rows that are damaged, do not fit their article or disagree with a
    recount. Articles whose annotation file cannot be read are left to the file checks.
    ``recounted``: the recounts shared with another check.
    """
    recounted = recounted or Recounts(store)
    files = CountsFiles(store.root)
    if problem := entry_problem(files.folder, folder=True):
        return [ShardProblem(files.folder, problem, True)]
    if not files.folder.exists():
        names: list[str] = []
    else:
        names = sorted(e.name for e in os.scandir(files.folder) if e.name.endswith(".json"))
    problems = [ShardProblem(files.folder / name, problem, True)
                for name in (PENDING, *[n for n in names if n == META])
                if (problem := entry_problem(files.folder / name))]
    rows: dict[str, Counts] = {}
    unusable_shards: set[str] = set()
    bad_rows: set[str] = set()
    for name in names:
        if name == META:
            continue
        shard, wrong = files.inspect_shard(name)
        if shard is None:
            unusable_shards.add(name)
            problems.append(ShardProblem(files.folder / name, wrong.get("", "unusable"), True))
            continue
        rows.update(shard)
        for article_id, problem in wrong.items():
            bad_rows.add(article_id)
            problems.append(ShardProblem(files.folder / name, f"counts of article "
                                         f"{brief(article_id)} are damaged ({problem})", False))
    for summary in store.summaries():
        if summary.id in bad_rows or shard_name(summary.id) in unusable_shards:
            continue  # reported above
        path = files.folder / shard_name(summary.id)
        kept = rows.get(summary.id)
        if kept is not None and (problem := kept.beyond(summary.sentences + summary.headings)):
            problems.append(ShardProblem(path, f"counts of article {brief(summary.id)} "
                                         f"disagree with a recount: {problem}", False))
            continue
        try:
            truth = recounted(summary.id)
        except CorruptFile:
            continue
        if kept is None or not kept.same_counts(truth):
            problems.append(ShardProblem(path, f"counts of article {brief(summary.id)} "
                                         "disagree with a recount", False))
    return problems


def rebuild(store: AnnotationSource) -> int:
    """Recount every article and rewrite every shard; returns the number of articles.

    Entries that are not regular files must have been moved aside first (doctor does).
    """
    files = CountsFiles(store.root)
    with store.locked():
        rows = {}
        for summary in store.summaries():
            with contextlib.suppress(CorruptFile):
                rows[summary.id] = recount(store, summary.id)
        files.replace_all(rows)
        files.clear_pending()
        files.mark_verified()
    return len(rows)
