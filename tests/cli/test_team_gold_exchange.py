"""Found trying the README's "Working as a team" (issue 12): `newstag export --gold` as
YAML is read back into the gold layer, never into the adjudicator's own layer; a κ of
zero is reported as 0.0, not -0.0.

Databases are written without spaCy (tests/helpers.db_of_articles), every command runs
as a real subprocess; the adjudicator's gold write goes through the reader's session.
"""

from __future__ import annotations

from dataclasses import replace

import yaml

from annotations.config import load_config
from annotations.identity import GOLD
from annotations.session import TaggingSession
from annotations.store import Store
from annotations.tagging import TagChange
from tests.cli.test_team_cli import _ok, _three_exports
from tests.helpers import REPO


def test_a_yaml_export_of_gold_is_imported_as_gold_not_as_the_adjudicators_layer(
        cli, tmp_path):
    files = _three_exports(cli, tmp_path, {"ana": {1: ["trade"]}, "ben": {1: ["defence"]}})
    # ana adjudicates in her own database, where ben's export was imported: she decides
    # diplomacy, which neither of them said
    ana_db = tmp_path / "db-ana"
    _ok(cli("--annotator", "ana", "import-annotations", files["ben"], db=ana_db))
    store = Store.open(ana_db, annotator="ana")
    session = TaggingSession(store, replace(load_config(str(REPO / "config.yaml")),
                                            annotator="ana"))
    session.layer = GOLD  # as the reader's D sets it
    session.change(store.load_article("pact"), 1, TagChange("pact", 1, labels=("diplomacy",)))
    gold = tmp_path / "gold.yaml"
    _ok(cli("--annotator", "ana", "export", "--gold", "-o", gold, db=ana_db))
    records = yaml.safe_load(gold.read_text("utf-8"))["articles"][0]["sentences"]
    assert [(r["index"], r["labels"], r.get("gold", False)) for r in records] \
        == [(1, ["diplomacy"], True)]
    # ben passes the gold on into his database, where ana's export is too
    ben_db = tmp_path / "db-ben"
    _ok(cli("--annotator", "ben", "import-annotations", files["ana"], db=ben_db))
    _ok(cli("--annotator", "ben", "import-annotations", gold, db=ben_db))
    layers = Store.open(ben_db, create=False).load_layers("pact").layers()
    assert {n: {i: a.labels for i, a in layer.placed.items()} for n, layer in layers.items()} \
        == {"ben": {1: ["defence"]}, "ana": {1: ["trade"]}, GOLD: {1: ["diplomacy"]}}


def test_a_kappa_of_zero_is_zero_not_minus_zero(cli, tmp_path):
    # diplomacy, per sentence over three annotators: 0 0 0, 0 1 0, 1 0 1. P_i = 1, 1/3,
    # 1/3 (mean 5/9); p(1) = 1/3 -> Pe = 1/9 + 4/9 = 5/9: kappa = 0 exactly
    files = _three_exports(cli, tmp_path, {
        "ana": {1: ["trade"], 2: ["trade"], 3: ["trade", "diplomacy"]},
        "ben": {1: ["trade"], 2: ["diplomacy"], 3: ["trade"]},
        "cy": {1: ["trade"], 2: ["trade"], 3: ["diplomacy"]}})
    team = tmp_path / "db-ana"
    for name in ("ben", "cy"):
        _ok(cli("--annotator", "ana", "import-annotations", files[name], db=team))
    out = _ok(cli("agreement", "--json", db=team))
    assert '"kappa": 0.0,' in out, out
    human = _ok(cli("agreement", db=team))
    assert "-0.000" not in human and "0.000" in human, human


def test_a_note_in_the_gold_layer_leaves_a_unanimous_sentence_in_the_gold_export(cli, tmp_path):
    files = _three_exports(cli, tmp_path, {"ana": {1: ["trade"], 2: ["trade"]},
                                           "ben": {1: ["trade"], 2: ["defence"]}})
    ana_db = tmp_path / "db-ana"
    _ok(cli("--annotator", "ana", "import-annotations", files["ben"], db=ana_db))
    store = Store.open(ana_db, annotator="ana")
    session = TaggingSession(store, replace(load_config(str(REPO / "config.yaml")),
                                            annotator="ana"))
    session.layer = GOLD  # adjudicating, c writes a note on 1 (both said trade), and on 2
    article = store.load_article("pact")
    for index in (1, 2):
        session.change(article, index, TagChange("pact", index, note="check the source"))
    out = _ok(cli("--annotator", "ana", "export", "-f", "csv", "--gold", db=ana_db))
    rows = [line.split(",") for line in out.splitlines()[1:]]
    # 1 is unanimous, a note decides nothing; 2 is disputed and nobody adjudicated it
    assert [(r[1], r[3:6]) for r in rows] == [("1", ["1", "0", "0"])], out


def test_a_mistyped_database_folder_is_one_line_for_every_reading_command(cli, tmp_path):
    """Found trying the team flow: `agreement`, `export` and `entities` on a --db that does
    not exist printed an empty result with exit 0 (a colleague's typo looked like "nobody
    has tagged yet"), `list` and `stats` blamed a lock file. Every reading command now says
    there is no database there, and creates nothing."""
    typo = tmp_path / "no-such-db"
    for command in (["agreement"], ["export", "-f", "csv"], ["entities"], ["list"],
                    ["stats"], ["show", "x"], ["entity", "rules"]):
        result = cli(*command, db=typo)
        assert result.code == 2, (command, result)
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and str(typo) in lines[0] and "database here" in lines[0], \
            (command, result.err)
    assert not typo.exists()
