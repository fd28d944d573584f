"""Annotation layers in the store (issue 12): the schema 5 migration, the transaction
with several annotators, and the kept counts. Real Store, real TinyDB files."""

from __future__ import annotations

import json

from annotations import counts
from annotations.atomic_io import read_json_tables
from annotations.identity import GOLD
from annotations.layer_migration import login_name
from annotations.model import ReviewState, SentenceAnnotation
from annotations.store import SCHEMA_VERSION, Store
from tests.helpers import db_of_articles

ARTICLES = {"talks": ["Talks report", "Trade envoys met in Quito.", "A frigate sailed north.",
                      "The summit ended early."]}


def _note(store: Store, index: int, labels: list[str], who: str,
          stamp: str = "2025-03-01T10:00:00.000Z") -> SentenceAnnotation:
    article = store.load_article("talks")
    s = article.sentences[index]
    return SentenceAnnotation("talks", index, article.sentence_text(s), s.start, s.end,
                              labels, ReviewState.REVIEWED, "", who, stamp, stamp)


def test_two_annotators_on_one_sentence_keep_a_layer_each(tmp_path):
    store = db_of_articles(tmp_path / "db", ARTICLES)
    path = store._annotation_path("talks")
    for who, labels in (("ana", ["trade"]), ("ben", ["defence"])):
        store.annotator = who
        with store.annotations_of("talks") as current:
            current.put(_note(store, 1, labels, who))
    tables = read_json_tables(path)
    assert tables["sentences"]["2"]["annotator"] == "ana"  # home: the first writer's
    assert tables["layers"]["1"]["annotator"] == "ben"
    assert tables["layers"]["1"]["sentences"]["2"]["labels"] == ["defence"]
    store.annotator = "ana"
    assert store.annotations("talks")[1].labels == ["trade"]
    store.annotator = "ben"
    assert store.annotations("talks")[1].labels == ["defence"]
    store.annotator = "cleo"  # no layer of her own, two people said something: nothing
    assert store.annotations("talks") == {}
    # counts: any layer; the sentence is reviewed once, with both labels
    row = store.kept_counts()["talks"]
    assert (row.reviewed, row.tagged, row.labels) == (1, 1, {"trade": 1, "defence": 1})
    assert row.to_row() | {"sig": None} == counts.recount(store, "talks").to_row() | {"sig": None}


def test_a_one_annotator_file_is_as_before_and_read_by_anyone(tmp_path):
    store = db_of_articles(tmp_path / "db", ARTICLES)
    store.annotator = "ana"
    store.put_annotation(_note(store, 2, ["defence"], "ana"))
    tables = read_json_tables(store._annotation_path("talks"))
    assert set(tables) == {"sentences", "orphans"}  # no layers table
    reader = Store.open(tmp_path / "db", annotator="someone-else")
    assert reader.annotations("talks")[2].labels == ["defence"]


def test_gold_is_its_own_layer_never_the_home(tmp_path):
    store = db_of_articles(tmp_path / "db", ARTICLES)
    with store.annotations_of("talks") as current:
        current.put(_note(store, 1, ["trade"], "ana"))
        current.put(_note(store, 1, ["diplomacy"], "judge"), layer=GOLD)
    layers = store.load_layers("talks").layers()
    assert {n: layer.placed[1].labels for n, layer in layers.items()} == {
        "ana": ["trade"], GOLD: ["diplomacy"]}


def test_nothing_is_written_when_the_transaction_raises(tmp_path):
    store = db_of_articles(tmp_path / "db", ARTICLES)
    store.annotator = "ana"
    store.put_annotation(_note(store, 1, ["trade"], "ana"))
    path = store._annotation_path("talks")
    before = path.read_bytes()
    store.annotator = "ben"
    try:
        with store.annotations_of("talks") as current:
            current.put(_note(store, 1, ["defence"], "ben"))
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    assert path.read_bytes() == before


def test_schema_4_file_with_several_annotators_is_split_into_layers(tmp_path):
    store = db_of_articles(tmp_path / "db", ARTICLES)
    # A schema-4 file: one annotation per sentence whoever made it, an orphan, no name.
    store.put_annotations([_note(store, 1, ["trade"], "ana"), _note(store, 2, ["defence"], "ben"),
                           _note(store, 3, [], "ana")])
    with store.annotations_of("talks") as current:
        current.orphans.append(SentenceAnnotation("talks", None, "Gone.", 0, 5, ["trade"],
                                                  ReviewState.REVIEWED, "", ""))
    path = store._annotation_path("talks")
    before = read_json_tables(path)
    store.set_schema_version(4)
    migrated = Store.open(tmp_path / "db")  # a writing open migrates
    assert read_json_tables(migrated.index_path)["meta"]["1"]["schema_version"] \
        == SCHEMA_VERSION == 5
    tables = read_json_tables(path)
    # ana (2 annotations) keeps the home tables; ben moves to a layer; the unnamed orphan
    # becomes the login name's (a third annotator here, in a layer of its own)
    assert sorted(tables["sentences"]) == ["2", "4"]
    assert {r["annotator"] for r in tables["sentences"].values()} == {"ana"}
    layers = {row["annotator"]: row for row in tables["layers"].values()}
    assert sorted(layers) == sorted(["ben", login_name()])
    assert layers["ben"]["sentences"]["3"]["labels"] == ["defence"]
    assert layers[login_name()]["orphans"]["1"]["text"] == "Gone."
    # every annotation kept: the same records, now in their annotator's layers
    kept = [r for t in ("sentences", "orphans") for r in tables[t].values()]
    kept += [r for row in layers.values() for t in ("sentences", "orphans")
             for r in row[t].values()]
    assert len(kept) == len(before["sentences"]) + len(before["orphans"])
    # counts unchanged in meaning (any layer) and recounted from the new files
    assert migrated.kept_counts()["talks"].to_row() | {"sig": None} \
        == counts.recount(migrated, "talks").to_row() | {"sig": None}
    # idempotent: a migration cut short runs again and changes nothing
    again = json.dumps(read_json_tables(path), sort_keys=True)
    migrated.set_schema_version(4)
    Store.open(tmp_path / "db")
    assert json.dumps(read_json_tables(path), sort_keys=True) == again


def test_a_reimport_of_an_edited_article_moves_every_layer(tmp_path, nlp):
    from annotations.ingest import relocate_annotations
    from tests.helpers import article_of_lines

    store = db_of_articles(tmp_path / "db", ARTICLES)
    store.annotator = "ana"
    store.put_annotation(_note(store, 2, ["defence"], "ana"))
    store.annotator = "ben"
    store.put_annotation(_note(store, 2, ["trade"], "ben"))
    edited = article_of_lines("talks", ["Talks report", "A new first line.",
                                        "Trade envoys met in Quito.", "A frigate sailed north."])
    moved, lost = relocate_annotations(store, edited)
    assert (moved, lost) == (2, [])
    layers = store.load_layers("talks").layers()
    assert {n: sorted(layer.placed) for n, layer in layers.items()} == {"ana": [3], "ben": [3]}


def test_a_layers_row_with_a_name_no_one_could_be_called_is_refused(tmp_path, cli):
    """A hand-made ``layers`` row named with escape codes or '@x' would put a second,
    spoofed layer beside the real ones: the file is refused in one line naming it."""
    from annotations.atomic_io import write_atomically

    store = db_of_articles(tmp_path / "db", ARTICLES)
    path = store._annotation_path("talks")
    for who, labels in (("ana", ["trade"]), ("ben", ["defence"])):
        store.annotator = who
        with store.annotations_of("talks") as current:
            current.put(_note(store, 1, labels, who))
    for name in ("\x1b]52;c;aGk=\x07ben", "@boss", " ana"):
        tables = read_json_tables(path)
        tables["layers"]["1"]["annotator"] = name
        write_atomically(path, json.dumps(tables).encode("utf-8"))
        result = cli("show", "talks", db=tmp_path / "db")
        assert result.code == 2, (name, result.out, result.err)
        assert str(path) in result.err and "annotator" in result.err
        assert "Traceback" not in result.err and "\x1b" not in result.err
