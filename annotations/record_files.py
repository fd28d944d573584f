"""What an article's two files hold: its text, sentences and entities as flat integer
lists (``articles/<id>.json``), and its annotations as TinyDB records
(``annotations/<id>.json``), each record checked before it is trusted."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from annotations.annotation_records import records
from annotations.index_file import ArticleSummary
from annotations.layers import LAYERS_TABLE, Layer, all_layers, layers_table, pick, view
from annotations.model import Article, Entity, ReviewState, Sentence, SentenceAnnotation


class ArticleAnnotations:
    """An article's annotations inside ``Store.annotations_of``: change them in place.

    ``placed`` and ``orphans`` are the *active* layer's (``active``: an annotator's
    name, ``identity.GOLD``, or None for the home layer; see ``annotations.layers``);
    ``layer(name)`` reaches any other one. A file with one annotator has one layer.
    """

    __slots__ = ("active", "article_id", "home", "others")

    def __init__(self, article_id: str, placed: dict[int, SentenceAnnotation],
                 orphans: list[SentenceAnnotation], others: dict[str, Layer] | None = None,
                 active: str | None = None) -> None:
        self.article_id = article_id
        self.home = Layer(placed, orphans)
        self.others: dict[str, Layer] = dict(others or {})
        self.active = active

    def layer(self, name: str | None) -> Layer:
        return pick(self.home, self.others, name)

    @property
    def placed(self) -> dict[int, SentenceAnnotation]:
        return self.layer(self.active).placed

    @property
    def orphans(self) -> list[SentenceAnnotation]:
        return self.layer(self.active).orphans

    def view(self, name: str | None) -> Layer:
        """What ``name`` sees (read only): see ``annotations.layers.view``."""
        return view(self.home, self.others, name)

    def seen_layer(self, name: str | None) -> Layer:
        """The layer ``name`` sees, to write in: their own, else the one annotator's layer
        when only one annotator said anything (made for ``name`` when there is none)."""
        seen = self.view(name)
        if any(seen is layer for layer in self.every_layer()):
            return seen
        return self.layer(name)

    def layers(self) -> dict[str, Layer]:
        """Every non-empty layer by name (gold included)."""
        return all_layers(self.home, self.others)

    def put(self, annotation: SentenceAnnotation, layer: str | None = None) -> None:
        """Set a sentence's annotation in the active layer (or ``layer``); one unreviewed
        with no note says nothing: removed."""
        index = annotation.sentence_index
        if index is None:
            raise ValueError("an orphaned annotation has no sentence to be put on")
        placed = self.layer(self.active if layer is None else layer).placed
        if annotation.state is ReviewState.UNREVIEWED and not annotation.note:
            placed.pop(index, None)
        else:
            placed[index] = annotation

    def remove(self, index: int) -> None:
        self.placed.pop(index, None)

    def replace(self, placed: Iterable[SentenceAnnotation],
                orphans: Iterable[SentenceAnnotation]) -> None:
        self.layer(self.active).replace(list(placed), list(orphans))

    def every_layer(self) -> list[Layer]:
        """The home layer and every other, empty ones too (to change them all)."""
        return [self.home, *self.others.values()]

    def tables(self) -> dict[str, dict]:
        """The TinyDB tables as stored: home ``sentences`` and ``orphans`` (document id =
        sentence index + 1) and, only when another layer has something, ``layers``."""
        sentences, orphans = self.home.tables()
        tables = {"sentences": sentences, "orphans": orphans}
        if others := layers_table(self.others):
            tables[LAYERS_TABLE] = others
        return tables


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
