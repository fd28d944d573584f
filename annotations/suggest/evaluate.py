"""How good the suggestions are: precision, recall and F1 per label and micro-averaged,
on held-out sentences or by cross-validation over the reviewed ones."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from annotations.config import Config
from annotations.suggest.engine import Example, Suggester, train_suggester

FOLDS = 5


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int  # sentences that have the label

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "support": self.support}


def _score(tp: int, fp: int, fn: int) -> Score:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return Score(p, r, 2 * p * r / (p + r) if p + r else 0.0, tp + fn)


def scores(labels: Sequence[str], gold: Sequence[frozenset[str]],
           predicted: Sequence[Sequence[str]]) -> dict[str, Score]:
    """Per label and ``"micro"`` (every label decision pooled)."""
    counts = {name: [0, 0, 0] for name in labels}
    for truth, guess in zip(gold, predicted, strict=True):
        for name in labels:
            row = counts[name]
            row[0] += name in truth and name in guess
            row[1] += name not in truth and name in guess
            row[2] += name in truth and name not in guess
    out = {name: _score(*row) for name, row in counts.items()}
    out["micro"] = _score(*(sum(row[i] for row in counts.values()) for i in range(3)))
    return out


def evaluate(config: Config, suggester: Suggester, examples: Sequence[Example]
             ) -> dict[str, Score]:
    found = suggester.suggest([e.text for e in examples])
    return scores(config.label_names, [e.labels for e in examples], [s.labels for s in found])


def cross_validate(config: Config, examples: Sequence[Example], folds: int = FOLDS,
                   train: Callable[[Config, Sequence[Example]], Suggester] = train_suggester,
                   seed: int = 0) -> dict[str, Score]:
    """Each sentence predicted by a model trained without it (``folds`` rounds)."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    folds = max(2, min(folds, len(examples)))
    predicted: list[Sequence[str]] = [()] * len(examples)
    for k in range(folds):
        held = order[k::folds]
        kept = set(held)
        model = train(config, [examples[i] for i in order if i not in kept])
        for i, found in zip(held, model.suggest([examples[i].text for i in held]), strict=True):
            predicted[i] = found.labels
    return scores(config.label_names, [e.labels for e in examples], predicted)
