"""The index is decoded straight to rows (msgspec) when it is as newstag writes it; any
other index takes the row-by-row path, so rows and error messages are what they were."""

from __future__ import annotations

import json

import pytest

from annotations.atomic_io import CorruptFile, read_json_tables
from annotations.index_file import decode_index as _decode_index
from annotations.index_file import index_rows as _index_rows
from annotations.model import Article, Sentence
from annotations.store import Store


def _store(tmp_path, n: int = 12) -> Store:
    store = Store.open(tmp_path / "db")
    text = "One sentence here."
    store.save_articles([(Article(id=f"x{i}", text=text, title=f"T{i}", source="s",
                                  sentences=[Sentence(0, 0, len(text))]), f"x{i}")
                         for i in range(n)])
    return store


def _rewrite(store: Store, change) -> None:
    tables = json.loads(store.index_path.read_bytes())
    change(tables)
    store.index_path.write_text(json.dumps(tables), "utf-8")


def _general(store: Store) -> dict:
    return _index_rows(store.index_path, read_json_tables(store.index_path) or {})


def test_a_written_index_is_decoded_directly_and_equals_the_general_path(tmp_path):
    store = _store(tmp_path)
    decoded = _decode_index(store.index_path)
    assert decoded is not None
    assert decoded[1] == _general(store)
    assert [s.id for s in store.summaries()] == [f"x{i}" for i in range(12)]


def test_document_order_is_numeric_not_textual(tmp_path):
    store = _store(tmp_path)
    # "10" and "11" written before "2": the general path orders by int(doc id).
    _rewrite(store, lambda t: t.__setitem__("articles", dict(sorted(t["articles"].items()))))
    assert list(json.loads(store.index_path.read_bytes())["articles"])[:3] == ["1", "10", "11"]
    assert _decode_index(store.index_path) is not None
    fresh = Store.open(store.root, create=False)
    assert [s.id for s in fresh.summaries()] == [f"x{i}" for i in range(12)]
    assert list(fresh._index()) == list(_general(store))


@pytest.mark.parametrize("change", [
    lambda t: t["articles"]["3"].__setitem__("sentences", True),    # a bool is not a count
    lambda t: t["articles"]["3"].__setitem__("headings", -1),
    lambda t: t["articles"]["3"].__setitem__("extra", "field"),
    lambda t: t["articles"]["3"].pop("title"),
    lambda t: t["articles"]["3"].__setitem__("sentences", 1.0),
    lambda t: t["articles"].__setitem__("x", t["articles"]["3"]),  # not a document id
])
def test_a_wrong_row_gets_the_message_it_always_got(tmp_path, change):
    store = _store(tmp_path)
    _rewrite(store, change)
    assert _decode_index(store.index_path) is None
    with pytest.raises(CorruptFile) as general:
        _general(store)
    with pytest.raises(CorruptFile) as listed:
        Store.open(store.root, create=False).summaries()
    assert str(listed.value) == str(general.value)
    assert "not a newstag index" in str(listed.value)


def test_an_index_with_another_table_is_read_by_the_general_path(tmp_path):
    store = _store(tmp_path)
    _rewrite(store, lambda t: t.__setitem__("_default", {}))
    assert _decode_index(store.index_path) is None
    assert [s.id for s in Store.open(store.root, create=False).summaries()] == \
        [f"x{i}" for i in range(12)]


def test_opening_decodes_no_row_and_the_first_read_of_rows_reports_a_wrong_one(tmp_path):
    """Opening checks the schema from the meta table alone (every row was ~10 ms of each
    command at 20,000 articles); a wrong row is reported where rows are first read."""
    store = _store(tmp_path)
    _rewrite(store, lambda t: t["articles"]["7"].__setitem__("sentences", "many"))
    opened = Store.open(store.root, create=False)
    assert opened._tables_cache is None and opened._index_cache is None  # no row decoded
    with pytest.raises(CorruptFile) as listed:
        opened.summaries()
    assert "not a newstag index" in str(listed.value)


@pytest.mark.parametrize("damage", [
    lambda data: data[:-40],                                   # truncated
    lambda data: data.replace(b'"articles"', b'"articles":[],"x"', 1),  # not TinyDB tables
    lambda data: data.replace(b'"schema_version":5', b'"schema_version":"5"', 1),
])
def test_a_damaged_index_is_still_refused_at_open(tmp_path, damage):
    store = _store(tmp_path)
    store.index_path.write_bytes(damage(store.index_path.read_bytes()))
    with pytest.raises(CorruptFile) as opened:
        Store.open(store.root, create=False)
    assert str(store.index_path) in str(opened.value)
