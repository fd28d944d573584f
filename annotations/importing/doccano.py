"""doccano text classification JSONL: ``text``, ``label`` (or ``labels``), ``Comments``,
and ``article_id`` / ``annotator`` where newstag wrote the file."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator

from annotations.importing.files import (
    Annotator,
    ArticleId,
    Label,
    ParsedFile,
    SentenceText,
    Strict,
    Text,
    file_time,
    json_lines,
    validate,
)
from annotations.placing import Incoming

_SEQUENCE_FORM = ("must be a list of label names (the sequence-labelling form carries no "
                  "sentence labels)")


class Comment(Strict):
    text: Text = ""


class Record(Strict):
    text: SentenceText
    # newstag's own exports name the article (doccano keeps extra keys): the record
    # then goes to that article only, never to another one with the same sentence.
    article_id: ArticleId | None = None
    annotator: Annotator | None = None
    label: list[Label] | None = None
    labels: list[Label] | None = None
    Comments: list[Text | Comment] | None = None
    comments: list[Text | Comment] | None = None

    @field_validator("label", "labels", mode="before")
    @classmethod
    def _label_names(cls, value: object) -> object:
        if value is not None and (not isinstance(value, list)
                                  or not all(isinstance(x, str) for x in value)):
            raise ValueError(_SEQUENCE_FORM)
        return value

    @field_validator("Comments", "comments", mode="before")
    @classmethod
    def _comment_list(cls, value: object) -> object:
        if value is not None and (not isinstance(value, list) or not all(
                isinstance(c, str) or (isinstance(c, dict) and isinstance(c.get("text", ""), str))
                for c in value)):
            raise ValueError('must be a list of comments (strings or {"text": ...})')
        return value


def read(path: Path) -> ParsedFile:
    """doccano has no timestamps: the file's modification time stands for every record."""
    result = []
    for number, record in json_lines(path):
        rec = validate(Record, record, path, f"line {number}")
        labels = rec.label if rec.label is not None else rec.labels or []
        comments = rec.Comments if rec.Comments is not None else rec.comments or []
        notes = [c if isinstance(c, str) else c.text for c in comments]
        result.append(Incoming(text=rec.text, labels=list(labels),
                               note="\n".join(n for n in notes if n),
                               annotator=rec.annotator or "", article_id=rec.article_id or ""))
    return ParsedFile(path, result, file_time(path))
