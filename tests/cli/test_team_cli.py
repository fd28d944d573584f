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
