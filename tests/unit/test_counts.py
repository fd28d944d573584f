"""Per-article counts kept by the annotation transaction (annotations/counts.py, issue 14).

Every test compares the kept counts with a recount from the annotation files,
through real CLI runs on real database folders.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from annotations import counts
from annotations.atomic_io import AtomicJSONStorage, read_json_tables
from annotations.model import Article, Sentence
from annotations.store import SCHEMA_VERSION, Store

LINES = [
    "Ministers in Oslo agreed a tariff cut on salmon.",
    "The navy of Norway moved two frigates north.",
    "Envoys from Chile met in Lisbon to talk about copper.",
    "Nobody in the harbour noticed the fog.",
]


def _article(article_id: str, lines: list[str] = LINES) -> Article:
    sentences, pos = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, pos, pos + len(line)))
        pos += len(line) + 1
    return Article(id=article_id, text="\n".join(lines), title=f"Title {article_id}",
                   source=f"{article_id}.txt", sentences=sentences)


@pytest.fixture
def db(tmp_path):
    root = tmp_path / "db"
    Store.open(root).save_articles([(_article(i), i) for i in ("alpha", "beta", "gamma")])
    return root


def _recounted(root) -> dict[str, dict]:
    """The truth: counted from the annotation files, not from the kept rows."""
    store = Store.open(root, create=False)
    return {s.id: counts.recount(store, s.id).to_row() | {"sig": None}
            for s in store.summaries()}


def _kept(root) -> dict[str, dict]:
    store = Store.open(root, create=False)
    return {k: v.to_row() | {"sig": None} for k, v in store.kept_counts().items()}


def _raw_row(root, article_id: str) -> dict:
    """The row as it is in its shard file, without any healing."""
    tables = read_json_tables(root / "counts" / counts.shard_name(article_id))
    return tables["rows"][article_id]


def _listed(cli, db) -> dict[str, dict]:
    result = cli("list", "--json", db=db)
    assert result.code == 0, result.err
    return {row["id"]: row for row in json.loads(result.out)}


def test_counts_follow_tag_none_note_clear_and_undo(cli, db):
    steps = [
        ("alpha", "0", "trade"),
        ("alpha", "1", "defence", "diplomacy"),
        ("alpha", "2", "--none"),
        ("alpha", "3", "--note", "fog is weather"),
        ("beta", "0", "trade"),
        ("alpha", "1", "defence"),       # a label taken away
        ("alpha", "0", "--clear"),       # back to unreviewed: the undo of the first tag
        ("beta", "0", "--clear"),
        ("alpha", "2", "diplomacy"),     # none-apply becomes tagged
    ]
    for step in steps:
        result = cli("tag", *step, db=db)
        assert result.code == 0, result.err
        assert _kept(db) == _recounted(db), step
    alpha = _kept(db)["alpha"]
    assert (alpha["reviewed"], alpha["tagged"], alpha["none_apply"]) == (2, 2, 0)
    assert alpha["labels"] == {"defence": 1, "diplomacy": 1}
    assert _kept(db)["beta"]["reviewed"] == 0
    listed = _listed(cli, db)
    assert (listed["alpha"]["reviewed"], listed["alpha"]["tagged"]) == (2, 2)


def test_counts_after_tag_from_file_and_import_annotations(cli, db, tmp_path):
    ops = tmp_path / "ops.txt"
    ops.write_text("alpha 0 trade\nalpha 1 --none\nbeta 2 defence diplomacy\ngamma 3 trade\n")
    assert cli("tag", "--from", ops, db=db).code == 0
    exported = tmp_path / "out.yaml"
    assert cli("export", "-o", exported, db=db).code == 0

    other = tmp_path / "other"
    Store.open(other).save_articles([(_article(i), i) for i in ("alpha", "beta", "gamma")])
    result = cli("import-annotations", exported, db=other)
    assert result.code == 0, result.err
    assert _kept(other) == _recounted(other) == _recounted(db)
    assert _kept(other)["beta"]["labels"] == {"defence": 1, "diplomacy": 1}


def test_reimporting_an_edited_article_counts_its_orphans(cli, tmp_path):
    source = tmp_path / "piece.txt"
    source.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    db = tmp_path / "db"
    assert cli("import", source, db=db).code == 0
    [article_id] = _listed(cli, db)
    assert cli("tag", article_id, "1", "defence", db=db).code == 0
    assert cli("tag", article_id, "2", "diplomacy", db=db).code == 0
    # The defence sentence is rewritten: its annotation can no longer be placed.
    source.write_text("\n".join([LINES[0], "The frigates stayed in port.", *LINES[2:]]) + "\n",
                      encoding="utf-8")
    result = cli("import", source, db=db)
    assert result.code == 0, result.err
    row = _listed(cli, db)[article_id]
    assert (row["orphaned"], row["tagged"], row["labels"]) == (1, 1, {"diplomacy": 1})
    assert _kept(db) == _recounted(db)


def test_a_sigkill_between_the_two_writes_is_healed_on_the_next_read(cli, db):
    assert cli("tag", "alpha", "0", "trade", db=db).code == 0
    result = cli("tag", "alpha", "1", "defence", db=db,
                 env={counts.CRASH_ENV: "between-annotation-and-counts"})
    assert result.code == -signal.SIGKILL  # a real kill, between the two writes
    # The tag is on disk, the shard is behind, the marker names the article.
    assert Store.open(db, create=False).annotations("alpha")[1].labels == ["defence"]
    assert _raw_row(db, "alpha")["labels"] == {"trade": 1}
    assert (db / "counts" / ".pending").read_text() == "alpha"

    assert _listed(cli, db)["alpha"]["labels"] == {"trade": 1, "defence": 1}
    assert _raw_row(db, "alpha")["labels"] == {"trade": 1, "defence": 1}  # repaired on disk
    assert not (db / "counts" / ".pending").exists()
    assert _kept(db) == _recounted(db)


def test_the_next_writer_repairs_a_dead_writers_row_before_its_own(cli, db):
    result = cli("tag", "alpha", "2", "--none", db=db,
                 env={counts.CRASH_ENV: "between-annotation-and-counts"})
    assert result.code == -signal.SIGKILL
    assert cli("tag", "beta", "0", "trade", db=db).code == 0
    assert not (db / "counts" / ".pending").exists()
    assert _raw_row(db, "alpha")["none_apply"] == 1
    assert _kept(db) == _recounted(db)


def test_list_and_stats_answer_without_opening_annotation_files(cli, db, tmp_path):
    ops = tmp_path / "ops.txt"
    ops.write_text("alpha 0 trade\nalpha 1 --none\nbeta 2 defence\n")
    assert cli("tag", "--from", ops, db=db).code == 0
    before_list = cli("list", "--json", db=db).out
    before_stats = cli("stats", "--json", db=db).out
    # Garbage in every annotation file, written in place (same inode, so nothing that
    # compares signatures could tell): opening any of them would end in an error.
    files = sorted((db / "annotations").glob("*.json"))
    assert len(files) == 2
    for path in files:
        with open(path, "r+b") as handle:
            handle.truncate(0)
            handle.write(b"\x00garbage{")
    after_list, after_stats = cli("list", "--json", db=db), cli("stats", "--json", db=db)
    assert (after_list.code, after_stats.code) == (0, 0), after_list.err + after_stats.err
    assert (after_list.out, after_stats.out) == (before_list, before_stats)
    assert json.loads(after_stats.out)["tagged"] == 2
    assert cli("show", "alpha", db=db).code == 2  # the files really are unreadable


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_list_opens_no_annotation_file_under_strace(cli, db, tmp_path):
    assert cli("tag", "alpha", "0", "trade", db=db).code == 0
    assert cli("list", db=db).code == 0  # the first read after a change may verify
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTAG_")}
    trace = tmp_path / "trace.txt"
    for command in ("list", "stats"):
        subprocess.run(["strace", "-f", "-e", "trace=open,openat", "-o", str(trace),
                        sys.executable, "-m", "tui.cli", "--db", str(db), command],
                       check=True, env=env, capture_output=True, timeout=120)
        opened = trace.read_text()
        assert str(db / "counts") in opened  # the trace does see the files that are read
        assert str(db / "annotations") not in opened, command


def test_after_a_reboot_rows_whose_file_changed_are_recounted(cli, db):
    """A power cut cannot be caused here: it is stood in for by what it leaves behind, a
    shard behind its annotation file and counts last verified in another boot."""
    assert cli("tag", "alpha", "0", "trade", db=db).code == 0
    store = Store.open(db)
    path = store._annotation_path("alpha")
    tables = read_json_tables(path)
    tables["sentences"]["1"]["labels"] = ["diplomacy"]  # written, counts never updated
    AtomicJSONStorage(path).write(tables)
    assert _raw_row(db, "alpha")["labels"] == {"trade": 1}
    if counts.boot_id() is None:
        pytest.skip("no boot id on this system: shard writes are fsync'd instead")
    (db / "counts" / counts.META).write_text(
        json.dumps({"meta": {"1": {"format": counts.FORMAT, "boot": "another-boot"}}}))
    assert _listed(cli, db)["alpha"]["labels"] == {"diplomacy": 1}
    assert _kept(db) == _recounted(db)


@pytest.mark.parametrize("damage", ["delete-folder", "garbage-shard", "row-missing"])
def test_missing_or_unreadable_counts_are_recounted(cli, db, damage):
    assert cli("tag", "alpha", "0", "trade", db=db).code == 0
    assert cli("tag", "gamma", "1", "--none", db=db).code == 0
    shard = db / "counts" / counts.shard_name("alpha")
    if damage == "delete-folder":
        shutil.rmtree(db / "counts")
    elif damage == "garbage-shard":
        shard.write_bytes(b'{"meta": [')
    else:
        tables = read_json_tables(shard)
        del tables["rows"]["alpha"]
        shard.write_text(json.dumps(tables))
    listed = _listed(cli, db)
    assert listed["alpha"]["labels"] == {"trade": 1} and listed["gamma"]["reviewed"] == 1
    assert _raw_row(db, "alpha")["labels"] == {"trade": 1}


def test_doctor_reports_wrong_counts_and_repair_recounts(cli, db):
    assert cli("tag", "beta", "0", "trade", db=db).code == 0
    shard = db / "counts" / counts.shard_name("beta")
    tables = read_json_tables(shard)
    tables["rows"]["beta"]["tagged"] = 7  # wrong, with a signature that still matches
    shard.write_text(json.dumps(tables))
    result = cli("doctor", db=db)
    assert result.code == 1
    assert "counts of article 'beta' disagree with a recount" in result.out
    repaired = cli("doctor", "--repair", db=db)
    assert repaired.code == 0, repaired.out + repaired.err
    assert "recounted" in repaired.out
    assert _raw_row(db, "beta")["tagged"] == 1
    assert "healthy" in cli("doctor", db=db).out


def test_a_schema_3_database_is_counted_by_its_migration(cli, db):
    assert cli("tag", "gamma", "0", "trade", db=db).code == 0
    shutil.rmtree(db / "counts")
    Store.open(db).set_schema_version(3)
    store = Store.open(db)  # a writing open migrates
    assert read_json_tables(db / "newstag.json")["meta"]["1"]["schema_version"] \
        == SCHEMA_VERSION == 5
    assert _raw_row(db, "gamma")["labels"] == {"trade": 1}
    assert _raw_row(db, "alpha")["reviewed"] == 0
    assert {k: v.to_row() | {"sig": None} for k, v in store.kept_counts().items()} \
        == _recounted(db)


def test_a_shard_is_written_as_json_dumps_wrote_it(tmp_path):
    """Shards are encoded from the Counts Structs by msgspec (a third of a tag's work at
    20,000 articles was json.dumps of ~80 rows): the bytes are what json.dumps of their
    rows wrote, non-ASCII labels and annotators included."""
    from annotations.annotator_counts import AnnotatorCounts
    from annotations.counts_files import FORMAT, CountsFiles

    files = CountsFiles(tmp_path)
    rows = {f"é{n}": counts.Counts(3, 2, 1, n, {"trade": 2, "défense": 1},
                                   {"ann": AnnotatorCounts(3, 2, 1, {"trade": 2},
                                                           {"2026-01-01": 3}),
                                    "Zoë": AnnotatorCounts(1, 1, 0, {}, {})},
                                   [n, 2, 3] if n else None)
            for n in range(3)}
    files.put(rows)
    for name in {counts.shard_name(i) for i in rows}:
        mine = {i: c for i, c in rows.items() if counts.shard_name(i) == name}
        assert (files.folder / name).read_bytes() == json.dumps(
            {"meta": {"1": {"format": FORMAT}}, "rows": {i: c.to_row() for i, c in mine.items()}},
            ensure_ascii=False, separators=(",", ":")).encode()
