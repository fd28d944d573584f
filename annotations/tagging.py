"""Changing what a sentence is tagged with, validated before anything is written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from annotations.config import Config
from annotations.errors import UserError, brief
from annotations.model import Article, ReviewState, SentenceAnnotation
from annotations.placing import iso, moment
from annotations.store import Store, now_iso


@dataclass(frozen=True, slots=True)
class TagChange:
    """Set labels (``labels`` not None), mark none-apply, clear, and/or set a note."""

    article_ref: str
    index: int
    labels: tuple[str, ...] | None = None
    none: bool = False
    clear: bool = False
    note: str | None = None


def check_sentence(article: Article, index: int) -> None:
    if not 0 <= index < len(article.sentences):
        raise UserError(
            f"article {article.id}: no sentence {index} (valid: 0 to {len(article.sentences) - 1})"
        )
    if article.sentences[index].heading:
        raise UserError(f"article {article.id}: sentence {index} is a heading and cannot be tagged")


def check_labels(config: Config, labels: Iterable[str]) -> None:
    known = config.label_names
    for label in labels:
        if label not in known:
            raise UserError(f"unknown label {brief(label)} (configured in {config.path}: "
                            f"{', '.join(known)})")


def next_stamp(previous: str) -> str:
    """Now, or just after ``previous`` if that is ahead of the clock: a change made
    here is always newer than the annotation it changes, so a re-import of the file
    that brought the old one cannot win against it."""
    stamp = now_iso()
    before = moment(previous)
    if before is None or moment(stamp) > before:
        return stamp
    try:
        return iso(before + timedelta(milliseconds=1))
    except OverflowError:  # already at the end of time (an old database): as late as it gets
        return iso(before)


def changed_annotation(
    current: SentenceAnnotation | None, article: Article, index: int, change: TagChange,
    annotator: str, config: Config,
) -> SentenceAnnotation:
    """The annotation after ``change``; the sentence counts as reviewed once it has a label."""
    sentence = article.sentences[index]
    stamp = next_stamp(current.updated_at if current else "")
    annotation = current or SentenceAnnotation(
        article_id=article.id, sentence_index=index, text=article.sentence_text(sentence),
        start=sentence.start, end=sentence.end, annotator=annotator, created_at=stamp,
    )
    labels, state = list(annotation.labels), annotation.state
    if change.clear:
        labels, state = [], ReviewState.UNREVIEWED
    if change.none:
        labels, state = [], ReviewState.REVIEWED
    if change.labels is not None:
        labels = config.order_labels(list(dict.fromkeys(change.labels)))
        state = ReviewState.REVIEWED
    note = annotation.note if change.note is None else change.note
    return replace(annotation, labels=labels, state=state, note=note, annotator=annotator,
                   updated_at=stamp, created_at=annotation.created_at or stamp)


def apply_changes(store: Store, config: Config, changes: Sequence[TagChange]) -> int:
    """Validate every change, then write them (one transaction per article).

    Nothing is written if any change is invalid. Each article's annotations are
    read inside its transaction, under the lock, so a change another process
    made in the meantime (a note, a label) is built upon, not overwritten.
    """
    articles: dict[str, Article] = {}
    grouped: dict[str, list[TagChange]] = {}
    for change in changes:
        summary = store.resolve(change.article_ref)
        if summary.id not in articles:
            articles[summary.id] = store.load_article(summary.id)
        check_sentence(articles[summary.id], change.index)
        if change.labels:
            check_labels(config, change.labels)
        grouped.setdefault(summary.id, []).append(change)
    count = 0
    with store.locked():
        for article_id, items in grouped.items():
            article = articles[article_id]
            with store.annotations_of(article_id) as current:
                results: dict[int, SentenceAnnotation] = {}
                for change in items:
                    before = results.get(change.index) or current.placed.get(change.index)
                    results[change.index] = changed_annotation(
                        before, article, change.index, change, config.annotator, config)
                for annotation in results.values():
                    current.put(annotation)
                count += len(results)
    return count
