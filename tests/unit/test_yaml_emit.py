"""newstag's YAML writer must load back exactly, whatever the strings hold."""

from __future__ import annotations

import math
import random
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.yamlio import FlowList, FlowMap, dump_yaml, load_yaml

TRICKY = [
    "", " ", "yes", "No", "null", "~", "true", "1", "1.5", "2026-01-01", "0x1F", "-", "- x",
    "a: b", "a #b", "#x", "[/]", "[@click=app.quit]x[/]", "{a}", "'q'", '"dq"', "x\\y",
    "line1\nline2", "\nstarts", "ends\n", "ends\n\n\n", "  leading", "trailing  ", "tab\there",
    "esc \x1b[31m", "bel \x07 nul \x00", "del \x7f", "nel \x85", "ls \u2028 ps \u2029",
    "bom \ufeff", "cr \r\n", "🇮🇳 India 👩‍👩‍👧", "café e\u0301", "رئيس الوزراء", "y", "n",
    "x" * 300, "word " * 60, "a  b " * 40, " " + "z" * 100, "    \n\n1%x", "%yaml", "@at",
    "`tick", "!tag", "&anchor", "*alias", "|pipe", ">gt", "?q", ": colon", "é" * 120,
]


@pytest.mark.parametrize("text", TRICKY)
def test_every_tricky_string_round_trips(text):
    data = {"k": text, "list": [text, {"inner": text}], "flow": FlowList([text, "b"]),
            "map": FlowMap(text=text, start=0), "n": None, "i": 3, "b": False}
    assert load_yaml(dump_yaml(data)) == data


def test_random_documents_round_trip():
    alphabet = list("abc xyz ABC  -:#'\"{}[],&*!|>%@`\\?\n\t\r") + [
        "é", "🇮🇳", "\u2028", "\x85", "\x1b", "\x00", "\x7f", "\ufeff", "ع", "yes", "1"]
    rng = random.Random(7)

    def text():
        return "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 3, 20, 120])))

    for _ in range(3000):
        data = {"a": text(), "b": [text(), {"c": text(), "d": FlowList([text()])}],
                "e": [], "f": {}, "g": [[text()]]}
        assert yaml.safe_load(dump_yaml(data)) == data


def test_readable_style():
    data = {"text": "A long sentence about tariffs on steel and aluminium imports that "
                    "goes on for quite a while, well past eighty characters.",
            "note": 'He said "no" [sic]\nand left.', "labels": FlowList(["trade", "defence"]),
            "entities": [FlowMap(text="Paris", label="GPE", start=0, end=5)]}
    ours = dump_yaml(data)
    assert load_yaml(ours) == data
    assert "text: >-\n  A long sentence" in ours
    assert "note: |-\n  He said" in ours
    assert "labels: [trade, defence]" in ours
    assert "- {text: Paris, label: GPE, start: 0, end: 5}" in ours
    assert all(len(line) <= 88 for line in ours.splitlines())


# -- property test: every document loads back with BOTH PyYAML loaders ---------------------
# newstag reads with libyaml's CSafeLoader; anyone else may use the pure SafeLoader.
# They disagree on details (libyaml refuses a tab where a block scalar's indentation
# must be guessed, and refuses escaped surrogates), so each document goes through both.

_SURROGATES = re.compile("[\ud800-\udfff]")
_C0_C1 = [chr(c) for c in [*range(0x20), 0x7f, *range(0x80, 0xa0)]]
_HOSTILE_CHARS = [
    *_C0_C1, " ", "\t", "\u2028", "\u2029", "\u0085", "\ufeff", "\ufffe", "\uffff", "\ufffd",
    "\ud800", "\udbff", "\udc00", "\udfff", "😀", "🇮🇳", "\U0010fffd", "\U00020000",
    "'", '"', "#", ":", "-", "?", "|", ">", "!", "&", "*", "%", "@", "`", "{", "}", "[", "]",
    ",", "\\", "é", "ع", "a", "b", "Z", "0", "1", ".",
]
_HOSTILE_WORDS = [
    "- ", "---", "...", "# ", ": ", "yes", "No", "on", "OFF", "y", "n", "true", "null", "~",
    "0o7", "0x1F", "1e3", "1_000", "+1", "-1.5", ".inf", "-.Inf", ".nan", "12:30", "2026-01-01",
    "<<", "=", "  ", "\n", "\n\n", "\r\n", " \t", "\t ", "word ", "x" * 90, "word " * 30,
]


def _hostile_text():
    piece = st.one_of(st.sampled_from(_HOSTILE_CHARS), st.sampled_from(_HOSTILE_WORDS),
                      st.characters())
    return st.one_of(
        st.lists(piece, max_size=30).map("".join),
        st.sampled_from(_HOSTILE_WORDS),
        st.text(max_size=200),
    )


def _scalars():
    return st.one_of(_hostile_text(), st.none(), st.booleans(), st.integers(),
                     st.floats(allow_nan=False), st.just(float("inf")), st.just(float("-inf")))


def _documents():
    leaves = _scalars()
    flow = st.one_of(st.lists(st.one_of(_hostile_text(), st.integers()), max_size=4).map(FlowList),
                     st.dictionaries(_hostile_text(), st.one_of(_hostile_text(), st.integers()),
                                     max_size=4).map(FlowMap))
    values = st.recursive(
        st.one_of(leaves, flow),
        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                st.dictionaries(_hostile_text(), inner, max_size=4)),
        max_leaves=12,
    )
    return st.dictionaries(_hostile_text(), values, min_size=1, max_size=5)


def _as_written(value):
    """What a document must load back as: lone surrogates become U+FFFD (see yaml_emit)."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_as_written(k): _as_written(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_written(v) for v in value]
    return value


def _load_both(text: str):
    pure = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - safe loaders
    fast = yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506
    return pure, fast


@settings(max_examples=400, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_documents())
def test_property_every_document_loads_back_with_both_loaders(data):
    text = dump_yaml(data)
    text.encode("utf-8")  # the export is written as UTF-8: nothing unencodable
    pure, fast = _load_both(text)
    expected = _as_written(data)
    assert pure == expected
    assert fast == expected


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_hostile_text())
def test_property_hostile_string_in_every_position(value):
    data = {"k": value, "l": [value, {value: value}], "f": FlowList([value]),
            "m": FlowMap(t=value)}
    pure, fast = _load_both(dump_yaml(data))
    assert pure == fast == _as_written(data)


@pytest.mark.parametrize("text", [
    "\tfirst line starts with a tab\nsecond", "\t\nthen text", "\t x\ny", "a\ufffeb", "a\uffffb",
    "x\ud800y", "\udfff", "long " * 30 + "\ud800", "first\n\ud800\n",
    "😀 \t" + "x" * 90, "word " * 20 + "\tword", "\t word" * 30 + " 😀",
])
def test_cases_csafeloader_used_to_refuse(text):
    """Each of these was written so that libyaml (newstag's own loader) failed, the text
    changed, or the output was not UTF-8: a tab opening a block scalar or a folded line,
    U+FFFE/U+FFFF raw, lone surrogates."""
    data = {"k": text, "l": [text]}
    out = dump_yaml(data)
    out.encode("utf-8")
    pure, fast = _load_both(out)
    assert pure == fast == _as_written(data)


@pytest.mark.parametrize("value", [1e20, 1e-05, -2.5e300, float("inf"), float("-inf"), 0.1, -0.0,
                                   10**40, -7])
def test_numbers_load_back_as_numbers(value):
    pure, fast = _load_both(dump_yaml({"n": value, "l": FlowList([value])}))
    assert pure["n"] == fast["n"] == value and type(fast["n"]) is type(value)
    assert fast["l"] == [value]


def test_nan_loads_back_as_nan():
    pure, fast = _load_both(dump_yaml({"n": float("nan")}))
    assert math.isnan(pure["n"]) and math.isnan(fast["n"])
