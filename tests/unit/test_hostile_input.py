"""Hostile input ends in one short line naming the file (and the key or line), exit 2,
nothing changed: never a traceback, a hang or a megabyte of error message."""

from __future__ import annotations

import pytest
import yaml

from annotations.yamlio import YAMLRefused, _GuardedPyLoader, _load, load_yaml

MAX_ERROR_LINE = 300  # the one line a user reads; a hostile value must not blow it up


def _one_short_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[:2000]
    assert len(lines[0]) <= MAX_ERROR_LINE, lines[0][:500]
    return lines[0]


def _laughs(depth: int = 9, width: int = 9, key: str = "a") -> str:
    """The classic "billion laughs": 9 levels of 9 aliases, 9**9 strings once expanded,
    as a list under ``key`` (a real config key, so validation reaches it)."""
    items = ["&a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, depth):
        items.append(f"&a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return f"{key}:\n" + "".join(f"  - {item}\n" for item in items)


# -- load_yaml ---------------------------------------------------------------------------
def test_alias_bomb_is_refused_quickly():
    with pytest.raises(YAMLRefused, match="alias bomb") as info:
        load_yaml(_laughs())
    assert isinstance(info.value, yaml.YAMLError)  # callers catching YAMLError still work
    assert len(str(info.value)) < 120


def test_recursive_alias_is_refused():
    with pytest.raises(YAMLRefused, match="contains it"):
        load_yaml("k: &a [1, *a]\n")


def test_a_few_ordinary_aliases_still_load():
    """PyYAML's own dumper writes anchors for shared lists; those files must still load."""
    text = "shared: &l [trade, defence]\na: *l\nb: *l\nname: AT&T &co\n"
    assert load_yaml(text) == {"shared": ["trade", "defence"], "a": ["trade", "defence"],
                               "b": ["trade", "defence"], "name": "AT&T &co"}


@pytest.mark.parametrize("text, key", [
    ("n: " + "9" * 5000 + "\n", "n"),
    ("a:\n  b: [1, 2026-02-30]\n", "a.b[1]"),
    ("x: !!float " + "y" * 1_000_000 + "\n", "x"),
    ("t: !!timestamp 99999-01-01\n", "t"),
], ids=lambda v: v[:20])
def test_values_no_python_type_holds_are_refused_with_their_key(text, key):
    with pytest.raises(YAMLRefused) as info:
        load_yaml(text)
    assert info.value.key == key
    assert info.value.problem_mark is not None
    assert len(str(info.value)) < 200


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "k: " + "{a: " * 100_000,
                                  "- " * 100_000 + "x"], ids=["flow", "mapping", "block"])
def test_absurd_nesting_is_a_yaml_error(text):
    with pytest.raises(yaml.YAMLError):
        load_yaml(text)


def test_absurd_nesting_without_libyaml_is_refused_too():
    """The pure-Python composer recurses; on a machine without libyaml it must not
    end in RecursionError."""
    with pytest.raises(YAMLRefused, match="nested too deeply"):
        _load("[" * 5000 + "]" * 5000, _GuardedPyLoader)


def test_lone_surrogate_in_text_is_a_yaml_error():
    with pytest.raises(YAMLRefused, match="surrogate"):
        load_yaml("k: a\ud800b\n")


# -- config.yaml through the real CLI -----------------------------------------------------
@pytest.mark.parametrize("text, key, problem", [
    (_laughs(key="n_process"), None, "alias bomb"),
    ("n_process: " + "9" * 5000 + "\n", "n_process", "4,300 digits"),
    ("n_process: .inf\n", "n_process", "whole number"),
    ("n_process: .nan\n", "n_process", "whole number"),
    ("n_process: [1, 2]\n", "n_process", "whole number"),
    ("n_process: '4'\n", "n_process", "whole number"),
    ("annotator: [a, b]\n", "annotator", "must be a string"),
    ("annotator: " + "x" * 1_000_000 + "\n", "annotator", "longer than"),
    ("n_process: " + "x" * 1_000_000 + "\n", "n_process", "whole number"),
    ("labels:\n - {name: " + "n" * 1_000_000 + ", key: '1'}\n", "labels[0].name", "a word"),
    ("labels:\n - {name: a, key: " + "k" * 1_000_000 + "}\n", "labels[0].key", "a key"),
    ("labels:\n - {name: a, key: '1', colour: " + "c" * 1_000_000 + "}\n",
     "labels[0].colour", "invalid colour"),
    ("? " + "k" * 1_000_000 + "\n: 1\n", None, "unknown key"),
    ("entities: {GPE: " + "[" * 100_000 + "}\n", None, "nesting depth"),
    ("labels: " + "[" * 100_000 + "]" * 100_000 + "\n", None, "nesting depth"),
    ("labels: !!python/object:os.system {}\n", None, "YAML"),
], ids=lambda v: v[:20] if isinstance(v, str) else str(v))
def test_bad_config_is_one_short_line_naming_file_and_key(cli, tmp_path, text, key, problem):
    config = tmp_path / "hostile.yaml"
    config.write_text(text, "utf-8")
    result = cli("list", "--config", config, db=tmp_path / "db")
    assert result.code == 2
    line = _one_short_line(result.err)
    assert str(config) in line
    assert problem in line
    if key:
        assert f": {key}: " in line
    assert not (tmp_path / "db").exists()  # nothing was created


def test_config_that_never_ends_is_refused(cli, tmp_path):
    result = cli("list", "--config", "/dev/zero", db=tmp_path / "db")
    assert result.code == 2
    assert "larger than" in _one_short_line(result.err)
