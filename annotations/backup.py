"""Rolling backups of a database folder.

Every data file is copied (a copy-on-write clone where the file system has
them). Article files were hard linked once, which made a backup share the
live file: a tool that truncated an article in place damaged its backups too.
The price (benchmarks/bench_backup.py, 2,000 articles of 7 KB, ext4, 2 busy
cores): a backup takes 0.5-0.9 s instead of 0.1-0.26 s, almost all of it creating
the 2,000 new files; backups are made at most once an hour and before a repair
or a migration.

Every path goes through ``annotations.dbfiles``: a ``backups`` entry that is a
link is refused, never followed (deleting "old backups" through it once meant
deleting folders of the link's target).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from annotations import dbfiles
from annotations.atomic_io import copy_file

BACKUP_DIR = "backups"
BACKUP_INTERVAL_S = 3600
BACKUPS_KEPT = 5
DATA_GLOBS = ("newstag.json", "reader.json", "unplaced.json", "articles/*.json",
              "annotations/*.json", "activity.json")


def data_files(root: Path) -> list[Path]:
    found = []
    for pattern in DATA_GLOBS:
        folder, _, name = pattern.rpartition("/")
        found += [p for p in dbfiles.files(root, folder, name) if p.is_file()]
    return found


def backups(root: Path) -> list[Path]:
    """Complete backups, newest first."""
    folder = dbfiles.inside(root, BACKUP_DIR)
    if not folder.is_dir():
        return []
    return sorted((dbfiles.check(root, p) for p in folder.iterdir()
                   if p.is_dir() and not p.name.startswith(".")), reverse=True)


def make_backup(root: Path, reason: str = "auto") -> Path:
    """Snapshot every data file; the caller holds the database lock."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    folder = dbfiles.inside(root, BACKUP_DIR)
    staging = folder / f".{stamp}-{reason}"
    dbfiles.make_dirs(root, staging)
    made = {staging}
    for src in data_files(root):
        dest = staging / src.relative_to(root)
        if dest.parent not in made:
            made.add(dbfiles.make_dirs(root, dest.parent))
        copy_file(src, dest)
        st = src.stat()
        # The copy keeps the time its content was written: repair compares versions by it.
        os.utime(dest, ns=(st.st_atime_ns, st.st_mtime_ns))
    final = dbfiles.check(root, folder / f"{stamp}-{reason}")
    os.replace(staging, final)  # a backup is either complete or absent
    for old in backups(root)[BACKUPS_KEPT:]:
        dbfiles.rmtree(root, old)
    return final


def backup_if_due(root: Path, interval_s: float = BACKUP_INTERVAL_S) -> Path | None:
    existing = backups(root)
    if existing and time.time() - existing[0].stat().st_mtime < interval_s:
        return None
    if not dbfiles.inside(root, "newstag.json").exists():
        return None
    return make_backup(root)


def remove_stale_staging(root: Path) -> None:
    for staging in dbfiles.files(root, BACKUP_DIR, ".*"):
        if staging.is_dir():
            dbfiles.rmtree(root, staging)
        else:
            dbfiles.unlink(root, staging)
