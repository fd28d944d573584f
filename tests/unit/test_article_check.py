"""The fast whole-article check (annotations/article_check.py) refuses exactly what
shapes.article_problem refuses, with the same message, on real article files."""

from __future__ import annotations

import json

import pytest

from annotations.article_check import article_file_problem
from annotations.atomic_io import CorruptFile
from annotations.model import Article, Entity, Sentence
from annotations.shapes import article_problem
from annotations.store import Store

TEXT = "Harbour Fees Rise\n\nThe port of Gdansk raised fees. Traders in Riga objected.\n"


def _article() -> Article:
    first = TEXT.index("The")
    second = TEXT.index("Traders")
    return Article(
        id="fees-1", text=TEXT, title="Harbour Fees Rise", source="wire",
        sentences=[Sentence(0, 0, 17, True), Sentence(1, first, second - 1),
                   Sentence(2, second, len(TEXT) - 1)],
        entities=[Entity(TEXT.index("Gdansk"), TEXT.index("Gdansk") + 6, "GPE"),
                  Entity(TEXT.index("Riga"), TEXT.index("Riga") + 4, "GPE")])


def _body_of(path) -> dict:
    return json.loads(path.read_text("utf-8"))["article"]["1"]


BREAKAGES = {
    "a bool as a heading flag": lambda b: b["sentences"].__setitem__(2, True),
    "a float as an offset": lambda b: b["sentences"].__setitem__(3, 18.0),
    "a heading flag of 2": lambda b: b["sentences"].__setitem__(5, 2),
    "a sentence past the text": lambda b: b["sentences"].__setitem__(7, 10_000),
    "a sentence ending before it starts": lambda b: b["sentences"].__setitem__(4, 0),
    "a negative start": lambda b: b["sentences"].__setitem__(0, -1),
    "sentences not in threes": lambda b: b["sentences"].pop(),
    "an entity label past the list": lambda b: b["entities"].__setitem__(2, 5),
    "a negative entity label": lambda b: b["entities"].__setitem__(5, -1),
    "an entity past the text": lambda b: b["entities"].__setitem__(4, 10_000),
    "entity labels not strings": lambda b: b.__setitem__("entity_labels", [1]),
    "no text": lambda b: b.pop("text"),
    "a title that is a number": lambda b: b.__setitem__("title", 7),
    "a number past 64 bits": lambda b: b["entities"].__setitem__(1, 2**70),
    "sentences as a string": lambda b: b.__setitem__("sentences", "0 17 1"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_damaged_article_file_is_refused_with_the_full_check_message(tmp_path, breakage):
    store = Store.open(tmp_path / "db")
    store.save_article(_article(), "c1")
    path = store._article_path("fees-1")
    body = _body_of(path)
    BREAKAGES[breakage](body)
    tables = {"article": {"1": body}}
    expected = article_problem(tables)
    assert expected, f"{breakage}: the full check accepts it, the case tests nothing"
    assert article_file_problem(tables) == expected
    path.write_text(json.dumps(tables), "utf-8")
    with pytest.raises(CorruptFile) as raised:
        Store.open(tmp_path / "db").load_article("fees-1")
    assert expected in str(raised.value) and str(path) in str(raised.value)


def test_a_good_article_file_passes_and_loads_as_written(tmp_path):
    store = Store.open(tmp_path / "db")
    store.save_article(_article(), "c1")
    tables = {"article": {"1": _body_of(store._article_path("fees-1"))}}
    assert article_file_problem(tables) == "" == article_problem(tables)
    loaded = Store.open(tmp_path / "db").load_article("fees-1")
    assert (loaded.text, loaded.sentences, loaded.entities) == \
        (TEXT, _article().sentences, _article().entities)


def test_an_article_without_entities_or_sentences_passes(tmp_path):
    tables = {"article": {"1": {"text": "", "sentences": [], "entities": [],
                                "entity_labels": []}}}
    assert article_file_problem(tables) == "" == article_problem(tables)
