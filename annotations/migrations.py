"""Upgrading a database written by an older newstag, after a backup.

Each step is idempotent, so a migration cut short by a crash simply runs again.
"""

from __future__ import annotations

from pathlib import Path

from annotations.backup import make_backup
from annotations.storage import AtomicJSONStorage, read_json_tables


def migrate(store, version: int) -> None:
    """Bring ``store`` from ``version`` to the current schema; the caller holds the lock."""
    from annotations.store import SCHEMA_VERSION

    make_backup(store.root, reason=f"before-migration-from-v{version}")
    # One function per version step, keyed by the version it upgrades from.
    steps = {1: lambda store: _v1_flat_arrays(store.root), 2: _v2_counts}
    while version < SCHEMA_VERSION:
        steps[version](store)
        version += 1
        store.set_schema_version(version)


def _v1_flat_arrays(root: Path) -> None:
    """v1 kept sentences and entities as lists of lists; v2 keeps flat integer lists."""
    for path in sorted((root / "articles").glob("*.json")):
        tables = read_json_tables(path)
        body = (tables or {}).get("article", {}).get("1")
        if body is None or "entity_labels" in body:
            continue
        labels = sorted({label for _, _, label in body["entities"]})
        number = {label: i for i, label in enumerate(labels)}
        body["sentences"] = [int(v) for s, e, h in body["sentences"] for v in (s, e, h)]
        body["entities"] = [v for s, e, label in body["entities"] for v in (s, e, number[label])]
        body["entity_labels"] = labels
        AtomicJSONStorage(path).write(tables)


def _v2_counts(store) -> None:
    """v3 keeps per-article annotation counts in counts/ (annotations/counts.py): count
    every article once. A rebuild from the annotation files, so running it again is
    harmless."""
    from annotations.counts import rebuild

    rebuild(store)
