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
import hashlib
import json
import os
import secrets
import signal
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, NamedTuple, Protocol

import msgspec

from annotations import dbfiles
from annotations.atomic_io import (
    TEMP_SUFFIX,
    CorruptFile,
    NotAFile,
    entry_problem,
    fsync_dir,
    parse_tables,
    read_db_bytes,
    read_json_tables,
)
from annotations.errors import DatabaseError, brief
from annotations.model import ReviewState, SentenceAnnotation

COUNTS_DIR = "counts"
FORMAT = 1
PENDING = ".pending"
META = "meta.json"
CRASH_ENV = "NEWSTAG_CRASH_AT"  # tests only: SIGKILL this process at a named point

_Count = Annotated[int, msgspec.Meta(ge=0)]
# (inode, mtime in ns, size) of the annotation file counted; checked when decoded.
Signature = Annotated[list[int], msgspec.Meta(min_length=3, max_length=3)] | None


class Counts(msgspec.Struct, gc=False):
    """What an article's annotations add up to (sentences come from the index row).

    A msgspec Struct, so a shard's rows are checked and built in one C call
    (``read_shard``): 20,000 rows in ~15 ms instead of ~100 ms row by row. Not tracked
    by the cyclic GC (gc=False): it holds ints, a str->int dict and a list of ints, so
    it can never be part of a cycle.
    """

    # No defaults: a shard row missing a field is unusable (recounted), not zero. The
    # types are checked by the decoder: a string, a float or a negative count is refused.
    reviewed: _Count
    tagged: _Count
    none_apply: _Count
    orphaned: _Count
    labels: dict[str, _Count]
    # Of the annotation file these counts were taken from; "sig" in the shard.
    signature: Signature = msgspec.field(name="sig")

    @classmethod
    def none(cls, orphaned: int = 0, signature: Signature = None) -> Counts:
        return cls(0, 0, 0, orphaned, {}, signature)

    def to_row(self) -> dict:
        return {"reviewed": self.reviewed, "tagged": self.tagged, "none_apply": self.none_apply,
                "orphaned": self.orphaned, "labels": self.labels, "sig": self.signature}

    @classmethod
    def from_row(cls, row: dict) -> Counts:
        return msgspec.convert(row, cls)

    def beyond(self, sentences: int) -> str:
        """What does not fit an article of ``sentences`` sentences ('' when all does)."""
        for name, value in (("reviewed", self.reviewed), ("tagged", self.tagged),
                            ("none_apply", self.none_apply)):
            if value > sentences:
                return f"{name} {value} is more than its {sentences} sentences"
        if self.none_apply > self.reviewed:
            return f"none_apply {self.none_apply} is more than reviewed {self.reviewed}"
        for label, value in self.labels.items():
            if value > sentences:
                return f"label {brief(label)} {value} is more than its {sentences} sentences"
        return ""

    def same_counts(self, other: Counts) -> bool:
        """Equal apart from the file signature."""
        return self.to_row() | {"sig": None} == other.to_row() | {"sig": None}


def count(placed: Mapping[int, SentenceAnnotation], orphans: Iterable[SentenceAnnotation],
          signature: Signature = None) -> Counts:
    """Count in sentence order, so labels keep the order `list --json` always had."""
    counts = Counts.none(sum(1 for _ in orphans), signature)
    for index in sorted(placed):
        a = placed[index]
        for label in a.labels:
            counts.labels[label] = counts.labels.get(label, 0) + 1
        reviewed = a.state is ReviewState.REVIEWED
        counts.reviewed += reviewed
        counts.tagged += bool(a.labels)
        counts.none_apply += reviewed and not a.labels
    return counts


def signature_of(path: Path) -> Signature:
    """Changes whenever the file is replaced: every write makes a new inode."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_ino, st.st_mtime_ns, st.st_size]


def shard_name(article_id: str) -> str:
    return hashlib.blake2b(article_id.encode("utf-8"), digest_size=1).hexdigest() + ".json"


def boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def crash_point(name: str) -> None:
    """A real SIGKILL at a named point, for the crash tests (one dict lookup otherwise)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class Listed(Protocol):
    """What counting needs from an index row: how many sentences a count can reach."""

    sentences: int
    headings: int


def unusable(rows: Mapping[str, Counts], index: Mapping[str, Listed]) -> list[str]:
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

    def _annotation_path(self, article_id: str) -> Path: ...

    def locked(self) -> contextlib.AbstractContextManager[None]: ...


class CountsFiles:
    """The ``counts/`` folder: shards of rows, the pending marker, the verified boot."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.folder = self.root / COUNTS_DIR
        self.boot = boot_id()

    def _inside(self, name: str = "") -> Path:
        """A path of counts/ for a write or delete, through the database's one gate."""
        return dbfiles.inside(self.root, COUNTS_DIR, name) if name \
            else dbfiles.inside(self.root, COUNTS_DIR)

    @property
    def pending_path(self) -> Path:
        return self.folder / PENDING

    # -- reading ---------------------------------------------------------------
    def read_shard(self, name: str) -> dict[str, Counts] | None:
        """The usable rows of one shard; None when it is missing or unusable as a whole."""
        return self.inspect_shard(name)[0]

    def inspect_shard(self, name: str) -> tuple[dict[str, Counts] | None, dict[str, str]]:
        """(usable rows, or None for a shard unusable as a whole; what is wrong: by
        article id for a bad row, under '' for the whole file)."""
        path = self.folder / name
        try:
            data = read_db_bytes(path)
        except (NotAFile, OSError) as exc:
            return None, {"": exc.problem if isinstance(exc, NotAFile) else str(exc)}
        if data is None:
            return None, {}
        try:  # the usual case: bytes straight to checked rows, no dicts in between
            shard = _SHARD.decode(data)
            if shard.meta.get("1", {}).get("format") == FORMAT:
                return shard.rows, {}
        except (msgspec.MsgspecError, RecursionError, ValueError):
            pass  # a bad row, or not what newstag writes: row by row below
        try:
            tables = parse_tables(path, data)
        except CorruptFile as exc:
            return None, {"": exc.problem}
        meta = (tables or {}).get("meta", {}).get("1", {})
        if not tables or not isinstance(meta, dict) or meta.get("format") != FORMAT:
            return None, {"": "counts of another format"}
        rows, problems = {}, {}
        for article_id, row in tables.get("rows", {}).items():
            try:
                rows[article_id] = msgspec.convert(row, Counts)
            except msgspec.ValidationError as exc:
                problems[article_id] = brief(str(exc), 100).strip("'\"")
        return rows, problems

    def read_all(self) -> tuple[dict[str, Counts], set[str]]:
        """Every usable row, and the names of shards that could not be used at all.

        ``NotAFile`` when ``counts/`` itself is not a folder: nothing kept can be used.
        """
        rows: dict[str, Counts] = {}
        bad: set[str] = set()
        if problem := entry_problem(self.folder, folder=True):
            raise NotAFile(self.folder, problem)
        try:
            names = [e.name for e in os.scandir(self.folder)
                     if e.name.endswith(".json") and e.name != META]
        except FileNotFoundError:
            return rows, bad
        except NotADirectoryError:
            raise NotAFile(self.folder, "is not a folder") from None
        for name in names:
            shard = self.read_shard(name)
            if shard is None:
                bad.add(name)
            else:
                rows.update(shard)
        return rows, bad

    def pending(self) -> str | None:
        """The article a writer was changing when it died ('' for an empty marker).

        ``NotAFile`` when the marker (or ``counts/``) is not a file: which article was
        being changed cannot be known.
        """
        data = read_db_bytes(self.pending_path)
        return None if data is None else data.decode("utf-8", "replace")

    def verified_this_boot(self) -> bool:
        if self.boot is None:
            return True  # no boot id: shard writes are fsync'd, nothing to verify
        tables = read_json_tables_quiet(self.folder / META)
        meta = tables.get("meta", {}).get("1", {})
        return meta.get("format") == FORMAT and meta.get("boot") == self.boot

    # -- writing (the caller holds the store's lock) ----------------------------
    def put(self, changed: Mapping[str, Counts]) -> None:
        """Replace rows, one write per shard touched.

        A shard that cannot be written (a link, a FIFO) does not stop the others; the
        first failure is raised once they are written.
        """
        by_shard: dict[str, dict[str, Counts]] = {}
        for article_id, counts in changed.items():
            by_shard.setdefault(shard_name(article_id), {})[article_id] = counts
        self._inside().mkdir(exist_ok=True)
        failed: Exception | None = None
        for name, items in by_shard.items():
            rows = self.read_shard(name) or {}
            rows.update(items)
            try:
                self._write(name, {"meta": {"1": {"format": FORMAT}},
                                   "rows": {k: v.to_row() for k, v in rows.items()}})
            except (OSError, DatabaseError) as exc:
                failed = failed or exc
        if failed is not None:
            raise failed

    def replace_all(self, rows: Mapping[str, Counts]) -> None:
        """Every shard rewritten from ``rows`` (a rebuild); stale shards removed."""
        by_shard: dict[str, dict[str, dict]] = {}
        for article_id, counts in rows.items():
            by_shard.setdefault(shard_name(article_id), {})[article_id] = counts.to_row()
        self._inside().mkdir(exist_ok=True)
        for name, items in by_shard.items():
            self._write(name, {"meta": {"1": {"format": FORMAT}}, "rows": items})
        for entry in os.scandir(self.folder):
            if entry.name.endswith(".json") and entry.name != META \
                    and entry.name not in by_shard:
                self._inside(entry.name).unlink()

    def mark_pending(self, article_id: str) -> None:
        self._inside().mkdir(exist_ok=True)
        path = self._inside(PENDING)
        try:
            # Never through a link, never blocked by a FIFO put in its place (ENXIO).
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                         | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
            with os.fdopen(fd, "wb") as handle:
                if problem := entry_problem(path):
                    raise NotAFile(path, problem)
                handle.write(article_id.encode("utf-8"))
        except OSError as exc:  # a full disk: the tag is refused before anything changed
            if exc.filename is None:
                exc.filename = str(path)  # a failed write() names no file; the user needs it
            raise

    def clear_pending(self) -> None:
        self._inside(PENDING).unlink(missing_ok=True)

    def mark_verified(self) -> None:
        if self.boot is not None:
            self._write(META, {"meta": {"1": {"format": FORMAT, "boot": self.boot}}})

    def _write(self, name: str, tables: dict) -> None:
        """Tables shaped as a TinyDB file, like every other file of the database."""
        # Atomic (temporary file renamed over) but not fsync'd: see the module docstring
        # for why a power cut is caught by the boot check instead.
        path = self._inside(name)
        if problem := entry_problem(path):  # a FIFO or a folder: doctor's to move aside
            raise NotAFile(path, problem)
        tmp = self._inside(f".{name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        payload = json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            with open(tmp, "xb") as handle:
                handle.write(payload)
                if self.boot is None:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if self.boot is None:
            fsync_dir(self.folder)


class _Shard(msgspec.Struct):
    meta: dict[str, dict[str, object]] = {}
    rows: dict[str, Counts] = {}


_SHARD = msgspec.json.Decoder(_Shard)


def read_json_tables_quiet(path: Path) -> dict:
    try:
        return read_json_tables(path) or {}
    except CorruptFile:
        return {}


# -- the store's side: keeping, healing, verifying ----------------------------------
def recount(store: AnnotationSource, article_id: str) -> Counts:
    """Counts taken from the article's annotation file as it is now."""
    path = store._annotation_path(article_id)
    signature = signature_of(path)
    placed, orphans = store.load_annotations(article_id)
    return count(placed, orphans, signature)


def kept_counts(store: AnnotationSource, index: Mapping[str, Listed]) -> dict[str, Counts]:
    """The kept counts of the articles of ``index``, healed first where a crash may have
    left them stale, recounted where a row is missing or does not fit its article.

    The usual path is one stat (the pending marker), one small read (meta) and
    the shards; no annotation file is opened.
    """
    files = CountsFiles(store.root)
    try:
        unsaved: dict[str, Counts] = {}
        if files.pending() is not None or not files.verified_this_boot():
            unsaved = _heal(store)[1]
        rows, bad = files.read_all()
    except NotAFile:
        # counts/ or its marker cannot be used: nothing kept can be trusted. The answer
        # comes from the annotation files; nothing is written (doctor --repair mends it).
        return {i: recount(store, i) for i in index}
    rows.update(unsaved)
    if bad or unusable(rows, index):
        with store.locked():
            # Read again under the lock: a writer (an import) may have just written them.
            rows, bad = files.read_all()
            rows.update(unsaved)
            # Recount what has no usable row; rewrite the unreadable shards whole.
            fixed = {i: recount(store, i) for i in unusable(rows, index)}
            rows.update(fixed)
            if bad:
                fixed.update({i: c for i, c in rows.items() if shard_name(i) in bad})
            _put_quietly(files, fixed)
    return rows


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


def verify_counts(store: AnnotationSource) -> list[ShardProblem]:
    """Every problem of the counts folder: entries that are not regular files, files that
    cannot be used, rows that are damaged, do not fit their article or disagree with a
    recount. Articles whose annotation file cannot be read are left to the file checks.
    """
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
            truth = recount(store, summary.id)
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
