"""Check a database file by file and record by record, and repair what can be repaired.

Nothing is deleted: a damaged file is copied to ``quarantine/`` before anything
takes its place. A damaged file is replaced by the newest version that is
readable *and* complete, whichever holds it: the version kept before the last
write (``.prev``) or a backup, compared by when their content was written. An
index that no version holds whole is rebuilt from the article files, which name
their own id and metadata. Every path goes through ``annotations.dbfiles``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from annotations import dbfiles, shapes
from annotations.atomic_io import (
    entry_problem,
    previous_version,
    read_db_bytes,
    read_json_tables,
    write_atomically,
)
from annotations.backup import backups, make_backup
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


# -- check ----------------------------------------------------------------------------
def check(root: Path) -> list[Finding]:
    from annotations.migrations import SCHEMA_VERSION
    from annotations.store import DATA_ENTRIES, Store

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
                                 ("unplaced.json", "unplaced", _unplaced_problem)):
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


# -- repair ---------------------------------------------------------------------------


# -- kept counts (annotations/counts.py) -------------------------------------------
def _count_findings(store, version: int) -> list[Finding]:
    from annotations.counts import verify_counts
    from annotations.migrations import SCHEMA_VERSION

    if version < SCHEMA_VERSION:
        return []  # counts come with the migration
    return [Finding(p.path, p.problem, kind="counts-entry" if p.entry else "counts")
            for p in verify_counts(store)]


def _move_counts_entries(root: Path, findings: list[Finding]) -> None:
    """Counts entries that cannot be used (a link, a FIFO, a folder, garbage, ``counts``
    as a file) go to quarantine, the entry itself moved (a link is never followed), so
    that the counts can be rebuilt in their place."""
    for finding in findings:
        if finding.kind == "counts-entry" and not finding.repaired:
            moved = _quarantine(root, finding.path, move=True)
            finding.repaired, finding.note = True, f"moved to {moved}; recounted"


def _repair_counts(store, findings: list[Finding]) -> None:
    """Recount every article (after any restored file), which mends every counts finding."""
    from annotations.counts import rebuild

    rebuild(store)
    for finding in findings:
        if finding.kind == "counts":
            finding.repaired, finding.note = True, "recounted"


def repair(root: Path, findings: list[Finding]) -> list[Finding]:
    """Repair what can be repaired; never lose a tag that a readable version still holds."""
    from annotations.store import Store

    for finding in findings:
        if finding.kind == "lock":  # before the lock can be taken at all
            moved = _quarantine(root, finding.path, move=True)
            finding.repaired, finding.note = True, f"moved to {moved}"
    store = Store(root)
    with store.locked():
        make_backup(root, reason="before-repair")
        available = backups(root)[1:]  # not the one just made of the damaged state
        _move_counts_entries(root, findings)  # before any write meets them
        for finding in findings:
            if finding.needs_repair and finding.kind not in _OWN_STEP:
                finding.repaired, finding.note = _repair_file(root, finding, available)
        if any(f.kind == "index" and f.repaired for f in findings):
            # Only now can the files the index lists be checked.
            more = [f for f in check(root) if f.kind not in ("index", "lock")]
            _move_counts_entries(root, more)
            for finding in more:
                if finding.needs_repair and finding.kind not in _OWN_STEP:
                    finding.repaired, finding.note = _repair_file(root, finding, available)
            findings = findings + more
        _replace_drifted(root, store, findings)
        _repair_counts(store, findings)
    return findings


def _repair_file(root: Path, finding: Finding, available: list[Path]) -> tuple[bool, str]:
    from annotations.store import Store

    path, kind = finding.path, finding.kind
    if kind == "index":
        return _repair_index(root, available)
    store = Store(root)
    if not index_problem(_tables(root / INDEX)[0]):
        store._check_schema()
    article_id = _article_id_for(store, path)
    other_names = _other_names(article_id)
    if kind == "article":
        found = _newest_complete(root, path, available, shapes.article_problem, other_names)
    elif kind == "annotations":
        complete = _annotations_complete(article_id)
        if path.exists() and not _readable(path):  # parses: keep its good records
            return _salvage(root, path, available, complete, other_names)
        found = _newest_complete(root, path, available, complete, other_names)
    elif kind == "unplaced":
        if path.exists() and not _readable(path):
            return _salvage(root, path, available, _unplaced_problem)
        found = _newest_complete(root, path, available, _unplaced_problem)
    elif kind == "reader":
        found = _newest_complete(root, path, available, _reader_problem)
        if found is None:
            moved = _quarantine(root, path)
            dbfiles.unlink(root, path)
            return True, f"reading positions reset; the damaged file is in {moved}"
    else:
        return False, "nothing to restore it from; left as it is"
    if found is None:
        return False, "no readable and complete earlier version or backup; left as it is"
    candidate, name, _ = found
    return True, _put(root, path, read_db_bytes(candidate) or b"", f"restored from {name}")


def _put(root: Path, path: Path, payload: bytes, what: str) -> str:
    moved = _quarantine(root, path)
    write_atomically(path, payload, root=root)
    return what + (f"; the damaged file is in {moved}" if moved else "")


def _salvage(root: Path, path: Path, available: list[Path],
             complete: Callable[[dict | None], str],
             other_names: tuple[str, ...] = ()) -> tuple[bool, str]:
    """Keep every good record of a file that parses; a bad record is replaced by the
    same record from the newest version where it is good, else dropped (the whole
    damaged file stays in quarantine)."""
    tables = read_json_tables(path) or {}
    versions = [t for _, c, _ in _earlier_versions(root, path, available, other_names)
                if (t := _tables(c)[0]) is not None]
    replaced = dropped = 0
    for table_name, rows in tables.items():
        for doc_id in list(rows):
            if not complete({table_name: {doc_id: rows[doc_id]}}):
                continue
            good = next((t[table_name][doc_id] for t in versions
                         if doc_id in t.get(table_name, {})
                         and not complete({table_name: {doc_id: t[table_name][doc_id]}})), None)
            if good is None:
                del rows[doc_id]
                dropped += 1
            else:
                rows[doc_id] = good
                replaced += 1
    payload = json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return True, _put(root, path, payload, f"{replaced} bad records restored from an earlier "
                                            f"version, {dropped} removed")


def _replace_drifted(root: Path, store, findings: list[Finding]) -> None:
    """Re-place annotations that do not match their sentence (also after a restore)."""
    from annotations.ingest import place_by_text

    wanted = [f for f in findings if f.kind == "mismatch"]
    if any(f.repaired and f.kind in ("article", "index") for f in findings):
        wanted += [f for f in check(root) if f.kind == "mismatch"]
    if not wanted:
        return
    store._check_schema()  # the caller's store: it holds the lock
    for finding in wanted:
        article_id = _article_id_for(store, finding.path)
        if article_id is None:
            continue
        article = store.load_article(article_id)
        placed, orphans = store.load_annotations(article_id)
        good, lost = place_by_text(article, list(placed.values()) + orphans)
        store.replace_annotations(article_id, good, lost)
        finding.repaired = True
        finding.note = f"re-placed by text; {len(lost)} kept as orphaned"


def _article_id_for(store, path: Path) -> str | None:
    return next((s.id for s in store.summaries() if store._stem(s.id) + ".json" == path.name),
                None)


def _other_names(article_id: str | None) -> tuple[str, ...]:
    """Names the same article's file had in older backups (schema 2)."""
    from annotations.filenames import file_stem, legacy_file_stem

    if article_id is None:
        return ()
    return tuple({f"{file_stem(article_id)}.json", f"{legacy_file_stem(article_id)}.json"})


# -- the index ------------------------------------------------------------------------
def _repair_index(root: Path, available: list[Path]) -> tuple[bool, str]:
    """The newest complete index version, else an index rebuilt from the article files."""
    from annotations.migrations import SCHEMA_VERSION

    index = root / INDEX
    article_files = [p for p in dbfiles.files(root, "articles", "*.json")
                     if not shapes.article_problem(_tables(p)[0])]
    versions = [(name, t) for _, c, name in _earlier_versions(root, index, available)
                if (t := _tables(c)[0]) is not None and not index_problem(t)]
    for name, tables in versions:
        version = tables["meta"]["1"]["schema_version"]
        named = {_stem_for(row["id"], version) + ".json"
                 for row in tables.get("articles", {}).values()}
        if all(p.name in named for p in article_files):
            payload = json.dumps(tables, ensure_ascii=False, separators=(",", ":"))
            return True, _put(root, index, payload.encode("utf-8"), f"restored from {name}")
    version = versions[0][1]["meta"]["1"]["schema_version"] if versions else SCHEMA_VERSION
    known: dict[str, dict] = {}
    live = _tables(index)[0] if index.exists() else None
    for tables in [t for _, t in reversed(versions)] + [live or {}]:  # newer rows win
        for row in (tables.get("articles") or {}).values():
            if isinstance(row, dict) and not shapes.index_row_problem(row):
                known[row["id"]] = row
    id_of_stem = {_stem_for(article_id, version): article_id for article_id in known}
    rows, skipped = [], 0
    for path in article_files:
        row = _rebuilt_row(root, path, id_of_stem, known, version)
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    rows.sort(key=lambda r: (r["imported_at"], r["id"]))
    tables = {"meta": {"1": {"schema_version": version}},
              "articles": {str(i): row for i, row in enumerate(rows, start=1)}}
    rebuilt = json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    note = f"rebuilt from {len(rows)} article files"
    if skipped:
        note += f" ({skipped} whose id could not be recovered left unlisted)"
    return True, _put(root, index, rebuilt, note)


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


def _rebuilt_row(root: Path, path: Path, id_of_stem: dict[str, str], known: dict[str, dict],
                 version: int) -> dict | None:
    from annotations.text import content_id

    article_id = _file_article_id(root, path, id_of_stem, version)
    if article_id is None:
        return None
    tables = read_json_tables(path)
    if tables is None:  # gone since _file_article_id read it
        return None
    body = tables["article"]["1"]
    flat = body["sentences"]
    headings = sum(flat[2::3])
    stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    first_line = next((line.strip() for line in body["text"].splitlines() if line.strip()), "")
    row = {"id": article_id, "title": first_line[:80], "source": "", "published": "",
           "source_path": "", "imported_at": stamp, "updated_at": stamp,
           **known.get(article_id, {})}
    row.update({k: body[k] for k in shapes.ARTICLE_META if k in body})
    row.update(content_id=content_id(body["text"]), sentences=len(flat) // 3 - headings,
               headings=headings)
    return row


def _quarantine(root: Path, path: Path, move: bool = False) -> Path | None:
    if not (path.exists() or path.is_symlink()):
        return None
    folder = dbfiles.make_dirs(root, root / "quarantine")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = dbfiles.check(root, folder / f"{path.parent.name}-{path.name}.{stamp}")
    n = 1
    while target.exists() or target.is_symlink():
        target = dbfiles.check(root, folder / f"{path.parent.name}-{path.name}.{stamp}.{n}")
        n += 1
    if move or entry_problem(path):  # a FIFO, a link, a folder: moved, never read
        dbfiles.move_entry(root, path, target)
    else:
        shutil.copy2(path, target)
    return target
