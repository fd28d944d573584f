"""Exports in the formats annotation and training tools read: Prodigy JSONL,
doccano JSONL, spaCy DocBin and CSV. Every format takes the same selection."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from annotations.config import Config
from annotations.errors import UserError, brief
from annotations.export import ExportFilter, select_articles
from annotations.model import Article, Entity, ReviewState, SentenceAnnotation
from annotations.storage import write_output
from annotations.store import Store

SENTENCE_MODES = ("reviewed", "annotated", "all")


@dataclass(slots=True)
class ExportRow:
    """One sentence to export, with what the annotator said about it (if anything)."""

    article: Article
    index: int | None
    text: str
    entities: list[Entity]  # offsets relative to the sentence
    annotation: SentenceAnnotation | None

    @property
    def labels(self) -> list[str]:
        return list(self.annotation.labels) if self.annotation else []

    @property
    def reviewed(self) -> bool:
        return self.annotation is not None and self.annotation.state is ReviewState.REVIEWED

    @property
    def note(self) -> str:
        return self.annotation.note if self.annotation else ""


def iter_rows(store: Store, selection: ExportFilter, mode: str = "reviewed") -> Iterator[ExportRow]:
    """Sentences in article order: reviewed ones, every annotated one, or all of them."""
    if mode not in SENTENCE_MODES:
        raise UserError(f"unknown sentence selection {brief(mode)} "
                        f"(use {', '.join(SENTENCE_MODES)})")
    for article_id in select_articles(store, selection.article_refs):
        article = store.load_article(article_id)
        placed, orphans = store.load_annotations(article_id)
        grouped = article.entities_by_sentence()
        for sentence in article.taggable:
            annotation = placed.get(sentence.index)
            if mode == "reviewed" and (annotation is None
                                       or annotation.state is not ReviewState.REVIEWED):
                continue
            if mode == "annotated" and annotation is None:
                continue
            if selection.labels and not (annotation and selection.keeps(annotation)):
                continue
            entities = [Entity(e.start - sentence.start, e.end - sentence.start, e.label)
                        for e in grouped.get(sentence.index, [])]
            yield ExportRow(article, sentence.index, article.sentence_text(sentence), entities,
                            annotation)
        for orphan in orphans:
            if mode == "reviewed" and orphan.state is not ReviewState.REVIEWED:
                continue
            if selection.labels and not selection.keeps(orphan):
                continue
            yield ExportRow(article, None, orphan.text, [], orphan)


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


def prodigy_task(row: ExportRow, config: Config) -> dict:
    options = [{"id": label.name, "text": label.name} for label in config.labels]
    spans = [{"start": e.start, "end": e.end, "label": e.label} for e in row.entities]
    input_hash = stable_hash(row.text)
    task = {"text": row.text, "options": options}
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


def export_jsonl(rows: Iterator[ExportRow], make) -> str:
    return "".join(json.dumps(make(row), ensure_ascii=False) + "\n" for row in rows)


# A spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(...), +cmd|...): OWASP's rule is to prefix such a cell with "'".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text, never evaluates (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def export_csv(rows: Iterator[ExportRow], config: Config) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["article_id", "index", "text", *map(csv_cell, config.label_names), "note"])
    for row in rows:
        labels = set(row.labels)
        writer.writerow([csv_cell(row.article.id), "" if row.index is None else row.index,
                         csv_cell(row.text), *(int(name in labels) for name in config.label_names),
                         csv_cell(row.note)])
    return out.getvalue()


def export_docbin(rows: Iterator[ExportRow], config: Config, path: Path) -> int:
    """A .spacy DocBin: one Doc per sentence, cats for every label, entities as doc.ents."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docbin = DocBin(store_user_data=False)
    count = 0
    for row in rows:
        doc = nlp.make_doc(row.text)
        spans = []
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
    # Through the same writer as every export: atomic for a regular file, into (never
    # over) a FIFO or device; DocBin.to_disk would write a regular file in place.
    write_output(path, docbin.to_bytes())
    return count
