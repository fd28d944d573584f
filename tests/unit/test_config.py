from __future__ import annotations

import pytest

from annotations.config import load_config
from annotations.errors import ConfigError


def _write(tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_text(text, "utf-8")
    return str(path)


def test_packaged_default_has_three_labels(config):
    assert [(x.name, x.key) for x in config.labels] == [
        ("trade", "1"), ("defence", "2"), ("diplomacy", "3")]
    assert all(x.description for x in config.labels)
    assert config.entities["GPE"].startswith("#")
    assert config.n_process == 1 and config.annotator


def test_partial_config_overrides_defaults(tmp_path):
    cfg = load_config(_write(tmp_path, "annotator: ana\nn_process: 2\n"))
    assert cfg.annotator == "ana" and cfg.n_process == 2
    assert cfg.label_names == ["trade", "defence", "diplomacy"]


def test_resolution_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text("annotator: local\n")
    env = tmp_path / "env.yaml"
    env.write_text("annotator: env\n")
    assert load_config().annotator == "local"
    monkeypatch.setenv("NEWSTAG_CONFIG", str(env))
    assert load_config().annotator == "env"
    assert load_config(_write(tmp_path, "annotator: flag\n")).annotator == "flag"


@pytest.mark.parametrize("text, key, problem", [
    ("labels: [\n", None, "YAML syntax error"),
    ("colour_scheme: dark\n", "colour_scheme", "unknown key"),
    ("labels:\n - {name: a, key: '1'}\n - {name: a, key: '2'}\n", "labels[1].name", "duplicate"),
    ("labels:\n - {name: a, key: '1'}\n - {name: b, key: '1'}\n", "labels[1].key", "duplicate"),
    ("labels:\n - {name: a, key: '1', colour: '#12'}\n", "labels[0].colour", "invalid colour"),
    # A label on a reader key (j) is refused by the reader: tests/tui/test_keymap.py.
    ("labels:\n - {name: a, key: 'a,b'}\n", "labels[0].key", "must be a key"),
    ("labels:\n - {name: a, key: '1', size: 3}\n", "labels[0].size", "unknown key"),
    ("labels: []\n", "labels", "non-empty"),
    ("entities: {GPE: blurple}\n", "entities.GPE", "invalid colour"),
    ("n_process: many\n", "n_process", "whole number"),
    ("- just\n- a list\n", None, "mapping"),
])
def test_invalid_config_names_file_and_key(tmp_path, text, key, problem):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(path)
    assert problem in message
    if key:
        assert f": {key}: " in message


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(str(tmp_path / "nope.yaml"))


def test_the_parsed_default_is_the_packaged_config_yaml_as_pyyaml_reads_it():
    """annotations/data/config.parsed.json spares every start PyYAML (issue 9); after an
    edit of the packaged config.yaml, run annotations.config.write_parsed_default()."""
    import json

    from annotations.config import PARSED_DEFAULT, _parse, packaged_config_text
    from annotations.paths import packaged_data

    kept = json.loads(packaged_data(PARSED_DEFAULT).read_text("utf-8"))
    text = packaged_config_text()
    assert kept["yaml"] == text, "config.yaml changed: run write_parsed_default()"
    assert kept["parsed"] == _parse("packaged", text)


def test_a_parsed_default_left_behind_by_an_edit_is_not_used(monkeypatch):
    """A packaged config.yaml that is not the text the parsed default was made from is
    parsed, never answered with the old settings."""
    import annotations.config as config_module

    edited = config_module.packaged_config_text().replace('annotator: ""', "annotator: edited")
    assert "annotator: edited" in edited
    monkeypatch.setattr(config_module, "packaged_config_text", lambda: edited)
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    monkeypatch.setattr(config_module, "resolve_config_path", lambda explicit=None: None)
    assert load_config().annotator == "edited"


def test_a_config_file_that_is_the_default_gives_the_default(tmp_path):
    from annotations.config import packaged_config_text

    path = _write(tmp_path, packaged_config_text())
    config, default = load_config(path), load_config(_write(tmp_path, "n_process: 1\n"))
    assert config.path == path
    assert (config.labels, config.entities, config.keys, config.model, config.annotator) == (
        default.labels, default.entities, default.keys, default.model, default.annotator)
