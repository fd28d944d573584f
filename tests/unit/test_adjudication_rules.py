"""Adjudication rules (annotations/adjudication.py), each case worked out by hand:
who said what, disputed or agreed, the majority proposal (ties propose nothing), gold."""

from __future__ import annotations

import pytest

from annotations.adjudication import Verdict, adjudicate, majority
from annotations.identity import GOLD
from annotations.layers import Layer
from annotations.model import ReviewState, SentenceAnnotation


def _a(index: int, labels: list[str] | None, who: str = "x", note: str = "") \
        -> SentenceAnnotation:
    """Reviewed with ``labels`` ([] none apply); None: not reviewed (a note only)."""
    state = ReviewState.UNREVIEWED if labels is None else ReviewState.REVIEWED
    return SentenceAnnotation("art", index, f"s{index}", 0, 1, list(labels or []), state,
                              note, who)


def _layer(said: dict[int, list[str] | None]) -> Layer:
    return Layer({i: _a(i, labels, note="n" if labels is None else "")
                  for i, labels in said.items()})


@pytest.mark.parametrize(("reviews", "expected"), [
    ([], None),                                          # nobody reviewed: nothing proposed
    ([("trade",)], ("trade",)),                          # one review: 1 of 1 is a majority
    ([("trade",), ("trade",)], ("trade",)),
    ([("trade",), ("defence",)], None),                  # 1 of 2 each: a tie
    ([("trade",), ()], None),                            # trade 1 of 2: a tie
    ([(), ()], ()),                                      # both none apply: none apply
    ([("trade",), ("trade", "defence"), ("defence",)], ("trade", "defence")),  # 2/3 each
    ([("trade",), ("defence",), ()], ()),                # 1/3 each: most said no to both
    ([("trade",), ("trade",), ("defence",)], ("trade",)),  # trade 2/3, defence 1/3
    ([("a",), ("a",), ("b",), ("b",)], None),            # 2 of 4: a tie
    ([("a",), ("a",), ("a",), ()], ("a",)),              # 3 of 4
    ([("b", "a"), ("a", "b"), ("a",)], ("b", "a")),      # order of first appearance
])
def test_majority_is_more_than_half_and_a_tie_proposes_nothing(reviews, expected):
    assert majority(reviews) == expected


def test_three_annotators_disputes_agreement_and_gold():
    layers = {
        "ben": _layer({1: ["trade"], 2: ["defence"], 3: [], 4: ["trade"], 6: None}),
        "ana": _layer({1: ["trade"], 2: ["trade"], 3: [], 5: ["diplomacy"], 6: ["trade"]}),
        "cleo": _layer({1: ["trade"], 2: ["trade", "defence"], 4: ["defence"]}),
        GOLD: _layer({2: ["defence"], 4: None}),
    }
    adj = adjudicate(layers)
    assert adj.annotators == ["ana", "ben", "cleo"]  # name order, gold left out
    assert adj.verdict(1) == Verdict((("trade",), ("trade",), ("trade",)))
    assert adj.verdict(2).said == (("trade",), ("defence",), ("trade", "defence"))
    assert adj.verdict(3).said == ((), (), None)  # cleo did not review it
    assert adj.verdict(6).said == (("trade",), None, None)  # ben's note only: no review
    assert adj.verdict(7).said == (None, None, None)  # nobody: an empty verdict
    # 1 all trade; 3 both none apply (cleo missing does not dispute); 2 and 4 differ;
    # 5 and 6 have one review each: neither disputed nor agreed
    assert adj.disputed() == {2, 4}
    assert [i for i in range(1, 8) if adj.verdict(i).agreed] == [1, 3]
    # 2: trade 2/3, defence 2/3; 4: trade 1/2, defence 1/2, a tie
    assert adj.verdict(2).proposal == ("trade", "defence")
    assert adj.verdict(4).proposal is None
    assert adj.verdict(5).proposal == ("diplomacy",)
    # gold on 2 is a decision; on 4 only a note (not reviewed): 4 is still open
    assert adj.adjudicated(2) and not adj.adjudicated(4)
    assert adj.open_disputes() == {4}
    assert [adj.mark(i) for i in range(1, 8)] == ["=", "★", "=", "≠", " ", " ", " "]


def test_one_annotator_article_has_nothing_to_adjudicate():
    adj = adjudicate({"ana": _layer({1: ["trade"], 2: []})})
    assert adj.annotators == ["ana"]
    assert adj.disputed() == set() and adj.open_disputes() == set()
    assert not adj.verdict(1).agreed and not adj.verdict(1).disputed
    assert adj.verdict(1).proposal == ("trade",) and adj.verdict(2).proposal == ()
    assert adj.gold == {}


def test_the_same_labels_in_another_order_agree():
    adj = adjudicate({"ana": _layer({1: ["trade", "defence"]}),
                      "ben": _layer({1: ["defence", "trade"]})})
    assert adj.verdict(1).agreed and not adj.disputed()
    assert adj.verdict(1).proposal == ("trade", "defence")
