"""How ``list`` and ``stats`` print every article, as pieces of one row each (issue 14).

A row is printed as ``head + dynamic + tail``: the head and the tail come from the
article's index row alone; the dynamic part from its kept counts. Kept this way
(annotations/kept_listing.py), a listing after a tag renders only the rows whose
counts shard was written since, not 20,000. ``dynamic`` is None for a row that is not
printed (``stats`` lists reviewed articles only).

The pieces are the raw text: the caller's one sanitising path (``printable_lines`` and
``printable_rows``, ``json_bytes_for_terminal``) runs over the whole output, as it did
before the pieces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import msgspec

from annotations.counts import Counts, LabelCounts
from annotations.index_file import ArticleSummary
from annotations.kept_rows import KeptRows

Pieces = tuple[list[str], list[str | None], list[str]]  # heads, dynamic parts, tails


def printed(pieces: Pieces) -> list[str]:
    """The rows ``pieces`` print, each whole (a row whose dynamic part is None is not)."""
    return [h + d + t for h, d, t in zip(*pieces, strict=True) if d is not None]


class RowPieces(Protocol):
    kind: str  # the kept file's name in counts/ (a new format: a new name)
    end: str  # what follows a row
    last_end: str  # what follows the last row

    def whole(self, summaries: Sequence[ArticleSummary],
              counts: Mapping[str, LabelCounts]) -> Pieces | None:
        """Every row's pieces; None when this kind cannot be kept for them."""

    def dynamic(self, counts: LabelCounts, sentences: int) -> str | None:
        """One row's dynamic part from its counts."""

    def dynamics(self, counts: Sequence[LabelCounts], sentences: Sequence[int]
                 ) -> list[str | None]:
        """``dynamic`` of many rows."""


class ListLines:
    """``newstag list``'s lines (the header is the caller's)."""

    kind = "listing-list-1"
    end = last_end = "\n"
    header = f"{'ID':<18} {'SENT':>5} {'REVIEWED':>8} {'TAGGED':>6}  TITLE (SOURCE)"

    def whole(self, summaries: Sequence[ArticleSummary],
              counts: Mapping[str, LabelCounts]) -> Pieces:
        get, empty = counts.get, Counts.none()
        # %-formatting: a third cheaper than an f-string with format specs, 20,000 times.
        return (["%-18s %5d " % (s.id[:18], s.sentences) for s in summaries],  # noqa: UP031
                ["%8d %6d" % ((c := get(s.id, empty)).reviewed, c.tagged)  # noqa: UP031
                 for s in summaries],
                ["  %s (%s)" % (s.title, s.source) for s in summaries])  # noqa: UP031

    def dynamic(self, counts: LabelCounts, sentences: int) -> str:
        return "%8d %6d" % (counts.reviewed, counts.tagged)  # noqa: UP031

    def dynamics(self, counts: Sequence[LabelCounts], sentences: Sequence[int]
                 ) -> list[str | None]:
        return [self.dynamic(c, n) for c, n in zip(counts, sentences, strict=True)]


class StatsLines:
    """``newstag stats``'s line per reviewed article."""

    kind = "listing-stats-1"
    end = last_end = "\n"

    def whole(self, summaries: Sequence[ArticleSummary],
              counts: Mapping[str, LabelCounts]) -> Pieces:
        get, empty = counts.get, Counts.none()
        return (["  %-18s " % s.id[:18] for s in summaries],  # noqa: UP031
                [self.dynamic(get(s.id, empty), s.sentences) for s in summaries],
                [" " + s.title for s in summaries])

    def dynamic(self, counts: LabelCounts, sentences: int) -> str | None:
        return "%4d/%-4d" % (counts.reviewed, sentences) if counts.reviewed else None  # noqa: UP031

    def dynamics(self, counts: Sequence[LabelCounts], sentences: Sequence[int]
                 ) -> list[str | None]:
        return [self.dynamic(c, n) for c, n in zip(counts, sentences, strict=True)]


class ArticleRow(msgspec.Struct, gc=False):
    """``list --json``'s row, keys in this order: 20,000 of them are built and encoded in
    a few ms, where dicts cost several times that."""

    id: str
    title: str
    source: str
    published: str
    sentences: int
    reviewed: int
    tagged: int
    labels: dict[str, int]
    orphaned: int


class ProgressRow(ArticleRow, gc=False):
    """A ``per_article`` row of ``stats --json``: ``ArticleRow`` and its progress."""

    progress: float


class _Counted(msgspec.Struct, gc=False):
    """The dynamic part of ``ArticleRow``, same keys in the same order."""

    reviewed: int
    tagged: int
    labels: dict[str, int]
    orphaned: int


class _Progress(_Counted, gc=False):
    progress: float


def progress(counts: LabelCounts, sentences: int) -> float:
    return round(counts.reviewed / sentences, 4) if sentences else 0.0


def article_rows(summaries: Sequence[ArticleSummary], counts: Mapping[str, LabelCounts]
                 ) -> list[ArticleRow]:
    get, empty = counts.get, Counts.none()
    return [ArticleRow(s.id, s.title, s.source, s.published, s.sentences,
                       (c := get(s.id, empty)).reviewed, c.tagged, c.labels, c.orphaned)
            for s in summaries]


def progress_rows(summaries: Sequence[ArticleSummary], counts: Mapping[str, LabelCounts]
                  ) -> list[ProgressRow]:
    get, empty = counts.get, Counts.none()
    return [ProgressRow(s.id, s.title, s.source, s.published, s.sentences,
                        (c := get(s.id, empty)).reviewed, c.tagged, c.labels, c.orphaned,
                        progress(c, s.sentences))
            for s in summaries]


_SPLIT = '"reviewed": '  # the first dynamic key: what is before it is the index row's
_ROWS = "\n  },\n  {\n"  # between two rows of a list formatted with indent=2


def formatted(value: object) -> str:
    """``value`` as JSON indented by 2, as ``json.dumps(..., indent=2)`` writes it for the
    values of list and stats (tui/output.py says why msgspec's text is the same)."""
    return msgspec.json.format(msgspec.json.encode(value), indent=2).decode("utf-8")


class JsonRows:
    """The rows of ``list --json`` (``depth`` 1: the list is the document) or of
    ``stats --json``'s ``per_article`` (``depth`` 2), each as formatted in the whole
    document. The whole list is formatted at once, in C, and cut into rows: no newline
    is raw inside a JSON string, so the row separator and the dynamic part's first key,
    each at its indentation after a newline, cannot occur inside a value."""

    def __init__(self, kind: str, depth: int, progress: bool) -> None:
        self.kind, self.depth, self.progress = kind, depth, progress
        self.end, self.last_end = ",\n", ""
        self._indent = "  " * depth
        self._split = ",\n" + "  " * (depth + 1) + _SPLIT

    def rows(self, summaries: Sequence[ArticleSummary],
             counts: Mapping[str, LabelCounts]) -> Sequence[ArticleRow]:
        return (progress_rows if self.progress else article_rows)(summaries, counts)

    def whole(self, summaries: Sequence[ArticleSummary],
              counts: Mapping[str, LabelCounts]) -> Pieces | None:
        try:
            text = formatted(self.rows(summaries, counts))
        except (msgspec.EncodeError, UnicodeEncodeError):  # a lone surrogate: json's path
            return None
        if not summaries:
            return [], [], []
        parts = text[2:-2].split(_ROWS)  # rows at depth 1, without "[\n" and "\n]"
        if len(parts) != len(summaries):
            return None
        last = len(parts) - 1
        extra = "  " * (self.depth - 1)
        heads: list[str] = []
        dyns: list[str | None] = []
        for i, part in enumerate(parts):
            piece = ("" if i == 0 else "  {\n") + part + ("" if i == last else "\n  }")
            if extra:
                piece = extra + piece.replace("\n", "\n" + extra)
            at = piece.find(self._split)
            if at < 0:
                return None
            heads.append(piece[:at])
            dyns.append(piece[at:])
        return heads, dyns, [""] * len(heads)

    def _counted(self, counts: LabelCounts, sentences: int) -> _Counted:
        return _Progress(counts.reviewed, counts.tagged, counts.labels, counts.orphaned,
                         progress(counts, sentences)) if self.progress \
            else _Counted(counts.reviewed, counts.tagged, counts.labels, counts.orphaned)

    def dynamic(self, counts: LabelCounts, sentences: int) -> str:
        return "," + formatted(self._counted(counts, sentences))[1:].replace(
            "\n", "\n" + self._indent)

    def dynamics(self, counts: Sequence[LabelCounts], sentences: Sequence[int]
                 ) -> list[str | None]:
        """Formatted as one list, in C, and cut into rows (1,600 rows one by one were
        ~6 ms): each a row's fields at depth 1, between its braces."""
        if len(counts) < 2:
            return [self.dynamic(c, n) for c, n in zip(counts, sentences, strict=True)]
        parts = formatted([self._counted(c, n) for c, n in zip(counts, sentences,
                                                               strict=True)])
        inner = parts[6:-6].split(_ROWS)  # without "[\n  {\n" and "\n  }\n]"
        if len(inner) != len(counts):  # cannot be: one at a time, then
            return [self.dynamic(c, n) for c, n in zip(counts, sentences, strict=True)]
        extra = "  " * (self.depth - 1)
        close = "\n" + self._indent + "}"
        if extra:
            return [",\n" + extra + part.replace("\n", "\n" + extra) + close
                    for part in inner]
        return [",\n" + part + close for part in inner]

    def document(self, rows: KeptRows) -> list[bytes | memoryview]:
        """The formatted list of the kept ``rows`` (each but the last followed by ",\n"),
        in parts: 6 MB are not copied once more to make them one."""
        if not rows.printed:
            return [b"[]"]
        return [b"[\n", *rows.parts(), ("\n" + "  " * (self.depth - 1) + "]").encode()]


LIST_LINES = ListLines()
STATS_LINES = StatsLines()
LIST_JSON = JsonRows("listing-list-json-1", 1, progress=False)
STATS_JSON = JsonRows("listing-stats-json-1", 2, progress=True)
KINDS: tuple[RowPieces, ...] = (LIST_LINES, STATS_LINES, LIST_JSON, STATS_JSON)
