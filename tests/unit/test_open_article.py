"""Store.open_article (annotations/article_start.py): the start of an article for the
reader's first screen, and finish(), which gives exactly what load_article gives: the
same article, or the same refusal of a damaged file."""

from __future__ import annotations

import json

import pytest

from annotations.errors import UserError
from annotations.model import Article, Entity, Sentence
from annotations.store import Store
from annotations.text import content_id

N = 1200


def _saved(db) -> Article:
    parts, sentences, entities, offset = [], [], [], 0
    for n in range(N):
        text = f"Minister {n} met the envoy of Chile in Lima on day {n % 28 + 1}."
        parts.append(text + " ")
        sentences.append(Sentence(n, offset, offset + len(text), False))
        for word, label in (("Chile", "GPE"), ("Lima", "GPE"), (f"{n % 28 + 1}", "DATE")):
            at = offset + text.rindex(word)
            entities.append(Entity(at, at + len(word), label))
        offset += len(text) + 1
    text = "".join(parts)
    article = Article(id="envoys", text=text, title="Envoys", sentences=sentences,
                      entities=sorted(entities, key=lambda e: e.start))
    Store.open(db).save_article(article, content_id(text))
    return article


def _edit(db, change) -> None:
    path = Store.open(db)._article_path("envoys")
    tables = json.loads(path.read_text("utf-8"))
    change(tables)
    path.write_text(json.dumps(tables), "utf-8")


def _outcome(call):
    try:
        return call()
    except UserError as exc:
        return f"{type(exc).__name__}: {exc}"


def test_an_article_started_and_finished_is_the_article_load_article_gives(tmp_path):
    db = tmp_path / "db"
    article = _saved(db)
    store = Store.open(db)
    start = store.open_article("envoys")
    assert not start.finished and start.article.entities == []
    assert start.article.sentences == article.sentences
    window = start.entities_within(article.sentences[500].start, article.sentences[510].end)
    assert window == [e for e in article.entities
                      if e.start >= article.sentences[500].start
                      and e.end <= article.sentences[510].end]
    assert start.entity_types() == {"GPE", "DATE"}
    assert start.finish() == store.load_article("envoys") == article
    assert start.finished


def _body(change):
    return lambda tables: change(tables["article"]["1"])


DAMAGE_PAST_THE_START = {
    "entity end past the text": _body(lambda b: b["entities"].__setitem__(-2, 10**7)),
    "entity without a type": _body(lambda b: b["entities"].__setitem__(-1, 9)),
    "entity with a negative type": _body(lambda b: b["entities"].__setitem__(-1, -1)),
    "entity ending before it starts": _body(lambda b: b["entities"].__setitem__(-3, 10**6)),
}


@pytest.mark.parametrize("damage", DAMAGE_PAST_THE_START)
def test_an_entity_damaged_anywhere_is_refused_by_finish_as_load_article_refuses_it(
        tmp_path, damage):
    db = tmp_path / "db"
    _saved(db)
    _edit(db, DAMAGE_PAST_THE_START[damage])
    store = Store.open(db)
    start = store.open_article("envoys")
    assert not start.finished  # its sentences are good: it starts
    refused = _outcome(start.finish)
    assert isinstance(refused, str) and "not a newstag article" in refused
    assert refused == _outcome(lambda: store.load_article("envoys"))


DAMAGE_AT_THE_START = {
    "sentence past the text": _body(lambda b: b["sentences"].__setitem__(-2, 10**7)),
    "heading flag 2": _body(lambda b: b["sentences"].__setitem__(-1, 2)),
    "a bool as an offset": _body(lambda b: b["entities"].__setitem__(-3, True)),
    "a float as an offset": _body(lambda b: b["entities"].__setitem__(-3, 1.0)),
    "a title that is a number": _body(lambda b: b.__setitem__("title", 5)),
    "another table": lambda tables: tables.__setitem__("extra", {"1": {}}),
    "no article": lambda tables: tables.__setitem__("article", {}),
}


@pytest.mark.parametrize("damage", DAMAGE_AT_THE_START)
def test_what_is_not_the_usual_file_is_read_whole_with_load_article_s_answer(
        tmp_path, damage):
    db = tmp_path / "db"
    _saved(db)
    _edit(db, DAMAGE_AT_THE_START[damage])
    store = Store.open(db)
    expected = _outcome(lambda: store.load_article("envoys"))
    started = _outcome(lambda: store.open_article("envoys").finish())
    assert started == expected


@pytest.mark.parametrize("spaced", [False, True])
def test_the_window_s_entities_are_read_from_the_bytes_around_them(tmp_path, spaced):
    """Found by bisection over the array's bytes: every window gives exactly the
    entities inside it, in the compact file newstag writes and in one re-written with
    spaces (json.dumps)."""
    db = tmp_path / "db"
    article = _saved(db)
    if spaced:
        _edit(db, lambda tables: None)
    start = Store.open(db).open_article("envoys")
    sentences = article.sentences
    for first, last in [(0, 0), (0, 40), (17, 18), (600, 650), (1100, N - 1), (N - 1, N - 1)]:
        a, b = sentences[first].start, sentences[last].end
        assert start.entities_within(a, b) == [
            e for e in article.entities if e.start >= a and e.end <= b], (first, last)


def test_entities_out_of_order_show_none_outside_the_window_and_are_read_whole(tmp_path):
    """A file whose entities are not in text order (not one newstag writes) may show
    fewer in the first window, never one outside it; finish reads them all."""
    db = tmp_path / "db"
    article = _saved(db)

    def reverse(tables):
        flat = tables["article"]["1"]["entities"]
        triples = [flat[i:i + 3] for i in range(0, len(flat), 3)][::-1]
        tables["article"]["1"]["entities"] = [n for t in triples for n in t]

    _edit(db, reverse)
    start = Store.open(db).open_article("envoys")
    a, b = article.sentences[300].start, article.sentences[320].end
    assert all(a <= e.start <= e.end <= b for e in start.entities_within(a, b))
    assert sorted(start.finish().entities, key=lambda e: e.start) == article.entities
