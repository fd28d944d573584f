"""``newstag doctor``: check a database file by file and record by record.

What it finds is repaired by ``annotations/repair.py`` (``--repair``).

Nothing is deleted: a damaged file is copied to ``quarantine/`` before anything
takes its place. A damaged file is replaced by the newest version that is
readable *and* complete, whichever holds it: the version kept before the last
write (``.prev``) or a backup, compared by when their content was written. An
index that no version holds whole is rebuilt from the article files, which name
their own id and metadata. Every path goes through ``annotations.dbfiles``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from annotations import dbfiles, shapes
from annotations.atomic_io import (
    previous_version,
    read_json_tables,
)
from annotations.backup import backups
from annotations.errors import DatabaseError

INDEX = "newstag.json"
# Findings that are reported but never repaired.
_REPORT_ONLY = ("unlisted", "schema")
# Findings mended by their own step of a repair, not by restoring a file.
_OWN_STEP = ("mismatch", "counts", "counts-entry")


@dataclass(slots=True)
class Finding:
    path: Path
    problem: str
    repaired: bool = False
    note: str = ""
    kind: str = ""

    @property
    def needs_repair(self) -> bool:
        return not self.repaired and self.kind not in _REPORT_ONLY

    def __str__(self) -> str:
        suffix = f" -> {self.note}" if self.note else ""
        return f"{self.path}: {self.problem}{suffix}"


def _tables(path: Path) -> tuple[dict | None, str]:
    """(tables, '') when the file parses as a TinyDB file, else (None, what is wrong)."""
    try:
        return read_json_tables(path), ""
    except DatabaseError as exc:
        return None, str(exc).split("; the file was left untouched")[0].split(": ", 1)[-1]


def _readable(path: Path) -> str:
    return _tables(path)[1]


# -- what a complete version of each kind of file is ----------------------------------
def index_problem(tables: dict | None) -> str:
    if not tables:
        return "empty"
    version = tables.get("meta", {}).get("1", {}).get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return "no schema version; not a newstag index"
    for row in tables.get("articles", {}).values():
        if problem := shapes.index_row_problem(row):
            return f"valid JSON but not a newstag index ({problem})"
    return ""


def _annotations_complete(article_id: str | None) -> Callable[[dict | None], str]:
    return lambda tables: shapes.annotation_tables_problem(tables or {}, article_id)


def _unplaced_problem(tables: dict | None) -> str:
    for doc_id, record in (tables or {}).get("unplaced", {}).items():
        if problem := shapes.annotation_problem(record, orphan=record.get("sentence_index")
                                                is None if isinstance(record, dict) else True):
            return f"unplaced record {doc_id}: {problem}"
    return ""


def _reader_problem(tables: dict | None) -> str:
    for row in (tables or {}).get("positions", {}).values():
        if problem := shapes.position_problem(row):
            return problem
    return ""


def _activity_problem(tables: dict | None) -> str:
    from annotations.activity import activity_problem

    return activity_problem(tables)


# -- check ----------------------------------------------------------------------------
def check(root: Path) -> list[Finding]:
    from annotations.db_folder import DATA_ENTRIES
    from annotations.migrations import SCHEMA_VERSION
    from annotations.store import Store

    for name in DATA_ENTRIES:  # a link out of the database: refused, one line
        dbfiles.inside(root, name)
    findings: list[Finding] = []
    lock = root / ".lock"
    if lock.exists() and not lock.is_file():
        findings.append(Finding(lock, "is a folder, not the lock file" if lock.is_dir()
                                else "is not a regular file", kind="lock"))
    index = root / INDEX
    article_files = list(dbfiles.files(root, "articles", "*.json"))
    if not index.exists():
        if article_files:
            return findings + [Finding(index, f"missing, but the database holds "
                                              f"{len(article_files)} article files", kind="index")]
        return findings + [Finding(index, "missing: not a newstag database", kind="absent")]
    tables, problem = _tables(index)
    if not problem and tables is None and article_files:
        problem = "empty, but the database holds articles"
    if not problem and tables is not None:
        problem = index_problem(tables)
    if problem:
        return findings + [Finding(index, problem, kind="index")]
    store = Store(root)
    version = store._check_schema()  # also chooses the file names of that schema
    if version < SCHEMA_VERSION:
        findings.append(Finding(index, f"schema {version}; opening it with a writing "
                                       "command migrates it (after a backup)", kind="schema"))
    listed: set[str] = set()
    available = backups(root)
    for summary in store.summaries():
        findings += _check_article(root, store, summary.id, listed, available)
    unlisted = [p for p in article_files if p.name not in listed]
    recoverable = [p for p in unlisted if _file_article_id(root, p, {}, version) is not None]
    if recoverable:
        findings.append(Finding(index, f"does not list {len(recoverable)} complete article "
                                       "files of articles/", kind="index"))
    for path in unlisted:
        if path not in recoverable:
            findings.append(Finding(path, "not listed in the index (left alone)",
                                    kind="unlisted"))
    for path in dbfiles.files(root, "annotations", "*.json"):
        if path.name not in listed:
            findings.append(Finding(path, "not listed in the index (left alone)",
                                    kind="unlisted"))
    for name, kind, complete in (("reader.json", "reader", _reader_problem),
                                 ("unplaced.json", "unplaced", _unplaced_problem),
                                 ("activity.json", "activity", _activity_problem)):
        path = root / name
        if path.exists():
            tables, problem = _tables(path)
            if problem or (problem := complete(tables)):
                findings.append(Finding(path, problem, kind=kind))
    findings += _count_findings(store, version)
    return findings


def _check_article(root: Path, store, article_id: str, listed: set[str],
                   available: list[Path]) -> list[Finding]:
    article_path = store._article_path(article_id)
    annotation_path = store._annotation_path(article_id)
    listed.add(article_path.name)
    if not article_path.exists():
        return [Finding(article_path, "missing", kind="article")]
    tables, problem = _tables(article_path)
    if problem or (problem := shapes.article_problem(tables)):
        return [Finding(article_path, problem, kind="article")]
    if annotation_path.exists():
        tables, problem = _tables(annotation_path)
        if problem or (problem := shapes.annotation_tables_problem(tables or {}, article_id)):
            return [Finding(annotation_path, problem, kind="annotations")]
    elif _earlier_versions(root, annotation_path, available, _other_names(article_id)):
        # newstag never deletes an annotation file; one that was there and is gone is lost.
        return [Finding(annotation_path, "missing, but an earlier version or a backup has it",
                        kind="annotations")]
    article = store.load_article(article_id)
    for index_no, annotation in store.annotations(article_id).items():
        if (index_no >= len(article.sentences)
                or article.sentence_text(article.sentences[index_no]) != annotation.text):
            return [Finding(annotation_path, f"annotation on sentence {index_no} "
                                             "does not match the sentence text", kind="mismatch")]
    return []


# -- versions of a file ---------------------------------------------------------------
def _earlier_versions(root: Path, path: Path, available: list[Path],
                      other_names: tuple[str, ...] = ()) -> list[tuple[float, Path, str]]:
    """(when its content was written, path, description) of each stored version, newest first."""
    relative = path.relative_to(root)
    found = []
    prev = previous_version(path)
    if prev.is_file() and not prev.is_symlink():  # a link would bring an outside file in
        found.append((prev.stat().st_mtime, prev, "the version before the last write"))
    for backup in available:
        for name in (relative.name, *other_names):
            candidate = backup / relative.parent / name
            if candidate.is_file() and not candidate.is_symlink():
                found.append((candidate.stat().st_mtime, candidate, f"backup {backup.name}"))
                break
    return sorted(found, key=lambda c: c[0], reverse=True)


def _newest_complete(root: Path, path: Path, available: list[Path],
                     complete: Callable[[dict | None], str],
                     other_names: tuple[str, ...] = ()) -> tuple[Path, str, dict] | None:
    for _, candidate, name in _earlier_versions(root, path, available, other_names):
        tables, problem = _tables(candidate)
        if not problem and tables is not None and not complete(tables):
            return candidate, name, tables
    return None


# -- kept counts (annotations/counts.py) -------------------------------------------
def _count_findings(store, version: int) -> list[Finding]:
    from annotations.counts import Recounts, verify_counts
    from annotations.migrations import SCHEMA_VERSION

    if version < SCHEMA_VERSION:
        return []  # counts come with the migration
    recounted = Recounts(store)  # each annotation file read once for both checks
    return [Finding(p.path, p.problem, kind="counts-entry" if p.entry else "counts")
            for p in verify_counts(store, recounted)] + _totals_findings(store, recounted) \
        + _listing_findings(store)


def _totals_findings(store, recounted) -> list[Finding]:
    """The kept corpus totals against a recount (annotations/corpus_totals.py)."""
    from annotations.corpus_totals import TOTALS, verify_totals
    from annotations.counts_files import CountsFiles

    path = CountsFiles(store.root).folder / TOTALS
    return [Finding(path, problem, kind="counts-entry" if entry else "counts")
            for problem, entry in verify_totals(store, recounted)]


def _listing_findings(store) -> list[Finding]:
    """The kept listings against fresh ones (annotations/kept_listing.py)."""
    from annotations.counts_files import CountsFiles
    from annotations.kept_listing import verify_kept_listings

    folder = CountsFiles(store.root).folder
    return [Finding(folder / name, problem, kind="counts-entry" if entry else "counts")
            for name, problem, entry in verify_kept_listings(store)]


def _other_names(article_id: str | None) -> tuple[str, ...]:
    """Names the same article's file had in older backups (schema 2)."""
    from annotations.filenames import file_stem, legacy_file_stem

    if article_id is None:
        return ()
    return tuple({f"{file_stem(article_id)}.json", f"{legacy_file_stem(article_id)}.json"})


# -- the index ------------------------------------------------------------------------
def _stem_for(article_id: str, version: int) -> str:
    from annotations.filenames import file_stem, legacy_file_stem

    return legacy_file_stem(article_id) if version < 3 else file_stem(article_id)


def _file_article_id(root: Path, path: Path, id_of_stem: dict[str, str],
                     version: int) -> str | None:
    """The id an article file belongs to, or None when nothing says."""
    tables, problem = _tables(path)
    if problem or tables is None or shapes.article_problem(tables):
        return None
    stem = path.name[: -len(".json")]
    body = tables["article"]["1"]
    candidates = [body.get("id"), id_of_stem.get(stem), stem]
    annotation_file = root / "annotations" / path.name
    if annotation_file.is_file() and not annotation_file.is_symlink():
        records = _tables(annotation_file)[0] or {}
        candidates += [r.get("article_id") for t in records.values() for r in t.values()][:1]
    return next((c for c in candidates if isinstance(c, str) and _stem_for(c, version) == stem),
                None)


