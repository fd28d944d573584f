"""Placing imported annotations on sentences, whatever file format they came from.

Readers (``annotations.importing``) turn a file into ``Incoming`` records; this
module places each one on the sentence it names when that sentence still has its
text, else on a sentence with the same text, and merges it into the store in one
transaction per article. What matches no sentence is kept: as an orphan of the
article it names, or among the database's unplaced annotations; a record that names
no article and whose text is in several articles is kept unplaced too (ambiguous).

Each incoming annotation meets its own annotator's layer (``annotations.layers``):
another annotator's export lands beside yours, never over it. Within a layer, an
incoming annotation replaces a local one only when it is newer: by its own
timestamp, else by the import file's modification time, and never later than that
modification time or the import itself. A local annotation that is as new or newer
is kept and counted as a conflict, unless the import overwrites.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from annotations.identity import GOLD
from annotations.layers import Layer
from annotations.model import Article, ReviewState, Sentence, SentenceAnnotation
from annotations.store import ArticleAnnotations, Store, now_iso


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
    # Prodigy's binary answers speak about single labels: ``labels`` were accepted
    # (added), ``rejected`` ones removed; the sentence's other labels and note stay.
    binary: bool = False
    rejected: list[str] = field(default_factory=list)
    gold: bool = False  # for the adjudicated layer (a YAML export of every layer)


@dataclass(slots=True)
class ImportReport:
    placed: int = 0
    unchanged: int = 0
    conflicts: int = 0  # the database's annotation was as new or newer: kept
    orphaned: list[SentenceAnnotation] = field(default_factory=list)
    # No article named, the text is in several articles: kept unplaced, nothing overwritten.
    ambiguous: list[SentenceAnnotation] = field(default_factory=list)
    missing_articles: list[str] = field(default_factory=list)
    created_articles: list[str] = field(default_factory=list)
    unknown_labels: set[str] = field(default_factory=set)
    skipped: int = 0
    entity_rules: int = 0  # entity rules new or changed (a YAML export carries them)


@dataclass(frozen=True, slots=True)
class MergeRule:
    """How incoming annotations meet local ones."""

    file_time: str  # ISO time given to records without a timestamp of their own
    overwrite: bool = False  # the file wins every conflict
    annotator: str = ""  # for records that name no annotator
    now: str = field(default_factory=now_iso)  # the import's own time

    def clamped(self, stamp: str) -> str:
        """``stamp``, or the latest time a change in this file can have been made.

        A record cannot be newer than its file (nor than now). Clamping to the
        import time alone would not do: a stamp from the future would become "now"
        again at every re-import and revert every local change made in between.
        """
        value = moment(stamp)
        limit = min(moment(self.file_time) or _LATEST, moment(self.now) or _LATEST)
        return iso(limit) if value is not None and value > limit else stamp


_LATEST = datetime.max.replace(tzinfo=UTC)
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def utc(value: datetime) -> datetime:
    """``value`` in UTC (naive means UTC). A time that UTC would push out of
    datetime's range (9999-12-31T23:59-23:59) is held at the end of the range."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return _LATEST if value.year == datetime.max.year else _EARLIEST


def moment(stamp: str) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime (naive means UTC); None if it is not one."""
    if not stamp:
        return None
    try:
        value = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return utc(value)


def iso(value: datetime) -> str:
    return utc(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
    """Articles (and their annotations) loaded on demand, each at most once per import."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.known = {s.id for s in store.summaries()}
        self._loaded: dict[str, Article] = {}
        self._placed: dict[str, ArticleAnnotations] = {}
        self._by_text: dict[str, list[tuple[str, int]]] | None = None

    def get(self, article_id: str) -> Article:
        if article_id not in self._loaded:
            self._loaded[article_id] = self.store.load_article(article_id)
        return self._loaded[article_id]

    def placed(self, article_id: str, item: Incoming,
               rule: MergeRule) -> dict[int, SentenceAnnotation]:
        """The layer ``item`` meets, as stored before this import (read only: a decision
        that writes nothing)."""
        if article_id not in self._placed:
            self._placed[article_id] = self.store.load_layers(article_id)
        return _layer_of(self._placed[article_id], item, rule).placed

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


_Pending = tuple[SentenceAnnotation, Incoming]


def import_incoming(store: Store, incoming: Iterable[Incoming], rule: MergeRule,
                    label_names: Iterable[str],
                    report: ImportReport | None = None) -> ImportReport:
    """Place and merge annotations that were read and validated in full beforehand.

    A record that names an article of this database goes to that article only. One
    that names none goes by its text, and only where that is unambiguous: the text is
    in one article, or exactly one of the articles holding it already says the same
    (unchanged). Otherwise it is kept unplaced and counted as ambiguous; it never
    overwrites another article's annotation.
    """
    report = ImportReport() if report is None else report
    articles = _Articles(store)
    grouped: dict[str, list[_Pending]] = {}
    unplaced: list[SentenceAnnotation] = []
    taken: set[tuple[str, int]] = set()
    for item in incoming:
        report.unknown_labels |= set(item.labels) - set(label_names)
        annotation = _annotation(item, rule)
        if item.article_id in articles.known:
            grouped.setdefault(item.article_id, []).append((annotation, item))
            continue
        annotation.article_id, annotation.sentence_index = "", None
        places = articles.by_text().get(item.text, [])
        free = [p for p in places if p not in taken]
        if len({article_id for article_id, _ in places}) == 1 and free:
            taken.add(free[0])  # repeated in one article: in order, as within an article
            annotation.article_id, annotation.sentence_index = free[0]
            grouped.setdefault(free[0][0], []).append((annotation, item))
            continue
        # Several articles hold the text (or this file already claimed its one sentence).
        same = [p for p in places if _says_the_same(articles.placed(p[0], item, rule).get(p[1]),
                                                    annotation, item)]
        if len(same) == 1 and same[0] in free:
            taken.add(same[0])
            report.unchanged += 1
            continue
        unplaced.append(annotation)
        (report.ambiguous if places else report.orphaned).append(annotation)
    for article_id, items in grouped.items():
        with store.annotations_of(article_id) as current:  # one read, one write
            _merge(current, articles.get(article_id), items, rule, report)
    if unplaced:
        with store.unplaced_annotations() as kept:
            keep_once(kept, unplaced)
    return report


def _annotation(item: Incoming, rule: MergeRule) -> SentenceAnnotation:
    updated = rule.clamped(item.updated_at or rule.file_time)
    return SentenceAnnotation(
        article_id=item.article_id, sentence_index=item.index, text=item.text,
        start=item.start, end=item.end, labels=list(item.labels), state=item.state,
        note=item.note, annotator=item.annotator or rule.annotator,
        created_at=rule.clamped(item.created_at) if item.created_at else updated,
        updated_at=updated,
    )


def _applied(annotation: SentenceAnnotation, item: Incoming,
             local: SentenceAnnotation | None) -> SentenceAnnotation:
    """What the incoming annotation makes of the local one. A binary answer adds or
    removes only its own labels (a reject of the last one leaves "reviewed, none
    apply") and keeps the note; any other record replaces the annotation whole."""
    if not item.binary or local is None:
        return annotation
    labels = [x for x in local.labels if x not in item.rejected]
    labels += [x for x in item.labels if x not in labels]
    return replace(annotation, labels=labels, state=ReviewState.REVIEWED, note=local.note,
                   created_at=local.created_at or annotation.created_at)


def _says_the_same(local: SentenceAnnotation | None, annotation: SentenceAnnotation,
                   item: Incoming) -> bool:
    return local is not None and _same(local, _applied(annotation, item, local))


def _merge(current: ArticleAnnotations, article: Article, incoming: list[_Pending],
           rule: MergeRule, report: ImportReport) -> None:
    """Place on the named sentence when its text still matches, else by text."""
    exact: list[_Pending] = []
    by_text: list[_Pending] = []
    for pending in incoming:
        annotation = pending[0]
        index = annotation.sentence_index
        if (index is not None and 0 <= index < len(article.sentences)
                and not article.sentences[index].heading
                and article.sentence_text(article.sentences[index]) == annotation.text):
            exact.append(pending)
        else:
            by_text.append(pending)
    taken = {a.sentence_index for a, _ in exact if a.sentence_index is not None}
    _, new_orphans = place_by_text(_without(article, taken), [a for a, _ in by_text])
    for annotation, item in exact + by_text:
        index = annotation.sentence_index
        if index is None:  # not placed: among new_orphans
            continue
        sentence = article.sentences[index]
        annotation.start, annotation.end = sentence.start, sentence.end
        # Side by side: each record meets its own annotator's layer, never another's.
        placed = _layer_of(current, item, rule).placed
        local = placed.get(index)
        result = _applied(annotation, item, local)
        if local is not None and _same(local, result):
            report.unchanged += 1
        elif local is None or rule.overwrite or _newer(result, local):
            placed[index] = result
            report.placed += 1
        else:
            report.conflicts += 1
    item_of = {id(a): item for a, item in by_text}
    by_layer: dict[int, tuple[Layer, list[SentenceAnnotation]]] = {}
    for orphan in new_orphans:
        layer = _layer_of(current, item_of[id(orphan)], rule)
        by_layer.setdefault(id(layer), (layer, []))[1].append(orphan)
    for layer, orphans in by_layer.values():
        keep_once(layer.orphans, orphans)
    report.orphaned.extend(new_orphans)


def _layer_of(current: ArticleAnnotations, item: Incoming, rule: MergeRule) -> Layer:
    """The layer a record meets: its annotator's; one from a file that names nobody is the
    importer's, and meets what the importer sees (in a database of one annotator, that
    annotator's layer, as before layers existed)."""
    if item.gold:
        return current.layer(GOLD)
    if item.annotator:
        return current.layer(item.annotator)
    return current.seen_layer(rule.annotator or None)


def keep_once(kept: list[SentenceAnnotation], new: Iterable[SentenceAnnotation]) -> None:
    """Add orphaned or unplaced annotations once per what they say.

    Not by time: a round trip through JSONL (whole seconds) or doccano (the file's
    modification time) brings the same annotation back with another timestamp.
    When it arrives again, the newer copy is kept.
    """
    where = {a.says(): i for i, a in enumerate(kept)}
    for annotation in new:
        key = annotation.says()
        if key not in where:
            where[key] = len(kept)
            kept.append(annotation)
        elif _newer(annotation, kept[where[key]]):
            kept[where[key]] = annotation


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
        sentences=[Sentence(s.index, s.start, s.end, True) if s.index in taken else s
                   for s in article.sentences],
    )
