"""Which layer an export takes (``newstag export --annotator NAME | --gold``).

``ALL``: every layer, one record per annotator and sentence (the YAML export's default,
so a team's file keeps everything); ``GOLD``: the adjudicated layer, falling back to the
sentences on which the annotators agree unanimously; a name: that annotator's layer;
None: what the current annotator sees (their own layer, or the one annotator's layer in
a database of one annotator: the other formats' default, as before layers existed).
"""

from __future__ import annotations

from annotations.identity import GOLD
from annotations.layers import Layer
from annotations.model import ReviewState, SentenceAnnotation
from annotations.record_files import ArticleAnnotations

ALL = "*"


Picked = tuple[SentenceAnnotation, bool]  # an annotation, and whether it is gold


def chosen(current: ArticleAnnotations, layer: str | None,
           annotator: str | None) -> tuple[dict[int, list[Picked]], list[Picked]]:
    """(annotations by sentence index, orphans) of the chosen layer(s), each with whether
    it comes from the gold layer (the YAML export marks those ``gold: true``)."""
    layers = current.layers()
    if layer == ALL:
        names = sorted(n for n in layers if n != GOLD) + ([GOLD] if GOLD in layers else [])
        placed: dict[int, list[Picked]] = {}
        orphans: list[Picked] = []
        for name in names:
            for index, annotation in layers[name].placed.items():
                placed.setdefault(index, []).append((annotation, name == GOLD))
            orphans += [(a, name == GOLD) for a in layers[name].orphans]
        return placed, orphans
    if layer == GOLD:
        gold, orphans_ = gold_or_unanimous(layers)
        # The gold layer's records stay gold (a YAML file passes them on into the gold
        # layer, not into the adjudicator's own); a unanimous sentence is its annotator's.
        adjudicated = layers.get(GOLD, Layer()).placed
        return ({i: [(a, adjudicated.get(i) is a)] for i, a in gold.items()},
                [(a, True) for a in orphans_])
    one = current.view(annotator) if layer is None else layers.get(layer, Layer())
    return {i: [(a, False)] for i, a in one.placed.items()}, [(a, False) for a in one.orphans]


def gold_or_unanimous(layers: dict[str, Layer]) -> tuple[dict[int, SentenceAnnotation],
                                                          list[SentenceAnnotation]]:
    """The gold layer, and where it decides nothing, the sentences every annotator of the
    article reviewed with the same labels (a single annotator's article: all of theirs).
    A gold record that is no review (a note the adjudicator wrote) decides nothing."""
    gold = layers.get(GOLD, Layer())
    people = [layer for name, layer in layers.items() if name != GOLD]
    placed = dict(gold.placed)
    if people:
        for index, first in people[0].placed.items():
            decided = placed.get(index)
            if decided is not None and decided.state is ReviewState.REVIEWED:
                continue
            said = [layer.placed.get(index) for layer in people]
            if all(a is not None and a.state is ReviewState.REVIEWED
                   and set(a.labels) == set(first.labels) for a in said):
                placed[index] = first
    return placed, list(gold.orphans)
