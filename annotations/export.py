"""The YAML export: self-contained, readable, and importable again without loss."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from annotations.config import Config
from annotations.model import Article, Entity, ReviewState, SentenceAnnotation
from annotations.store import Store, now_iso
from annotations.yamlio import FlowList, FlowMap, dump_yaml

FORMAT_NAME = "newstag-annotations"
FORMAT_VERSION = 1


@dataclass(slots=True)
class ExportFilter:
    article_refs: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    include_text: bool = True
    sentences: str = "annotated"  # "reviewed", "annotated" or "all"

    def keeps(self, annotation: SentenceAnnotation) -> bool:
        return not self.labels or bool(set(self.labels) & set(annotation.labels))


def select_articles(store: Store, refs: Iterable[str]) -> list[str]:
    refs = list(refs)
    if not refs:
        return [s.id for s in store.summaries()]
    return list(dict.fromkeys(store.resolve(ref).id for ref in refs))


def sentence_record(article: Article, annotation: SentenceAnnotation,
                    entities: dict[int, list[Entity]]) -> dict:
    record = {
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
    if annotation.orphaned:
        record["orphaned"] = True
        record["entities"] = []
    else:
        sentence = article.sentences[annotation.sentence_index]
        record["entities"] = [
            FlowMap(text=article.text[e.start:e.end], label=e.label,
                    start=e.start - sentence.start, end=e.end - sentence.start)
            for e in entities.get(sentence.index, [])
        ]
    return record


def build_export(store: Store, config: Config, selection: ExportFilter) -> dict:
    articles = []
    for article_id in select_articles(store, selection.article_refs):
        article = store.load_article(article_id)
        placed, orphans = store.load_annotations(article_id)
        if selection.sentences == "all":
            placed = {s.index: placed.get(s.index) or _unreviewed(article, s.index)
                      for s in article.taggable}
        ordered = sorted(placed.values(), key=lambda a: a.sentence_index) + orphans
        annotations = [a for a in ordered if selection.keeps(a) and (
            selection.sentences != "reviewed" or a.state is ReviewState.REVIEWED)]
        if selection.labels and not annotations:
            continue
        by_sentence = article.entities_by_sentence()
        entry = {
            "id": article.id,
            "title": article.title,
            "source": article.source,
            "published": article.published,
            "sentences": [sentence_record(article, a, by_sentence) for a in annotations],
        }
        if selection.include_text:
            entry["text"] = article.text
        articles.append(entry)
    document = {
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
    return document


def _unreviewed(article: Article, index: int) -> SentenceAnnotation:
    sentence = article.sentences[index]
    return SentenceAnnotation(article.id, index, article.sentence_text(sentence),
                              sentence.start, sentence.end)


def export_yaml(store: Store, config: Config, selection: ExportFilter) -> str:
    return dump_yaml(build_export(store, config, selection))
