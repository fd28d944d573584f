"""The index file (``newstag.json``): one row per article, read in one C call.

Rows are msgspec Structs, decoded straight from the file's bytes with every field's
type checked; anything msgspec refuses goes through the general path (json + a
check per row), which gives the messages newstag always gave.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import msgspec

from annotations.atomic_io import CorruptFile, read_db_bytes
from annotations.shapes import index_row_problem

_Count = Annotated[int, msgspec.Meta(ge=0)]


class ArticleSummary(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An index row. A msgspec Struct so that 20,000 rows are decoded straight from the
    index's bytes, every field's type checked, in ~10 ms (``decode_index``); gc=False:
    strings and ints only, never part of a cycle."""

    id: str
    title: str
    source: str
    published: str
    source_path: str
    content_id: str
    sentences: _Count
    headings: _Count
    imported_at: str
    updated_at: str


class _IndexFile(msgspec.Struct, forbid_unknown_fields=True):
    """The index as newstag writes it; anything else goes to the general path."""

    meta: dict[str, dict[str, object]] = {}
    articles: dict[str, ArticleSummary] = {}


_INDEX_DECODER = msgspec.json.Decoder(_IndexFile)


class _IndexMeta(msgspec.Struct, forbid_unknown_fields=True):
    """The index with its rows left undecoded (``msgspec.Raw``: the JSON is still parsed,
    so a truncated or malformed file is refused here, but no row is built or checked)."""

    meta: dict[str, dict[str, object]] = {}
    articles: msgspec.Raw = msgspec.Raw(b"{}")


_META_DECODER = msgspec.json.Decoder(_IndexMeta)


@contextmanager
def no_gc() -> Iterator[None]:
    """Around building tens of thousands of small acyclic objects: inside the running app
    the cyclic collector ran over and over while 20,000 rows were built (x2 their cost)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_index(path: Path) -> tuple[dict, dict[str, ArticleSummary]] | None:
    """({"meta": ...}, rows by id in document order) when the index is exactly as newstag
    writes it, decoded in one C call; None for anything else (the general path).

    Where this succeeds the general path would accept the same file and give the same
    rows: msgspec accepts less JSON than json.loads and gives the same values, and the
    Struct checks what ``index_row_problem`` checks (types, counts >= 0, no other field).
    """
    data = read_db_bytes(path)  # not a regular file: one line, from here
    if data is None:
        return None
    try:
        index = _INDEX_DECODER.decode(data)
        numbers = [int(doc_id) for doc_id in index.articles]  # as the general path orders
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return None
    rows = list(index.articles.values())
    if any(a > b for a, b in itertools.pairwise(numbers)):
        rows = [row for _, row in sorted(zip(numbers, rows, strict=True),
                                         key=lambda pair: pair[0])]
    return {"meta": index.meta}, {row.id: row for row in rows}


def decode_meta(path: Path) -> dict | None:
    """The index's ``meta`` table when the file is shaped as newstag writes it, its rows
    not decoded (~3 ms at 20,000 articles where every row is ~10 ms: opening a database
    checks the schema, and ``stats`` on a terminal reads no row at all); None for
    anything else (the general path, whose messages a damaged file always got). A row of
    the wrong type is found where the rows are read (``decode_index``, ``index_rows``)."""
    data = read_db_bytes(path)
    if data is None:
        return None
    try:
        return _META_DECODER.decode(data).meta
    except (msgspec.MsgspecError, RecursionError, ValueError):
        return None


def index_rows(path: Path, tables: dict) -> dict[str, ArticleSummary]:
    """Index rows by id, in document order; a wrong row is CorruptFile naming it."""
    docs = tables.get("articles", {})
    try:
        ordered = sorted(docs.items(), key=lambda kv: int(kv[0]))
        for _, row in ordered:  # a wrong type would surface later as a traceback
            if problem := index_row_problem(row):
                raise CorruptFile(path, f"valid JSON but not a newstag index ({problem})")
        return {row["id"]: ArticleSummary(**row) for _, row in ordered}
    except (TypeError, KeyError, ValueError) as exc:
        raise CorruptFile(path, f"valid JSON but not a newstag index "
                          f"({type(exc).__name__}: {exc})") from None


def upsert_by_id(tables: dict, summaries: list[ArticleSummary]) -> None:
    """Insert or replace index rows by article id (document ids stay as they were)."""
    docs = tables.setdefault("articles", {})
    row_of = {doc["id"]: doc_id for doc_id, doc in docs.items()}
    next_id = max(map(int, docs), default=0) + 1
    for summary in summaries:
        doc_id = row_of.get(summary.id)
        if doc_id is None:
            doc_id, next_id = str(next_id), next_id + 1
        docs[doc_id] = msgspec.structs.asdict(summary)
