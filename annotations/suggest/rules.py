"""Cold-start rules: a label's seed patterns and description words, matched on lemmas.

``patterns: ["tariff*", "export control*"]`` in config.yaml: each word matches a token
whose lemma (or its form as written) is that word; a trailing ``*`` matches any ending,
so "tariffs" and "tariffed" match ``tariff*``. The content words of the label's
description count too, for less. Before anything is tagged these hits are the
suggestions; afterwards they are features the learned model weighs.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from annotations.config import Config

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher
    from spacy.tokens import Doc

# (label, patterns, description) per configured label; hashable, so analysers can be shared.
Seeds = tuple[tuple[str, tuple[str, ...], str], ...]
DESCRIPTION = "#"  # suffix of a label's description-word hits in ``Analysed.hits``
# What one hit is worth before any tag exists: one seed pattern reaches the 0.5
# threshold on its own, a description word needs a second hit. Chosen on the train
# split of the evaluation set (benchmarks/bench_suggest.py).
PATTERN_WEIGHT = 0.5
DESCRIPTION_WEIGHT = 0.3


def seeds_of(config: Config) -> Seeds:
    return tuple((label.name, label.patterns, label.description) for label in config.labels)


def _token(word: str, attr: str) -> dict:
    if word.endswith("*"):
        return {attr: {"REGEX": f"(?i)^{re.escape(word[:-1])}"}}
    return {attr: {"REGEX": f"(?i)^{re.escape(word)}$"}}


def build_matcher(nlp: Language, seeds: Seeds) -> Matcher:
    from spacy.matcher import Matcher

    matcher = Matcher(nlp.vocab)
    for name, patterns, description in seeds:
        rules = [[_token(word, attr) for word in pattern.split()]
                 for pattern in patterns for attr in ("LEMMA", "LOWER")]
        if rules:
            matcher.add(name, rules)
        words = sorted({t.lemma_.lower() for t in nlp(description)
                        if t.is_alpha and not t.is_stop and len(t) > 2})
        if words:
            matcher.add(name + DESCRIPTION, [[{"LEMMA": {"IN": words}}],
                                             [{"LOWER": {"IN": words}}]])
    return matcher


def count_hits(matcher: Matcher, doc: Doc) -> dict[str, int]:
    """Distinct tokens where each rule set matched (a lemma and a form match count once)."""
    starts: dict[str, set[int]] = {}
    if not len(matcher):  # no patterns, no description: nothing to match (and no warning)
        return {}
    for match_id, start, _end in matcher(doc):
        starts.setdefault(doc.vocab.strings[match_id], set()).add(start)
    return {key: len(found) for key, found in starts.items()}


def rule_scores(config: Config, hits: dict[str, int]) -> dict[str, float]:
    """A score per label from its hits: 1 - (1-a)^patterns * (1-b)^description words."""
    scores = {}
    for name in config.label_names:
        miss = (math.pow(1 - PATTERN_WEIGHT, hits.get(name, 0))
                * math.pow(1 - DESCRIPTION_WEIGHT, hits.get(name + DESCRIPTION, 0)))
        scores[name] = round(1.0 - miss, 4)
    return scores
