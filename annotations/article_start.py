"""An article file read in two steps: what the reader's first screen shows, then the rest.

At 20,000 sentences ``Store.load_article`` was ~23 ms of the reader's first screen
(issue 9): the parse, the whole-file check (every offset of ~50,000 entities, in
Python) and ~70,000 Structs. The first screen shows the text, the sentences and the
entities of a window of them. Here the file is decoded in one C pass with the types of
the text, the sentences and the metadata checked, the sentences are checked and made,
and the entities are left as the bytes of their array: the window's few are read from
the bytes around them (found by bisection: they are stored in text order) and each is
checked. ``finish()`` then decodes and checks the rest and makes the whole ``Article``,
giving exactly ``load_article``'s answer, errors included. The reader calls it right
after the first paint and before any key or click acts.

Anything unusual (a file this decoder refuses, a damaged sentence, entity rules for
this article) is not started here: the caller loads the article whole, before the first
paint, as it always did. Entities that are not a flat array of numbers in text order
only show fewer (or stray) highlights in the first window, never text out of place,
and ``finish`` refuses them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import msgspec

from annotations.article_check import spans_fit
from annotations.index_file import ArticleSummary
from annotations.model import Article, Entity, Sentence


class _Body(msgspec.Struct, gc=False):
    """``article_check._Body``'s fields, decoded from the file's bytes; the entities
    only found (their numbers are decoded by ``finish``)."""

    text: str
    sentences: list[int]
    entity_labels: list[str]
    entities: msgspec.Raw
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
_NUMBERS = msgspec.json.Decoder(list[int])
_SCAN = 2048  # bytes: below this the bisection walks the numbers one by one


class ArticleStart:
    """An article's text and sentences now; its entities window by window until
    ``finish`` (``article.entities`` is empty until then)."""

    def __init__(self, path: Path, article: Article, body: _Body | None,
                 finish: Callable[[list[int] | None], Article]) -> None:
        self.path = path
        self.article = article
        self._labels = body.entity_labels if body is not None else []
        self._raw = bytes(body.entities) if body is not None else b""
        self._finish = finish
        self.finished = body is None

    def entities_within(self, start: int, end: int) -> list[Entity]:
        """The entities inside text[start:end], each checked (a damaged one is left out:
        ``finish`` refuses the file and says why)."""
        if self.finished:
            return [e for e in self.article.entities if e.start >= start and e.end <= end]
        numbers = _numbers_between(self._raw, start, end)
        labels, size = self._labels, len(self.article.text)
        found = []
        for i in range(0, len(numbers) - 2, 3):
            s, e, label = numbers[i], numbers[i + 1], numbers[i + 2]
            if start <= s <= e <= min(end, size) and 0 <= label < len(labels):
                found.append(Entity(s, e, labels[label]))
        return found

    def entity_types(self) -> set[str]:
        """The entity types in the article, for the legend (a file names the types its
        entities have; ``finish`` checks that each entity has one of them)."""
        if self.finished:
            return {e.label for e in self.article.entities}
        return set(self._labels)

    def finish(self) -> Article:
        """The whole article, as ``Store.load_article`` gives it (its CorruptFile when the
        file is damaged anywhere)."""
        if not self.finished:
            try:
                numbers: list[int] | None = _NUMBERS.decode(self._raw)
            except (msgspec.DecodeError, ValueError, RecursionError):
                numbers = None  # the general path says what is wrong
            self.article = self._finish(numbers)
            self.finished = True
            self._raw = b""
        return self.article


def finished(path: Path, article: Article) -> ArticleStart:
    """An article already read whole."""
    return ArticleStart(path, article, None, lambda _: article)


def decode_start(summary: ArticleSummary, data: bytes) -> tuple[Article, _Body] | None:
    """The article with its sentences (entities empty) and the decoded body, when the
    file is the usual one with every sentence in the text; else None."""
    try:
        body = _DECODER.decode(data).article.one
    except (msgspec.DecodeError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    flat = body.sentences
    if len(flat) % 3 or not spans_fit(flat, len(body.text)) or not set(flat[2::3]) <= {0, 1}:
        return None
    article = Article(
        id=summary.id, text=body.text, title=summary.title, source=summary.source,
        published=summary.published, source_path=summary.source_path,
        sentences=list(map(Sentence, range(len(flat) // 3), flat[0::3], flat[1::3],
                           map(bool, flat[2::3]))),
        entities=[])
    return article, body


def with_entities(article: Article, numbers: list[int], labels: list[str]) -> Article | None:
    """``article`` with the entities of ``numbers`` (start, end, type number) when every
    one is inside the text and has a type (the rest of ``article_file_problem``); else
    None."""
    if len(numbers) % 3 or not spans_fit(numbers, len(article.text)) or (
            numbers and (min(numbers[2::3]) < 0 or max(numbers[2::3]) >= len(labels))):
        return None
    article.entities = list(map(Entity, numbers[0::3], numbers[1::3],
                                map(labels.__getitem__, numbers[2::3])))
    return article


def _numbers_between(raw: bytes, start: int, end: int) -> list[int]:
    """The numbers of the triples of ``raw`` (a flat JSON array of (start, end, type)
    sorted by start) whose start is in [start, end]; [] when the bytes are not that."""
    try:
        first = raw.index(b"[") + 1
        a = _first_at_or_after(raw, first, start)
        b = _first_at_or_after(raw, a, end + 1)
        if a >= b:
            return []
        return _NUMBERS.decode(b"[" + raw[a:b].rstrip(b", \t\r\n") + b"]")
    except (ValueError, msgspec.DecodeError):
        return []


def _first_at_or_after(raw: bytes, lo: int, value: int) -> int:
    """Where in ``raw`` the first triple at or after byte ``lo`` (a triple's first
    number) whose start is >= ``value`` begins (the closing bracket when none).

    A bisection over bytes: the commas before a byte, counted from ``lo`` as it moves
    on, say which number follows it, and the next one that starts a triple is read."""
    close = raw.rindex(b"]")
    hi = close
    count = 0  # numbers before ``lo`` since the first ``lo``, a multiple of 3
    while hi - lo > _SCAN:
        mid = (lo + hi) // 2
        comma = raw.find(b",", mid, hi)
        if comma < 0:
            hi = mid
            continue
        number = count + raw.count(b",", lo, comma) + 1  # the number after ``comma``
        at = comma + 1
        while number % 3 and at > 0:
            at = raw.find(b",", at, hi) + 1
            number += 1
        if at <= 0:
            hi = mid
        elif _number_at(raw, at, close) < value:
            lo, count = at, number
        else:
            hi = at
    while lo < close and _number_at(raw, lo, close) < value:  # one triple at a time
        for _ in range(3):
            comma = raw.find(b",", lo, close)
            lo = close if comma < 0 else comma + 1
    return lo


def _number_at(raw: bytes, at: int, close: int) -> int:
    comma = raw.find(b",", at, close)
    return int(raw[at:close if comma < 0 else comma])
