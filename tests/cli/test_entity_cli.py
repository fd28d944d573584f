"""newstag entities / entity set|drop|rules|forget (issue 11), run as a user runs them.

The sample (tests/data/entities/harbour-talks.txt, invented) is one where the real
en_core_web_sm gets things wrong: "Trump" is ORG three times (once before "’s"),
"Narendra Modi’s" swallows the possessive, "Vilnius" is ORG, "Kestrel watch" is missed
and "the coming decade" is a DATE. Each test first checks that the model still says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from annotations.ingest import import_paths
from annotations.store import Store
from tests.helpers import REPO

DATA = REPO / "tests" / "data" / "entities"
SAMPLE = DATA / "harbour-talks.txt"
FOLLOWUP = DATA / "harbour-followup.txt"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory, nlp) -> Path:
    root = tmp_path_factory.mktemp("entities") / "db"
    import_paths(Store.open(root), [SAMPLE], lambda: nlp)
    return root


@pytest.fixture
def db(sample_db, tmp_path) -> Path:
    target = tmp_path / "db"
    shutil.copytree(sample_db, target)
    return target


def _article_id(cli, db: Path, title: str = "Harbour Talks Resume") -> str:
    rows = json.loads(cli("list", "--json", db=db).out)
    return next(r["id"] for r in rows if r["title"] == title)


def _mentions(cli, db: Path, title: str = "Harbour Talks Resume") -> list[tuple]:
    """(start, end, text, label) of every entity `show --json` gives (article offsets)."""
    shown = json.loads(cli("show", _article_id(cli, db, title), "--json", db=db).out)
    found = []
    for row in shown["sentences"]:
        for e in row["entities"]:
            found.append((e["start"], e["end"], e["text"], e["label"]))
    return found


def _ok(result) -> str:
    assert result.code == 0, result.err
    return result.out


def _refused(result) -> str:
    assert result.code == 2, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newstag: error: "), result.err
    assert "Traceback" not in result.err
    return lines[0]


def test_model_output_is_what_the_tests_correct(cli, db):
    mentions = _mentions(cli, db)
    assert [m[3] for m in mentions if m[2] == "Trump"] == ["ORG", "ORG", "ORG"]
    assert ("Narendra Modi’s", "PERSON") in {(m[2], m[3]) for m in mentions}
    assert ("the coming decade", "DATE") in {(m[2], m[3]) for m in mentions}
    assert not any("Kestrel" in m[2] for m in mentions)


def test_set_makes_every_mention_that_type_including_before_possessive(cli, db):
    text = SAMPLE.read_text(encoding="utf-8")
    out = _ok(cli("entity", "set", "Trump", "PERSON", db=db))
    assert "3 mentions in 1 article, 3 changed" in out
    trump = [m for m in _mentions(cli, db) if m[2] == "Trump"]
    assert [m[3] for m in trump] == ["PERSON"] * 3
    possessive = text.index("Trump’s")
    assert (possessive, possessive + 5, "Trump", "PERSON") in trump


def test_set_trims_the_possessive_the_model_swallowed(cli, db):
    _ok(cli("entity", "set", "Narendra Modi", "PERSON", db=db))
    texts = [m[2] for m in _mentions(cli, db)]
    assert texts.count("Narendra Modi") == 2 and "Narendra Modi’s" not in texts


def test_drop_removes_every_mention(cli, db):
    _ok(cli("entity", "drop", "the coming decade", db=db))
    assert not any(m[2] == "the coming decade" for m in _mentions(cli, db))


def test_set_adds_spans_the_model_missed_with_exact_offsets(cli, db):
    text = SAMPLE.read_text(encoding="utf-8")
    _ok(cli("entity", "set", "Kestrel watch", "ORG", db=db))
    start = text.index("Kestrel watch")
    assert (start, start + len("Kestrel watch"), "Kestrel watch", "ORG") in _mentions(cli, db)


def test_one_sentence_scope_wins_over_everywhere(cli, db):
    article = _article_id(cli, db)
    _ok(cli("entity", "set", "Trump", "PERSON", db=db))
    _ok(cli("entity", "set", "Trump", "NORP", "--article", article[:8], "--index", "2",
            db=db))
    shown = json.loads(cli("show", article, "--json", db=db).out)["sentences"]
    labels = {row["index"]: [e["label"] for e in row["entities"] if e["text"] == "Trump"]
              for row in shown}
    assert labels[1] == ["PERSON"] and labels[2] == ["NORP"] and labels[5] == ["PERSON"]
    rules = json.loads(_ok(cli("entity", "rules", "--json", db=db)))
    assert {(r["label"], r["article"], r["index"]) for r in rules} == {
        ("PERSON", None, None), ("NORP", article, 2)}


def test_a_later_import_arrives_corrected(cli, db):
    refused = _refused(cli("entity", "set", "the board", "ORG", db=db))
    assert "'the board' does not occur" in refused and "--future" in refused
    _ok(cli("entity", "set", "the board", "ORG", "--future", db=db))
    _ok(cli("entity", "set", "Trump", "PERSON", db=db))
    _ok(cli("entity", "set", "Kestrel watch", "ORG", db=db))
    _ok(cli("entity", "drop", "the coming decade", db=db))
    _ok(cli("import", FOLLOWUP, db=db))
    text = FOLLOWUP.read_text(encoding="utf-8")
    mentions = _mentions(cli, db, "Harbour Board Reply")
    assert [m[3] for m in mentions if m[2] == "Trump"] == ["PERSON", "PERSON"]
    assert [(m[0], m[1]) for m in mentions if m[2] == "Kestrel watch"] == [
        (i, i + 13) for i in (text.index("Kestrel watch"), text.rindex("Kestrel watch"))]
    assert not any(m[2] in ("Kestrel", "the coming decade") for m in mentions)
    start = text.index("the board")
    assert (start, start + 9, "the board", "ORG") in mentions


def test_forget_restores_the_models_entities(cli, db):
    before = _mentions(cli, db)
    _ok(cli("entity", "set", "Trump", "PERSON", db=db))
    _ok(cli("entity", "set", "Trump", "GPE", "--article", _article_id(cli, db), db=db))
    assert _mentions(cli, db) != before
    assert "forgot 2 rules for Trump" in _ok(cli("entity", "forget", "Trump", db=db))
    assert _mentions(cli, db) == before
    assert json.loads(_ok(cli("entity", "rules", "--json", db=db))) == []


def test_entities_lists_texts_with_counts_and_corrections(cli, db):
    _ok(cli("entity", "set", "Trump", "PERSON", db=db))
    rows = json.loads(_ok(cli("entities", "--json", db=db)))
    trump = [r for r in rows if r["text"] == "Trump"]
    assert trump == [{"text": "Trump", "label": "PERSON", "mentions": 3, "articles": 1,
                      "corrected": 3}]
    only = json.loads(_ok(cli("entities", "--json", "--label", "GPE", db=db)))
    assert {r["label"] for r in only} == {"GPE"} and only
    found = json.loads(_ok(cli("entities", "--json", "--text", "modi", db=db)))
    assert {r["text"] for r in found} == {"Narendra Modi", "Narendra Modi’s"}
    human = _ok(cli("entities", db=db))
    assert "CORRECTED" in human.splitlines()[0] and "Trump" in human


def _correct_all(cli, db: Path) -> None:
    _ok(cli("entity", "set", "Trump", "PERSON", db=db))
    _ok(cli("entity", "drop", "the coming decade", db=db))
    _ok(cli("entity", "set", "Kestrel watch", "ORG", db=db))


def test_exports_carry_the_corrected_entities(cli, db, tmp_path, nlp):
    _correct_all(cli, db)
    # YAML: the sentence entities, and the rules themselves
    exported = yaml.safe_load(_ok(cli("export", "--all", db=db)))
    entities = [e for s in exported["articles"][0]["sentences"] for e in s["entities"]]
    assert {e["label"] for e in entities if e["text"] == "Trump"} == {"PERSON"}
    assert not any(e["text"] == "the coming decade" for e in entities)
    assert {"text": "Kestrel watch", "label": "ORG", "start": 12, "end": 25} in entities
    assert {(r["text"], r["label"]) for r in exported["entity_rules"]} == {
        ("Trump", "PERSON"), ("the coming decade", None), ("Kestrel watch", "ORG")}
    # Prodigy JSONL spans
    tasks = [json.loads(line) for line in _ok(cli("export", "-f", "jsonl", "--all",
                                                  db=db)).splitlines()]
    spans = [(t["text"][s["start"]:s["end"]], s["label"]) for t in tasks for s in t["spans"]]
    assert ("Trump", "ORG") not in spans and ("Trump", "PERSON") in spans
    assert ("Kestrel watch", "ORG") in spans
    # doccano sequence labelling
    records = [json.loads(line) for line in _ok(cli("export", "-f", "doccano", "--entities",
                                                    "--all", db=db)).splitlines()]
    labelled = [(r["text"][a:b], lab) for r in records for a, b, lab in r["label"]]
    assert ("Trump", "PERSON") in labelled and ("Trump", "ORG") not in labelled
    assert not any(t == "the coming decade" for t, _ in labelled)
    # spaCy DocBin, read back with spaCy
    from spacy.tokens import DocBin

    out = tmp_path / "out.spacy"
    _ok(cli("export", "-f", "spacy", "--all", "-o", out, db=db))
    docs = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    ents = [(e.text, e.label_) for d in docs for e in d.ents]
    assert ("Trump", "PERSON") in ents and ("Trump", "ORG") not in ents
    assert ("Kestrel watch", "ORG") in ents
    assert "the coming decade" not in [t for t, _ in ents]


def test_rules_travel_with_the_yaml_export(cli, db, tmp_path):
    _correct_all(cli, db)
    export = tmp_path / "team.yaml"
    _ok(cli("export", "--all", "-o", export, db=db))
    other = tmp_path / "other"
    out = _ok(cli("import-annotations", export, db=other))
    assert "3 entity rules new or changed" in out
    assert _mentions(cli, other) == _mentions(cli, db)
    # the same file again changes nothing
    assert "entity rules" not in _ok(cli("import-annotations", export, db=other))


@pytest.mark.parametrize("bad, where", [
    ("- {text: '', label: ORG}", "entity_rules[0]"),
    ("- {text: Trump, label: '[@click=app.quit]x'}", "entity_rules[0].label"),
    ("- {text: Trump, label: ORG, index: 3}", "entity_rules[0]"),
    ("- {text: Trump, label: ORG, surprise: 1}", "entity_rules[0].surprise"),
    ("- Trump", "entity_rules[0]"),
])
def test_a_hostile_rules_section_is_refused_before_anything_changes(cli, db, tmp_path, bad,
                                                                    where):
    good = tmp_path / "good.yaml"
    _ok(cli("export", "--all", "-o", good, db=db))
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(good.read_text(encoding="utf-8") + "entity_rules:\n" + bad + "\n",
                       encoding="utf-8")
    other = tmp_path / "other"
    line = _refused(cli("import-annotations", hostile, db=other))
    assert str(hostile) in line and where in line
    assert not (other / "entity-rules.json").exists()
    assert not (other / "newstag.json").exists()


def test_a_damaged_rules_file_is_one_line_naming_it(cli, db):
    (db / "entity-rules.json").write_text('{"rules": {"1": {"text": 5}}}', encoding="utf-8")
    line = _refused(cli("show", _article_id(cli, db), db=db))
    assert "entity-rules.json" in line
    assert (db / "entity-rules.json").read_text(encoding="utf-8") == \
        '{"rules": {"1": {"text": 5}}}'


@pytest.mark.parametrize("args, says", [
    (["set", "Trump", "CELEBRITY"], "unknown entity type 'CELEBRITY'"),
    (["set", "", "ORG"], "the text is empty"),
    (["set", "x" * 201, "ORG"], "longer than 200"),
    (["set", "Nobody Here", "PERSON"], "does not occur"),
    (["drop", "Nobody Here"], "does not occur"),
    (["set", "Trump", "PERSON", "--index", "2"], "--index needs --article"),
    (["set", "Trump", "PERSON", "--article", "nope"], "no article 'nope'"),
    (["set", "Trump", "PERSON", "--future", "--article", "d"], "--future"),
    (["forget", "Trump"], "no entity rule for 'Trump'"),
])
def test_mistakes_are_one_line_and_change_nothing(cli, db, args, says):
    _ok(cli("entity", "set", "Vilnius", "GPE", db=db))
    before = (db / "entity-rules.json").read_bytes()
    assert says in _refused(cli("entity", *args, db=db))
    assert (db / "entity-rules.json").read_bytes() == before


def test_an_index_out_of_range_is_refused(cli, db):
    article = _article_id(cli, db)
    assert "has no sentence 99" in _refused(cli("entity", "set", "Trump", "PERSON",
                                                "--article", article, "--index", "99", db=db))
    assert not (db / "entity-rules.json").exists()


def test_lower_case_type_is_taken_as_the_known_type(cli, db):
    _ok(cli("entity", "set", "Vilnius", "gpe", db=db))
    assert json.loads(_ok(cli("entity", "rules", "--json", db=db)))[0]["label"] == "GPE"


@pytest.mark.parametrize("command", [["entities"], ["entity", "rules"],
                                     ["entity", "set", "Trump", "PERSON"],
                                     ["entity", "drop", "Vilnius"]])
def test_entity_commands_import_neither_textual_nor_spacy(db, command):
    code = (
        "import io, contextlib, sys, json\nfrom tui.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    rc = main({command!r})\n"
        "assert rc == 0, rc\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "NEWSTAG_DB": str(db)}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert "annotations" in loaded
    assert not {"textual", "spacy", "thinc"} & loaded
