"""Entity rules laid over stored entities (annotations/entity_apply.py) and their file
(annotations/entity_rules.py): matching, scope, possessives, and hostile files."""

from __future__ import annotations

import json

import pytest

from annotations.atomic_io import CorruptFile
from annotations.entity_apply import RuleSet, apply_rules
from annotations.entity_corrections import add_rule, forget, make_rule
from annotations.entity_rule import Rule
from annotations.entity_rules import load_rules
from annotations.errors import UserError
from annotations.model import Article, Entity, Sentence


def _article(lines: list[str], entities: list[tuple[str, str, int]] = (),
             article_id: str = "a1") -> Article:
    """An article of ``lines``; entities as (text, label, nth occurrence)."""
    text = "\n".join(lines)
    sentences, pos = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, pos, pos + len(line)))
        pos += len(line) + 1
    ents = []
    for piece, label, nth in entities:
        start = -1
        for _ in range(nth + 1):
            start = text.index(piece, start + 1)
        ents.append(Entity(start, start + len(piece), label))
    return Article(article_id, text, "t", sentences=sentences, entities=ents)


def _shown(article: Article, rules: list[Rule]) -> list[tuple[str, str]]:
    applied = apply_rules(article, RuleSet(rules))
    return [(article.text[e.start:e.end], e.label) for e in applied.entities]


def test_whole_tokens_exact_case_and_possessive():
    art = _article(["Trump’s aides met Trumpet players and TRUMP fans; Trump-backed plans."],
                   [("Trump’s", "ORG", 0)])
    assert _shown(art, [Rule("Trump", "PERSON")]) == [("Trump", "PERSON"), ("Trump", "PERSON")]


def test_drop_removes_the_entity_with_its_possessive_but_not_a_longer_one():
    art = _article(["Modi’s plan and Narendra Modi spoke; Modi left."],
                   [("Modi’s", "ORG", 0), ("Narendra Modi", "PERSON", 0), ("Modi", "ORG", 2)])
    assert _shown(art, [Rule("Modi", None)]) == [("Narendra Modi", "PERSON")]


def test_a_longer_model_entity_holding_the_mention_is_kept():
    art = _article(["Trump Tower stands; Trump spoke."], [("Trump Tower", "FAC", 0)])
    assert _shown(art, [Rule("Trump", "PERSON")]) == [("Trump Tower", "FAC"),
                                                      ("Trump", "PERSON")]


def test_longest_rule_text_wins_and_partial_overlaps_are_replaced():
    art = _article(["Analysts at Eurasia Group Ltd said so."], [("Group Ltd", "ORG", 0)])
    rules = [Rule("Group", "ORG"), Rule("Eurasia Group", "ORG")]
    assert _shown(art, rules) == [("Eurasia Group", "ORG")]


def test_a_match_across_a_sentence_boundary_is_no_mention():
    art = _article(["It was Eurasia", "Group said."])
    assert _shown(art, [Rule("Eurasia\nGroup", "ORG")]) == []
    art.sentences = [Sentence(0, 0, 10), Sentence(1, 11, len(art.text))]
    art.text = art.text.replace("\n", " ")
    assert _shown(art, [Rule("Eurasia Group", "ORG")]) == []


def test_most_specific_scope_wins():
    art = _article(["Trump spoke.", "Trump left.", "Trump came back."])
    rules = [Rule("Trump", "PERSON"), Rule("Trump", "ORG", "a1"),
             Rule("Trump", "NORP", "a1", 1), Rule("Trump", "GPE", "other")]
    assert [label for _, label in _shown(art, rules)] == ["ORG", "NORP", "ORG"]
    assert [label for _, label in _shown(art, rules[:1] + rules[2:])] == [
        "PERSON", "NORP", "PERSON"]


def test_changed_counts_only_what_differs_from_the_model():
    art = _article(["Trump spoke.", "Trump left."], [("Trump", "PERSON", 0), ("Trump", "ORG", 1)])
    assert apply_rules(art, RuleSet([Rule("Trump", "PERSON")])).changed["Trump"] == 1


def test_no_rule_for_the_article_returns_its_entities_untouched():
    art = _article(["Trump spoke."], [("Trump", "ORG", 0)])
    assert apply_rules(art, RuleSet([Rule("Trump", "PERSON", "other")])).entities == \
        art.entities


def test_rules_round_trip_through_the_store(store):
    art = _article(["Trump spoke in Vilnius."], [("Trump", "ORG", 0), ("Vilnius", "ORG", 0)])
    store.save_article(art, "c1")
    add_rule(store, make_rule(store, "Trump", "PERSON", []))
    add_rule(store, make_rule(store, "Vilnius", "GPE", [], "a1", 0))
    assert [e.label for e in store.load_article("a1").entities] == ["PERSON", "GPE"]
    assert store.load_article("a1", corrected=False).entities == art.entities
    assert {r.text for r in forget(store, "Trump")} == {"Trump"}
    assert [e.label for e in store.load_article("a1").entities] == ["ORG", "GPE"]
    with pytest.raises(UserError, match="does not occur"):
        add_rule(store, make_rule(store, "Nowhere", "GPE", []))
    add_rule(store, make_rule(store, "Nowhere", "GPE", []), future=True)
    assert {r.text for r in load_rules(store.root)} == {"Vilnius", "Nowhere"}


@pytest.mark.parametrize("content, says", [
    ("[]", "not a newstag/TinyDB table file"),
    ('{"rules": {"1": {"text": "x", "label": "ORG", "extra": 1}}}', "extra"),
    ('{"rules": {"1": {"text": "", "label": "ORG"}}}', "the text is empty"),
    ('{"rules": {"1": {"text": "x", "label": "[b]x[/b]"}}}', "label"),
    ('{"rules": {"1": {"text": "x", "label": "ORG", "index": 2}}}', "needs an article"),
    ('{"rules": {"1": {"text": "x", "label": "ORG", "index": "2", "article": "a"}}}',
     "index"),
])
def test_a_hostile_rules_file_is_refused_with_its_path(store, content, says):
    (store.root / "entity-rules.json").write_text(content, encoding="utf-8")
    with pytest.raises(CorruptFile) as refused:
        load_rules(store.root)
    assert "entity-rules.json" in str(refused.value) and says in str(refused.value)


def test_a_rules_file_that_is_a_link_is_refused(store, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"rules": {}}), encoding="utf-8")
    (store.root / "entity-rules.json").symlink_to(outside)
    with pytest.raises(UserError):
        load_rules(store.root)
