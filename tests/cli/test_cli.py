from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import (
    CORPUS,
    CORPUS_ARTICLES,
    MAIN_ARTICLE,
    MAIN_HEADINGS,
    MAIN_SENTENCES,
    article_id_for,
)


def _snapshot(db: Path) -> dict[str, str]:
    return {str(p.relative_to(db)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(db.rglob("*")) if p.is_file() and p.name != ".lock"}


def _one_line_error(result, *needles):
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0]


def test_import_list_show_tag_export_stats(cli, tmp_path):
    db = tmp_path / "db"
    r = cli("import", CORPUS, db=db)
    assert r.code == 0, r.err
    assert f"{CORPUS_ARTICLES} new" in r.out
    assert f"{CORPUS_ARTICLES} unchanged" in cli("import", CORPUS, db=db).out

    listing = json.loads(cli("list", "--json", db=db).out)
    assert {"id", "title", "source", "sentences", "reviewed", "tagged"} <= set(listing[0])
    main = next(a for a in listing if a["source"] == MAIN_ARTICLE.name)
    assert main["sentences"] == MAIN_SENTENCES
    aid = main["id"]

    shown = json.loads(cli("show", aid[:6], "--json", db=db).out)
    headings = [s["text"] for s in shown["sentences"] if s["heading"]]
    assert headings == MAIN_HEADINGS
    first = shown["sentences"][0]
    assert {"index", "start", "end", "text", "heading", "labels", "state", "note",
            "entities"} <= set(first)

    assert cli("tag", aid, "1", "trade", "defence", db=db).code == 0
    assert cli("tag", aid, "2", "--none", db=db).code == 0
    assert cli("tag", aid, "3", "diplomacy", "--note", "check [this]", db=db).code == 0
    assert cli("tag", aid, "3", "--clear", db=db).code == 0
    shown = json.loads(cli("show", aid, "--json", db=db).out)["sentences"]
    assert (shown[1]["labels"], shown[1]["state"]) == (["trade", "defence"], "reviewed")
    assert (shown[2]["labels"], shown[2]["state"]) == ([], "reviewed")
    assert (shown[3]["labels"], shown[3]["state"], shown[3]["note"]) == (
        [], "unreviewed", "check [this]")

    row = next(a for a in json.loads(cli("list", "--json", db=db).out) if a["id"] == aid)
    assert (row["reviewed"], row["tagged"]) == (2, 1)
    stats = json.loads(cli("stats", "--json", db=db).out)
    assert stats["labels"] == {"trade": 1, "defence": 1, "diplomacy": 0}
    assert stats["reviewed"] == 2 and stats["none_apply"] == 1

    out = tmp_path / "out.yaml"
    r = cli("export", "-o", out, db=db)
    assert r.code == 0 and str(out) in r.err
    data = yaml.safe_load(out.read_text("utf-8"))
    assert data == yaml.safe_load(cli("export", db=db).out) | {
        "exported_at": data["exported_at"]}
    exported = next(a for a in data["articles"] if a["id"] == aid)
    assert [s["index"] for s in exported["sentences"]] == [1, 2, 3]
    only_trade = yaml.safe_load(cli("export", "--label", "trade", "--no-text", db=db).out)
    assert [a["id"] for a in only_trade["articles"]] == [aid]
    assert "text" not in only_trade["articles"][0]


def test_export_import_round_trip_through_the_cli(cli, db_copy, tmp_path):
    aid = article_id_for(db_copy, MAIN_ARTICLE.name)
    ops = tmp_path / "ops.txt"
    ops.write_text(f"# a comment\n{aid} 1 trade\n{aid} 2 defence diplomacy\n"
                   f'{aid} 3 --none --note "said \\"no\\""\nwire-0001 0 trade\n\n', "utf-8")
    r = cli("tag", "--from", ops, db=db_copy)
    assert r.code == 0, r.err
    first = tmp_path / "first.yaml"
    assert cli("export", "-o", first, db=db_copy).code == 0
    fresh = tmp_path / "fresh"
    r = cli("import-annotations", first, db=fresh)
    assert r.code == 0, r.err
    second = tmp_path / "second.yaml"
    assert cli("export", "-o", second, db=fresh).code == 0
    a, b = yaml.safe_load(first.read_text()), yaml.safe_load(second.read_text())
    a.pop("exported_at"), b.pop("exported_at")
    assert a == b
    notes = [s["note"] for art in a["articles"] for s in art["sentences"] if s["note"]]
    assert notes == ['said "no"']


@pytest.mark.parametrize("args, needles", [
    (["tag", "{aid}", "1", "tariffs"], ["unknown label 'tariffs'"]),
    (["tag", "nosuch", "1", "trade"], ["no article 'nosuch'"]),
    (["tag", "{aid}", "999", "trade"], ["no sentence 999"]),
    (["tag", "{aid}", "x", "trade"], ["INDEX must be a whole number"]),
    (["tag", "{aid}", "{heading}", "trade"], ["is a heading"]),
    (["tag", "{aid}", "1"], ["give labels, --none, --clear or --note"]),
    (["tag", "{aid}", "1", "trade", "--none"], ["not several"]),
    (["show", "nosuch"], ["no article 'nosuch'"]),
    (["export", "--label", "nope"], ["unknown label 'nope'"]),
    (["export", "--article", "nosuch"], ["no article 'nosuch'"]),
    (["export", "-o", "{db}"], ["is a folder"]),
    (["list", "--bogus"], ["unrecognized arguments: --bogus"]),
])
def test_user_errors_are_one_line_exit_2_and_change_nothing(cli, db_copy, args, needles):
    aid = article_id_for(db_copy, MAIN_ARTICLE.name)
    shown = json.loads(cli("show", aid, "--json", db=db_copy).out)
    heading = next(s["index"] for s in shown["sentences"] if s["heading"])
    before = _snapshot(db_copy)
    args = [a.format(aid=aid, heading=heading, db=db_copy) for a in args]
    _one_line_error(cli(*args, db=db_copy), *needles)
    assert _snapshot(db_copy) == before


def test_bad_line_in_tag_file_changes_nothing(cli, db_copy, tmp_path):
    aid = article_id_for(db_copy, MAIN_ARTICLE.name)
    ops = tmp_path / "ops.txt"
    ops.write_text(f"{aid} 1 trade\n{aid} 2 nonsense\n", "utf-8")
    before = _snapshot(db_copy)
    _one_line_error(cli("tag", "--from", ops, db=db_copy), "unknown label 'nonsense'")
    assert _snapshot(db_copy) == before
    ops.write_text(f"{aid} 1 trade\n{aid}\n", "utf-8")
    _one_line_error(cli("tag", "--from", ops, db=db_copy), f"{ops}: line 2")
    _one_line_error(cli("tag", "--from", tmp_path / "missing.txt", db=db_copy), "cannot read")
    assert _snapshot(db_copy) == before


def test_import_reports_bad_files_and_fails_only_when_nothing_imported(cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bin.txt").write_bytes(b"\x00\x01binary")
    (folder / "empty.md").write_text("")
    (folder / "feed.jsonl").write_text('{"id": "x1", "text": "Oslo hosted talks."}\n{oops\n')
    db = tmp_path / "db"
    r = cli("import", folder, db=db)
    assert r.code == 0 and "1 new" in r.out and "1 skipped" not in r.out
    assert "bin.txt: looks like a binary file" in r.err and "empty.md: empty file" in r.err
    assert "feed.jsonl: line 2: invalid JSON" in r.err
    assert "Traceback" not in r.err
    (folder / "feed.jsonl").unlink()
    r = cli("import", folder, db=tmp_path / "db2")
    assert r.code == 2 and "nothing could be imported" in r.err
    r = cli("import", tmp_path / "nope", db=tmp_path / "db3")
    assert r.code == 2 and "no such file or folder" in r.err


def test_bad_config_is_one_line_naming_file_and_key(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("labels:\n  - {name: trade, key: '1', colour: '#zzzzzz'}\n")
    _one_line_error(cli("list", "--config", bad, db=tmp_path / "db"), str(bad),
                    "labels[0].colour", "invalid colour")
    r = cli("list", db=tmp_path / "db", env={"NEWSTAG_CONFIG": str(bad)})
    _one_line_error(r, str(bad))


def test_corrupt_database_is_reported_and_untouched(cli, db_copy):
    index = db_copy / "newstag.json"
    index.write_bytes(index.read_bytes()[:50])
    before = _snapshot(db_copy)
    for args in (["list"], ["tag", "wire-0001", "0", "trade"], ["export"], ["stats"],
                 ["import", MAIN_ARTICLE]):
        r = cli(*args, db=db_copy)
        assert r.code != 0 and str(index) in r.err and "doctor" in r.err, r.err
        assert "Traceback" not in r.err
    assert _snapshot(db_copy) == before


def test_import_annotations_rejects_bad_files(cli, tmp_path):
    db = tmp_path / "db"
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: newstag-annotations\nversion: 1\narticles: [\n")
    _one_line_error(cli("import-annotations", bad, db=db), str(bad), "YAML syntax error")
    bad.write_text("format: something-else\n")
    _one_line_error(cli("import-annotations", bad, db=db), "not a newstag export")
    bad.write_text("!!python/object/apply:os.system ['echo pwned']\n")
    _one_line_error(cli("import-annotations", bad, db=db), str(bad))
    assert not db.exists()


def test_global_options_work_before_and_after_the_command(cli, db_copy, tmp_path):
    before = cli("--db", db_copy, "list", "--json")
    after = cli("list", "--json", "--db", db_copy)
    assert before.code == after.code == 0
    assert json.loads(before.out) == json.loads(after.out) and json.loads(before.out)
    config = tmp_path / "c.yaml"
    config.write_text("labels: [{name: econ, key: '7'}]\n")
    r = cli("--config", config, "tag", "wire-0001", "0", "econ", db=db_copy)
    assert r.code == 0, r.err


EVERY = (["show", "{aid}"], ["export"], ["stats"], ["list"], ["tag", "{aid}", "2", "trade"])
READS_ARTICLE = (["show", "{aid}"], ["export"], ["tag", "{aid}", "2", "trade"])


@pytest.mark.parametrize("target, content, commands", [
    ("newstag.json", b'{"meta": {"1": {"schema_version": 2}}, "articles": {"1": {"id": 5}}}',
     EVERY),
    ("newstag.json", b"", EVERY),  # empty, yet the articles are there: not a new database
    ("annotations/{file}", b'{"sentences": {"2": {"labels": "x"}}}', EVERY),
    ("annotations/{file}", b"\x00\x01\x02", EVERY),
    ("articles/{file}", b'{"article": {"1": {"text": 3}}}', READS_ARTICLE),
    ("articles/{file}", b'{"article": {"1": {"text": "x"', READS_ARTICLE),
])
def test_damaged_files_give_a_message_and_stay_untouched(cli, db_copy, target, content,
                                                         commands):
    aid = article_id_for(db_copy, MAIN_ARTICLE.name)
    assert cli("tag", aid, "1", "trade", db=db_copy).code == 0
    path = db_copy / target.format(file=f"{aid}.json")
    path.write_bytes(content)
    for args in commands:
        r = cli(*[a.format(aid=aid) for a in args], db=db_copy)
        assert r.code == 2 and str(path) in r.err and "doctor" in r.err, (args, r.err)
        assert "Traceback" not in r.err
        assert path.read_bytes() == content
    assert cli("doctor", db=db_copy).code == 1


def test_export_formats_from_the_cli_and_their_errors(cli, db_copy, tmp_path):
    assert cli("tag", "wire-0001", "0", "trade", db=db_copy).code == 0
    for fmt in ("jsonl", "doccano", "csv"):
        r = cli("export", "-f", fmt, "--label", "trade", db=db_copy)
        assert r.code == 0 and "Kenya and Tanzania" in r.out, (fmt, r.err)
        assert cli("export", "-f", fmt, "--label", "nope", db=db_copy).code == 2
    _one_line_error(cli("export", "-f", "spacy", db=db_copy), "give -o FILE.spacy")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "answer": "accept", "label": "trade"}\n{oops\n')
    _one_line_error(cli("import-annotations", "-f", "prodigy", bad, db=db_copy),
                    "line 2", "invalid JSON")
    bad.write_text('{"text": "x", "label": [[0, 1, "GPE"]]}\n')
    _one_line_error(cli("import-annotations", "-f", "doccano", bad, db=db_copy),
                    "sequence-labelling")
