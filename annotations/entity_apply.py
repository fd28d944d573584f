"""Laying entity rules over an article's model entities, without running spaCy.

How a rule finds its mentions (documented in the README, "Correcting entities"):

- *Exact text, exact case.* "Trump" matches "Trump", not "TRUMP" or "trump": case often
  tells a name from a word ("Apple", "apple"); a rule per spelling is cheap.
- *Whole tokens.* A mention is an occurrence with no letter, digit or underscore right
  before or after it, the boundary spaCy's English tokenizer draws around words: "Trump"
  is found in "Trump’s" and "Trump-backed", never in "Trumpet". Found by one regular
  expression over the stored text, so stored articles are corrected without spaCy.
- *Inside one sentence.* A match that crosses a sentence boundary is not a mention.
- *Longest first.* Where two rule texts overlap ("Eurasia Group", "Group"), the longer
  one wins at that place.
- *Possessive.* The "’s" / "'s" (or lone apostrophe) after a mention is never part of
  it: "Narendra Modi’s" is a mention of "Narendra Modi", and the entity becomes
  "Narendra Modi".
- *Most specific scope wins*: a rule for this sentence, else for this article, else the
  rule for everywhere.

What a rule does at a mention: TYPE replaces every model entity overlapping the mention
(so "Narendra Modi’s" PERSON becomes "Narendra Modi" PERSON), except a longer one that
contains it ("Trump Tower" stays when the rule is about "Trump"); "not an entity" removes
the model entities inside the mention (possessive included).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from annotations.entity_rule import Rule
from annotations.model import Article, Entity, Sentence

POSSESSIVES = ("’s", "'s", "’S", "'S", "’", "'")


@dataclass(slots=True)
class Applied:
    """An article's entities after the rules, and what the rules changed."""

    entities: list[Entity]
    changed: Counter = field(default_factory=Counter)  # rule text -> mentions changed
    by_rule: set[tuple[int, int]] = field(default_factory=set)  # spans a rule set


class RuleSet:
    """Rules ready to apply: by text and scope, with one compiled pattern."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self.by_text: dict[str, dict[tuple[str | None, int | None], Rule]] = {}
        self.articles: set[str] = set()
        has_global = False
        for rule in rules:
            self.by_text.setdefault(rule.text, {})[(rule.article, rule.index)] = rule
            if rule.article is None:
                has_global = True
            else:
                self.articles.add(rule.article)
        self.has_global = has_global
        texts = sorted(self.by_text, key=lambda t: (-len(t), t))
        self.pattern = (re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, texts)) + r")(?!\w)")
                        if texts else None)

    def touches(self, article_id: str) -> bool:
        return self.pattern is not None and (self.has_global or article_id in self.articles)

    def rule_at(self, text: str, article_id: str, index: int) -> Rule | None:
        scopes = self.by_text.get(text)
        if not scopes:
            return None
        return (scopes.get((article_id, index)) or scopes.get((article_id, None))
                or scopes.get((None, None)))

    def mentions(self, article: Article,
                 only: str | None = None) -> list[tuple[int, int, Sentence]]:
        """(start, end, sentence) of every token-aligned occurrence of a rule text."""
        if self.pattern is None:
            return []
        text = article.text
        sentences = article.sentences
        starts = [s.start for s in sentences]
        found = []
        for match in self.pattern.finditer(text):
            if only is not None and match.group() != only:
                continue
            start, end = match.span()
            i = bisect.bisect_right(starts, start) - 1
            if i < 0 or end > sentences[i].end:
                continue
            found.append((start, end, sentences[i]))
        return found


def _possessive_end(text: str, end: int) -> int:
    for tail in POSSESSIVES:
        if text.startswith(tail, end) and (end + len(tail) == len(text)
                                          or not text[end + len(tail)].isalnum()):
            return end + len(tail)
    return end


def apply_rules(article: Article, rules: RuleSet) -> Applied:
    """``article``'s entities with ``rules`` laid over them (the article is not changed)."""
    if not rules.touches(article.id):
        return Applied(list(article.entities))
    text = article.text
    entities = sorted(article.entities, key=lambda e: (e.start, e.end))
    starts = [e.start for e in entities]
    removed: set[int] = set()
    added: list[Entity] = []
    applied = Applied([])
    for start, end, sentence in rules.mentions(article):
        mention = text[start:end]
        rule = rules.rule_at(mention, article.id, sentence.index)
        if rule is None:
            continue
        outer = _possessive_end(text, end)
        # Model entities that overlap the mention: they start before its end (with the
        # possessive) and end after its start.
        # The model's entities do not overlap each other, so ends are in order too.
        near = []
        i = bisect.bisect_left(starts, outer) - 1
        while i >= 0 and entities[i].end > start:
            if i not in removed:
                near.append(i)
            i -= 1
        if rule.label is None:
            inside = [i for i in near if entities[i].start >= start and entities[i].end <= outer]
            if inside:
                removed.update(inside)
                applied.changed[mention] += 1
            continue
        if any(entities[i].start <= start and entities[i].end >= end
               and (entities[i].start < start or entities[i].end > outer) for i in near):
            continue  # a longer entity of the model holds this mention
        new = Entity(start, end, rule.label)
        if not (len(near) == 1 and entities[near[0]] == new):
            applied.changed[mention] += 1
        removed.update(near)
        added.append(new)
        applied.by_rule.add((start, end))
    kept = [e for i, e in enumerate(entities) if i not in removed]
    applied.entities = sorted(kept + added, key=lambda e: (e.start, e.end))
    return applied


def corrected(article: Article, rules: RuleSet) -> Article:
    """A copy of ``article`` with the rules applied (the same object when none touch it)."""
    if not rules.touches(article.id):
        return article
    return replace(article, entities=apply_rules(article, rules).entities)
