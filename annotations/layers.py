"""Annotation layers: what each annotator said about an article's sentences, side by side.

An annotation file keeps its *home* layer in the tables it always had (``sentences``,
``orphans``: doc id = sentence index + 1), so a file with one annotator is exactly what
it was before layers existed. Every other layer (another annotator's, imported from
their export, and the adjudicated ``@gold`` layer) is one document of the ``layers``
table: ``{"annotator": NAME, "sentences": {...}, "orphans": {...}}`` with the same
record shapes, written only when there is one.

Which layer is whose: a layer of ``layers`` names its annotator; the home layer belongs
to the annotator its records name (all of them: a write always records the writer).
A home layer whose records name nobody, or several people (a database written before
layers, or by code that names no annotator), is *unnamed* and is taken as the layer of
whoever works on it, which is what a one-person database has always done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from annotations.annotation_records import records
from annotations.atomic_io import CorruptFile
from annotations.errors import brief
from annotations.identity import GOLD, annotator_problem
from annotations.model import ReviewState, SentenceAnnotation

LAYERS_TABLE = "layers"


@dataclass(slots=True)
class Layer:
    """One annotator's annotations of one article: by sentence index, and orphans."""

    placed: dict[int, SentenceAnnotation] = field(default_factory=dict)
    orphans: list[SentenceAnnotation] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.placed and not self.orphans

    def owner(self) -> str:
        """The one annotator every record names, else '' (unnamed)."""
        names = {a.annotator for a in self.placed.values()} | {a.annotator for a in self.orphans}
        return names.pop() if len(names) == 1 else ""

    def replace(self, placed: list[SentenceAnnotation],
                orphans: list[SentenceAnnotation]) -> None:
        self.placed.clear()
        self.placed.update({a.sentence_index: a for a in placed if a.sentence_index is not None})
        self.orphans[:] = orphans

    def tables(self) -> tuple[dict[str, dict], dict[str, dict]]:
        """(sentences, orphans) as stored: document id = sentence index + 1."""
        return ({str(i + 1): self.placed[i].to_record() for i in sorted(self.placed)},
                {str(i + 1): a.to_record() for i, a in enumerate(self.orphans)})


def pick(home: Layer, others: dict[str, Layer], name: str | None) -> Layer:
    """The layer ``name`` reads and writes (None: the home layer), made if missing.

    The home layer is ``name``'s when it is theirs, unnamed or empty; a layer of
    ``others`` with that name comes first. Gold is never the home layer.
    """
    if name is None:
        return home
    if name in others:
        return others[name]
    if name != GOLD and (home.empty or home.owner() in ("", name)):
        return home
    return others.setdefault(name, Layer())


def view(home: Layer, others: dict[str, Layer], name: str | None) -> Layer:
    """What ``name`` sees of an article (read only, nothing made): their own layer, else
    the one annotator's layer when only one annotator said anything, else nothing.
    So a database with one annotator reads the same whoever opens it."""
    if name is None or name == GOLD:
        return pick(home, {**others}, name)
    if name in others:
        return others[name]
    if not home.empty and home.owner() in ("", name):
        return home
    people = [layer for n, layer in all_layers(home, others).items() if n != GOLD]
    return people[0] if len(people) == 1 else Layer()


def layers_table(others: dict[str, Layer]) -> dict[str, dict]:
    """The ``layers`` table: one document per non-empty layer, by name."""
    rows: dict[str, dict] = {}
    for name in sorted(n for n, layer in others.items() if not layer.empty):
        sentences, orphans = others[name].tables()
        rows[str(len(rows) + 1)] = {"annotator": name, "sentences": sentences,
                                    "orphans": orphans}
    return rows


def layers_problem(tables: dict, article_id: str | None) -> str:
    """The first thing wrong with a ``layers`` table ('' when it is good); its records are
    checked like the home layer's (``shapes.annotation_tables_problem``)."""
    from annotations.shapes import annotation_tables_problem

    rows = tables.get(LAYERS_TABLE, {})
    if not isinstance(rows, dict):
        return f"{LAYERS_TABLE} is {brief(rows)}, not a table"
    seen: set[str] = set()
    for doc_id, row in rows.items():
        if not isinstance(row, dict) or not isinstance(row.get("annotator"), str) \
                or not row["annotator"] or row["annotator"] in seen \
                or set(row) - {"annotator", "sentences", "orphans"} \
                or not all(isinstance(row.get(t, {}), dict) for t in ("sentences", "orphans")):
            return f"{LAYERS_TABLE} record {brief(doc_id)} is not a layer"
        name = row["annotator"]
        if name != GOLD and (why := annotator_problem(name)):
            return f"{LAYERS_TABLE} record {brief(doc_id)}: annotator {brief(name)} {why}"
        seen.add(name)
        if problem := annotation_tables_problem(row, article_id):
            return f"{LAYERS_TABLE} {brief(row['annotator'])}: {problem}"
    return ""


def others_in(path: Path, tables: dict) -> dict[str, Layer]:
    """The layers of the ``layers`` table by name, every record checked first."""
    if problem := layers_problem(tables, None):
        raise CorruptFile(path, problem)
    others: dict[str, Layer] = {}
    for row in tables.get(LAYERS_TABLE, {}).values():
        placed = {doc_id - 1: a
                  for doc_id, a in records(path, row.get("sentences", {}), orphan=False)}
        orphans = [a for _, a in records(path, row.get("orphans", {}))]
        others[row["annotator"]] = Layer(placed, orphans)
    return others


def all_layers(home: Layer, others: dict[str, Layer]) -> dict[str, Layer]:
    """Every non-empty layer by its annotator's name (an unnamed home layer is '')."""
    named = {n: layer for n, layer in others.items() if not layer.empty}
    if not home.empty:
        named = {home.owner(): home, **named}
    return named


def people_in(layers: dict[str, Layer]) -> list[SentenceAnnotation]:
    """Every annotator's own annotations, gold left out: the adjudicated layer is not
    anyone's work to count in the per-annotator numbers."""
    return [a for name, layer in layers.items() if name != GOLD for a in layer.placed.values()]


def merged(layers: list[Layer]) -> Layer:
    """One layer saying what *any* layer says (for the kept counts): a sentence is
    reviewed when a layer reviewed it, with the union of their labels; every orphan."""
    if len(layers) == 1:
        return layers[0]
    out = Layer()
    for layer in layers:
        for index, a in layer.placed.items():
            seen = out.placed.get(index)
            if seen is None:
                out.placed[index] = a
                continue
            reviewed = ReviewState.REVIEWED in (seen.state, a.state)
            out.placed[index] = SentenceAnnotation(
                seen.article_id, index, seen.text, seen.start, seen.end,
                labels=list(dict.fromkeys(seen.labels + a.labels)),
                state=ReviewState.REVIEWED if reviewed else ReviewState.UNREVIEWED,
                note=seen.note or a.note)
        out.orphans += layer.orphans
    return out
