"""Prodigy JSONL: multiple-choice tasks (``accept``) and binary ones (``label`` + ``answer``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import Field

from annotations.importing.files import (
    Annotator,
    ImportFileError,
    Label,
    Offset,
    ParsedFile,
    SentenceText,
    Strict,
    Text,
    Timestamp,
    file_time,
    json_lines,
    validate,
)
from annotations.placing import Incoming, iso


class Meta(Strict):
    """newstag's own exports name the article and sentence; other tools' keys are ignored."""

    article_id: Text | None = None
    index: Offset | None = None
    note: Text | None = None
    annotator: Annotator | None = None


class Task(Strict):
    text: SentenceText
    answer: str | None = None
    accept: list[Label] | None = None
    label: Label | None = None
    meta: Meta | None = None
    timestamp: Timestamp | None = Field(default=None, alias="_timestamp")


def read(path: Path) -> ParsedFile:
    """Tasks about the same sentence are merged, in file order.

    A multiple-choice task (``accept``) gives the sentence's labels. A binary task
    (``label`` + ``answer``) speaks about its label only: accepted, it is added;
    rejected, it is removed (or, on a sentence without it, the sentence counts as
    reviewed); the other labels and the note stay as the database has them.
    Tasks without an answer (or ignored) say nothing and are counted as skipped.
    """
    merged: dict[tuple[str, str, int | None], Incoming] = {}
    skipped = 0
    for number, record in json_lines(path):
        task = validate(Task, record, path, f"line {number}")
        if task.answer not in ("accept", "reject"):
            skipped += 1
            continue
        accepted = task.answer == "accept"
        add: list[str]
        remove: list[str]
        if task.accept is not None:
            add, remove = (task.accept if accepted else []), []
        elif task.label is not None:
            add, remove = ([task.label], []) if accepted else ([], [task.label])
        else:
            raise ImportFileError(path, f"line {number}", 'expected "accept" or "label"')
        meta = task.meta or Meta()
        key = (task.text, meta.article_id or "", meta.index)
        stamp = iso(datetime.fromtimestamp(task.timestamp, UTC)) if task.timestamp else ""
        item = merged.get(key)
        if item is None:
            item = merged[key] = Incoming(
                text=task.text, labels=[], note=meta.note or "", annotator=meta.annotator or "",
                updated_at=stamp, created_at=stamp, article_id=meta.article_id or "",
                index=meta.index, binary=task.accept is None)
        item.binary = item.binary and task.accept is None
        item.updated_at = max(item.updated_at, stamp)
        item.labels = [x for x in item.labels if x not in remove]
        item.labels += [x for x in add if x not in item.labels]
        item.rejected = [x for x in item.rejected if x not in add]
        item.rejected += [x for x in remove if x not in item.rejected]
    return ParsedFile(path, list(merged.values()), file_time(path), skipped=skipped)
