"""The learned model: one logistic regression per label over lemmas, lemma pairs, entity
types, the cold-start rule hits and the pipeline's contextual vector.

Small data (tens to hundreds of tags), so a linear model: it fits 500 sentences in a
few milliseconds per label, which is what lets the reader retrain after every tag.
Each label's decision threshold is chosen by cross-validation on the tags themselves,
and scores are mapped so that this threshold sits at 0.5 (``engine.THRESHOLD``: the
reader pre-selects at 0.5 and "least sure" means nearest 0.5). While the tags are few,
the rules' scores are mixed in (``RULE_PRIOR``), fading as tags grow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from annotations.config import Config
from annotations.suggest.analysis import Analysed
from annotations.suggest.rules import rule_scores

# 2**15 columns: as good as 2**18 by CV on the train split (0.806 vs 0.792) and liblinear
# fits it ~6x faster (its cost follows the width): 500 sentences retrain in ~0.3 s.
HASH_FEATURES = 2**15
C = 16.0  # inverse regularisation; chosen by 5-fold CV on the train split
VECTOR_WEIGHT = 0.5  # weight of the contextual vector block (CV on the train split)
RULE_FEATURE_WEIGHT = 1.0
# The rules' weight in the mix is RULE_PRIOR / (RULE_PRIOR + n) after n tags.
RULE_PRIOR = 30.0
THRESHOLD_FOLDS = 4
MIN_POSITIVES = 2  # per label, to learn it at all (else its rule score stands)


def sentence_features(a: Analysed) -> dict[str, float]:
    feats: dict[str, float] = {}
    for lemma in a.lemmas:
        feats["l:" + lemma] = 1.0
    for first, second in zip(a.lemmas, a.lemmas[1:], strict=False):
        feats[f"b:{first}_{second}"] = 1.0
    for label in a.entities:
        feats["e:" + label] = 1.0
    for key, count in a.hits.items():
        feats["r:" + key] = RULE_FEATURE_WEIGHT * min(count, 3)
    return feats


def featurise(analysed: Sequence[Analysed]) -> sparse.csr_matrix:
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.preprocessing import normalize

    hashed = FeatureHasher(HASH_FEATURES, alternate_sign=False).transform(
        sentence_features(a) for a in analysed)
    matrix = normalize(hashed)
    if VECTOR_WEIGHT and analysed and analysed[0].vector.size:
        vectors = normalize(np.vstack([a.vector for a in analysed])) * VECTOR_WEIGHT
        matrix = sparse.hstack([matrix, sparse.csr_matrix(vectors)])
    return sparse.csr_matrix(matrix)


def _classifier():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear")


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The cut on ``p`` with the best F1 for ``y`` (0.5 when there is nothing to choose)."""
    if y.sum() == 0 or y.sum() == len(y):
        return 0.5
    best, best_f1 = 0.5, -1.0
    for cut in np.linspace(0.2, 0.8, 25):
        pred = p >= cut
        tp = float(np.sum(pred & (y == 1)))
        f1 = 2 * tp / (pred.sum() + y.sum()) if tp else 0.0
        # ties go to the cut nearest 0.5
        if f1 > best_f1 + 1e-9 or (abs(f1 - best_f1) <= 1e-9 and abs(cut - 0.5) < abs(best - 0.5)):
            best, best_f1 = float(cut), f1
    return best


def _cross_validated(x: sparse.csr_matrix, y: np.ndarray) -> np.ndarray:
    """Out-of-fold probabilities of the positive class."""
    from sklearn.model_selection import StratifiedKFold

    folds = min(THRESHOLD_FOLDS, int(y.sum()), int(len(y) - y.sum()))
    out = np.full(len(y), 0.5)
    if folds < 2:
        return out
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
        model = _classifier().fit(x[train], y[train])
        out[test] = model.predict_proba(x[test])[:, 1]
    return out


def rescale(p: np.ndarray, cut: float) -> np.ndarray:
    """Map ``p`` piecewise linearly so that ``cut`` becomes 0.5 (0 and 1 stay)."""
    return np.where(p < cut, 0.5 * p / cut, 0.5 + 0.5 * (p - cut) / (1.0 - cut))


@dataclass(slots=True)
class LabelModel:
    classifier: object
    threshold: float


class LearnedModel:
    """Scores per label from what was learned, mixed with the rules while tags are few."""

    def __init__(self, config: Config, analysed: Sequence[Analysed],
                 labels: Sequence[frozenset[str]]) -> None:
        self.config = config
        self.trained_on = len(analysed)
        self.rule_weight = RULE_PRIOR / (RULE_PRIOR + len(analysed))
        self.models: dict[str, LabelModel] = {}
        self.seeded = {label.name for label in config.labels
                       if label.patterns or label.description}
        x = featurise(analysed)
        for name in config.label_names:
            y = np.array([name in these for these in labels], dtype=int)
            if y.sum() < MIN_POSITIVES or len(y) - y.sum() < MIN_POSITIVES:
                continue  # nothing to learn from: the rule score stands for this label
            oof = _cross_validated(x, y)
            rules = np.array([rule_scores(config, a.hits)[name] for a in analysed])
            mixed = self._mix(name, oof, rules)
            self.models[name] = LabelModel(_classifier().fit(x, y), best_threshold(y, mixed))

    def _mix(self, name: str, learned: np.ndarray, rules: np.ndarray) -> np.ndarray:
        # A label without patterns or description has no rules to mix in (its rule
        # score is always 0, which would only squash the learned one).
        weight = self.rule_weight if name in self.seeded else 0.0
        return (1.0 - weight) * learned + weight * rules

    def scores(self, analysed: Sequence[Analysed]) -> list[dict[str, float]]:
        rules = [rule_scores(self.config, a.hits) for a in analysed]
        out: list[dict[str, float]] = [dict(r) for r in rules]
        if not analysed or not self.models:
            return out
        x = featurise(analysed)
        for name, model in self.models.items():
            p = model.classifier.predict_proba(x)[:, 1]  # type: ignore[attr-defined]
            mixed = self._mix(name, p, np.array([r[name] for r in rules]))
            for row, value in zip(out, rescale(mixed, model.threshold), strict=True):
                row[name] = round(float(value), 4)
        return out
