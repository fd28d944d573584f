"""newstag's own YAML export, read back: articles (created when the file has their
text), their annotated sentences, and the unplaced annotations."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import model_validator

from annotations.errors import UserError, brief
from annotations.export import FORMAT_NAME, FORMAT_VERSION
from annotations.identity import GOLD
from annotations.importing.files import (
    Annotator,
    ArticleId,
    ArticleText,
    GoldAnnotator,
    ImportFileError,
    Label,
    Offset,
    ParsedFile,
    ScalarText,
    SentenceText,
    Stamp,
    Strict,
    Text,
    file_time,
    read_text,
    validate,
)
from annotations.model import ReviewState
from annotations.placing import Incoming
from annotations.sources import SourceDocument
from annotations.yamlio import load_yaml


class Unplaced(Strict):
    text: SentenceText
    labels: list[Label] | None = None
    state: Literal["reviewed", "unreviewed"] | None = None
    note: Text | None = None
    annotator: Annotator | None = None
    created_at: Stamp | None = None
    updated_at: Stamp | None = None


class SentenceRecord(Unplaced):
    gold: bool | None = None  # the adjudicated layer's (teams)
    annotator: GoldAnnotator | None = None

    @model_validator(mode="after")
    def _gold_by_name(self) -> SentenceRecord:
        if self.annotator == GOLD and not self.gold:  # the layer is said by gold: true
            raise ValueError(f"annotator {GOLD} is reserved for gold records (gold: true)")
        return self
    index: Offset | None = None
    start: Offset | None = None
    end: Offset | None = None


class ArticleEntry(Strict):
    id: ArticleId
    title: ScalarText | None = None
    source: ScalarText | None = None
    published: ScalarText | None = None
    text: ArticleText | None = None
    sentences: list[SentenceRecord] | None = None


class Export(Strict):
    articles: list[ArticleEntry]
    unplaced: list[Unplaced] | None = None
    entity_rules: list[dict] | None = None  # checked by entity_rule_record.RuleRecord below


def read(path: Path) -> ParsedFile:
    text = read_text(path)
    data = _load(path, text)
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ImportFileError(path, "format", f"not a newstag export (expected format: "
                              f"{FORMAT_NAME})")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version > FORMAT_VERSION:
        raise ImportFileError(path, "version", f"unsupported version "
                              f"(this newstag reads up to {FORMAT_VERSION})")
    export = validate(Export, data, path, "")
    _distinct_ids(path, export.articles)
    incoming: list[Incoming] = []
    new_articles: list[SourceDocument] = []
    for entry in export.articles:
        if entry.text and entry.text.strip():
            new_articles.append(SourceDocument(
                text=entry.text, title=entry.title or entry.id, source_path="",
                given_id=entry.id, source=entry.source or "", published=entry.published or ""))
        incoming += [_incoming(s, entry.id, s.index, s.start or 0, s.end or 0)
                     for s in entry.sentences or []]
    incoming += [_incoming(u, "", None, 0, 0) for u in export.unplaced or []]
    return ParsedFile(path, incoming, file_time(path), new_articles, names_articles=True,
                      entity_rules=_entity_rules(path, export.entity_rules or []))


def _entity_rules(path: Path, records: list[dict]) -> list:
    """Every rule checked before anything is written; a bad one names its place."""
    from pydantic import ValidationError as SchemaError

    from annotations.entity_rule_record import RuleRecord
    from annotations.entity_rules import MAX_RULES

    if len(records) > MAX_RULES:
        raise ImportFileError(path, "entity_rules", f"more than {MAX_RULES:,} rules")
    rules = []
    for number, record in enumerate(records):
        where = f"entity_rules[{number}]"
        try:
            rules.append(RuleRecord.model_validate(record).rule())
        except SchemaError as exc:
            error = exc.errors()[0]
            field_name = ".".join(str(x) for x in error["loc"])
            raise ImportFileError(path, f"{where}.{field_name}" if field_name else where,
                                  error["msg"]) from None
        except ValueError as exc:
            raise ImportFileError(path, where, str(exc)) from None
    return rules


def _distinct_ids(path: Path, articles: list[ArticleEntry]) -> None:
    """Two entries with one id (``12345`` and ``"12345"`` are both "12345") would have
    one overwrite the other's text: the file is refused instead."""
    first: dict[str, int] = {}
    for number, entry in enumerate(articles):
        if entry.id in first:
            raise ImportFileError(path, f"articles[{first[entry.id]}] and articles[{number}]",
                                  f"the same id {brief(entry.id)} twice (ids are compared as "
                                  "text)")
        first[entry.id] = number


def _incoming(rec: Unplaced, article_id: str, index: int | None, start: int,
              end: int) -> Incoming:
    labels = rec.labels or []
    return Incoming(
        text=rec.text, labels=list(labels),
        state=ReviewState(rec.state or ("reviewed" if labels else "unreviewed")),
        note=rec.note or "", annotator=rec.annotator or "", created_at=rec.created_at or "",
        updated_at=rec.updated_at or "", article_id=article_id, index=index, start=start,
        end=end, gold=bool(getattr(rec, "gold", False)))


def _load(path: Path, text: str) -> Any:
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise ImportFileError(path, where, f"YAML syntax error: {problem}") from None
    except RecursionError:
        raise ImportFileError(path, "", "values nested too deeply") from None
    except ValueError:  # an integer past Python's 4,300-digit limit, a bad date
        raise ImportFileError(path, "", "a value YAML cannot read (a number too long, "
                              "or an impossible date)") from None
    except UserError as exc:  # load_yaml's own refusals (alias bombs, deep nesting)
        raise ImportFileError(path, "", str(exc).removeprefix(f"{path}: ")) from None
    return data


