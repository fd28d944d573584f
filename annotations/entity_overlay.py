"""The entity rules of a database laid over an article as it is read (``Store.load_article``).

Kept apart from ``entity_apply`` (which knows nothing of files) so the store needs one
call: the rules file is parsed once per version and its compiled pattern reused.
"""

from __future__ import annotations

from pathlib import Path

from annotations.entity_apply import RuleSet, corrected
from annotations.entity_rule import Rule
from annotations.entity_rules import load_rules
from annotations.model import Article

_sets: dict[Path, tuple[tuple[Rule, ...], RuleSet]] = {}


def rule_set(root: Path) -> RuleSet:
    """The database's rules, compiled once per version of the rules file."""
    rules = load_rules(root)
    cached = _sets.get(root)
    if cached is not None and cached[0] is rules:
        return cached[1]
    compiled = RuleSet(rules)
    _sets[root] = (rules, compiled)
    return compiled


def corrected_article(root: Path, article: Article) -> Article:
    return corrected(article, rule_set(root))
