"""An article file read in two steps: what the reader's first screen shows, then the rest.

At 20,000 sentences ``Store.load_article`` was ~23 ms of the reader's first screen
(issue 9): the parse, the whole-file check (every offset of ~50,000 entities, in
Python) and ~70,000 Structs. The first screen shows the text, the sentences and the
entities of a window of them. Here the file is decoded in one C pass with every type
checked (a bool, a float or a string where an offset belongs is refused here, as the
whole-file check refuses it), the sentences are checked and made, and only the entities
that the window asks for are checked and made; ``finish()`` then checks the rest and
makes the whole ``Article``, giving exactly ``load_article``'s answer, errors included.
The reader calls it right after the first paint and before any key or click acts.

Anything unusual (a file this decoder refuses, a damaged sentence or window entity,
entity rules for this article) is not started here: the caller loads the article whole,
before the first paint, as it always did.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from pathlib import Path

import msgspec

from annotations.article_check import spans_fit
from annotations.index_file import ArticleSummary
from annotations.model import Article, Entity, Sentence


class _Body(msgspec.Struct, gc=False):
    """``article_check._Body``'s fields, decoded from the file's bytes."""

    text: str
    sentences: list[int]
    entity_labels: list[str]
    entities: list[int]
    id: str = ""
    title: str = ""
    source: str = ""
    published: str = ""
    source_path: str = ""


# Anything beside the one article document (another table, another document) is not
# the usual file: the general path decides about it, with its messages.
class _Table(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    one: _Body = msgspec.field(name="1")


class _File(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    article: _Table


_DECODER = msgspec.json.Decoder(_File)


class ArticleStart:
    """An article's text and sentences now; its entities window by window until
    ``finish`` (``article.entities`` is empty until then)."""

    def __init__(self, path: Path, article: Article, body: _Body | None,
                 finish: Callable[[], Article]) -> None:
        self.path = path
        self.article = article
        self._body = body
        self._finish = finish
        self._starts: list[int] = body.entities[0::3] if body is not None else []

    @property
    def finished(self) -> bool:
        return self._body is None

    def entities_within(self, start: int, end: int) -> list[Entity]:
        """The entities inside text[start:end]. Only checked ones: a damaged one is left
        out (``finish`` refuses the file and says why).

        Entities are stored in text order; found by bisection (a file in another order
        shows fewer highlights in this window until ``finish``, never a wrong one)."""
        body = self._body
        if body is None:
            return [e for e in self.article.entities if e.start >= start and e.end <= end]
        flat, labels, size = body.entities, body.entity_labels, len(body.text)
        first = bisect.bisect_left(self._starts, start)
        last = bisect.bisect_right(self._starts, end)
        found = []
        for i in range(3 * first, 3 * last, 3):
            s, e, label = flat[i], flat[i + 1], flat[i + 2]
            if start <= s <= e <= min(end, size) and 0 <= label < len(labels):
                found.append(Entity(s, e, labels[label]))
        return found

    def entity_types(self) -> set[str]:
        """The entity types in the article (for the legend); those with a number that
        names no type are left to ``finish`` to refuse."""
        if self._body is None:
            return {e.label for e in self.article.entities}
        labels = self._body.entity_labels
        return {labels[i] for i in set(self._body.entities[2::3]) if 0 <= i < len(labels)}

    def finish(self) -> Article:
        """The whole article, as ``Store.load_article`` gives it (its CorruptFile when the
        file is damaged anywhere)."""
        if self._body is not None:
            self.article = self._finish()
            self._body = None
            self._starts = []
        return self.article


def finished(path: Path, article: Article) -> ArticleStart:
    """An article already read whole."""
    return ArticleStart(path, article, None, lambda: article)


def decode_start(path: Path, summary: ArticleSummary, data: bytes) -> tuple[Article, _Body] | None:
    """The article with its sentences (entities empty) and the decoded body, when the
    file is the usual one with every sentence in the text; else None."""
    try:
        body = _DECODER.decode(data).article.one
    except (msgspec.DecodeError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    flat = body.sentences
    if len(flat) % 3 or len(body.entities) % 3 or not spans_fit(flat, len(body.text)) \
            or not set(flat[2::3]) <= {0, 1}:
        return None
    article = Article(
        id=summary.id, text=body.text, title=summary.title, source=summary.source,
        published=summary.published, source_path=summary.source_path,
        sentences=list(map(Sentence, range(len(flat) // 3), flat[0::3], flat[1::3],
                           map(bool, flat[2::3]))),
        entities=[])
    return article, body


def entities_fit(body: _Body) -> bool:
    """Every entity inside the text with a type: the rest of ``article_file_problem``."""
    entities = body.entities
    return spans_fit(entities, len(body.text)) and (
        not entities or (min(entities[2::3]) >= 0
                         and max(entities[2::3]) < len(body.entity_labels)))


def with_entities(article: Article, body: _Body) -> Article:
    """``article`` with the body's entities (checked with ``entities_fit``)."""
    ents, labels = body.entities, body.entity_labels
    article.entities = list(map(Entity, ents[0::3], ents[1::3],
                                map(labels.__getitem__, ents[2::3])))
    return article

