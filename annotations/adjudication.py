"""Adjudication: what each annotator said about each sentence, where they disagree, and
the labels most of them chose, for the adjudicator who sets the gold layer.

Per sentence, each annotator (every layer but gold, in name order) either reviewed it,
with a set of labels (empty: none apply), or did not (no annotation, or only a note).

- **Disputed**: reviewed by two or more annotators whose label sets differ. An annotator
  who did not review the sentence does not dispute it: "one said trade, the other has not
  looked yet" is missing work, not a disagreement (agreement leaves it out the same way).
- **Agreed**: reviewed by two or more annotators, all with the same labels.
- **Majority proposal**: the labels each chosen by more than half of the annotators who
  reviewed the sentence (empty: none apply, when most said no to every label). None when
  a label was chosen by exactly half of them: a tie is not a majority either way, so
  nothing is proposed and the adjudicator decides.

Computed once for an article (``adjudicate``); the gold layer changes under the
adjudicator's keys, the annotators' layers do not, so a gold write recomputes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from annotations.identity import GOLD
from annotations.layers import Layer
from annotations.model import ReviewState, SentenceAnnotation

Labels = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The annotators' word on one sentence: ``said`` in the order of ``annotators``,
    each their labels, or None when they did not review it."""

    said: tuple[Labels | None, ...]

    @property
    def reviews(self) -> list[Labels]:
        return [labels for labels in self.said if labels is not None]

    @property
    def disputed(self) -> bool:
        reviews = self.reviews
        return len(reviews) >= 2 and len({frozenset(r) for r in reviews}) > 1

    @property
    def agreed(self) -> bool:
        reviews = self.reviews
        return len(reviews) >= 2 and len({frozenset(r) for r in reviews}) == 1

    @property
    def proposal(self) -> Labels | None:
        return majority(self.reviews)


def majority(reviews: Sequence[Labels]) -> Labels | None:
    """The labels chosen by more than half of ``reviews`` (in the order they first appear);
    None when there is no review, or a label was chosen by exactly half (a tie)."""
    if not reviews:
        return None
    votes = Counter(label for labels in reviews for label in dict.fromkeys(labels))
    if any(2 * n == len(reviews) for n in votes.values()):
        return None
    order = dict.fromkeys(label for labels in reviews for label in labels)
    return tuple(label for label in order if 2 * votes[label] > len(reviews))


def reviewed_labels(annotation: SentenceAnnotation | None) -> Labels | None:
    """What an annotation says of the labels: None when it is not a review."""
    if annotation is None or annotation.state is not ReviewState.REVIEWED:
        return None
    return tuple(annotation.labels)


@dataclass(slots=True)
class Adjudication:
    """An article's annotators, their verdict per sentence, and its gold layer."""

    annotators: list[str]
    verdicts: dict[int, Verdict]  # only sentences some annotator reviewed
    gold: dict[int, SentenceAnnotation] = field(default_factory=dict)
    # Worked out once: the verdicts do not change while the gold layer does.
    disputes: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        self.disputes = frozenset(i for i, v in self.verdicts.items() if v.disputed)

    def verdict(self, index: int) -> Verdict:
        return self.verdicts.get(index) or Verdict((None,) * len(self.annotators))

    def adjudicated(self, index: int) -> bool:
        return reviewed_labels(self.gold.get(index)) is not None

    def disputed(self) -> set[int]:
        return set(self.disputes)

    def open_disputes(self) -> set[int]:
        """Disputed sentences with no gold decision yet."""
        return {i for i in self.disputes if not self.adjudicated(i)}

    def mark(self, index: int) -> str:
        """★ adjudicated, ≠ disputed, = agreed, else a space (one annotator, or none)."""
        if self.adjudicated(index):
            return "★"
        verdict = self.verdicts.get(index)
        if verdict is None:
            return " "
        return "≠" if verdict.disputed else "=" if verdict.agreed else " "


def adjudicate(layers: dict[str, Layer]) -> Adjudication:
    """The article's adjudication from its layers (``ArticleAnnotations.layers()``)."""
    annotators = sorted(name for name in layers if name != GOLD)
    placed = [layers[name].placed for name in annotators]
    indexes = sorted({i for p in placed for i, a in p.items() if reviewed_labels(a) is not None})
    verdicts = {i: Verdict(tuple(reviewed_labels(p.get(i)) for p in placed)) for i in indexes}
    gold = dict(layers[GOLD].placed) if GOLD in layers else {}
    return Adjudication(annotators, verdicts, gold)
