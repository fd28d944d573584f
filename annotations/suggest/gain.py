"""Most useful first: where the suggester is least sure (uncertainty sampling).

A sentence's uncertainty is ``Suggestion.uncertainty`` (1.0 when a score sits at 0.5);
an article's expected gain is the sum over its sentences still open to suggestion, so an
article with many doubtful sentences comes first. No Textual: the reader and the library
run these in thread workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from annotations.model import Article, SentenceAnnotation
from annotations.store import Store
from annotations.suggest.engine import Suggester, Suggestion
from annotations.suggest.reviewing import open_to_suggestion

BATCH = 512  # sentences per suggest() call: a real model is faster in batches


@dataclass(frozen=True, slots=True)
class ArticleGain:
    article_id: str
    gain: float  # the sum of uncertainty of its sentences open to suggestion
    index: int | None  # the least sure of them (None: every sentence is labelled)
    uncertainty: float


def open_sentences(article: Article, annotations: Mapping[int, SentenceAnnotation]) -> list[int]:
    """The taggable sentences nobody has labelled yet, in the order of the text."""
    return [s.index for s in article.sentences
            if not s.heading and open_to_suggestion(annotations.get(s.index))]


def least_sure(uncertainty: Mapping[int, float], candidates: Iterable[int],
               after: int = -1) -> int | None:
    """The candidate with the largest uncertainty (``Suggestion.uncertainty`` by
    sentence); a tie goes to the first after ``after`` (then from the top), so pressing
    the key again moves on among equals."""
    ranked = [(uncertainty[i], i) for i in candidates if i in uncertainty]
    if not ranked:
        return None
    best = max(u for u, _ in ranked)
    tied = [i for u, i in ranked if u == best]
    return next((i for i in tied if i > after), tied[0])


def gain_of(article_id: str, indexes: list[int],
            suggestions: list[Suggestion]) -> ArticleGain:
    if not indexes:
        return ArticleGain(article_id, 0.0, None, 0.0)
    scores = [s.uncertainty for s in suggestions]
    best = max(range(len(scores)), key=scores.__getitem__)  # first of equals
    return ArticleGain(article_id, sum(scores), indexes[best], scores[best])


def corpus_gains(store: Store, suggester: Suggester,
                 cancelled: Callable[[], bool] = lambda: False) -> dict[str, ArticleGain] | None:
    """Every article's expected gain (None when cancelled before the end).

    Articles that cannot be read are skipped: the library and ``doctor`` report them.
    """
    from annotations.errors import UserError

    gains: dict[str, ArticleGain] = {}
    pending: list[tuple[str, list[int], list[str]]] = []
    size = 0

    def flush() -> None:
        texts = [t for _, _, batch in pending for t in batch]
        suggestions = suggester.suggest(texts) if texts else []
        start = 0
        for article_id, indexes, _ in pending:
            gains[article_id] = gain_of(article_id, indexes,
                                        suggestions[start:start + len(indexes)])
            start += len(indexes)
        pending.clear()

    for summary in store.summaries():
        if cancelled():
            return None
        try:
            article = store.load_article(summary.id)
            annotations = store.annotations(summary.id)
        except (UserError, OSError):
            continue
        indexes = open_sentences(article, annotations)
        pending.append((summary.id, indexes,
                        [article.sentence_text(article.sentences[i]) for i in indexes]))
        size += len(indexes)
        if size >= BATCH:
            flush()
            size = 0
    flush()
    return gains


def most_useful(gains: Mapping[str, ArticleGain]) -> ArticleGain | None:
    """The article and sentence the suggester is least sure about across the corpus."""
    candidates = [g for g in gains.values() if g.index is not None]
    return max(candidates, key=lambda g: g.uncertainty, default=None)
