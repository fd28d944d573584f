"""Inter-annotator agreement over the sentences two or more annotators reviewed.

For each label (a yes/no rating per annotator and sentence): Cohen's kappa for two
annotators, Fleiss' kappa for more (over the sentences every one of them reviewed),
Krippendorff's alpha (nominal; a missing rating is simply missing), and the raw percent
of sentences on which everyone who reviewed them agrees. Over whole label sets:
Krippendorff's alpha with the MASI distance. The statistics come from nltk's
``AnnotationTask`` (kappa = Cohen, pi = Fleiss' multi-rater kappa, alpha with any
distance); it is imported only by this command (about a second).

A coefficient is None (null) when it is undefined: no sentence to compare, or a single
value among all the ratings (the expected agreement is 1, so chance explains everything).
The gold layer is not an annotator and is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from annotations.errors import UserError, brief
from annotations.identity import GOLD
from annotations.model import ReviewState
from annotations.store import Store

Ratings = dict[tuple[str, int], dict[str, frozenset[str]]]  # (article, index) -> who -> labels


def collect(store: Store, annotators: Iterable[str] = ()) -> tuple[list[str], Ratings]:
    """(annotators compared, their reviewed label sets by sentence), sentences with >= 2."""
    wanted = set(annotators)
    seen: set[str] = set()
    ratings: Ratings = {}
    for summary in store.summaries():
        for name, layer in store.load_layers(summary.id).layers().items():
            if name == GOLD or not name or (wanted and name not in wanted):
                continue
            for index, a in layer.placed.items():
                if a.state is ReviewState.REVIEWED:
                    seen.add(name)
                    ratings.setdefault((summary.id, index), {})[name] = frozenset(a.labels)
    if wanted - seen:
        missing = sorted(wanted - seen)[0]
        raise UserError(f"newstag agreement: annotator {brief(missing)} reviewed nothing in "
                        f"{store.root}")
    return sorted(seen), {k: v for k, v in ratings.items() if len(v) >= 2}


def _undefined(values: Iterable[object]) -> bool:
    return len(set(values)) < 2


def _masi(a: frozenset, b: frozenset) -> float:
    from nltk.metrics.distance import masi_distance

    return 0.0 if a == b else masi_distance(set(a), set(b))  # two empty sets: no division


def label_agreement(names: list[str], ratings: Ratings, label: str) -> dict[str, object]:
    from nltk.metrics.agreement import AnnotationTask

    data = [(who, str(item), int(label in labels))
            for item, by in ratings.items() for who, labels in by.items()]
    complete = [(who, str(item), int(label in labels))
                for item, by in ratings.items() if len(by) == len(names)
                for who, labels in by.items()]
    kappa = None
    if complete and not _undefined(v for _, _, v in complete):
        task = AnnotationTask(complete)
        kappa = task.kappa() if len(names) == 2 else task.pi()
    alpha = None if _undefined(v for _, _, v in data) else AnnotationTask(data).alpha()
    agree = sum(len({label in labels for labels in by.values()}) == 1
                for by in ratings.values())
    return {"kappa": _round(kappa), "alpha": _round(alpha),
            "percent": _round(agree / len(ratings)) if ratings else None, "n": len(ratings)}


def _round(value: float | None) -> float | None:
    # + 0.0: a coefficient that is zero up to rounding (-1e-17) reads 0.0, not -0.0
    return None if value is None else round(float(value), 6) + 0.0


def agreement(store: Store, labels: list[str], annotators: list[str]) -> dict[str, Any]:
    """The report of ``newstag agreement --json``."""
    from nltk.metrics.agreement import AnnotationTask

    if annotators and len(set(annotators)) < 2:
        raise UserError("newstag agreement: --annotators needs two names or more")
    names, ratings = collect(store, annotators)
    sets = [(who, str(item), labels_) for item, by in ratings.items()
            for who, labels_ in by.items()]
    masi = None
    if sets and not _undefined(v for _, _, v in sets):
        masi = AnnotationTask(sets, distance=_masi).alpha()
    return {"annotators": names, "sentences": len(ratings),
            "labels": {label: label_agreement(names, ratings, label) for label in labels},
            "alpha_masi": _round(masi)}
