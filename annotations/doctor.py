"""Check a database file by file, and repair what a backup can restore.

Nothing is deleted: a damaged file is moved to ``quarantine/`` before a good
version from the newest backup that has one takes its place.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from annotations.backup import backups, make_backup
from annotations.errors import DatabaseError
from annotations.storage import previous_version, read_json_tables, write_atomically


@dataclass(slots=True)
class Finding:
    path: Path
    problem: str
    repaired: bool = False
    note: str = ""

    @property
    def needs_repair(self) -> bool:
        return not self.repaired and "left alone" not in self.problem \
            and not self.problem.startswith("schema")

    def __str__(self) -> str:
        suffix = f" -> {self.note}" if self.note else ""
        return f"{self.path}: {self.problem}{suffix}"


def _readable(path: Path) -> str:
    """'' when the file parses as a TinyDB file, else what is wrong."""
    try:
        read_json_tables(path)
    except DatabaseError as exc:
        return str(exc).split("; the file was left untouched")[0].split(": ", 1)[-1]
    return ""


def check(root: Path) -> list[Finding]:
    from annotations.store import SCHEMA_VERSION, Store

    findings: list[Finding] = []
    index = root / "newstag.json"
    if not index.exists():
        return [Finding(index, "missing: not a newstag database")]
    problem = _readable(index)
    if not problem and not index.read_bytes().strip() and any((root / "articles").glob("*.json")):
        problem = "empty, but the database holds articles"
    if problem:
        return [Finding(index, problem)]
    store = Store(root)
    try:
        version = store._check_schema()
        if version < SCHEMA_VERSION:
            findings.append(Finding(index, f"schema {version}; opening it with a writing "
                                           "command migrates it (after a backup)"))
    except DatabaseError as exc:
        return [Finding(index, str(exc).split(": ", 1)[-1])]
    listed = set()
    try:
        summaries = store.summaries()
    except DatabaseError as exc:
        return [Finding(index, str(exc).split("; the file was left")[0].split(": ", 1)[-1])]
    for summary in summaries:
        article_path = store._article_path(summary.id)
        annotation_path = store._annotation_path(summary.id)
        listed |= {article_path.name}
        problem = _readable(article_path) if article_path.exists() else "missing"
        if problem:
            findings.append(Finding(article_path, problem))
            continue
        if annotation_path.exists() and (problem := _readable(annotation_path)):
            findings.append(Finding(annotation_path, problem))
            continue
        try:
            article = store.load_article(summary.id)
            annotations = store.annotations(summary.id)
        except DatabaseError as exc:
            path = getattr(exc, "path", article_path)
            findings.append(Finding(path, str(exc).split("; the file was left")[0]
                                    .split(": ", 1)[-1]))
            continue
        for index_no, annotation in annotations.items():
            if (index_no >= len(article.sentences)
                    or article.sentence_text(article.sentences[index_no]) != annotation.text):
                findings.append(Finding(annotation_path, f"annotation on sentence {index_no} "
                                                          "does not match the sentence text"))
                break
    for folder in ("articles", "annotations"):
        for path in sorted((root / folder).glob("*.json")):
            if path.name not in listed:
                findings.append(Finding(path, "not listed in the index (left alone)"))
    reader = root / "reader.json"
    if reader.exists() and (problem := _readable(reader)):
        findings.append(Finding(reader, problem))
    findings += _count_findings(store, version)
    return findings


# -- kept counts (annotations/counts.py) -------------------------------------------
def _count_findings(store, version: int) -> list[Finding]:
    from annotations.counts import verify_counts
    from annotations.store import SCHEMA_VERSION

    if version < SCHEMA_VERSION:
        return []  # counts come with the migration
    return [Finding(path, problem) for path, problem in verify_counts(store)]


def _repair_counts(store, findings: list[Finding]) -> None:
    """Recount every article (after any restored file), which mends every counts finding."""
    from annotations.counts import rebuild

    rebuild(store)
    for finding in findings:
        if finding.problem.startswith("counts"):
            finding.repaired, finding.note = True, "recounted"


def repair(root: Path, findings: list[Finding]) -> list[Finding]:
    """Restore damaged files from backups; re-place annotations that drifted."""
    from annotations.ingest import place_by_text
    from annotations.store import Store

    store = Store(root)
    with store.locked():
        make_backup(root, reason="before-repair")
        available = backups(root)[1:]  # not the one just made of the damaged state
        for finding in findings:
            path = finding.path
            if finding.problem.startswith("counts"):
                continue  # _repair_counts, once the files are mended
            if "does not match" in finding.problem:
                article_id = _article_id_for(store, path)
                if article_id is None:
                    continue
                article = store.load_article(article_id)
                placed, orphans = store.load_annotations(article_id)
                good, lost = place_by_text(article, list(placed.values()) + orphans)
                store.replace_annotations(article_id, good, lost)
                finding.repaired = True
                finding.note = f"re-placed by text; {len(lost)} kept as orphaned"
            elif finding.needs_repair:
                finding.repaired, finding.note = _restore(root, path, available)
        _repair_counts(store, findings)
    return findings


def _article_id_for(store, path: Path) -> str | None:
    from annotations.store import file_stem

    return next((s.id for s in store.summaries() if file_stem(s.id) + ".json" == path.name),
                None)


def _restore(root: Path, path: Path, available: list[Path]) -> tuple[bool, str]:
    """The newest readable version: the one before the last write, then the backups."""
    relative = path.relative_to(root)
    candidates = [(previous_version(path), "the version before the last write")] + [
        (backup / relative, f"backup {backup.name}") for backup in available]
    for candidate, name in candidates:
        if candidate.exists() and not _readable(candidate):
            moved = _quarantine(root, path)
            write_atomically(path, candidate.read_bytes())
            where = f"; the damaged file is in {moved}" if moved else ""
            return True, f"restored from {name}{where}"
    if path.name == "reader.json":
        moved = _quarantine(root, path)
        path.unlink(missing_ok=True)
        return True, f"reading positions reset; the damaged file is in {moved}"
    return False, "no readable earlier version or backup; left as it is"


def _quarantine(root: Path, path: Path) -> Path | None:
    if not path.exists():
        return None
    folder = root / "quarantine"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = folder / f"{path.parent.name}-{path.name}.{stamp}"
    shutil.copy2(path, target)
    return target
