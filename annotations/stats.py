"""What `list`, `show`, `stats` and the library report: counts per label and per
article, overall progress, and an article's sentences with their annotations.

Both answer from the counts kept by every annotation transaction
(annotations/counts.py): no annotation file is opened, so they cost the same
whatever the number of annotations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, overload

from annotations.config import Config
from annotations.counts import Counts, LabelCounts
from annotations.listing_pieces import ArticleRow, ProgressRow, progress_rows
from annotations.listing_pieces import article_rows as article_rows_of
from annotations.model import Article, SentenceAnnotation
from annotations.store import ArticleSummary, Store, no_gc

# What the library shows of an article, as a plain tuple (20,000 of them are built in a
# few ms, where dicts or objects cost several times that): id, title, source,
# sentences, reviewed, labels (label -> sentences, the kept dict itself, not a copy).
LibraryRow = tuple[str, str, str, int, int, dict[str, int]]


def library_rows(store: Store) -> list[LibraryRow]:
    """One tuple per article, in the order they were imported."""
    summaries = store.summaries()
    counts = store.listed_counts()
    get, empty = counts.get, Counts.none()
    with no_gc():
        return [(s.id, s.title, s.source, s.sentences, (c := get(s.id, empty)).reviewed,
                 c.labels) for s in summaries]


def first_library_rows(store: Store, first: int) -> Sequence[LibraryRow]:
    """The library's rows for a first screen: only the first ``first`` articles' index rows
    (from the kept first page: annotations/first_page.py) and kept counts are read (their
    shards, as ``list`` on a terminal reads them); every other row says 0 reviewed, no
    labels. Each row is made when asked for, so a first screen makes only those it shows
    (all 20,000 tuples were ~7 ms of it, issue 14)."""
    page, total = store.first_summaries(first)
    return _RowsOnDemand(_FirstSummaries(store, page, total),
                         store.listed_counts(summaries=page))


class _FirstSummaries(Sequence[ArticleSummary]):
    """The first index rows, and every other one read from the index when asked for."""

    __slots__ = ("_store", "_page", "_total", "_every")

    def __init__(self, store: Store, page: Sequence[ArticleSummary], total: int) -> None:
        self._store, self._page, self._total = store, page, total
        self._every: list[ArticleSummary] | None = None

    def __len__(self) -> int:
        return self._total

    @overload
    def __getitem__(self, at: int) -> ArticleSummary: ...

    @overload
    def __getitem__(self, at: slice) -> list[ArticleSummary]: ...

    def __getitem__(self, at: int | slice) -> ArticleSummary | list[ArticleSummary]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        if 0 <= at < len(self._page):
            return self._page[at]
        if self._every is None:
            self._every = self._store.summaries()
        return self._every[at]


class _RowsOnDemand(Sequence[LibraryRow]):
    __slots__ = ("_summaries", "_counts")

    def __init__(self, summaries: Sequence[ArticleSummary],
                 counts: Mapping[str, LabelCounts]) -> None:
        self._summaries = summaries
        self._counts = counts

    def __len__(self) -> int:
        return len(self._summaries)

    @overload
    def __getitem__(self, at: int) -> LibraryRow: ...

    @overload
    def __getitem__(self, at: slice) -> list[LibraryRow]: ...

    def __getitem__(self, at: int | slice) -> LibraryRow | list[LibraryRow]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        s = self._summaries[at]
        c = self._counts.get(s.id) or Counts.none()
        return (s.id, s.title, s.source, s.sentences, c.reviewed, c.labels)


def listing(store: Store, limit: int | None = None
            ) -> tuple[Sequence[ArticleSummary], Mapping[str, LabelCounts], int]:
    """The index rows of every article (or of the first ``limit``, from the kept first
    page when there is one, reading only their counts shards: what a screenful of
    ``list`` costs then does not grow with the corpus), their kept counts (an article
    with no row has none) and how many articles there are."""
    if limit is not None:
        summaries, total = store.first_summaries(limit)
        return summaries, store.listed_counts(summaries=summaries), total
    every = store.summaries()
    return every, store.listed_counts(), len(every)


def article_structs(store: Store, limit: int | None = None) -> list[ArticleRow]:
    """``article_rows`` as Structs (``list --json``)."""
    summaries, counts, _ = listing(store, limit)
    with no_gc():
        return article_rows_of(summaries, counts)


def progress_structs(summaries: Sequence[ArticleSummary],
                     counts: Mapping[str, LabelCounts]) -> list[ProgressRow]:
    """``stats --json``'s ``per_article`` rows."""
    with no_gc():
        return progress_rows(summaries, counts)


def article_rows(store: Store, limit: int | None = None,
                 counts: Mapping[str, LabelCounts] | None = None) -> list[dict]:
    """One row per article: id, title, source, sentences, reviewed, tagged, labels.

    ``limit``: the first ``limit`` articles only, reading only their counts shards (what
    a screenful of ``list`` costs then does not grow with the corpus). ``counts``: kept
    counts already read by the caller.
    """
    summaries: Sequence[ArticleSummary]
    if limit is not None or counts is None:
        summaries, counts, _ = listing(store, limit)
    else:
        summaries = store.summaries()
    get, empty = counts.get, Counts.none()
    with no_gc():
        return [{"id": s.id, "title": s.title, "source": s.source, "published": s.published,
                 "sentences": s.sentences, "reviewed": (c := get(s.id, empty)).reviewed,
                 "tagged": c.tagged, "labels": dict(c.labels), "orphaned": c.orphaned}
                for s in summaries]


# What ``stats --json`` says after ``per_article`` (the rest of the totals come before).
TAIL_KEYS = ("annotators", "days", "idle_after_seconds")


def compute_stats(store: Store, config: Config) -> dict:
    """``stats --json``: the corpus totals (``summary_stats``, kept: flat with the corpus)
    and a ``per_article`` row for every article, read in the same state of the counts
    (read again, at most twice more, when a tag elsewhere changed a shard meanwhile)."""
    from annotations.counts_stamp import stamp

    for _ in range(3):
        before = stamp(store)
        totals = summary_stats(store, config)
        summaries, counts, _ = listing(store)
        if before is None or stamp(store) == before:  # None: nothing to compare
            break
    stats = {k: v for k, v in totals.items() if k not in TAIL_KEYS}
    stats["per_article"] = progress_structs(summaries, counts)
    return stats | {k: totals[k] for k in TAIL_KEYS}


def sentence_rows(article: Article, annotations: Mapping[int, SentenceAnnotation]
                  ) -> list[dict[str, Any]]:
    """Every sentence (headings too) with its annotation and entities: what `show` prints."""
    grouped = article.entities_by_sentence()
    rows: list[dict[str, Any]] = []
    for sentence in article.sentences:
        a = annotations.get(sentence.index)
        rows.append({
            "index": sentence.index, "start": sentence.start, "end": sentence.end,
            "text": article.sentence_text(sentence), "heading": sentence.heading,
            "labels": a.labels if a else [], "state": str(a.state) if a else "unreviewed",
            "note": a.note if a else "",
            "entities": [{"text": article.text[e.start:e.end], "label": e.label,
                          "start": e.start, "end": e.end}
                         for e in grouped.get(sentence.index, [])],
        })
    return rows


def summary_stats(store: Store, config: Config) -> dict:
    """What ``compute_stats`` says of the corpus as a whole (no ``per_article``), from the
    kept corpus totals: flat with the corpus (annotations/corpus_totals.py)."""
    from annotations.activity import read_activity
    from annotations.corpus_totals import corpus_totals
    from annotations.progress import annotator_stats

    activity = read_activity(store.root)  # a damaged file stops here, one line
    totals = corpus_totals(store)
    corpus = totals.corpus()
    per_label = {name: 0 for name in config.label_names}
    for label, n in sorted(corpus.labels.items(), key=lambda item: item[0]):
        per_label[label] = per_label.get(label, 0) + n
    return {
        "articles": totals.articles,
        "sentences": totals.sentences,
        "reviewed": corpus.reviewed,
        "tagged": corpus.tagged,
        "none_apply": corpus.reviewed - corpus.tagged,
        "orphaned": corpus.orphaned,
        "progress": round(corpus.reviewed / totals.sentences, 4) if totals.sentences
        else 0.0,
        "labels": per_label,
        **annotator_stats([corpus.annotators], activity, config.label_names),
    }
