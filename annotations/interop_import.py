"""Annotations from Prodigy and doccano JSONL, attached to sentences by their text.

What matches no sentence is reported and kept: as an orphan of its article when
the record names one that exists, else in the database's unplaced annotations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from annotations.import_annotations import (
    AnnotationImportReport,
    ExportFileError,
    merge_into_article,
    read_annotation_file,
)
from annotations.model import ReviewState, SentenceAnnotation
from annotations.store import Store, now_iso


@dataclass(slots=True)
class Incoming:
    text: str
    labels: list[str]
    note: str = ""
    annotator: str = ""
    updated_at: str = ""
    article_id: str = ""
    index: int | None = None


def read_jsonl_records(path: Path) -> list[tuple[int, dict]]:
    content = read_annotation_file(path)
    records = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExportFileError(path, f"line {number}", f"invalid JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ExportFileError(path, f"line {number}", 'expected an object with "text"')
        records.append((number, record))
    return records


def _iso(timestamp: object) -> str:
    if isinstance(timestamp, int | float) and not isinstance(timestamp, bool) and timestamp > 0:
        moment = datetime.fromtimestamp(timestamp, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return ""


def parse_prodigy(path: Path) -> tuple[list[Incoming], int]:
    """Multiple-choice tasks (``accept``) and binary ones (``label`` + ``answer``).

    Binary tasks about the same text are merged: the accepted labels together.
    Returns the annotations and how many records were skipped (no answer, or ignored).
    """
    merged: dict[tuple[str, str, object], Incoming] = {}
    skipped = 0
    for number, record in read_jsonl_records(path):
        answer = record.get("answer")
        if answer not in ("accept", "reject"):
            skipped += 1  # an unanswered or ignored task says nothing
            continue
        meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
        if "accept" in record:
            chosen = record["accept"]
            if not isinstance(chosen, list) or not all(isinstance(x, str) for x in chosen):
                raise ExportFileError(path, f"line {number}", '"accept" must be a list of ids')
            labels = chosen if answer == "accept" else []
        elif isinstance(record.get("label"), str):
            labels = [record["label"]] if answer == "accept" else []
        else:
            raise ExportFileError(path, f"line {number}", 'expected "accept" or "label"')
        index = meta.get("index")
        key = (record["text"], str(meta.get("article_id") or ""), index)
        item = merged.get(key)
        if item is None:
            item = merged[key] = Incoming(
                text=record["text"], labels=[], note=str(meta.get("note") or ""),
                annotator=str(meta.get("annotator") or ""),
                updated_at=_iso(record.get("_timestamp")),
                article_id=str(meta.get("article_id") or ""),
                index=index if isinstance(index, int) and not isinstance(index, bool) else None,
            )
        item.labels += [x for x in labels if x not in item.labels]
    return list(merged.values()), skipped


def parse_doccano(path: Path) -> tuple[list[Incoming], int]:
    result = []
    for number, record in read_jsonl_records(path):
        labels = record.get("label", record.get("labels", []))
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise ExportFileError(path, f"line {number}", '"label" must be a list of label '
                                  "names (the sequence-labelling form carries no sentence "
                                  "labels)")
        comments = record.get("Comments") or record.get("comments") or []
        notes = [c.get("text", "") if isinstance(c, dict) else str(c) for c in comments]
        result.append(Incoming(text=record["text"], labels=labels,
                               note="\n".join(n for n in notes if n)))
    return result, 0


def import_incoming(store: Store, incoming: list[Incoming], annotator: str,
                    label_names: list[str]) -> AnnotationImportReport:
    report = AnnotationImportReport()
    summaries = {s.id: s for s in store.summaries()}
    articles = {}
    by_text: dict[str, list[tuple[str, int]]] = {}

    def article(article_id: str):
        if article_id not in articles:
            articles[article_id] = store.load_article(article_id)
            for s in articles[article_id].taggable:
                by_text.setdefault(articles[article_id].sentence_text(s), []).append(
                    (article_id, s.index))
        return articles[article_id]

    for article_id in summaries:
        article(article_id)
    grouped: dict[str, list[SentenceAnnotation]] = {}
    unplaced: list[SentenceAnnotation] = []
    taken: set[tuple[str, int]] = set()
    stamp = now_iso()
    for item in incoming:
        report.unknown_labels |= set(item.labels) - set(label_names)
        annotation = SentenceAnnotation(
            article_id=item.article_id, sentence_index=item.index, text=item.text, start=0,
            end=0, labels=list(item.labels), state=ReviewState.REVIEWED, note=item.note,
            annotator=item.annotator or annotator, created_at=item.updated_at or stamp,
            updated_at=item.updated_at or stamp,
        )
        if item.article_id in summaries:
            grouped.setdefault(item.article_id, []).append(annotation)
            continue
        place = next((p for p in by_text.get(item.text, []) if p not in taken), None)
        if place is None:
            annotation.article_id, annotation.sentence_index = "", None
            unplaced.append(annotation)
            continue
        taken.add(place)
        annotation.article_id, annotation.sentence_index = place
        grouped.setdefault(place[0], []).append(annotation)
    for article_id, items in grouped.items():
        merge_into_article(store, article(article_id), items, report)
    if unplaced:
        store.add_unplaced(unplaced)
        report.orphaned.extend(unplaced)
    return report
