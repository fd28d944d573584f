"""``newstag train`` and ``newstag suggest`` as a user runs them (issue 10): real database
files, the real spaCy model, the CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from tests.helpers import DATA, db_of_articles, put_tag

ROWS = yaml.safe_load((DATA / "suggest_tiny.yaml").read_text("utf-8"))
LABELS = ["trade", "defence", "diplomacy"]


@pytest.fixture
def tagged_db(tmp_path):
    """Two articles of the tiny set (a heading first, so sentence numbers start at 1);
    every sentence of "tagged" reviewed, "fresh" untouched."""
    root = tmp_path / "db"
    store = db_of_articles(root, {
        "tagged": ["Tagged sentences", *(r["text"] for r in ROWS)],
        "fresh": ["Fresh news",
                  "Farmers protested against the tariffs on imported grain.",
                  "Rain is expected in the old town on Monday.",
                  "Two frigates and a submarine joined the naval drills."],
    })
    for i, row in enumerate(ROWS, start=1):
        put_tag(store, "tagged", i, row["labels"])
    return root


def test_train_json_reports_cross_validated_scores_and_count(cli, tagged_db):
    result = cli("train", "--json", db=tagged_db)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["trained_on"] == len(ROWS) and report["model"] == "learned"
    assert report["folds"] == 5 and report["output"] is None
    assert list(report["labels"]) == LABELS
    for score in [*report["labels"].values(), report["micro"]]:
        assert set(score) == {"precision", "recall", "f1", "support"}
        assert all(0.0 <= score[k] <= 1.0 for k in ("precision", "recall", "f1"))
    assert report["labels"]["trade"]["support"] == sum("trade" in r["labels"] for r in ROWS)
    assert report["micro"]["f1"] > 0.5


def test_train_human_output_names_the_count_and_each_label(cli, tagged_db):
    result = cli("train", db=tagged_db)
    assert result.code == 0, result.err
    assert f"trained on {len(ROWS)} reviewed sentences" in result.out
    assert all(any(line.split()[:1] == [n] for line in result.out.splitlines())
               for n in [*LABELS, "micro"])


def test_suggest_json_lists_unreviewed_sentences_by_the_shown_numbers(cli, tagged_db):
    result = cli("suggest", "--json", db=tagged_db)
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    shown = json.loads(cli("show", "fresh", "--json", db=tagged_db).out)["sentences"]
    # Only "fresh" has unreviewed sentences; the heading (index 0) is never offered.
    assert [(r["article"], r["index"]) for r in rows] == [("fresh", 1), ("fresh", 2),
                                                           ("fresh", 3)]
    for row in rows:
        assert set(row) == {"article", "index", "text", "scores", "labels"}
        assert row["text"] == shown[row["index"]]["text"]
        assert list(row["scores"]) == LABELS
        assert row["labels"] == [n for n in LABELS if row["scores"][n] >= 0.5]
    tariffs, rain, frigates = rows
    assert "trade" in tariffs["labels"] and "defence" in frigates["labels"]
    assert rain["labels"] == []


def test_suggest_all_and_article_arguments(cli, tagged_db):
    every = json.loads(cli("suggest", "--json", "--all", db=tagged_db).out)
    assert len(every) == len(ROWS) + 3
    only = json.loads(cli("suggest", "--json", "--all", "tagg", "tagged", db=tagged_db).out)
    assert [r["index"] for r in only] == list(range(1, len(ROWS) + 1))  # named twice: once


def test_suggest_without_any_tag_uses_the_cold_start_rules(cli, tmp_path):
    root = tmp_path / "db"
    db_of_articles(root, {"a": ["Heading", "New tariffs on steel imports were announced.",
                                "The choir sang in the cathedral."]})
    result = cli("suggest", "--json", db=root)
    assert result.code == 0, result.err
    assert [r["labels"] for r in json.loads(result.out)] == [["trade"], []]
    train = json.loads(cli("train", "--json", db=root).out)
    assert train["trained_on"] == 0 and train["model"] == "rules" and train["micro"] is None


@pytest.mark.parametrize("args, expected", [
    (["suggest", "nosuch"], "no article 'nosuch'"),
    (["suggest", "--bogus"], "unrecognized arguments"),
])
def test_suggest_mistakes_are_one_line_exit_2(cli, tagged_db, args, expected):
    result = cli(*args, db=tagged_db)
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and expected in result.err


def test_train_and_suggest_without_a_database_are_one_line_exit_2(cli, tmp_path):
    for command in ("train", "suggest"):
        result = cli(command, db=tmp_path / "none")
        assert result.code == 2, result
        assert len(result.err.strip().splitlines()) == 1 and "no database" in result.err
    assert not (tmp_path / "none").exists()


def test_train_o_writes_a_spacy_pipeline_that_loads_anywhere(cli, tagged_db, tmp_path):
    out = tmp_path / "model"
    result = cli("train", "-o", out, "--json", db=tagged_db)
    assert result.code == 0, result.err
    assert json.loads(result.out)["output"] == str(out)
    import spacy

    nlp = spacy.load(out)
    assert "textcat_multilabel" in nlp.pipe_names
    trade = nlp("The government raised tariffs on imported steel.").cats
    other = nlp("The choir sang in the old cathedral on Sunday.").cats
    assert sorted(trade) == sorted(LABELS)
    assert trade["trade"] > other["trade"]
    # Again into the same folder: a previous newstag model is replaced.
    assert cli("train", "-o", out, db=tagged_db).code == 0
    assert spacy.load(out)("tariffs").cats.keys() == trade.keys()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_train_o_refuses_a_folder_that_is_not_a_newstag_model(cli, tagged_db, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.txt").write_text("keep me", "utf-8")
    result = cli("train", "-o", out, db=tagged_db)
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1 and "not empty" in result.err
    assert [p.name for p in out.iterdir()] == ["thesis.txt"]
    afile = tmp_path / "afile"
    afile.write_text("x", "utf-8")
    result = cli("train", "-o", afile, db=tagged_db)
    assert result.code == 2 and "not a folder" in result.err and afile.read_text() == "x"


def test_train_and_suggest_do_not_import_textual(tagged_db):
    code = ("import io, contextlib, sys, json\nfrom tui.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['suggest', '--json']) == 0\n    assert main(['train']) == 0\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "NEWSTAG_DB": str(tagged_db)}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert "annotations" in loaded and "spacy" in loaded  # it did the work
    assert "textual" not in loaded
