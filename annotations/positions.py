"""Where the reader was in each article (``reader.json``), for the next time it opens.

Not annotations: a position is the reader's convenience, kept in its own small
TinyDB file so that moving the cursor never rewrites anything a tag lives in.
"""

from __future__ import annotations

from annotations.atomic_io import AtomicJSONStorage, read_json_tables
from annotations.store import Store

POSITIONS_FILE = "reader.json"


def save_position(store: Store, article_id: str, index: int) -> None:
    from tinydb import Query, TinyDB  # a write only: every start reads positions without

    path = store.root / POSITIONS_FILE
    with store.locked():
        db = TinyDB(path, storage=AtomicJSONStorage, root=store.root)
        try:
            db.table("positions", cache_size=0).upsert(
                {"article_id": article_id, "index": index}, Query().article_id == article_id)
        finally:
            db.close()


def position(store: Store, article_id: str) -> int | None:
    tables = read_json_tables(store.root / POSITIONS_FILE) or {}
    for row in tables.get("positions", {}).values():
        if row.get("article_id") == article_id:
            index = row.get("index")
            return index if isinstance(index, int) and not isinstance(index, bool) else None
    return None
