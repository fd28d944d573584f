"""doctor finds every damage it can detect, and --repair restores the newest version
that is readable and complete, never losing a tag that such a version holds."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from annotations.backup import backups, make_backup
from annotations.ingest import import_paths
from annotations.store import Store
from annotations.tagging import TagChange, apply_changes

ARTICLES = [
    {"id": "oslo-talks", "title": "Talks in Oslo", "source": "Example Wire",
     "published": "2024-03-01",
     "text": "Oslo hosted trade talks on Monday.\nMinisters from Norway and Japan signed a "
             "pact.\nThe navy will train together next year."},
    {"id": "lagos-port", "title": "A port for Lagos", "source": "Sample Times",
     "text": "Lagos opened a new container port.\nExports of cocoa rose by a tenth.\n"
             "Officials expect more ships in spring."},
    {"id": "quito-visit", "title": "Visit to Quito",
     "text": "The envoy arrived in Quito on Tuesday.\nShe discussed tariffs on bananas.\n"
             "Both sides promised another meeting."},
]


@pytest.fixture
def db(tmp_path, nlp) -> Path:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES))
    root = tmp_path / "db"
    import_paths(Store.open(root), [feed], lambda: nlp)
    return root


def _tag(root: Path, config, article: str, index: int, *labels: str, note=None) -> None:
    apply_changes(Store.open(root), config, [TagChange(article, index, labels=labels,
                                                       note=note)])
    time.sleep(0.02)  # versions written apart get distinct modification times


def _labels(root: Path, article: str) -> dict[int, list[str]]:
    return {i: a.labels for i, a in Store.open(root, create=False).annotations(article).items()}


def _annotation_file(root: Path, article: str) -> Path:
    return Store.open(root, create=False)._annotation_path(article)


# -- the index ----------------------------------------------------------------------------
def test_repair_of_a_damaged_index_rebuilds_it_from_the_article_files(cli, db, config):
    _tag(db, config, "oslo-talks", 1, "trade")
    before = json.loads(cli("list", "--json", db=db).out)
    (db / "newstag.json").write_text('{"meta": ')  # no version of the index lists them all
    r = cli("doctor", "--repair", db=db)
    assert r.code == 0, (r.out, r.err)
    after = json.loads(cli("list", "--json", db=db).out)
    assert sorted(after, key=lambda row: row["id"]) == sorted(before, key=lambda row: row["id"])
    assert {row["title"] for row in after} == {a["title"] for a in ARTICLES}
    assert _labels(db, "oslo-talks") == {1: ["trade"]}
    summary = Store.open(db, create=False).summary("oslo-talks")
    assert (summary.published, summary.sentences) == ("2024-03-01", 3)
    healthy = cli("doctor", db=db)
    assert healthy.code == 0 and "healthy (3 articles" in healthy.out, healthy.out


def test_an_index_that_lists_no_article_is_not_healthy(cli, db):
    index = db / "newstag.json"
    tables = json.loads(index.read_text())
    tables["articles"] = {}
    index.write_text(json.dumps(tables))  # the index as first created
    r = cli("doctor", db=db)
    assert r.code == 1 and "does not list 3" in r.out, r.out
    assert cli("doctor", "--repair", db=db).code == 0
    assert len(Store.open(db, create=False).summaries()) == 3


def test_rebuild_falls_back_for_article_files_written_before_they_named_their_id(cli, db):
    for path in (db / "articles").glob("*.json"):  # as newstag wrote them before
        tables = json.loads(path.read_text())
        for key in ("id", "title", "source", "published", "source_path"):
            del tables["article"]["1"][key]
        path.write_text(json.dumps(tables))
    (db / "newstag.json").write_text("garbage")
    assert cli("doctor", "--repair", db=db).code == 0
    titles = {s.id: s.title for s in Store.open(db, create=False).summaries()}
    assert titles == {a["id"]: a["text"].splitlines()[0] for a in ARTICLES}


# -- the newest complete version ----------------------------------------------------------
def test_repair_prefers_a_newer_backup_to_the_older_previous_version(cli, db, config):
    _tag(db, config, "oslo-talks", 0, "trade")
    _tag(db, config, "oslo-talks", 1, "defence")  # .prev holds only the first tag
    with Store.open(db).locked():
        make_backup(db)  # holds both
    path = _annotation_file(db, "oslo-talks")
    with open(path, "r+b") as handle:
        handle.truncate(30)  # in place, as a stray tool would
    assert cli("doctor", "--repair", db=db).code == 0
    assert _labels(db, "oslo-talks") == {0: ["trade"], 1: ["defence"]}


def test_repairing_an_article_restores_its_text_not_an_empty_version(cli, db):
    with Store.open(db).locked():
        make_backup(db)
    path = Store.open(db, create=False)._article_path("lagos-port")
    prev = path.with_name(f".{path.name}.prev")
    assert not prev.exists() or json.loads(prev.read_text())["article"]["1"]["text"]
    with open(path, "r+b") as handle:
        handle.truncate(20)
    r = cli("doctor", "--repair", db=db)
    assert r.code == 0, r.out
    assert Store.open(db, create=False).load_article("lagos-port").text.startswith("Lagos")


def test_a_backup_is_not_damaged_by_an_in_place_change_of_the_live_file(db):
    with Store.open(db).locked():
        backup = make_backup(db)
    live = Store.open(db, create=False)._article_path("quito-visit")
    kept = backup / "articles" / live.name
    assert os.stat(kept).st_ino != os.stat(live).st_ino
    good = kept.read_bytes()
    with open(live, "r+b") as handle:
        handle.truncate(5)
    assert kept.read_bytes() == good


# -- what doctor must detect --------------------------------------------------------------
def test_doctor_finds_and_restores_a_missing_annotation_file(cli, db, config):
    _tag(db, config, "quito-visit", 0, "trade")
    _tag(db, config, "quito-visit", 2, "diplomacy")
    path = _annotation_file(db, "quito-visit")
    path.unlink()
    r = cli("doctor", db=db)
    assert r.code == 1 and f"{path}: missing" in r.out, r.out
    assert cli("doctor", "--repair", db=db).code == 0
    assert _labels(db, "quito-visit")[0] == ["trade"]


@pytest.mark.parametrize("field, value", [("labels", "trade"), ("note", 5),
                                          ("state", "maybe"), ("sentence_index", "1")])
def test_doctor_finds_a_bad_record_and_repair_keeps_the_other_tags(cli, db, config, field,
                                                                   value):
    _tag(db, config, "oslo-talks", 1, "trade", note="first")
    _tag(db, config, "oslo-talks", 2, "defence")  # .prev holds sentence 1 as it was
    path = _annotation_file(db, "oslo-talks")
    tables = json.loads(path.read_text())
    tables["sentences"]["2"][field] = value
    path.write_text(json.dumps(tables))
    r = cli("doctor", db=db)
    assert r.code == 1 and field in r.out, r.out
    assert cli("doctor", "--repair", db=db).code == 0
    assert _labels(db, "oslo-talks") == {1: ["trade"], 2: ["defence"]}
    assert cli("doctor", db=db).code == 0


def test_doctor_finds_a_garbage_unplaced_file(cli, db):
    (db / "unplaced.json").write_bytes(b"\x89PNG not json")
    r = cli("doctor", db=db)
    assert r.code == 1 and "unplaced.json" in r.out, r.out


def test_doctor_finds_a_lock_that_is_a_folder_and_repair_moves_it_aside(cli, db, config):
    (db / ".lock").unlink()
    (db / ".lock").mkdir()
    r = cli("doctor", db=db)
    assert r.code == 1 and ".lock: is a folder" in r.out, r.out
    assert cli("doctor", "--repair", db=db).code == 0
    assert (db / ".lock").is_file() or not (db / ".lock").exists()
    assert cli("tag", "oslo-talks", "0", "trade", db=db).code == 0
    assert backups(db)


@pytest.mark.parametrize("command", [("show", "oslo-talks"), ("export", "-f", "csv"),
                                     ("tag", "oslo-talks", "1", "defence")])
def test_a_malformed_record_is_refused_by_every_command_not_misread(cli, db, config, command):
    """`"labels": "trade"` used to be read as the labels t, r, a, d, e."""
    _tag(db, config, "oslo-talks", 2, "trade")
    path = _annotation_file(db, "oslo-talks")
    tables = json.loads(path.read_text())
    tables["sentences"]["3"]["labels"] = "trade"
    path.write_text(json.dumps(tables))
    before = path.read_bytes()
    r = cli(*command, db=db)
    assert r.code == 2, r.out
    assert len(r.err.strip().splitlines()) == 1 and "labels" in r.err and "doctor" in r.err
    assert path.read_bytes() == before
