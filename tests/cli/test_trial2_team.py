"""The "Working as a team" walk-through as a newcomer types it: the identity flag before
the command (`newstag --annotator ana ...`, as the README's first line shows) on every
command, exports included. Real subprocesses, real TinyDB files (no spaCy needed)."""

from __future__ import annotations

import json

from tests.cli.test_team_cli import _db, _ok, _three_exports


def test_annotator_before_the_command_is_who_exports_not_a_layer_beside_gold(cli, tmp_path):
    files = _three_exports(cli, tmp_path, {
        "ana": {1: ["trade"], 2: ["defence"], 3: ["trade"]},
        "ben": {1: ["defence"], 2: ["defence"], 3: ["trade"]}})
    ana_db = tmp_path / "db-ana"
    _ok(cli("--annotator", "ana", "import-annotations", files["ben"], db=ana_db))
    gold = tmp_path / "gold.jsonl"
    # README: "newstag --annotator ana tag ..." then "newstag export -f jsonl --gold".
    _ok(cli("--annotator", "ana", "export", "-f", "jsonl", "--gold", "-o", gold, db=ana_db))
    records = [json.loads(line) for line in gold.read_text("utf-8").splitlines()]
    # no adjudication yet: the sentences both reviewed with the same labels
    assert [(r["text"], r["accept"]) for r in records] == [
        ("The navy will patrol the new zone.", ["defence"]),
        ("Tariffs on cod fall next year.", ["trade"])]
    # Before the command the name is only who runs it: ana's own layer, as without it.
    csv_text = _ok(cli("--annotator", "ana", "export", "-f", "csv", db=ana_db))
    assert csv_text.splitlines()[1].split(",")[3:6] == ["1", "0", "0"], csv_text
    # After `export` it still names the layer to take, so with --gold it is two layers.
    result = cli("export", "--gold", "--annotator", "ben", db=ana_db)
    assert result.code == 2 and "give one" in result.err, result.err
    assert "Traceback" not in result.err
    ben = _ok(cli("--annotator", "ana", "export", "-f", "csv", "--annotator", "ben",
                  db=ana_db))
    assert ben.splitlines()[1].split(",")[3:6] == ["0", "1", "0"], ben


def test_a_fresh_database_exports_gold_with_the_identity_flag(cli, tmp_path):
    db = _db(tmp_path)
    _ok(cli("--annotator", "ana", "tag", "pact", "1", "trade", db=db))
    out = _ok(cli("--annotator", "ana", "export", "-f", "jsonl", "--gold", db=db))
    # one annotator: every sentence of theirs is unanimous
    assert [json.loads(line)["accept"] for line in out.splitlines()] == [["trade"]]


def test_show_says_whose_layer_is_empty_and_who_tagged_the_article(cli, tmp_path):
    files = _three_exports(cli, tmp_path, {"ana": {1: ["trade"]}, "ben": {1: ["defence"]}})
    team = _db(tmp_path, "team")
    for name in files:
        _ok(cli("--annotator", "cleo", "import-annotations", files[name], db=team))
    # cleo tagged nothing: the sentences show untagged, and one line on stderr says why
    result = cli("--annotator", "cleo", "show", "pact", db=team)
    assert result.code == 0 and "[trade" not in result.out and "[defence" not in result.out
    assert ("note: this is cleo's layer, empty here; tagged by ana, ben: "
            "add --annotator NAME") in result.err, result.err
    # ana sees her own tags, and no note
    result = cli("--annotator", "ana", "show", "pact", db=team)
    assert "[trade] Ministers signed" in result.out and result.err == "", result
    # once cleo tags anything her layer is not empty: no note
    _ok(cli("--annotator", "cleo", "tag", "pact", "2", "--none", db=team))
    assert cli("--annotator", "cleo", "show", "pact", db=team).err == ""
