"""The suggestion model (issue 10): cold-start patterns on lemmas, the config's
``patterns`` key, a learned model that fits what it was taught, and the scores' contract."""

from __future__ import annotations

import pytest
import yaml

from annotations.config import load_config
from annotations.errors import ConfigError
from annotations.suggest.engine import (
    THRESHOLD,
    Example,
    cold_suggester,
    train_suggester,
)
from annotations.suggest.evaluate import cross_validate, scores
from tests.helpers import DATA

TINY = DATA / "suggest_tiny.yaml"


def _examples() -> list[Example]:
    rows = yaml.safe_load(TINY.read_text("utf-8"))
    return [Example(r["text"], frozenset(r["labels"])) for r in rows]


def _config(tmp_path, labels: str):
    path = tmp_path / "config.yaml"
    path.write_text("labels:\n" + labels, "utf-8")
    return load_config(str(path))


BARE = """\
  - {name: trade, key: "1", colour: red}
  - {name: defence, key: "2", colour: blue}
  - {name: diplomacy, key: "3", colour: green}
"""


def test_patterns_match_lemmas_not_only_the_written_form(tmp_path):
    config = _config(tmp_path, """\
  - {name: trade, key: "1", colour: red, patterns: ["tariff*", "export control"]}
  - {name: defence, key: "2", colour: blue, patterns: ["warship"]}
""")
    found = cold_suggester(config).suggest([
        "Tariffs on rice were doubled.",          # plural, capitalised: tariff*
        "Export controls were tightened again.",  # "controls" has the lemma "control"
        "Two warships docked in the port.",       # no * : matched on the lemma "warship"
        "The weather was mild.",
    ])
    assert [s.labels for s in found] == [("trade",), ("trade",), ("defence",), ()]
    assert found[0].scores["trade"] >= THRESHOLD > found[3].scores["trade"]


def test_description_words_count_less_than_a_pattern(tmp_path):
    config = _config(tmp_path, """\
  - {name: trade, key: "1", colour: red, description: "Tariffs and quotas."}
""")
    one, two = cold_suggester(config).suggest(["The tariff stayed.",
                                               "The tariff and the quota stayed."])
    assert 0 < one.scores["trade"] < THRESHOLD and one.labels == ()
    assert two.labels == ("trade",)


@pytest.mark.parametrize("value, where", [
    ("tariff*", "labels[0].patterns"),            # a string, not a list
    (["ok", 3], "labels[0].patterns[1]"),
    (["*tariff"], "labels[0].patterns[0]"),       # a wildcard only at a word's end
    (["a b c d e f g"], "labels[0].patterns[0]"),  # at most six words
    (["x" * 101], "labels[0].patterns[0]"),
])
def test_bad_patterns_are_refused_naming_file_and_key(tmp_path, value, where):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"labels": [
        {"name": "trade", "key": "1", "colour": "red", "patterns": value}]}), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: {where}: ") and "\n" not in message
    assert len(message) < len(str(path)) + 200


def test_packaged_config_has_patterns_for_every_label(config):
    assert all(label.patterns for label in config.labels)
    assert "tariff*" in config.labels[0].patterns


def test_learned_model_fits_what_it_was_taught(tmp_path):
    """No patterns and no descriptions: every right answer here was learned."""
    config = _config(tmp_path, BARE)
    examples = _examples()
    assert cold_suggester(config).suggest([examples[0].text])[0].labels == ()
    model = train_suggester(config, examples)
    assert model.trained_on == len(examples)
    found = model.suggest([e.text for e in examples])
    result = scores(config.label_names, [e.labels for e in examples], [s.labels for s in found])
    assert result["micro"].f1 >= 0.95, result


def test_learned_model_generalises_to_a_new_sentence(tmp_path):
    model = train_suggester(_config(tmp_path, BARE), _examples())
    tariffs, frigates, rain = model.suggest([
        "Farmers protested against the tariffs on imported grain.",
        "Two frigates and a submarine joined the drills.",
        "Rain is expected in the old town on Monday.",
    ])
    assert "trade" in tariffs.labels and tariffs.scores["trade"] > rain.scores["trade"]
    assert "defence" in frigates.labels and frigates.scores["defence"] > rain.scores["defence"]
    assert rain.labels == ()


def test_labels_are_the_scores_at_or_above_the_threshold(config):
    model = train_suggester(config, _examples())
    for found in model.suggest(["Tariffs and troops.", "A quiet day.", "The envoy left."]):
        assert set(found.scores) == set(config.label_names)
        assert all(0.0 <= v <= 1.0 for v in found.scores.values())
        assert found.labels == tuple(n for n in config.label_names
                                     if found.scores[n] >= THRESHOLD)
        assert 0.0 <= found.uncertainty <= 1.0


def test_too_few_tags_fall_back_to_the_rules(config):
    few = _examples()[:3]
    model = train_suggester(config, few)
    assert model.trained_on == 0
    assert model.suggest(["New tariffs on steel."])[0].labels == ("trade",)


def test_cross_validation_predicts_each_sentence_unseen(config):
    result = cross_validate(config, _examples(), folds=4)
    assert set(result) == {*config.label_names, "micro"}
    assert result["micro"].support == sum(len(e.labels) for e in _examples())
    assert 0.3 < result["micro"].f1 <= 1.0
