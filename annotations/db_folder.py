"""The database folder itself: what it holds, whether a path can be one, its leftovers."""

from __future__ import annotations

from pathlib import Path

from annotations import dbfiles
from annotations.atomic_io import TEMP_SUFFIX, CorruptFile, read_db_bytes
from annotations.counts_files import COUNTS_DIR
from annotations.errors import DatabaseError

INDEX_FILE = "newstag.json"
# Entries of a database folder that newstag writes or deletes: none may be a link.
DATA_ENTRIES = (INDEX_FILE, "articles", "annotations", "backups", "quarantine", ".lock",
                "counts", "reader.json", "unplaced.json", "activity.json")
SKELETON = ("articles", "annotations", COUNTS_DIR)  # made before the index is written


def check_root(root: Path, create: bool) -> None:
    """The folder can be (or become) a newstag database; no entry of it is a link."""
    for name in DATA_ENTRIES:  # refused before anything is read, written or deleted
        dbfiles.inside(root, name)
    if not create and not root.exists():
        # A command that only reads would otherwise answer a typo in --db with an empty
        # result ("nobody yet"), as if the database held nothing.
        raise DatabaseError(f"{root}: no database here (nothing imported into it; "
                            "check --db, $NEWSTAG_DB or database: in the config)")
    if root.exists() and not root.is_dir():
        raise DatabaseError(
            f"{root}: is a file; the database is a folder (choose another --db)")
    if root.is_dir() and not (root / INDEX_FILE).exists():
        visible = [p for p in root.iterdir() if not p.name.startswith(".")
                   and not _being_created(p)]
        if visible:
            raise DatabaseError(
                f"{root}: folder is not empty and holds no {INDEX_FILE}; "
                "not a newstag database (choose another --db)"
            )
    if create:
        try:
            root.mkdir(parents=True, exist_ok=True)
            for sub in ("articles", "annotations"):
                dbfiles.make_dirs(root, root / sub)
        except OSError as exc:
            raise DatabaseError(f"{root}: cannot create database folder ({exc})") from None


def _being_created(entry: Path) -> bool:
    """An empty folder of the skeleton another process makes before its index: two
    ``newstag`` started at once on a new folder must both find a database there."""
    return entry.name in SKELETON and entry.is_dir() and not entry.is_symlink() \
        and not any(entry.iterdir())


def check_not_emptied(root: Path) -> None:
    """An empty index is a new database only when there is nothing it should list."""
    index_path = dbfiles.inside(root, INDEX_FILE)
    # An index of any real size is not empty: don't read it whole on every start.
    if index_path.stat().st_size > 64:
        return
    if not (read_db_bytes(index_path) or b"").strip() \
            and any((root / "articles").glob("*.json")):
        # Empty is only a new database when there is nothing it should list.
        raise CorruptFile(index_path, "empty, but the database holds articles")


def remove_orphan_temp_files(root: Path) -> None:
    # Only called under the lock, so no other writer owns these files. Every temp file
    # has a name of its own (pid and random), so one left behind never stops a write:
    # removing them is tidying, and the reader does it after its first screen (a scan of
    # 40,000 names at 20,000 articles, ~20 ms).
    for folder in ("", "articles", "annotations", COUNTS_DIR):
        for tmp in dbfiles.files(root, folder, f".*{TEMP_SUFFIX}"):
            dbfiles.unlink(root, tmp)
