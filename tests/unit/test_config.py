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
