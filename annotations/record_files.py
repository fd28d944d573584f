"""What an article's two files hold: its text, sentences and entities as flat integer
lists (``articles/<id>.json``), and its annotations as TinyDB records
(``annotations/<id>.json``), each record checked before it is trusted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from annotations.atomic_io import CorruptFile
from annotations.errors import brief
from annotations.index_file import ArticleSummary
from annotations.model import Article, Entity, ReviewState, Sentence, SentenceAnnotation
from annotations.shapes import annotation_problem


@dataclass(slots=True)
class ArticleAnnotations:
    """An article's annotations inside ``Store.annotations_of``: change them in place."""

    article_id: str
    placed: dict[int, SentenceAnnotation]
    orphans: list[SentenceAnnotation]

    def put(self, annotation: SentenceAnnotation) -> None:
        """Set a sentence's annotation; one unreviewed with no note says nothing: removed."""
        index = annotation.sentence_index
        if index is None:
            raise ValueError("an orphaned annotation has no sentence to be put on")
        if annotation.state is ReviewState.UNREVIEWED and not annotation.note:
            self.placed.pop(index, None)
        else:
            self.placed[index] = annotation

    def remove(self, index: int) -> None:
        self.placed.pop(index, None)

    def replace(self, placed: Iterable[SentenceAnnotation],
                orphans: Iterable[SentenceAnnotation]) -> None:
        self.placed = {a.sentence_index: a for a in placed if a.sentence_index is not None}
        self.orphans = list(orphans)

    def tables(self) -> tuple[dict[str, dict], dict[str, dict]]:
        """The TinyDB tables as stored: document id = sentence index + 1."""
        return ({str(i + 1): self.placed[i].to_record() for i in sorted(self.placed)},
                {str(i + 1): a.to_record() for i, a in enumerate(self.orphans)})


def annotations_in(
    path: Path, tables: dict
) -> tuple[dict[int, SentenceAnnotation], list[SentenceAnnotation]]:
    placed = {doc_id - 1: a
              for doc_id, a in records(path, tables.get("sentences", {}), orphan=False)}
    return placed, [a for _, a in records(path, tables.get("orphans", {}))]


def article_body(article: Article) -> dict:
    """Sentences and entities as flat integer lists: a 20,000-sentence article loads
    in a fraction of the time that nested lists take."""
    labels = sorted({e.label for e in article.entities})
    label_no = {label: i for i, label in enumerate(labels)}
    sentences: list[int] = []
    for s in article.sentences:
        sentences += (s.start, s.end, int(s.heading))
    entities: list[int] = []
    for e in article.entities:
        entities += (e.start, e.end, label_no[e.label])
    return {"id": article.id, "title": article.title, "source": article.source,
            "published": article.published, "source_path": article.source_path,
            "text": article.text, "sentences": sentences, "entity_labels": labels,
            "entities": entities}


def article_of(summary: ArticleSummary, body: dict) -> Article:
    flat = body["sentences"]
    labels = body["entity_labels"]
    ents = body["entities"]
    return Article(
        id=summary.id, text=body["text"], title=summary.title, source=summary.source,
        published=summary.published, source_path=summary.source_path,
        sentences=list(map(Sentence, range(len(flat) // 3), flat[0::3], flat[1::3],
                           map(bool, flat[2::3]))),
        entities=list(map(Entity, ents[0::3], ents[1::3], map(labels.__getitem__, ents[2::3]))),
    )


def records(path: Path, rows: dict, orphan: bool = True) -> list[tuple[int, SentenceAnnotation]]:
    """(document id, annotation) for every record of a TinyDB table, by document id.

    Every record is checked in full first: ``"labels": "trade"`` would otherwise be
    read as five one-letter labels, and a wrong tag shown or exported is worse than a
    refusal that points to ``newstag doctor``.
    """
    for doc_id, record in rows.items():
        problem = annotation_problem(record, orphan=orphan)
        if problem:
            raise CorruptFile(path, f"record {brief(doc_id)} is not a newstag annotation "
                              f"({problem})")
    try:
        ordered = sorted(((int(k), v) for k, v in rows.items()), key=lambda kv: kv[0])
        return [(doc_id, SentenceAnnotation.from_record(v)) for doc_id, v in ordered]
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise CorruptFile(path, "valid JSON but not newstag annotations "
                          f"({type(exc).__name__}: {exc})") from None
