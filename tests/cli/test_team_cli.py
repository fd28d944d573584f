"""Working as a team from the command line (issue 12): who records a write, layers
kept side by side across exports and imports, agreement, and the layer an export takes.

Databases are written without spaCy (hand-made sentences, real Store, real TinyDB
files); every command runs as a real subprocess through the ``cli`` fixture.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from annotations.store import Store
from tests.helpers import db_of_articles

ARTICLES = {
    "pact": ["Pact report", "Ministers signed a fisheries pact in Reykjavik.",
             "The navy will patrol the new zone.", "Tariffs on cod fall next year.",
             "Envoys praised the deal.", "Nothing else was agreed."],
}


def _ok(result) -> str:
    assert result.code == 0, (result.code, result.out, result.err[-2000:])
    assert "Traceback" not in result.err, result.err[-2000:]
    return result.out


def _db(tmp_path: Path, name: str = "db") -> Path:
    return db_of_articles(tmp_path / name, ARTICLES).root


def _config(tmp_path: Path, annotator: str | None) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"annotator: {annotator}\n" if annotator else "model: en_core_web_sm\n",
                    "utf-8")
    return path


def _exported(cli, db: Path, *args: str) -> list[dict]:
    """The YAML export's sentence records of the one article."""
    data = yaml.safe_load(_ok(cli("export", *args, db=db)))
    return data["articles"][0]["sentences"] if data["articles"] else []


# -- 1: identity ------------------------------------------------------------------------
def test_identity_precedence_flag_env_config_login(cli, tmp_path):
    db = _db(tmp_path)
    config = _config(tmp_path, "cora")
    _ok(cli("--config", config, "tag", "pact", "1", "trade", db=db))
    _ok(cli("--config", config, "tag", "pact", "2", "defence", db=db,
            env={"NEWSTAG_ANNOTATOR": "emil"}))
    _ok(cli("--annotator", "fay", "--config", config, "tag", "pact", "3", "trade", db=db,
            env={"NEWSTAG_ANNOTATOR": "emil"}))
    # after the subcommand, as --db and --config may be
    _ok(cli("tag", "pact", "4", "diplomacy", "--annotator", "gus", db=db))
    _ok(cli("--config", _config(tmp_path, None), "tag", "pact", "5", "--none", db=db))
    layers = Store.open(db, create=False).load_layers("pact").layers()
    import getpass
    assert {name: sorted(layer.placed) for name, layer in layers.items()} == {
        "cora": [1], "emil": [2], "fay": [3], "gus": [4], getpass.getuser(): [5]}
    for name, layer in layers.items():  # every record names its layer's annotator
        assert {a.annotator for a in layer.placed.values()} == {name}


@pytest.mark.parametrize("name, why", [
    ("", "must not be empty"), ("a\x1bb", "non-printable"), ("x" * 81, "longer than"),
    ("@gold", "reserved"), (" ana", "space"),
])
def test_an_unusable_annotator_name_is_one_line_and_exit_2(cli, tmp_path, name, why):
    db = _db(tmp_path)
    before = (db / "newstag.json").read_bytes()
    for args, env in ((("--annotator", name), {}), ((), {"NEWSTAG_ANNOTATOR": name})):
        result = cli(*args, "tag", "pact", "1", "trade", db=db, env=env)
        assert result.code == 2, result
        assert why in result.err and len(result.err.strip().splitlines()) == 1, result.err
        assert "Traceback" not in result.err
    assert not (db / "annotations").exists() or not list((db / "annotations").iterdir())
    assert (db / "newstag.json").read_bytes() == before


# -- 3: side by side ---------------------------------------------------------------------
def _three_exports(cli, tmp_path: Path, tags: dict[str, dict[int, list[str]]]) -> dict:
    """Each annotator tags in a database of their own; their YAML exports, by name."""
    files = {}
    for name, by_index in tags.items():
        db = _db(tmp_path, f"db-{name}")
        for index, labels in by_index.items():
            _ok(cli("--annotator", name, "tag", "pact", str(index),
                    *(labels or ["--none"]), db=db))
        files[name] = tmp_path / f"{name}.yaml"
        _ok(cli("--annotator", name, "export", "-o", files[name], db=db))
    return files


def test_imports_keep_each_annotators_layer_and_reimport_updates_only_theirs(cli, tmp_path):
    files = _three_exports(cli, tmp_path, {"ana": {1: ["trade"], 2: ["defence"]},
                                           "ben": {1: ["defence"], 2: ["defence"]}})
    mine = _db(tmp_path, "mine")
    _ok(cli("--annotator", "cleo", "tag", "pact", "1", "diplomacy", db=mine))
    for name in ("ana", "ben"):
        _ok(cli("--annotator", "cleo", "import-annotations", files[name], db=mine))
    layers = Store.open(mine, create=False).load_layers("pact").layers()
    assert {n: {i: a.labels for i, a in layer.placed.items()} for n, layer in layers.items()} \
        == {"cleo": {1: ["diplomacy"]}, "ana": {1: ["trade"], 2: ["defence"]},
            "ben": {1: ["defence"], 2: ["defence"]}}
    # ana changes her mind at home; her new export updates her layer only (newer wins)
    ana_db = tmp_path / "db-ana"
    _ok(cli("--annotator", "ana", "tag", "pact", "1", "diplomacy", db=ana_db))
    _ok(cli("--annotator", "ana", "export", "-o", files["ana"], db=ana_db))
    out = _ok(cli("--annotator", "cleo", "import-annotations", files["ana"], db=mine))
    assert "imported 1 annotations" in out and "1 unchanged" in out, out
    layers = Store.open(mine, create=False).load_layers("pact").layers()
    assert layers["ana"].placed[1].labels == ["diplomacy"]
    assert layers["ben"].placed[1].labels == ["defence"]
    assert layers["cleo"].placed[1].labels == ["diplomacy"]
    # what cleo sees is her own layer
    shown = json.loads(_ok(cli("--annotator", "cleo", "show", "pact", "--json", db=mine)))
    assert shown["sentences"][1]["labels"] == ["diplomacy"] and not shown["sentences"][2]["labels"]


def test_yaml_export_keeps_every_layer_and_gold_and_reads_them_back(cli, tmp_path):
    files = _three_exports(cli, tmp_path, {"ana": {1: ["trade"]}, "ben": {1: ["defence"]}})
    team = _db(tmp_path, "team")
    for name in ("ana", "ben"):
        _ok(cli("import-annotations", files[name], db=team))
    store = Store.open(team)
    from annotations.identity import GOLD
    with store.annotations_of("pact") as current:
        judged = current.layer("ana").placed[1]
        from dataclasses import replace
        current.put(replace(judged, labels=["trade", "defence"], annotator="judge"), layer=GOLD)
    records = _exported(cli, team)
    assert [(r["index"], r["annotator"], r["labels"], r.get("gold", False)) for r in records] \
        == [(1, "ana", ["trade"], False), (1, "ben", ["defence"], False),
            (1, "judge", ["trade", "defence"], True)]
    copy = _db(tmp_path, "copy")
    _ok(cli("export", "-o", tmp_path / "team.yaml", db=team))
    _ok(cli("import-annotations", tmp_path / "team.yaml", db=copy))
    assert _exported(cli, copy) == records  # the round trip keeps every layer
    layers = Store.open(copy, create=False).load_layers("pact").layers()
    assert sorted(layers) == sorted(["ana", "ben", GOLD])


# -- 5: export layer choice --------------------------------------------------------------
def test_export_annotator_and_gold_choose_the_layer(cli, tmp_path):
    files = _three_exports(cli, tmp_path, {
        "ana": {1: ["trade"], 2: ["defence"], 3: ["trade"]},
        "ben": {1: ["defence"], 2: ["defence"], 3: ["trade"]},
        "cy": {1: ["trade"], 2: ["defence"], 3: ["trade", "defence"]}})
    team = _db(tmp_path, "team")
    for name in files:
        _ok(cli("import-annotations", files[name], db=team))
    ben = _exported(cli, team, "--annotator", "ben")
    assert [(r["index"], r["labels"]) for r in ben] == [(1, ["defence"]), (2, ["defence"]),
                                                        (3, ["trade"])]
    # no gold yet: the unanimous sentence only (2: defence from all three)
    assert [(r["index"], r["labels"]) for r in _exported(cli, team, "--gold")] \
        == [(2, ["defence"])]
    result = cli("export", "--gold", "--annotator", "ben", db=team)
    assert result.code == 2 and "give one" in result.err
    # another format's default with several layers: the current annotator's own layer
    jsonl = _ok(cli("--annotator", "cy", "export", "-f", "jsonl", db=team))
    assert [json.loads(line)["accept"] for line in jsonl.splitlines()] == [
        ["trade"], ["defence"], ["trade", "defence"]]


# -- 4: agreement, checked against arithmetic done by hand ---------------------------------
AGREEMENT_TAGS = {
    "ana": {1: ["trade"], 2: ["defence"], 3: ["trade"], 4: [], 5: ["trade"]},
    "ben": {1: ["trade"], 2: ["defence"], 3: [], 4: [], 5: ["trade"]},
    "cy": {1: ["trade"], 2: [], 3: ["trade"], 4: [], 5: ["trade"]},
}


@pytest.fixture
def team_db(cli, tmp_path) -> Path:
    files = _three_exports(cli, tmp_path, AGREEMENT_TAGS)
    team = _db(tmp_path, "team")
    for name in files:
        _ok(cli("import-annotations", files[name], db=team))
    return team


def test_agreement_of_two_annotators_matches_hand_computed_values(cli, team_db):
    report = json.loads(_ok(cli("agreement", "--json", "--annotators", "ana", "ben",
                                db=team_db)))
    assert report["annotators"] == ["ana", "ben"] and report["sentences"] == 5
    trade = report["labels"]["trade"]
    # trade: ana 1 0 1 0 1, ben 1 0 0 0 1. Po = 4/5; Pe = 3/5*2/5 + 2/5*3/5 = 0.48
    assert round(trade["kappa"], 3) == round((0.8 - 0.48) / (1 - 0.48), 3) == 0.615
    # alpha (nominal): n = 10 values, 5 ones, 5 zeros; one disagreeing sentence gives 2
    # mismatched ordered pairs: alpha = 1 - (n - 1) * 2 / (2 * 5 * 5)
    assert round(trade["alpha"], 3) == round(1 - 9 * 2 / 50, 3) == 0.64
    assert (trade["percent"], trade["n"]) == (0.8, 5)
    # defence: both say 0 1 0 0 0. Po = 1, Pe = 0.2*0.2 + 0.8*0.8 = 0.68: kappa 1
    assert report["labels"]["defence"]["kappa"] == 1.0
    # diplomacy: nobody uses it, every rating is 0: chance explains all, kappa undefined
    diplomacy = report["labels"]["diplomacy"]
    assert diplomacy == {"kappa": None, "alpha": None, "percent": 1.0, "n": 5}
    # label sets with MASI: values {trade} x5, {defence} x2, {} x3 (n = 10), all distinct
    # sets disjoint (distance 1). Do = 2 / 10 (sentence 3, two ordered pairs);
    # De = 2 * (5*2 + 5*3 + 2*3) / (10 * 9) = 62 / 90; alpha = 1 - Do / De
    assert round(report["alpha_masi"], 3) == round(1 - 0.2 / (62 / 90), 3) == 0.710


def test_agreement_of_three_annotators_uses_fleiss_kappa(cli, team_db):
    report = json.loads(_ok(cli("agreement", "--json", db=team_db)))
    assert report["annotators"] == ["ana", "ben", "cy"] and report["sentences"] == 5
    # trade ratings per sentence (ones of 3): 3, 0, 2, 0, 3.
    # P_i = (sum n_ij^2 - 3) / 6: 1, 1, (4 + 1 - 3) / 6, 1, 1 -> mean 13/15
    # p(1) = 8/15, p(0) = 7/15 -> Pe = (64 + 49) / 225; kappa = (13/15 - Pe) / (1 - Pe)
    pe = 113 / 225
    assert round(report["labels"]["trade"]["kappa"], 3) == round((13 / 15 - pe) / (1 - pe), 3) \
        == 0.732
    assert report["labels"]["diplomacy"]["kappa"] is None
    human = _ok(cli("agreement", db=team_db))
    assert "Fleiss' k" in human and "n/a" in human and "0.732" in human


def test_agreement_with_an_unknown_label_or_annotator_is_one_line(cli, team_db):
    for args in (("--label", "nope"), ("--annotators", "ana", "zed"), ("--annotators", "ana")):
        result = cli("agreement", *args, db=team_db)
        assert result.code == 2 and len(result.err.strip().splitlines()) == 1, result
        assert "Traceback" not in result.err
