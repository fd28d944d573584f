"""Durability, backups, migration, repair and two processes on one database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from annotations.backup import BACKUPS_KEPT, backup_if_due, backups, make_backup
from annotations.doctor import check
from annotations.repair import repair
from annotations.store import SCHEMA_VERSION, Store
from annotations.tagging import TagChange, apply_changes
from tests.durability import REPO, make_database, run_trials
from tests.helpers import MAIN_ARTICLE, article_id_for


def test_sigkilled_writers_never_corrupt_or_lose_acknowledged_tags(tmp_path):
    # The short CI run; benchmarks/bench_durability.py runs the full 200 trials.
    result = run_trials(tmp_path / "db", trials=int(os.environ.get("NEWSTAG_CRASH_TRIALS", 8)))
    assert result.acked > 100, "the writers barely ran; the trial proves nothing"
    assert (result.unreadable, result.lost, result.wrong_counts, result.wrong_totals,
            result.problems) == (0, 0, 0, 0, [])
    assert result.killed_between_writes >= 1, "no writer died between its two writes"


def test_two_processes_tagging_one_article_lose_no_update(tmp_path):
    root = tmp_path / "db"
    article_id = make_database(root)
    script = (
        "import sys\nfrom annotations.config import load_config\n"
        "from annotations.store import Store\n"
        "from annotations.tagging import TagChange, apply_changes\n"
        "store, config = Store.open(sys.argv[1]), load_config()\n"
        "w = int(sys.argv[2])\n"
        "for i in range(w, 40, 2):\n"
        "    apply_changes(store, config, [TagChange(sys.argv[3], i, labels=('trade',))])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(root), str(w), article_id],
                              env=env, cwd=REPO) for w in (0, 1)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert sorted(Store.open(root).annotations(article_id)) == list(range(40))


def test_backups_are_rolling_and_at_most_one_per_interval(tmp_path):
    root = tmp_path / "db"
    make_database(root)
    assert len(backups(root)) == 1  # the first open of a database with articles
    assert backup_if_due(root) is None
    for _ in range(BACKUPS_KEPT + 2):
        make_backup(root)
    assert len(backups(root)) == BACKUPS_KEPT
    newest = backups(root)[0]
    assert (newest / "newstag.json").read_bytes() == (root / "newstag.json").read_bytes()


def _v1_database(db_copy: Path) -> Path:
    """Rewrite a current database the way schema 1 stored it (nested lists)."""
    index = db_copy / "newstag.json"
    data = json.loads(index.read_text())
    data["meta"]["1"]["schema_version"] = 1
    index.write_text(json.dumps(data))
    for path in (db_copy / "articles").glob("*.json"):
        tables = json.loads(path.read_text())
        body = tables["article"]["1"]
        flat, ents, labels = body["sentences"], body["entities"], body.pop("entity_labels")
        body["sentences"] = [flat[i:i + 3] for i in range(0, len(flat), 3)]
        body["entities"] = [[ents[i], ents[i + 1], labels[ents[i + 2]]]
                            for i in range(0, len(ents), 3)]
        path.write_text(json.dumps(tables))
    return db_copy


def test_older_schema_is_migrated_after_a_backup(corpus_db, db_copy):
    expected = {s.id: Store.open(corpus_db, create=False).load_article(s.id)
                for s in Store.open(corpus_db, create=False).summaries()}
    root = _v1_database(db_copy)
    store = Store.open(root)
    version = json.loads((root / "newstag.json").read_text())["meta"]["1"]["schema_version"]
    assert version == SCHEMA_VERSION
    [pre] = [b for b in backups(root) if "before-migration-from-v1" in b.name]
    assert json.loads((pre / "newstag.json").read_text())["meta"]["1"]["schema_version"] == 1
    for article_id, article in expected.items():
        migrated = store.load_article(article_id)
        assert migrated.sentences == article.sentences
        assert migrated.entities == article.entities


def test_doctor_restores_a_damaged_annotation_file(db_copy, config):
    aid = article_id_for(db_copy, MAIN_ARTICLE.name)
    store = Store.open(db_copy)
    apply_changes(store, config, [TagChange(aid, 1, labels=("trade",))])
    apply_changes(store, config, [TagChange(aid, 2, labels=("defence",))])
    path = store._annotation_path(aid)
    damaged = path.read_bytes()[:40]
    path.write_bytes(damaged)  # in place, as a stray tool would
    [finding] = check(db_copy)
    assert finding.path == path and "truncated JSON" in finding.problem
    [fixed] = repair(db_copy, [finding])
    assert fixed.repaired and "before the last write" in fixed.note
    assert store.annotations(aid)[1].labels == ["trade"]  # only the last change is gone
    assert check(db_copy) == []
    assert [p.read_bytes() for p in (db_copy / "quarantine").iterdir()] == [damaged]


def test_doctor_restores_a_damaged_index_from_a_backup(db_copy):
    index = db_copy / "newstag.json"
    (db_copy / ".newstag.json.prev").unlink()  # no earlier version: the backups must serve
    make_backup(db_copy)
    good = index.read_bytes()
    index.write_bytes(b"\x00\x01 not json")
    [finding] = check(db_copy)
    [fixed] = repair(db_copy, [finding])
    assert fixed.repaired and "backup" in fixed.note
    assert index.read_bytes() == good


def test_doctor_replaces_annotations_that_drifted_from_their_sentence(db_copy, config):
    aid = article_id_for(db_copy, MAIN_ARTICLE.name)
    store = Store.open(db_copy)
    apply_changes(store, config, [TagChange(aid, 1, labels=("trade",))])
    path = store._annotation_path(aid)
    tables = json.loads(path.read_text())
    tables["sentences"]["4"] = tables["sentences"].pop("2")  # moved to the wrong sentence
    tables["sentences"]["4"]["sentence_index"] = 3
    path.write_text(json.dumps(tables))
    [finding] = check(db_copy)
    assert "does not match" in finding.problem
    repair(db_copy, [finding])
    assert list(store.annotations(aid)) == [1]
    assert check(db_copy) == []


def test_doctor_command_exit_codes(cli, db_copy):
    assert cli("doctor", db=db_copy).code == 0
    (db_copy / "newstag.json").write_text('{"meta": ')
    r = cli("doctor", db=db_copy)
    assert r.code == 1 and "newstag doctor --repair" in r.out
    assert cli("doctor", "--repair", db=db_copy).code == 0
    assert cli("list", db=db_copy).code == 0
