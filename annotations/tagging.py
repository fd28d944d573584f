"""Changing what a sentence is tagged with, validated before anything is written."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from annotations.config import Config
from annotations.errors import ArgumentError, UserError, brief
from annotations.model import Article, ReviewState, SentenceAnnotation
from annotations.store import Store, now_iso
from annotations.text import LONE_SURROGATE


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
    from annotations.placing import iso, moment  # the import's module: not for the reader's start

    stamp = now_iso()
    before, now = moment(previous), moment(stamp)
    if before is None or now is None or now > before:
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


# -- changes written by hand: `newstag tag` arguments and `tag --from FILE` lines ------
def _parse_index(value: str | None, where: str) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ArgumentError(f"{where}: INDEX must be a whole number, got {brief(value)}") from None


def parse_change(article: str | None, index: str | None, labels: list[str], none: bool,
                 clear: bool, note: str | None, where: str) -> TagChange:
    """One change as typed (arguments or a line of a --from file); ``where`` names it."""
    if not article or index is None:
        raise ArgumentError(f"{where}: expected ARTICLE INDEX [LABEL ...]")
    if sum([bool(labels), none, clear]) > 1:
        raise ArgumentError(f"{where}: give labels, --none or --clear, not several")
    if not labels and not none and not clear and note is None:
        raise ArgumentError(f"{where}: give labels, --none, --clear or --note")
    for what, value in (("article", article), ("note", note), *(("label", x) for x in labels)):
        _check_text(value, where, what)
    return TagChange(article, _parse_index(index, where), tuple(labels) if labels else None,
                     none, clear, note)


def _check_text(value: str | None, where: str, what: str) -> None:
    # Bytes that are not UTF-8 reach argv as lone surrogates: refused before anything
    # is written.
    if value is not None and LONE_SURROGATE.search(value):
        raise ArgumentError(f"{where}: the {what} is not valid UTF-8 text")


def check_located(store: Store, config: Config, located: list[tuple[str, TagChange]]) -> None:
    """Validate each line of a --from file on its own, so an error names its line."""
    articles: dict[str, Article] = {}
    for where, change in located:
        try:
            summary = store.resolve(change.article_ref)
            if summary.id not in articles:
                articles[summary.id] = store.load_article(summary.id)
            check_sentence(articles[summary.id], change.index)
            check_labels(config, change.labels or ())
        except UserError as exc:
            raise UserError(f"{where}: {exc}") from None


MAX_TAG_FILE_BYTES = 256 << 20  # /dev/zero must end in a line, not a MemoryError


def read_tag_file(path: Path) -> list[tuple[str, TagChange]]:
    """Each operation with where it was read ("FILE: line N")."""
    try:
        with open(path, "rb") as handle:  # any readable file: a FIFO, <(…), /dev/stdin
            data = handle.read(MAX_TAG_FILE_BYTES + 1)
        if len(data) > MAX_TAG_FILE_BYTES:
            raise UserError(f"{path}: larger than {MAX_TAG_FILE_BYTES >> 20} MB; "
                            "split it into several files")
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read ({exc})") from None
    changes = []
    # Lines end at "\n" only: splitlines() would also cut a note at U+2028 or U+0085.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        where = f"{path}: line {number}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            tokens = shlex.split(line) if ('"' in line or "'" in line) else line.split()
        except ValueError as exc:
            raise ArgumentError(f"{where}: {exc}") from None
        article: str | None = None
        index: str | None = None
        labels: list[str] = []
        none, clear, note = False, False, None
        rest = iter(tokens)
        for token in rest:
            if token == "--none":
                none = True
            elif token == "--clear":
                clear = True
            elif token == "--note":
                note = next(rest, None)
                if note is None:
                    raise ArgumentError(f"{where}: --note needs a text")
            elif article is None:
                article = token
            elif index is None:
                index = token
            else:
                labels.append(token)
        try:
            changes.append((where, parse_change(article, index, labels, none, clear, note, where)))
        except UserError as exc:
            raise ArgumentError(str(exc)) from None
    return changes
