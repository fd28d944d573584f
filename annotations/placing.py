"""Placing imported annotations on sentences, whatever file format they came from.

Readers (``annotations.importing``) turn a file into ``Incoming`` records; this
module places each one on the sentence it names when that sentence still has its
text, else on a sentence with the same text, and merges it into the store in one
transaction per article. What matches no sentence is kept: as an orphan of the
article it names, or among the database's unplaced annotations.

An incoming annotation replaces a local one only when it is newer: by its own
timestamp, else by the import file's modification time. A local annotation that
is as new or newer is kept and counted as a conflict, unless the import overwrites.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from annotations.model import Article, ReviewState, SentenceAnnotation
from annotations.store import ArticleAnnotations, Store


@dataclass(slots=True)
class Incoming:
    """One annotation as read from an import file, not yet placed."""

    text: str
    labels: list[str]
    state: ReviewState = ReviewState.REVIEWED
    note: str = ""
    annotator: str = ""
    created_at: str = ""
    updated_at: str = ""  # as the file wrote it; "" when the format has no timestamp
    article_id: str = ""  # "" when the format names no article
    index: int | None = None
    start: int = 0
    end: int = 0


@dataclass(slots=True)
class ImportReport:
    placed: int = 0
    unchanged: int = 0
    conflicts: int = 0  # the database's annotation was as new or newer: kept
    orphaned: list[SentenceAnnotation] = field(default_factory=list)
    missing_articles: list[str] = field(default_factory=list)
    created_articles: list[str] = field(default_factory=list)
    unknown_labels: set[str] = field(default_factory=set)
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class MergeRule:
    """How incoming annotations meet local ones."""

    file_time: str  # ISO time given to records without a timestamp of their own
    overwrite: bool = False  # the file wins every conflict
    annotator: str = ""  # for records that name no annotator


def moment(stamp: str) -> datetime | None:
    """An ISO 8601 time as an aware datetime (naive means UTC); None if it is not one."""
    if not stamp:
        return None
    try:
        value = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def place_by_text(
    article: Article, annotations: list[SentenceAnnotation]
) -> tuple[list[SentenceAnnotation], list[SentenceAnnotation]]:
    """Match annotations to sentences by text; repeated texts are matched in order."""
    free: dict[str, list[int]] = {}
    for sentence in article.taggable:
        free.setdefault(article.sentence_text(sentence), []).append(sentence.index)
    placed: list[SentenceAnnotation] = []
    orphans: list[SentenceAnnotation] = []
    for annotation in annotations:
        slots = free.get(annotation.text)
        if slots:
            sentence = article.sentences[slots.pop(0)]
            annotation.sentence_index = sentence.index
            annotation.start, annotation.end = sentence.start, sentence.end
            placed.append(annotation)
        else:
            annotation.sentence_index = None
            orphans.append(annotation)
    return placed, orphans


class _Articles:
    """Articles loaded on demand, each at most once per import."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.known = {s.id for s in store.summaries()}
        self._loaded: dict[str, Article] = {}
        self._by_text: dict[str, list[tuple[str, int]]] | None = None

    def get(self, article_id: str) -> Article:
        if article_id not in self._loaded:
            self._loaded[article_id] = self.store.load_article(article_id)
        return self._loaded[article_id]

    def by_text(self) -> dict[str, list[tuple[str, int]]]:
        """Every taggable sentence by its text. Needs every article: built only when a
        record names no article of this database."""
        if self._by_text is None:
            self._by_text = {}
            for article_id in sorted(self.known):
                article = self.get(article_id)
                for s in article.taggable:
                    self._by_text.setdefault(article.sentence_text(s), []).append(
                        (article_id, s.index))
        return self._by_text


def import_incoming(store: Store, incoming: Iterable[Incoming], rule: MergeRule,
                    label_names: Iterable[str],
                    report: ImportReport | None = None) -> ImportReport:
    """Place and merge annotations that were read and validated in full beforehand."""
    report = ImportReport() if report is None else report
    articles = _Articles(store)
    grouped: dict[str, list[SentenceAnnotation]] = {}
    unplaced: list[SentenceAnnotation] = []
    taken: set[tuple[str, int]] = set()
    for item in incoming:
        report.unknown_labels |= set(item.labels) - set(label_names)
        annotation = _annotation(item, rule)
        if item.article_id in articles.known:
            grouped.setdefault(item.article_id, []).append(annotation)
            continue
        place = next((p for p in articles.by_text().get(item.text, []) if p not in taken), None)
        if place is None:
            annotation.article_id, annotation.sentence_index = "", None
            unplaced.append(annotation)
            continue
        taken.add(place)
        annotation.article_id, annotation.sentence_index = place
        grouped.setdefault(place[0], []).append(annotation)
    for article_id, items in grouped.items():
        with store.annotations_of(article_id) as current:  # one read, one write
            _merge(current, articles.get(article_id), items, rule, report)
    if unplaced:
        store.add_unplaced(unplaced)
        report.orphaned.extend(unplaced)
    return report


def _annotation(item: Incoming, rule: MergeRule) -> SentenceAnnotation:
    updated = item.updated_at or rule.file_time
    return SentenceAnnotation(
        article_id=item.article_id, sentence_index=item.index, text=item.text,
        start=item.start, end=item.end, labels=list(item.labels), state=item.state,
        note=item.note, annotator=item.annotator or rule.annotator,
        created_at=item.created_at or updated, updated_at=updated,
    )


def _merge(current: ArticleAnnotations, article: Article, incoming: list[SentenceAnnotation],
           rule: MergeRule, report: ImportReport) -> None:
    """Place on the named sentence when its text still matches, else by text."""
    exact: list[tuple[int, SentenceAnnotation]] = []
    by_text: list[SentenceAnnotation] = []
    for annotation in incoming:
        index = annotation.sentence_index
        if (index is not None and 0 <= index < len(article.sentences)
                and not article.sentences[index].heading
                and article.sentence_text(article.sentences[index]) == annotation.text):
            exact.append((index, annotation))
        else:
            by_text.append(annotation)
    taken = {index for index, _ in exact}
    placed_by_text, new_orphans = place_by_text(_without(article, taken), by_text)
    for index, annotation in exact:
        sentence = article.sentences[index]
        annotation.start, annotation.end = sentence.start, sentence.end
    for annotation in [a for _, a in exact] + placed_by_text:
        index = annotation.sentence_index
        assert index is not None  # placed, by its index or by its text
        local = current.placed.get(index)
        if local is not None and _same(local, annotation):
            report.unchanged += 1
        elif local is None or rule.overwrite or _newer(annotation, local):
            current.placed[index] = annotation
            report.placed += 1
        else:
            report.conflicts += 1
    known = {(o.text, o.updated_at) for o in current.orphans}
    current.orphans += [o for o in new_orphans if (o.text, o.updated_at) not in known]
    report.orphaned.extend(new_orphans)


def _same(a: SentenceAnnotation, b: SentenceAnnotation) -> bool:
    return (a.labels, a.state, a.note) == (b.labels, b.state, b.note)


def _newer(incoming: SentenceAnnotation, local: SentenceAnnotation) -> bool:
    """Strictly newer; a local annotation without a readable time counts as oldest."""
    theirs, ours = moment(incoming.updated_at), moment(local.updated_at)
    if ours is None:
        return True
    return theirs is not None and theirs > ours


def _without(article: Article, taken: set[int]) -> Article:
    """The article with some sentences marked as headings, so text matching skips them."""
    return Article(
        id=article.id, text=article.text, title=article.title,
        sentences=[replace(s, heading=True) if s.index in taken else s
                   for s in article.sentences],
    )
