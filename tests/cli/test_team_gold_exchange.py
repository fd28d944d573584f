"""Gold passed on between team members (issue 12): `newstag export --gold` as YAML is
read back into the gold layer, never into the adjudicator's own layer.

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
