"""How good newstag's suggestions are, next to two baselines in the same run (issue 10).

Trains on the ``train`` split of tests/data/suggest/news_sentences.yaml and reports
micro-F1 and per-label precision/recall/F1 on the ``test`` split for: a keyword rule
(words of the label's name and description), TF-IDF + logistic regression (scikit-learn,
one-vs-rest, class-weight balanced), the cold-start rules alone (config patterns and
descriptions), and newstag's suggester. Then a learning curve (25 … 300 training
sentences, mean of a few random draws), the keys per sentence it takes to tag the test
split with and without suggestions, and the time to retrain on 500 sentences on one core.

    python benchmarks/bench_suggest.py            # the report (reads the test split)
    python benchmarks/bench_suggest.py --cv       # the same models, 5-fold CV on train only
"""

from __future__ import annotations

import os

# One core, as the issue asks ("< 2 s on one core"): BLAS and OpenMP threads off.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

from annotations.config import Config, load_config  # noqa: E402
from annotations.suggest import engine  # noqa: E402
from annotations.suggest.engine import Example, Suggestion  # noqa: E402
from annotations.suggest.evaluate import Score, cross_validate, scores  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "suggest" / "news_sentences.yaml"
CURVE = (25, 50, 100, 200, 300)
DRAWS = 3


def load_split(name: str, data: Path = DATA) -> list[Example]:
    rows = yaml.safe_load(data.read_text("utf-8"))["sentences"]
    return [Example(r["text"], frozenset(r["labels"] or ())) for r in rows if r["split"] == name]


class KeywordRule:
    """The keyword baseline: a label when the sentence has a word of the label's name or
    description (4+ letters, a plural s ignored: "tariff" matches "tariffs")."""

    trained_on = 0

    def __init__(self, config: Config, examples: Sequence[Example] = ()) -> None:
        self.config = config
        self.stems = {label.name: {w.rstrip("s") for w in
                                   re.findall(r"[a-z]{4,}", f"{label.name} {label.description}"
                                              .lower())}
                      for label in config.labels}

    def suggest(self, texts: Sequence[str]) -> list[Suggestion]:
        found = []
        for text in texts:
            words = {w.rstrip("s") for w in re.findall(r"[a-z]{4,}", text.lower())}
            found.append(engine.suggestion(self.config, {
                name: float(bool(words & stems)) for name, stems in self.stems.items()}))
        return found


class TfidfLogReg:
    """The baseline: TF-IDF of words and word pairs, one balanced LR per label."""

    def __init__(self, config: Config, examples: Sequence[Example]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        self.config = config
        self.trained_on = len(examples)
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        x = self.vectorizer.fit_transform([e.text for e in examples])
        y = [[int(n in e.labels) for n in config.label_names] for e in examples]
        self.model = OneVsRestClassifier(LogisticRegression(class_weight="balanced",
                                                            max_iter=1000)).fit(x, y)

    def suggest(self, texts: Sequence[str]) -> list[Suggestion]:
        p = self.model.predict_proba(self.vectorizer.transform(list(texts)))
        return [engine.suggestion(self.config, dict(zip(self.config.label_names,
                                                        map(float, row), strict=True)))
                for row in p]


def table(title: str, result: dict[str, Score], names: Sequence[str]) -> None:
    cells = "  ".join(f"{n} {result[n].precision:.2f}/{result[n].recall:.2f}/{result[n].f1:.2f}"
                      for n in names)
    print(f"  {title:<28} micro-F1 {result['micro'].f1:.3f}   P/R/F1: {cells}")


def keys(gold: Sequence[frozenset[str]], found: Sequence[Suggestion] | None) -> float:
    """Keys per sentence: without suggestions one per label + one to confirm; with them
    one to confirm, plus one per wrong or missing label."""
    total = 0
    for i, truth in enumerate(gold):
        if found is None:
            total += len(truth) + 1
        else:
            total += 1 + len(truth ^ set(found[i].labels))
    return total / len(gold)


def retrain_time(config: Config, train: Sequence[Example]) -> tuple[float, float]:
    """Seconds to train on 500 sentences: spaCy analysis included (a fresh process), and
    with the sentences analysed before (the reader retraining after a tag)."""
    from annotations.suggest.analysis import analyser_for

    base = list(train)
    rows = [Example(f"{e.text} ({i // len(base)})" if i >= len(base) else e.text, e.labels)
            for i, e in enumerate(base * (500 // len(base) + 1))][:500]
    start = time.perf_counter()
    engine.train_suggester(config, rows)
    cold = time.perf_counter() - start
    analyser_for(config)([e.text for e in rows])
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        engine.train_suggester(config, rows)
        warm.append(time.perf_counter() - start)
    return cold, statistics.median(warm)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true",
                        help="5-fold cross-validation on the train split only (for tuning)")
    parser.add_argument("--data", type=Path, default=DATA, help=f"default: {DATA}")
    args = parser.parse_args(argv)
    config = load_config(str(Path(__file__).resolve().parents[1] / "config.yaml"))
    names = config.label_names
    train = load_split("train", args.data)
    models = {
        "keyword rule": KeywordRule,
        "TF-IDF + LR (balanced)": TfidfLogReg,
        "rules only (cold start)": lambda c, ex: engine.cold_suggester(c),
        "newstag": engine.train_suggester,
    }
    print(f"{args.data.name}: {len(train)} train sentences, labels {', '.join(names)}")
    if args.cv:
        print("5-fold cross-validation on the train split:")
        for title, build in models.items():
            table(title, cross_validate(config, train, 5, build), names)
        return 0

    test = load_split("test", args.data)
    gold = [e.labels for e in test]
    print(f"{len(test)} test sentences; trained on the train split, scored on test:")
    found: dict[str, list[Suggestion]] = {}
    for title, build in models.items():
        found[title] = build(config, train).suggest([e.text for e in test])
        table(title, scores(names, gold, [s.labels for s in found[title]]), names)

    print(f"learning curve (micro-F1 on test, mean of {DRAWS} random draws of the train split):")
    print(f"  {'sentences':<28} " + " ".join(f"{n:>6}" for n in CURVE))
    for title in ("TF-IDF + LR (balanced)", "newstag"):
        row = []
        for n in CURVE:
            f1 = []
            for draw in range(DRAWS):
                subset = random.Random(draw).sample(train, min(n, len(train)))
                got = models[title](config, subset).suggest([e.text for e in test])
                f1.append(scores(names, gold, [s.labels for s in got])["micro"].f1)
            row.append(statistics.mean(f1))
        print(f"  {title:<28} " + " ".join(f"{v:>6.3f}" for v in row))

    print("keys per sentence to tag the test split:")
    print(f"  {'no suggestions':<28} {keys(gold, None):.2f}")
    for title in ("rules only (cold start)", "newstag"):
        print(f"  {title:<28} {keys(gold, found[title]):.2f}")
    cold, warm = retrain_time(config, train)
    print(f"retrain on 500 sentences (one core): {cold:.2f} s with spaCy analysis, "
          f"{warm:.2f} s with the sentences analysed before")
    return 0


if __name__ == "__main__":
    sys.exit(main())
