from __future__ import annotations

import json
import os

import pytest

from annotations.errors import DatabaseError
from annotations.model import Article, Entity, ReviewState, Sentence, SentenceAnnotation
from annotations.store import SCHEMA_VERSION, Store


def _article(article_id="a1", text="Paris met Rome.\nBerlin waited.") -> Article:
    return Article(
        id=article_id, text=text, title="T", source="s.txt",
        sentences=[Sentence(0, 0, 15), Sentence(1, 16, 30)],
        entities=[Entity(0, 5, "GPE"), Entity(10, 14, "GPE")],
    )


def _annotation(index=0, labels=("trade",), state=ReviewState.REVIEWED, note="", aid="a1"):
    return SentenceAnnotation(aid, index, "Paris met Rome.", 0, 15, list(labels), state, note,
                              "me", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z")


def test_article_round_trip_through_files(store):
    store.save_article(_article(), "cid")
    reopened = Store.open(store.root, create=False)
    article = reopened.load_article("a1")
    assert article.text == _article().text
    assert article.sentences == _article().sentences
    assert article.entities == _article().entities
    [summary] = reopened.summaries()
    assert (summary.id, summary.sentences, summary.content_id) == ("a1", 2, "cid")


def test_annotations_are_upserted_and_empty_ones_removed(store):
    store.save_article(_article(), "cid")
    store.put_annotation(_annotation(labels=["trade", "defence"]))
    assert store.annotations("a1")[0].labels == ["trade", "defence"]
    store.put_annotation(_annotation(labels=[], state=ReviewState.REVIEWED))
    assert store.annotations("a1")[0].state is ReviewState.REVIEWED
    store.put_annotation(_annotation(labels=[], state=ReviewState.UNREVIEWED, note="keep me"))
    assert store.annotations("a1")[0].note == "keep me"
    store.put_annotation(_annotation(labels=[], state=ReviewState.UNREVIEWED))
    assert store.annotations("a1") == {}


def test_writes_are_atomic_renames_and_leave_no_temp_files(store):
    store.save_article(_article(), "cid")
    path = store.root / "annotations" / "a1.json"
    store.put_annotation(_annotation())
    inode = path.stat().st_ino
    store.put_annotation(_annotation(labels=["defence"]))
    assert path.stat().st_ino != inode  # replaced, not rewritten in place
    assert not list(store.root.rglob("*.tmp"))
    assert json.loads(path.read_text())["sentences"]["1"]["labels"] == ["defence"]


def test_orphan_temp_files_are_removed_on_open(store):
    leftover = store.root / "annotations" / ".a1.json.123.abcd.tmp"
    leftover.write_text("{half")
    Store.open(store.root)
    assert not leftover.exists()


def test_resolve_by_id_and_prefix(store):
    store.save_article(_article("abc123"), "c1")
    store.save_article(_article("abd456"), "c2")
    assert store.resolve("abc").id == "abc123"
    assert store.resolve("abd456").id == "abd456"
    with pytest.raises(Exception, match="ambiguous"):
        store.resolve("ab")
    with pytest.raises(Exception, match="no article 'zz'"):
        store.resolve("zz")


def test_unsafe_ids_get_safe_file_names(store):
    store.save_article(_article("../../etc/passwd"), "c")
    assert store.load_article("../../etc/passwd").id == "../../etc/passwd"
    assert all(p.parent.parent == store.root for p in store.root.glob("*/*.json"))


@pytest.mark.parametrize("content", [b'{"articles": {"1": {"id": ', b"\x00\xff garbage \x13",
                                     b"[1, 2, 3]", b'{"articles": [1]}'])
def test_corrupt_index_is_reported_and_left_untouched(tmp_path, content):
    root = tmp_path / "db"
    Store.open(root)
    index = root / "newstag.json"
    index.write_bytes(content)
    with pytest.raises(DatabaseError, match=str(index)):
        Store.open(root)
    with pytest.raises(DatabaseError):
        Store.open(root, create=False).summaries()
    assert index.read_bytes() == content


def test_corrupt_annotation_file_is_not_overwritten(store):
    store.save_article(_article(), "cid")
    path = store.root / "annotations" / "a1.json"
    path.write_bytes(b'{"sentences": {"1": {"labels"')
    with pytest.raises(DatabaseError, match="truncated JSON"):
        store.put_annotation(_annotation())
    assert path.read_bytes() == b'{"sentences": {"1": {"labels"'


def test_newer_schema_is_refused(tmp_path):
    root = tmp_path / "db"
    Store.open(root)
    index = root / "newstag.json"
    data = json.loads(index.read_text())
    data["meta"]["1"]["schema_version"] = SCHEMA_VERSION + 1
    index.write_text(json.dumps(data))
    with pytest.raises(DatabaseError, match="newer newstag"):
        Store.open(root)


def test_a_file_or_foreign_folder_is_not_taken_as_a_database(tmp_path):
    (tmp_path / "file.db").write_text("x")
    with pytest.raises(DatabaseError, match="is a file"):
        Store.open(tmp_path / "file.db")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "thesis.tex").write_text("x")
    with pytest.raises(DatabaseError, match="not a newstag database"):
        Store.open(tmp_path / "other")
    assert os.listdir(tmp_path / "other") == ["thesis.tex"]


def test_a_folder_another_newstag_is_creating_is_a_database_not_a_foreign_folder(tmp_path):
    """Two newstag started at once on a new folder: the second saw the first's empty
    articles/ and annotations/ before its index and refused the folder as foreign."""
    being_made = tmp_path / "new"
    (being_made / "articles").mkdir(parents=True)
    (being_made / "annotations").mkdir()
    Store.open(being_made)  # refused before
    assert (being_made / "newstag.json").exists()
    # The skeleton with anything in it is not one being made.
    foreign = tmp_path / "foreign"
    (foreign / "articles").mkdir(parents=True)
    (foreign / "articles" / "draft.txt").write_text("x")
    with pytest.raises(DatabaseError, match="not a newstag database"):
        Store.open(foreign)
    assert not (foreign / "newstag.json").exists()


def test_two_processes_creating_one_database_at_once_both_open_it(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from annotations.store import Store; "
            "[Store.open(sys.argv[1] + f'/db{i}') for i in range(40)]")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)],
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [run.communicate()[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert all((tmp_path / f"db{i}" / "newstag.json").exists() for i in range(40))


def test_entities_by_sentence_matches_the_simple_scan():
    article = Article(
        id="x", text="Paris met Rome.\nBerlin waited in Bonn.", title="T",
        sentences=[Sentence(0, 0, 15), Sentence(1, 16, 38)],
        entities=[Entity(26, 35, "ORG"), Entity(0, 5, "GPE"), Entity(10, 14, "GPE"),
                  Entity(16, 22, "GPE"), Entity(12, 20, "BAD")],
    )
    grouped = article.entities_by_sentence()
    for sentence in article.sentences:
        inside = [e for e in article.entities
                  if e.start >= sentence.start and e.end <= sentence.end]
        assert grouped.get(sentence.index, []) == sorted(inside, key=lambda e: e.start)
