"""Exports in the formats annotation and training tools read: Prodigy JSONL,
doccano JSONL, spaCy DocBin and CSV. Each writes the rows of the one selection pass
(``annotations.selection``); ``annotations.interchange`` names them."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from annotations.atomic_io import write_output
from annotations.config import Config
from annotations.selection import ExportRow


def stable_hash(*parts: object) -> int:
    """A 32-bit signed integer that is the same on every machine and run."""
    digest = hashlib.blake2b(json.dumps(parts, ensure_ascii=False).encode("utf-8"),
                             digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


# Prodigy's _timestamp in whole seconds, within what an importer's datetime reads
# (1970 to 9999-12-31T23:59:59Z): an older database may hold a stamp past either end.
_LAST_SECOND = 253402300799


def _timestamp(iso: str) -> int:
    try:
        seconds = int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0
    return min(max(seconds, 0), _LAST_SECOND)


def prodigy_task(row: ExportRow, config: Config) -> dict[str, Any]:
    options = [{"id": label.name, "text": label.name} for label in config.labels]
    spans = [{"start": e.start, "end": e.end, "label": e.label} for e in row.entities]
    input_hash = stable_hash(row.text)
    task: dict[str, Any] = {"text": row.text, "options": options}
    if row.reviewed:
        task["accept"] = row.labels
        task["answer"] = "accept"
    task["spans"] = spans
    annotation = row.annotation
    task["meta"] = {
        "article_id": row.article.id, "title": row.article.title, "index": row.index,
        "note": row.note, "annotator": annotation.annotator if annotation else "",
    }
    task["_input_hash"] = input_hash
    task["_task_hash"] = stable_hash(input_hash, [o["id"] for o in options], spans)
    task["_timestamp"] = _timestamp(annotation.updated_at) if annotation else 0
    return task


def doccano_record(row: ExportRow, entities: bool) -> dict:
    """doccano keeps keys it does not know: ``article_id`` and ``annotator`` let the
    import put the record back on its own article (not on another with the same
    sentence) and recognise an orphan it already holds."""
    label = [[e.start, e.end, e.label] for e in row.entities] if entities else row.labels
    return {"text": row.text, "label": label, "Comments": [row.note] if row.note else [],
            "article_id": row.article.id,
            "annotator": row.annotation.annotator if row.annotation else ""}


def export_jsonl(rows: Iterable[ExportRow], make: Callable[[ExportRow], dict]) -> str:
    return "".join(json.dumps(make(row), ensure_ascii=False) + "\n" for row in rows)


# A spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(...), +cmd|...): OWASP's rule is to prefix such a cell with "'".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text, never evaluates (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def export_csv(rows: Iterable[ExportRow], config: Config) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["article_id", "index", "text", *map(csv_cell, config.label_names), "note"])
    for row in rows:
        labels = set(row.labels)
        writer.writerow([csv_cell(row.article.id), "" if row.index is None else row.index,
                         csv_cell(row.text), *(int(name in labels) for name in config.label_names),
                         csv_cell(row.note)])
    return out.getvalue()


def docbin_bytes(rows: Iterable[ExportRow], config: Config) -> tuple[bytes, int]:
    """A .spacy DocBin: one Doc per sentence, cats for every label, entities as doc.ents."""
    import spacy
    from spacy.tokens import DocBin, Span

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=False)
    count = 0
    for row in rows:
        doc = nlp.make_doc(row.text)
        spans: list[Span] = []
        for e in row.entities:
            span = doc.char_span(e.start, e.end, label=e.label, alignment_mode="expand")
            if span is not None and not any(span.start < s.end and s.start < span.end
                                            for s in spans):
                spans.append(span)
        doc.ents = spans
        labels = set(row.labels)
        doc.cats = {name: 1.0 if name in labels else 0.0 for name in config.label_names}
        docbin.add(doc)
        count += 1
    return docbin.to_bytes(), count


def export_docbin(rows: Iterable[ExportRow], config: Config, path: Path) -> int:
    """The DocBin written to ``path``; how many sentences it holds."""
    data, count = docbin_bytes(rows, config)
    # Through the same writer as every export: atomic for a regular file, into (never
    # over) a FIFO or device; DocBin.to_disk would write a regular file in place.
    write_output(path, data)
    return count
