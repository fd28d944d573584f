"""Rolling backups of a database folder.

Annotations, the index and reading positions are copied. Article files (large,
written only on import, and rebuilt by importing the source again) are hard
linked: newstag never changes a file in place, so the link keeps the old
version; only a tool that writes into the file itself would reach the backup.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

BACKUP_DIR = "backups"
BACKUP_INTERVAL_S = 3600
BACKUPS_KEPT = 5
DATA_GLOBS = ("newstag.json", "reader.json", "unplaced.json", "articles/*.json",
              "annotations/*.json")


def data_files(root: Path) -> list[Path]:
    return [p for pattern in DATA_GLOBS for p in sorted(root.glob(pattern)) if p.is_file()]


def backups(root: Path) -> list[Path]:
    """Complete backups, newest first."""
    folder = root / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  reverse=True)


def make_backup(root: Path, reason: str = "auto") -> Path:
    """Snapshot every data file; the caller holds the database lock."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    folder = root / BACKUP_DIR
    staging = folder / f".{stamp}-{reason}"
    for src in data_files(root):
        dest = staging / src.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.parent.name == "articles":
            try:
                os.link(src, dest)
                continue
            except OSError:  # a file system without hard links
                pass
        shutil.copy2(src, dest)
    staging.mkdir(parents=True, exist_ok=True)
    final = folder / f"{stamp}-{reason}"
    os.replace(staging, final)  # a backup is either complete or absent
    for old in backups(root)[BACKUPS_KEPT:]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def backup_if_due(root: Path, interval_s: float = BACKUP_INTERVAL_S) -> Path | None:
    existing = backups(root)
    if existing and time.time() - existing[0].stat().st_mtime < interval_s:
        return None
    if not (root / "newstag.json").exists():
        return None
    return make_backup(root)


def remove_stale_staging(root: Path) -> None:
    folder = root / BACKUP_DIR
    if folder.is_dir():
        for staging in folder.glob(".*"):
            shutil.rmtree(staging, ignore_errors=True)
