"""The YAML export: self-contained, readable, and importable again without loss.

It reads the same selection pass as every other format (``annotations.selection``).
"""

from __future__ import annotations

from annotations.config import Config
from annotations.model import SentenceAnnotation
from annotations.selection import ExportFilter, ExportRow, iter_articles
from annotations.store import Store, now_iso
from annotations.yamlio import FlowList, FlowMap, dump_yaml

FORMAT_NAME = "newstag-annotations"
FORMAT_VERSION = 1


def sentence_record(row: ExportRow) -> dict[str, object]:
    annotation = row.annotation or _unreviewed(row)
    record: dict[str, object] = {
        "index": annotation.sentence_index,
        "start": annotation.start,
        "end": annotation.end,
        "text": annotation.text,
        "labels": FlowList(annotation.labels),
        "state": str(annotation.state),
        "note": annotation.note,
        "annotator": annotation.annotator,
        "created_at": annotation.created_at,
        "updated_at": annotation.updated_at,
    }
    if row.gold:
        record["gold"] = True  # the adjudicated layer; read back into it
    if annotation.orphaned:
        record["orphaned"] = True
        record["entities"] = []
    else:
        record["entities"] = [
            FlowMap(text=row.text[e.start:e.end], label=e.label, start=e.start, end=e.end)
            for e in row.entities
        ]
    return record


def _unreviewed(row: ExportRow) -> SentenceAnnotation:
    """A sentence nobody has looked at yet (``sentences: all``), as an annotation record."""
    assert row.index is not None  # orphans always have their annotation
    sentence = row.article.sentences[row.index]
    return SentenceAnnotation(row.article.id, row.index, row.text, sentence.start, sentence.end)


def build_export(store: Store, config: Config, selection: ExportFilter) -> dict[str, object]:
    articles = []
    for article, rows in iter_articles(store, selection):
        if selection.labels and not rows:
            continue
        entry: dict[str, object] = {
            "id": article.id,
            "title": article.title,
            "source": article.source,
            "published": article.published,
            "sentences": [sentence_record(row) for row in rows],
        }
        if selection.include_text:
            entry["text"] = article.text
        articles.append(entry)
    document: dict[str, object] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": now_iso(),
        "labels": [
            {"name": label.name, "key": label.key, "colour": label.colour,
             "description": label.description}
            for label in config.labels
        ],
        "articles": articles,
    }
    unplaced = [a for a in store.unplaced() if selection.keeps(a)] if store.exists else []
    if unplaced and not selection.article_refs:
        # Imported annotations whose sentence is in no article of this database.
        document["unplaced"] = [
            {"text": a.text, "labels": FlowList(a.labels), "state": str(a.state),
             "note": a.note, "annotator": a.annotator, "created_at": a.created_at,
             "updated_at": a.updated_at}
            for a in unplaced
        ]
    rules = _entity_rules(store, {a["id"] for a in articles}, bool(selection.article_refs))
    if rules:
        document["entity_rules"] = rules  # a team shares its corrections with its tags
    return document


def _entity_rules(store: Store, article_ids: set[object], only_those: bool) -> list[FlowMap]:
    """The entity rules in force (with --article: the ones for everywhere and for those
    articles), as ``import-annotations`` reads them back."""
    from annotations.entity_rules import load_rules

    if not store.exists:
        return []
    rules = [r for r in load_rules(store.root)
             if not only_those or r.article is None or r.article in article_ids]
    return [FlowMap(**{k: v for k, v in r.record().items()
                       if v is not None or k == "label"}) for r in rules]


def export_yaml(store: Store, config: Config, selection: ExportFilter) -> str:
    return dump_yaml(build_export(store, config, selection))
