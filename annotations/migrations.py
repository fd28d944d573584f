"""Upgrading a database written by an older newstag, after a backup.

Each step is idempotent, so a migration cut short by a crash simply runs again.
"""

from __future__ import annotations

from pathlib import Path

from annotations import dbfiles
from annotations.atomic_io import AtomicJSONStorage, fsync_dir, previous_version, read_json_tables
from annotations.backup import make_backup
from annotations.filenames import file_stem, legacy_file_stem

# The schema this newstag writes: 2 flat integer lists, 3 injective file names,
# 4 per-article counts in counts/, 5 annotation layers (one per annotator, and gold).
# Migrations own it; the store reads it from here.
SCHEMA_VERSION = 5


def migrate(store, version: int) -> None:
    """Bring ``store`` from ``version`` to the current schema; the caller holds the lock.

    ``store`` is passed in (not imported): the store calls this module, never the
    other way round.
    """
    store.summaries()  # a damaged index raises here: a file that cannot be read is never rewritten
    make_backup(store.root, reason=f"before-migration-from-v{version}")
    # One function per version step, keyed by the version it upgrades from.
    steps = {1: lambda store: _v1_flat_arrays(store.root),
             2: lambda store: _v2_injective_names(store.root), 3: _v3_counts,
             4: _v4_layers}
    while version < SCHEMA_VERSION:
        steps[version](store)
        version += 1
        store.set_schema_version(version)


def _v1_flat_arrays(root: Path) -> None:
    """v1 kept sentences and entities as lists of lists; v2 keeps flat integer lists."""
    for path in dbfiles.files(root, "articles", "*.json"):
        tables = read_json_tables(path)
        body = (tables or {}).get("article", {}).get("1")
        if tables is None or body is None or "entity_labels" in body:
            continue
        labels = sorted({label for _, _, label in body["entities"]})
        number = {label: i for i, label in enumerate(labels)}
        body["sentences"] = [int(v) for s, e, h in body["sentences"] for v in (s, e, h)]
        body["entities"] = [v for s, e, label in body["entities"] for v in (s, e, number[label])]
        body["entity_labels"] = labels
        AtomicJSONStorage(path, root=root).write(tables)


def _v2_injective_names(root: Path) -> None:
    """Rename article and annotation files to the names of schema 3 (``file_stem``).

    Schema 2 named a plain id after itself and any other id ``h-`` + 24 hex
    digits, so an id such as ``h-0123…`` took the file of another article, and
    ``Abc`` / ``abc`` shared one file on a case-insensitive file system. A file
    already at its new name is left as it is (a migration cut short runs again).
    """
    tables = read_json_tables(dbfiles.inside(root, "newstag.json")) or {}
    ids = [row.get("id") for row in tables.get("articles", {}).values()]
    for folder in ("articles", "annotations"):
        moved = False
        for article_id in ids:
            if not isinstance(article_id, str):
                continue
            old, new = legacy_file_stem(article_id), file_stem(article_id)
            if old == new:
                continue
            src = dbfiles.inside(root, folder, f"{old}.json")
            dest = dbfiles.inside(root, folder, f"{new}.json")
            if src.exists() and not dest.exists():
                prev = dbfiles.check(root, previous_version(src))
                if prev.exists():
                    prev.replace(dbfiles.check(root, previous_version(dest)))
                src.replace(dest)
                moved = True
        if moved:
            fsync_dir(dbfiles.inside(root, folder))


def _v3_counts(store) -> None:
    """v4 keeps per-article annotation counts in counts/ (annotations/counts.py): count
    every article once. A rebuild from the annotation files, so running it again is
    harmless."""
    from annotations.counts import rebuild

    rebuild(store)


def _v4_layers(store) -> None:
    """v5 keeps one layer per annotator (annotations/layer_migration.py)."""
    from annotations.layer_migration import split_layers

    split_layers(store)
