"""The labelled evaluation set for label suggestions (tests/data/suggest): its shape and mix.

Checks what the evaluation relies on: every entry is well formed, the splits are disjoint
and large enough, each label has enough positives, the set has its share of unlabelled,
multi-label, decoy and implied sentences in both splits, and the header's counts table
tells the truth. It does not look at what any sentence says beyond counting.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from annotations.yamlio import load_yaml

DATA = Path(__file__).resolve().parents[1] / "data" / "suggest" / "news_sentences.yaml"
LABELS = ("trade", "defence", "diplomacy")
SPLITS = ("train", "test")
# The header's definition of "implied": none of these cue words for the sentence's labels.
CUES = {
    "trade": r"trade|tariff|dut(y|ies)|export|import|quota|customs|sanction|levy|levies|"
             r"dumping|WTO|free-trade",
    "defence": r"defen[cs]e|military|army|armies|navy|naval|air force|troops|soldier|weapon|"
               r"\barms\b|missile|warship|warplane|tank|fighter jet|artillery|ammunition",
    "diplomacy": r"diplomat|talks|summit|treaty|ambassador|envoy|embass|foreign minist|"
                 r"state visit|negotiat",
}
LABEL_WORD = re.compile(r"trade|defen[cs]|diplomat", re.IGNORECASE)
LABELS_LINE = re.compile(r"^\s+labels: \[[^\]]*\](?:\s+# (decoy|implied))?\s*$")
TABLE_ROW = re.compile(r"^#\s+(train|test|all)((?:\s+\d+){8})\s*$")


@pytest.fixture(scope="module")
def raw() -> str:
    return DATA.read_text("utf-8")


@pytest.fixture(scope="module")
def entries(raw: str) -> list[dict]:
    """The loaded entries, each with its kind ('decoy', 'implied' or '') from the comment."""
    data = load_yaml(raw)
    assert isinstance(data, dict) and list(data) == ["sentences"]
    sentences = data["sentences"]
    kinds = [m.group(1) or "" for line in raw.splitlines() if (m := LABELS_LINE.match(line))]
    assert len(kinds) == len(sentences), "every labels line is '[a, b]' plus an optional kind"
    return [dict(entry, kind=kind) for entry, kind in zip(sentences, kinds, strict=True)]


def _split(entries: list[dict], split: str) -> list[dict]:
    return [e for e in entries if e["split"] == split]


def _counts(rows: list[dict]) -> list[int]:
    per_label = Counter(label for e in rows for label in e["labels"])
    return [len(rows), *(per_label[x] for x in LABELS),
            sum(not e["labels"] for e in rows), sum(len(e["labels"]) > 1 for e in rows),
            sum(e["kind"] == "decoy" for e in rows), sum(e["kind"] == "implied" for e in rows)]


def test_every_entry_is_well_formed(entries):
    for e in entries:
        assert set(e) == {"text", "labels", "split", "kind"}, e
        assert isinstance(e["text"], str) and e["text"] == e["text"].strip(), e
        assert 8 <= len(e["text"].split()) <= 45, e["text"]
        assert isinstance(e["labels"], list) and set(e["labels"]) <= set(LABELS), e
        assert len(set(e["labels"])) == len(e["labels"]), e
        assert e["split"] in SPLITS, e


def test_no_duplicates_and_splits_are_disjoint(entries):
    norm = [" ".join(e["text"].casefold().split()) for e in entries]
    assert [t for t, n in Counter(norm).items() if n > 1] == []
    train = {t for t, e in zip(norm, entries, strict=True) if e["split"] == "train"}
    test = {t for t, e in zip(norm, entries, strict=True) if e["split"] == "test"}
    assert train.isdisjoint(test)


def test_sizes_and_label_minima(entries):
    assert len(entries) >= 460
    assert len(_split(entries, "train")) == 320
    assert len(_split(entries, "test")) >= 140
    per_label = Counter(label for e in entries for label in e["labels"])
    assert all(per_label[x] >= 90 for x in LABELS), per_label
    none = sum(not e["labels"] for e in entries) / len(entries)
    multi = sum(len(e["labels"]) > 1 for e in entries) / len(entries)
    assert 0.25 <= none <= 0.35 and 0.15 <= multi <= 0.20, (none, multi)


def test_decoys_and_implied_labels(entries):
    assert sum(e["kind"] == "decoy" for e in entries) >= 40
    implied = [e for e in entries if e["kind"] == "implied"]
    assert len(implied) >= 60
    for e in implied:
        assert e["labels"], e
        assert not any(re.search(CUES[x], e["text"], re.IGNORECASE) for x in e["labels"]), e
    positives = [e for e in entries if e["labels"]]
    # Most positives must be recognisable without the label's own word.
    assert sum(bool(LABEL_WORD.search(e["text"])) for e in positives) <= 0.2 * len(positives)


def test_splits_have_the_same_mix(entries):
    train, test = _split(entries, "train"), _split(entries, "test")
    for rows in (train, test):
        assert sum(e["kind"] == "decoy" for e in rows) >= 10
        assert sum(e["kind"] == "implied" for e in rows) >= 15
    # Every label combination and kind with a few members appears in both splits, in
    # roughly the overall proportion.
    groups = Counter((tuple(e["labels"]), e["kind"]) for e in entries)
    in_test = Counter((tuple(e["labels"]), e["kind"]) for e in test)
    share = len(test) / len(entries)
    for group, n in groups.items():
        if n >= 4:
            assert 0 < in_test[group] < n, group
            assert abs(in_test[group] / n - share) <= 0.15, (group, in_test[group], n)


def test_header_counts_table_matches(raw, entries):
    table = {m.group(1): [int(x) for x in m.group(2).split()]
             for line in raw.splitlines() if (m := TABLE_ROW.match(line))}
    assert table == {"train": _counts(_split(entries, "train")),
                     "test": _counts(_split(entries, "test")), "all": _counts(entries)}
