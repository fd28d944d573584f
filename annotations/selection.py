"""What an export holds: one selection pass over the store that every format reads.

The sentence mode (reviewed, annotated or all) is given once, in ``ExportFilter``;
entities leave this module with offsets relative to their sentence, so no writer
converts offsets again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from annotations.errors import UserError, brief
from annotations.layer_choice import chosen
from annotations.model import Article, Entity, ReviewState, SentenceAnnotation
from annotations.store import Store

SENTENCE_MODES = ("reviewed", "annotated", "all")


@dataclass(slots=True)
class ExportFilter:
    """Which articles and sentences go out, and the options a format may read."""

    article_refs: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    include_text: bool = True  # YAML: the article texts
    sentences: str = "annotated"  # one of SENTENCE_MODES
    entities: bool = False  # doccano: the sequence-labelling form
    # Which layer (annotations/layer_choice.py): None what the current annotator sees,
    # ALL every layer, GOLD adjudicated, else an annotator's name.
    layer: str | None = None

    def keeps(self, annotation: SentenceAnnotation) -> bool:
        return not self.labels or bool(set(self.labels) & set(annotation.labels))


@dataclass(slots=True)
class ExportRow:
    """One sentence to export, with what the annotator said about it (if anything)."""

    article: Article
    index: int | None  # None: an orphan, whose sentence is no longer in the text
    text: str
    entities: list[Entity]  # offsets relative to the sentence
    annotation: SentenceAnnotation | None
    gold: bool = False  # from the adjudicated layer (an export of every layer)

    @property
    def labels(self) -> list[str]:
        return list(self.annotation.labels) if self.annotation else []

    @property
    def reviewed(self) -> bool:
        return self.annotation is not None and self.annotation.state is ReviewState.REVIEWED

    @property
    def note(self) -> str:
        return self.annotation.note if self.annotation else ""


def select_articles(store: Store, refs: Iterable[str]) -> list[str]:
    refs = list(refs)
    if not refs:
        return [s.id for s in store.summaries()]
    return list(dict.fromkeys(store.resolve(ref).id for ref in refs))


def iter_articles(store: Store,
                  selection: ExportFilter) -> Iterator[tuple[Article, list[ExportRow]]]:
    """Each selected article with its rows: sentences in text order, then orphans."""
    mode = selection.sentences
    if mode not in SENTENCE_MODES:
        raise UserError(f"unknown sentence selection {brief(mode)} "
                        f"(use {', '.join(SENTENCE_MODES)})")
    for article_id in select_articles(store, selection.article_refs):
        article = store.load_article(article_id)
        placed, orphans = chosen(store.load_layers(article_id), selection.layer,
                                 store.annotator)
        grouped = article.entities_by_sentence()
        rows = []
        for sentence in article.taggable:
            none: list[tuple[SentenceAnnotation | None, bool]] = [(None, False)]
            for annotation, gold in placed.get(sentence.index) or none:
                if mode == "reviewed" and (annotation is None
                                           or annotation.state is not ReviewState.REVIEWED):
                    continue
                if mode == "annotated" and annotation is None:
                    continue
                if selection.labels and not (annotation and selection.keeps(annotation)):
                    continue
                entities = [Entity(e.start - sentence.start, e.end - sentence.start, e.label)
                            for e in grouped.get(sentence.index, [])]
                rows.append(ExportRow(article, sentence.index,
                                      article.sentence_text(sentence), entities, annotation,
                                      gold))
        for orphan, gold in orphans:
            if mode == "reviewed" and orphan.state is not ReviewState.REVIEWED:
                continue
            if selection.labels and not selection.keeps(orphan):
                continue
            rows.append(ExportRow(article, None, orphan.text, [], orphan, gold))
        yield article, rows


def iter_rows(store: Store, selection: ExportFilter) -> Iterator[ExportRow]:
    """Every selected sentence, article after article."""
    for _, rows in iter_articles(store, selection):
        yield from rows
