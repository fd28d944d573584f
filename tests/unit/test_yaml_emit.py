"""newstag's YAML writer must load back exactly, whatever the strings hold."""

from __future__ import annotations

import random

import pytest
import yaml

from annotations.yamlio import FlowList, FlowMap, dump_yaml, dump_yaml_pyyaml, load_yaml

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


def test_same_data_as_pyyaml_and_readable_style():
    data = {"text": "A long sentence about tariffs on steel and aluminium imports that "
                    "goes on for quite a while, well past eighty characters.",
            "note": 'He said "no" [sic]\nand left.', "labels": FlowList(["trade", "defence"]),
            "entities": [FlowMap(text="Paris", label="GPE", start=0, end=5)]}
    ours = dump_yaml(data)
    assert load_yaml(ours) == load_yaml(dump_yaml_pyyaml(data)) == data
    assert "text: >-\n  A long sentence" in ours
    assert "note: |-\n  He said" in ours
    assert "labels: [trade, defence]" in ours
    assert "- {text: Paris, label: GPE, start: 0, end: 5}" in ours
    assert all(len(line) <= 88 for line in ours.splitlines())
