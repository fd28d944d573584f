"""Attacks on the features merged on one day (entity corrections, layers, active time,
train -o), run as a user or an attacker would: the CLI in a subprocess, real files (the
active-time writer is driven in process, with real files, to press keys without a
terminal)."""

from __future__ import annotations

import json
import re
import time

import pytest

from annotations.activity import ActiveTimer, read_activity
from annotations.atomic_io import CorruptFile
from annotations.store import Store
from tests.helpers import db_of_articles, put_tag

SENTENCES = ["Farmers protested against the new tariffs on imported grain.",
             "Two frigates and a submarine joined the naval drills.",
             "The foreign ministers met in Quito to restart the talks.",
             "Kestrel Mining signed a supply deal for copper concentrate."]


@pytest.fixture
def tagged_db(tmp_path):
    """One article, every sentence reviewed (enough to write a model)."""
    root = tmp_path / "db"
    store = db_of_articles(root, {"harbour": ["Harbour news", *SENTENCES]})
    for i, labels in enumerate((["trade"], ["defence"], ["diplomacy"], ["trade"]), start=1):
        put_tag(store, "harbour", i, labels)
    return root


def _tree(folder):
    return sorted((str(p.relative_to(folder)), p.read_bytes() if p.is_file() else b"")
                  for p in folder.rglob("*"))


def test_train_never_replaces_a_folder_with_a_forged_model_marker(cli, tagged_db, tmp_path):
    """A folder holding the marker file but also a file of the user's is not a model
    newstag wrote: replacing it would delete that file."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.txt").write_text("two years of work\n", "utf-8")
    (docs / "newstag-model.json").write_text("{}\n", "utf-8")  # planted
    before = _tree(docs)
    result = cli("train", "-o", docs, db=tagged_db)
    assert result.code == 2, result.err
    assert "thesis.txt" in result.err and len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    assert _tree(docs) == before


def test_train_never_writes_its_model_over_the_database_folder(cli, tagged_db):
    """``train -o DB`` where the database folder holds a forged marker: the model would
    replace (and delete) the whole database."""
    (tagged_db / "newstag-model.json").write_text("{}\n", "utf-8")
    before = _tree(tagged_db)
    result = cli("train", "-o", tagged_db, db=tagged_db)
    assert result.code == 2, result.err
    assert "database" in result.err and len(result.err.strip().splitlines()) == 1
    assert _tree(tagged_db) == before
    inside = cli("train", "-o", tagged_db / "model", db=tagged_db)
    assert inside.code == 2 and not (tagged_db / "model").exists(), inside.err


def test_train_still_replaces_the_model_it_wrote(cli, tagged_db, tmp_path):
    out = tmp_path / "model"
    assert cli("train", "-o", out, db=tagged_db).code == 0
    first = (out / "newstag-model.json").stat().st_ino
    again = cli("train", "-o", out, db=tagged_db)
    assert again.code == 0, again.err
    assert (out / "newstag-model.json").stat().st_ino != first  # a new model in place


def test_reimporting_an_older_export_keeps_a_newer_entity_correction(cli, tmp_path):
    """A re-import never reverts a newer change: an export made before a rule was
    changed must not bring the old rule back over the new one."""
    root = tmp_path / "db"
    db_of_articles(root, {"harbour": ["Harbour news",
                                      "Kestrel Mining opened a depot in Quito.",
                                      "Kestrel Mining shares rose."]})
    assert cli("entity", "set", "Kestrel Mining", "ORG", db=root).code == 0
    old = tmp_path / "old.yaml"
    assert cli("export", "-o", old, db=root).code == 0
    time.sleep(0.01)  # the rule's stamp has millisecond resolution
    assert cli("entity", "set", "Kestrel Mining", "PERSON", db=root).code == 0
    result = cli("import-annotations", old, db=root)
    assert result.code == 0, result.err
    rules = json.loads(cli("entity", "rules", "--json", db=root).out)
    assert [(r["text"], r["label"]) for r in rules] == [("Kestrel Mining", "PERSON")]
    # a newer rule from the file still wins
    newer = tmp_path / "newer.yaml"
    newer.write_text(re.sub(r"label: ORG, created_at: \"[^\"]+\"",
                            'label: LOC, created_at: "2099-01-01T00:00:00.000Z"',
                            old.read_text("utf-8")), "utf-8")
    assert cli("import-annotations", newer, db=root).code == 0
    rules = json.loads(cli("entity", "rules", "--json", db=root).out)
    assert [(r["text"], r["label"]) for r in rules] == [("Kestrel Mining", "LOC")]


def test_entity_set_with_undecodable_text_is_one_line(cli, tmp_path):
    """A byte that is not UTF-8 in argv arrives as a lone surrogate (surrogateescape);
    no UTF-8 file can hold it."""
    root = tmp_path / "db"
    db_of_articles(root, {"harbour": ["Harbour news", "Kestrel Mining shares rose."]})
    before = _tree(root)
    result = cli("entity", "set", "Kestrel\udcff", "ORG", "--future", db=root)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert _tree(root) == before
    assert Store.open(root, create=False).exists


COLLEAGUE = """format: newstag-annotations
version: 1
articles:
- id: harbour
  sentences:
  - index: 1
    text: "Kestrel Mining shares rose."
    labels: [defence]
    state: reviewed
    annotator: {name}
    updated_at: "2025-01-01T00:00:00Z"
"""


@pytest.mark.parametrize("name, problem", [
    (r'"ben\u001b]52;c;aGk=\u0007"', "control"),  # a terminal escape (OSC 52)
    (r'"\u202eneb"', "control"),                   # a bidi override
    ('"@gold"', "gold: true"),                      # gold spoofed by name
    ('"@ben"', "reserved"),
    ('"ana "', "space"),                            # shows as ana, is another layer
    ('"' + "b" * 100_000 + '"', "longer than 80"),
], ids=["osc52", "bidi", "gold-by-name", "reserved", "trailing-space", "100kB"])
def test_an_import_refuses_annotator_names_no_one_could_be_called(cli, tmp_path, name,
                                                                   problem):
    """A record's annotator becomes a layer of the database and a row of stats and
    agreement: a name ``--annotator`` would refuse is refused in the file too, in one
    line naming the file and the place, and nothing is written."""
    root = tmp_path / "db"
    store = db_of_articles(root, {"harbour": ["Harbour news", "Kestrel Mining shares rose."]})
    put_tag(store, "harbour", 1, ["trade"])
    before = _tree(root)
    colleague = tmp_path / "ben.yaml"
    colleague.write_text(COLLEAGUE.format(name=name), "utf-8")
    result = cli("import-annotations", colleague, db=root, env={"NEWSTAG_ANNOTATOR": "ana"})
    assert result.code == 2, result.out
    assert len(result.err.strip().splitlines()) == 1 and len(result.err) < 600
    assert str(colleague) in result.err and "annotator" in result.err and problem in result.err
    assert "\x1b" not in result.err and "\u202e" not in result.err
    assert _tree(root) == before
    # the same file under a usable name lands beside ana's layer
    colleague.write_text(COLLEAGUE.format(name="ben"), "utf-8")
    assert cli("import-annotations", colleague, db=root).code == 0


def test_stats_refuses_an_activity_file_whose_day_is_not_a_date(cli, tmp_path):
    root = tmp_path / "db"
    db_of_articles(root, {"harbour": ["Harbour news", "Kestrel Mining shares rose."]})
    activity = root / "activity.json"
    activity.write_text(json.dumps({"active": {"1": {
        "annotator": "ana", "day": "2026-13-45", "seconds": 60}}}), "utf-8")
    result = cli("stats", db=root)
    assert result.code == 2, result.out
    assert str(activity) in result.err and "not a date" in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["\ud800", "x" * 100_000, "@gold", "", "ben\x1b[2J"],
                         ids=["surrogate", "100kB", "gold", "empty", "escape"])
def test_an_activity_file_naming_an_impossible_annotator_is_refused_not_rewritten(store,
                                                                                  name):
    """The reader adds its time to every row of ``activity.json``: a row whose name is a
    lone surrogate (JSON's "\\ud800") made that write raise UnicodeEncodeError out of the
    reader's key handler. A name ``--annotator`` refuses is not newstag's: the file is
    refused as a whole, the time stays in memory and the file is left untouched."""
    path = store.root / "activity.json"
    path.write_text(json.dumps({"active": {"1": {
        "annotator": name, "day": "2026-11-26", "seconds": 60.0}}}), "utf-8")
    before = path.read_bytes()
    with pytest.raises(CorruptFile, match="annotator"):
        read_activity(store.root)
    ticks = iter([0.0, 10.0, 20.0, 100.0])
    timer = ActiveTimer(store, "ana", clock=lambda: next(ticks), today=lambda: "2026-11-26")
    timer.key()
    timer.key()
    problem = timer.try_flush()
    assert "activity.json" in problem and "annotator" in problem
    assert timer.pending == {("ana", "2026-11-26"): 10.0}  # kept for a later write
    assert path.read_bytes() == before


def test_undoing_a_correction_never_erases_a_rule_another_process_made_since(cli, tmp_path,
                                                                              config):
    """The reader's undo of an entity correction put back the rules about its text as
    they were before it, deleting a rule ``newstag entity set`` had added since (tags are
    refused in that case; corrections now are too)."""
    from annotations.entity_corrections import add_rule, make_rule, restore
    from annotations.entity_rules import load_rules
    from annotations.entity_undo import RuleEdit
    from annotations.session import ChangedSince, TaggingSession

    root = tmp_path / "db"
    store = db_of_articles(root, {"harbour": ["Harbour news", "Kestrel Mining shares rose."]})
    session = TaggingSession(store, config)
    rule = make_rule(store, "Kestrel Mining", "ORG", config.entities, None, None)
    add_rule(store, rule)
    session.record(RuleEdit("Kestrel Mining", (), tuple(load_rules(root)), "harbour"))
    other = cli("entity", "set", "Kestrel Mining", "PERSON", "--article", "harbour", db=root)
    assert other.code == 0, other.err
    rules_file = root / "entity-rules.json"
    before = rules_file.read_bytes()
    with pytest.raises(ChangedSince, match="Kestrel Mining"):
        session.undo()
    assert rules_file.read_bytes() == before
    assert {(r.label, r.article) for r in load_rules(root)} == {("ORG", None),
                                                                ("PERSON", "harbour")}
    # undo and redo with nothing changed in between still work
    session.record(RuleEdit("Kestrel Mining", tuple(load_rules(root)), (), "harbour"))
    assert restore(store, (), "Kestrel Mining")
    assert session.undo() is not None and len(load_rules(root)) == 2
    assert session.redo() is not None and load_rules(root) == ()



def test_a_lone_surrogate_in_an_annotation_file_is_a_damaged_file_not_a_traceback(
        cli, tagged_db):
    """A hand-edited annotation file with a "\\ud800" escape in a label: no UTF-8 file can
    hold it, and writing the counts, the file or an export of it raised (a traceback
    from list, stats, tag and doctor --repair). It is a damaged file now: one line, exit
    2, nothing written; doctor names it and --repair restores it from its backup."""
    path = next((tagged_db / "annotations").glob("*.json"))
    text = path.read_text("utf-8")
    assert '"trade"' in text
    path.write_text(text.replace('"trade"', '"tr\\ud800ade"', 1), "utf-8")
    (tagged_db / "counts" / "meta.json").unlink(missing_ok=True)  # verified again: recounted
    before = _tree(tagged_db / "annotations")
    for args in (["list"], ["stats"], ["tag", "harbour", "2", "trade"], ["export"]):
        result = cli(*args, db=tagged_db)
        assert result.code == 2, (args, result.err)
        assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
        assert f"{path}:" in result.err and "lone surrogate" in result.err
        assert _tree(tagged_db / "annotations") == before  # no annotation written
    doctor = cli("doctor", db=tagged_db)
    assert doctor.code == 1 and str(path) in doctor.out and "lone surrogate" in doctor.out
    assert cli("doctor", "--repair", db=tagged_db).code == 0
    assert cli("doctor", db=tagged_db).code == 0
    assert '"trade"' in path.read_text("utf-8")
