"""``newstag doctor --repair``: restore, salvage or rebuild what ``doctor`` found.

Never loses an acknowledged tag that a readable version (the live file, ``.prev``, a
backup) still holds: the newest complete version wins, damaged files go to
quarantine first, an index no version can replace is rebuilt from the article files.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from annotations import dbfiles, shapes
from annotations.atomic_io import (
    entry_problem,
    read_db_bytes,
    read_json_tables,
    write_atomically,
)
from annotations.backup import backups, make_backup
from annotations.doctor import (
    _OWN_STEP,
    INDEX,
    Finding,
    _activity_problem,
    _annotations_complete,
    _earlier_versions,
    _file_article_id,
    _newest_complete,
    _other_names,
    _readable,
    _reader_problem,
    _stem_for,
    _tables,
    _unplaced_problem,
    check,
    index_problem,
)


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
    from annotations.corpus_totals import remove_totals
    from annotations.counts import rebuild
    from annotations.kept_listing import remove_kept_listings

    rebuild(store)
    remove_totals(store)  # summed again by the next stats
    remove_kept_listings(store)  # made afresh by the next listing
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
    elif kind == "activity":  # active time: restored, or reset when nothing holds it
        found = _newest_complete(root, path, available, _activity_problem)
        if found is None:
            moved = _quarantine(root, path)
            dbfiles.unlink(root, path)
            return True, f"active time reset; the damaged file is in {moved}"
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
