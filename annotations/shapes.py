"""Shape checks for what a database file holds, record by record.

JSON that parses is not yet a database: ``"labels": "trade"`` reads as five
one-letter labels, a note that is a number breaks the note editor. ``doctor``
checks every record against these rules; each returns '' when the record is
good, else one short phrase saying what is wrong.
"""

from __future__ import annotations

from typing import TypeGuard

from annotations.errors import brief
from annotations.text import LONE_SURROGATE

_STATES = ("unreviewed", "reviewed")
_ANNOTATION_STRINGS = ("note", "annotator", "created_at", "updated_at")
INDEX_STRINGS = ("id", "title", "source", "published", "source_path", "content_id",
                 "imported_at", "updated_at")
INDEX_COUNTS = ("sentences", "headings")
ARTICLE_META = ("id", "title", "source", "published", "source_path")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def annotation_problem(record: object, orphan: bool) -> str:
    if not isinstance(record, dict):
        return f"a record is {brief(record)}, not an object"
    for key in ("article_id", "text"):
        if not isinstance(record.get(key), str):
            return f"{key} is {brief(record.get(key))}, not a string"
    index = record.get("sentence_index")
    if orphan and index is not None:
        return "an orphan has a sentence index"
    if not orphan and not (_is_int(index) and index >= 0):
        return f"sentence_index is {brief(index)}, not a sentence number"
    start, end = record.get("start"), record.get("end")
    if not (_is_int(start) and _is_int(end) and 0 <= start <= end):
        return f"start/end are {brief(start)}/{brief(end)}, not offsets"
    labels = record.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        return f"labels is {brief(labels)}, not a list of strings"
    if record.get("state", "unreviewed") not in _STATES:
        return f"state is {brief(record.get('state'))}, not one of {', '.join(_STATES)}"
    for key in _ANNOTATION_STRINGS:
        if not isinstance(record.get(key, ""), str):
            return f"{key} is {brief(record.get(key))}, not a string"
    # A "\ud800" escape in a hand-edited file: no UTF-8 file can hold it, so every write
    # of it (the counts, the file itself, an export) would fail half-way.
    strings = [record["article_id"], record["text"], *labels,
               *(record.get(key, "") for key in _ANNOTATION_STRINGS)]
    if LONE_SURROGATE.search("".join(strings)):
        return "a string holds a lone surrogate (a \\ud800-\\udfff escape), not text"
    return ""


def annotation_tables_problem(tables: dict, article_id: str | None) -> str:
    """The first bad record of an annotation file's tables ('' when all are good)."""
    for table in ("sentences", "orphans"):
        for doc_id, record in tables.get(table, {}).items():
            problem = annotation_problem(record, orphan=table == "orphans")
            if not problem and article_id is not None and record["article_id"] != article_id:
                problem = f"article_id is {brief(record['article_id'])}, not this article"
            if not problem and table == "sentences" and str(record["sentence_index"] + 1) \
                    != doc_id:
                problem = "sentence_index does not match the record's number"
            if problem:
                return f"{table} record {brief(doc_id)}: {problem}"
    return ""


def article_problem(tables: dict | None) -> str:
    """'' when an article file holds a whole article: text, sentences and entities."""
    body = (tables or {}).get("article", {}).get("1")
    if not isinstance(body, dict):
        return "holds no article"
    text = body.get("text")
    if not isinstance(text, str):
        return "the article has no text"
    sentences, entities = body.get("sentences"), body.get("entities")
    labels = body.get("entity_labels")
    if not (isinstance(sentences, list) and len(sentences) % 3 == 0
            and all(_is_int(v) for v in sentences)):
        return "sentences are not a flat list of (start, end, heading) numbers"
    for i in range(0, len(sentences), 3):
        if not 0 <= sentences[i] <= sentences[i + 1] <= len(text) or sentences[i + 2] not in (0, 1):
            return f"sentence {i // 3} is out of the text"
    if not (isinstance(labels, list) and all(isinstance(x, str) for x in labels)):
        return "entity_labels is not a list of strings"
    if not (isinstance(entities, list) and len(entities) % 3 == 0
            and all(_is_int(v) for v in entities)):
        return "entities are not a flat list of (start, end, label) numbers"
    for i in range(0, len(entities), 3):
        if not 0 <= entities[i] <= entities[i + 1] <= len(text) \
                or not 0 <= entities[i + 2] < len(labels):
            return f"entity {i // 3} is out of the text or has no label"
    for key in ARTICLE_META:
        if key in body and not isinstance(body[key], str):
            return f"{key} is {brief(body[key])}, not a string"
    return ""


def index_row_problem(row: object) -> str:
    if not isinstance(row, dict):
        return f"a row is {brief(row)}, not an object"
    for key in INDEX_STRINGS:
        if not isinstance(row.get(key), str):
            return f"row {brief(row.get('id'))}: {key} is {brief(row.get(key))}, not a string"
    for key in INDEX_COUNTS:
        if not (_is_int(row.get(key)) and row[key] >= 0):
            return f"row {brief(row.get('id'))}: {key} is {brief(row.get(key))}, not a count"
    if set(row) - set(INDEX_STRINGS) - set(INDEX_COUNTS):
        return f"row {brief(row.get('id'))}: unknown fields"
    return ""


def position_problem(row: object) -> str:
    if not isinstance(row, dict) or not isinstance(row.get("article_id"), str) \
            or not _is_int(row.get("index")):
        return "a reading position is not an article id and a sentence number"
    return ""
