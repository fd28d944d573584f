"""The suggestion seam: a ``Suggester`` scores sentences per label; ``Suggestion.labels``
is what the reader's Enter would confirm.

The model behind it (cold-start rules, then one learned from reviewed sentences) is
replaceable; callers only use this module's names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from annotations.config import Config

THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Example:
    """A reviewed sentence: its text and the labels a person confirmed (maybe none)."""

    text: str
    labels: frozenset[str]


@dataclass(frozen=True, slots=True)
class Suggestion:
    scores: dict[str, float]
    labels: tuple[str, ...]  # what Enter confirms: configured order

    @property
    def uncertainty(self) -> float:
        """1.0 when some label's score is exactly 0.5, 0.0 when every score is 0 or 1."""
        if not self.scores:
            return 0.0
        return max(1.0 - 2.0 * abs(score - 0.5) for score in self.scores.values())


class Suggester(Protocol):
    trained_on: int  # reviewed sentences it learned from; 0 = cold-start rules

    def suggest(self, texts: Sequence[str]) -> list[Suggestion]: ...


def suggestion(config: Config, scores: dict[str, float]) -> Suggestion:
    return Suggestion(scores, tuple(n for n in config.label_names
                                    if scores.get(n, 0.0) >= THRESHOLD))


_WORD = re.compile(r"[a-z]{4,}")


class KeywordSuggester:
    """Placeholder cold start: a sentence scores for a label when it shares words with
    the label's name or description."""

    trained_on = 0

    def __init__(self, config: Config) -> None:
        self.config = config
        self.words = {label.name: set(_WORD.findall(f"{label.name} {label.description}".lower()))
                      for label in config.labels}

    def suggest(self, texts: Sequence[str]) -> list[Suggestion]:
        out = []
        for text in texts:
            words = set(_WORD.findall(text.lower()))
            out.append(suggestion(self.config, {
                name: min(1.0, 0.3 * len(words & vocab)) for name, vocab in self.words.items()}))
        return out


class RuleSuggester:
    """Cold start: the label's seed patterns and description words, matched on lemmas
    (annotations/suggest/rules.py)."""

    trained_on = 0

    def __init__(self, config: Config) -> None:
        from annotations.suggest.analysis import analyser_for

        self.config = config
        self.analyse = analyser_for(config)

    def suggest(self, texts: Sequence[str]) -> list[Suggestion]:
        from annotations.suggest.rules import rule_scores

        return [suggestion(self.config, rule_scores(self.config, a.hits))
                for a in self.analyse(texts)]


class LearnedSuggester:
    """Learned from reviewed sentences, the rules mixed in while they are few
    (annotations/suggest/learned.py)."""

    def __init__(self, config: Config, examples: Sequence[Example]) -> None:
        from annotations.suggest.analysis import analyser_for
        from annotations.suggest.learned import LearnedModel

        self.config = config
        self.analyse = analyser_for(config)
        self.model = LearnedModel(config, self.analyse([e.text for e in examples]),
                                  [e.labels for e in examples])
        self.trained_on = len(examples)

    def suggest(self, texts: Sequence[str]) -> list[Suggestion]:
        return [suggestion(self.config, scores)
                for scores in self.model.scores(self.analyse(texts))]


# Below this many reviewed sentences the rules alone suggest. Measured on the train split
# of the evaluation set (train on n, score the rest; 5 draws): rules 0.68 micro-F1 at
# every n; learned + rules 0.60 at 10, 0.66 at 25, 0.68 at 30, 0.72 at 40, 0.73 at 75.
MIN_TRAINING = 30


def cold_suggester(config: Config) -> Suggester:
    """Suggestions before anything is tagged; never fails for lack of data."""
    return RuleSuggester(config)


def train_suggester(config: Config, examples: Sequence[Example]) -> Suggester:
    """A suggester that learned from ``examples``; cold start while there are too few."""
    if len(examples) < MIN_TRAINING:
        return cold_suggester(config)
    return LearnedSuggester(config, examples)
