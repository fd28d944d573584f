"""Schema 5: annotation layers. Every annotation a schema-4 file holds becomes its
annotator's layer (``annotations/layers.py``).

A schema-4 file kept one annotation per sentence, whoever made it (an import merged a
colleague's tags over yours). The annotator with the most annotations in a file keeps
the home tables (ties: the first name in order), every other annotator's annotations
move to their own layer. An annotation that names nobody is given the login name
(``PLACEHOLDER`` when there is none): the person migrating is who wrote it.
"""

from __future__ import annotations

import getpass
from collections import Counter
from pathlib import Path

from annotations import dbfiles
from annotations.atomic_io import AtomicJSONStorage, read_json_tables
from annotations.layers import LAYERS_TABLE

PLACEHOLDER = "annotator"


def login_name() -> str:
    try:
        return getpass.getuser() or PLACEHOLDER
    except (KeyError, OSError):
        return PLACEHOLDER


def split_file(tables: dict, unnamed: str) -> dict | None:
    """The schema-5 tables of one annotation file, or None when it needs no change."""
    if LAYERS_TABLE in tables:  # already split (a migration cut short runs again)
        return None
    rows = [("sentences", k, r) for k, r in tables.get("sentences", {}).items()]
    rows += [("orphans", k, r) for k, r in tables.get("orphans", {}).items()]
    if not rows or not all(isinstance(r, dict) for _, _, r in rows):
        return None  # nothing to split, or damage: doctor's business, never rewritten here
    filled = False
    for _, _, record in rows:
        if not record.get("annotator"):
            record["annotator"], filled = unnamed, True
    names = Counter(str(r["annotator"]) for _, _, r in rows)
    if len(names) == 1:
        return tables if filled else None
    home = min(names, key=lambda n: (-names[n], n))
    layers: dict[str, dict] = {}
    out = {k: v for k, v in tables.items() if k not in ("sentences", "orphans")}
    out["sentences"], out["orphans"] = {}, {}
    for table, doc_id, record in rows:
        name = str(record["annotator"])
        target = out if name == home else layers.setdefault(
            name, {"annotator": name, "sentences": {}, "orphans": {}})
        target[table][doc_id] = record
    for layer in layers.values():  # orphans numbered from 1 in each layer, as stored
        layer["orphans"] = {str(i + 1): r for i, r in enumerate(layer["orphans"].values())}
    out["orphans"] = {str(i + 1): r for i, r in enumerate(out["orphans"].values())}
    out[LAYERS_TABLE] = {str(i + 1): layers[n] for i, n in enumerate(sorted(layers))}
    return out


def split_layers(store) -> None:
    """Split every annotation file into layers, then recount (the files changed)."""
    from annotations.counts import rebuild

    root: Path = store.root
    unnamed = login_name()
    for path in dbfiles.files(root, "annotations", "*.json"):
        tables = read_json_tables(path)
        new = split_file(tables, unnamed) if isinstance(tables, dict) else None
        if new is not None:
            AtomicJSONStorage(path, root=root).write(new)
    rebuild(store)
