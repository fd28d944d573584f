"""Import merges that lost data (issue 8, items 4-5 follow-up; own exports load back).

Most databases here are built without spaCy (articles with hand-made sentence
offsets, written through the real Store to real TinyDB files), so the CLI runs
in their subprocesses stay fast. The two articles share one sentence (index 2).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from annotations.model import ReviewState
from annotations.store import Store
from annotations.yamlio import dump_yaml
from tests.helpers import db_of_articles
from tests.helpers import put_tag as _put

# The CLI tags as the annotator put_tag records: one person's database (issue 12 keeps
# another annotator's tags in a layer of their own).
AS_PUT = {"NEWSTAG_ANNOTATOR": "test"}
SHARED = "The talks will continue next week."
ARTICLES = {
    "alpha": ["Alpha report", "Trade ministers met in Oslo on Monday.", SHARED,
              "Salmon tariffs were not discussed at all."],
    "bravo": ["Bravo report", "Envoys gathered in Lima for a summit.", SHARED],
}


def _make_db(root: Path, articles: dict[str, list[str]] = ARTICLES) -> Store:
    return db_of_articles(root, articles)


def _ok(result) -> str:
    assert result.code == 0, (result.code, result.out, result.err[-2000:])
    assert "Traceback" not in result.err, result.err[-2000:]
    return result.out


def _prodigy_line(path: Path, **task) -> Path:
    path.write_text(json.dumps(task) + "\n", "utf-8")
    return path


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- 1: a record lands only where it is unambiguous --------------------------------
@pytest.mark.parametrize("fmt, import_as", [("doccano", "doccano"), ("jsonl", "prodigy")])
def test_an_export_of_one_article_never_overwrites_another_with_the_same_sentence(
        cli, tmp_path, fmt, import_as):
    store = _make_db(tmp_path / "db")
    _ok(cli("tag", "alpha", "2", "trade", "--note", "alpha note", db=store.root))
    _ok(cli("tag", "bravo", "2", "diplomacy", db=store.root))
    out = tmp_path / f"bravo.{fmt}"
    _ok(cli("export", "-f", fmt, "--article", "bravo", "-o", out, db=store.root))
    assert all(json.loads(x).get("article_id", json.loads(x).get("meta", {}).get("article_id"))
               == "bravo" for x in out.read_text("utf-8").splitlines())
    assert "1 unchanged" in _ok(cli("import-annotations", "-f", import_as, out,
                                    db=store.root))
    alpha = store.annotations("alpha")[2]
    assert (alpha.labels, alpha.note) == (["trade"], "alpha note")
    assert store.annotations("bravo")[2].labels == ["diplomacy"]
    assert store.unplaced() == []


@pytest.mark.parametrize("fmt", ["doccano", "prodigy"])
def test_a_record_without_article_on_a_shared_sentence_is_kept_unplaced(cli, tmp_path, fmt):
    store = _make_db(tmp_path / "db")
    _put(store, "alpha", 2, ["trade"], note="alpha note")
    _put(store, "bravo", 2, ["diplomacy"])
    record = ({"text": SHARED, "label": ["defence"], "Comments": ["foreign"]} if fmt == "doccano"
              else {"text": SHARED, "accept": ["defence"], "answer": "accept",
                    "_timestamp": int(time.time())})
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text(json.dumps(record) + "\n", "utf-8")
    out = _ok(cli("import-annotations", "-f", fmt, foreign, db=store.root))
    assert "imported 0 annotations" in out and "1 ambiguous" in out, out
    alpha, bravo = store.annotations("alpha")[2], store.annotations("bravo")[2]
    assert (alpha.labels, alpha.note, bravo.labels) == (["trade"], "alpha note", ["diplomacy"])
    assert [(u.text, u.labels) for u in store.unplaced()] == [(SHARED, ["defence"])]
    # The same record again: still one unplaced annotation.
    _ok(cli("import-annotations", "-f", fmt, foreign, db=store.root))
    assert len(store.unplaced()) == 1


def test_a_record_without_article_equal_to_one_candidate_is_unchanged(cli, tmp_path):
    store = _make_db(tmp_path / "db")
    _put(store, "alpha", 2, ["trade"], note="alpha note")
    _put(store, "bravo", 2, ["diplomacy"])
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text(json.dumps({"text": SHARED, "label": ["diplomacy"]}) + "\n", "utf-8")
    out = _ok(cli("import-annotations", "-f", "doccano", foreign, db=store.root))
    assert "1 unchanged" in out and "ambiguous" not in out, out
    assert store.annotations("alpha")[2].labels == ["trade"]
    assert store.unplaced() == []
    # A second record with that text in the same file does not take the other article.
    foreign.write_text(json.dumps({"text": SHARED, "label": ["diplomacy"]}) + "\n"
                       + json.dumps({"text": SHARED, "label": ["defence"]}) + "\n", "utf-8")
    out = _ok(cli("import-annotations", "-f", "doccano", foreign, db=store.root))
    assert "1 unchanged" in out and "1 ambiguous" in out, out
    assert [store.annotations(a)[2].labels for a in ARTICLES] == [["trade"], ["diplomacy"]]


def test_a_record_without_article_on_a_sentence_of_one_article_is_placed(cli, tmp_path):
    store = _make_db(tmp_path / "db")
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text(json.dumps({"text": ARTICLES["bravo"][1], "label": ["trade"]}) + "\n",
                       "utf-8")
    assert "imported 1 annotations" in _ok(cli("import-annotations", "-f", "doccano", foreign,
                                               db=store.root))
    assert store.annotations("bravo")[1].labels == ["trade"]


# -- 2: a Prodigy binary answer is about one label ----------------------------------
def test_binary_answers_add_or_remove_only_their_own_label(cli, tmp_path):
    store = _make_db(tmp_path / "db")
    _ok(cli("tag", "alpha", "1", "trade", "defence", "--note", "keep", db=store.root))
    text = ARTICLES["alpha"][1]

    def answer(label: str, verdict: str) -> str:
        path = _prodigy_line(tmp_path / f"{label}-{verdict}.jsonl", text=text, label=label,
                             answer=verdict, _timestamp=int(time.time()) + 5)
        return _ok(cli("import-annotations", "-f", "prodigy", path, db=store.root))

    assert "1 unchanged" in answer("diplomacy", "reject")
    a = store.annotations("alpha")[1]
    assert (a.labels, a.note, a.state) == (["trade", "defence"], "keep", ReviewState.REVIEWED)
    answer("diplomacy", "accept")
    assert store.annotations("alpha")[1].labels == ["trade", "defence", "diplomacy"]
    answer("trade", "reject")
    a = store.annotations("alpha")[1]
    assert (a.labels, a.note) == (["defence", "diplomacy"], "keep")
    # Rejecting the only label: reviewed, no label applies; the note stays.
    _ok(cli("tag", "alpha", "3", "trade", "--note", "only one", db=store.root))
    _prodigy_line(tmp_path / "only.jsonl", text=ARTICLES["alpha"][3], label="trade",
                  answer="reject", _timestamp=int(time.time()) + 5)
    _ok(cli("import-annotations", "-f", "prodigy", tmp_path / "only.jsonl", db=store.root))
    a = store.annotations("alpha")[3]
    assert (a.labels, a.state, a.note) == ([], ReviewState.REVIEWED, "only one")


def test_binary_answers_for_one_sentence_in_a_file_are_merged(cli, tmp_path):
    store = _make_db(tmp_path / "db")
    _put(store, "alpha", 1, ["trade"], note="keep")
    text = ARTICLES["alpha"][1]
    stamp = int(time.time())
    lines = [{"text": text, "label": "defence", "answer": "accept", "_timestamp": stamp},
             {"text": text, "label": "trade", "answer": "reject", "_timestamp": stamp},
             {"text": text, "label": "diplomacy", "answer": "accept", "_timestamp": stamp}]
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    assert "imported 1 annotations" in _ok(cli("import-annotations", "-f", "prodigy", path,
                                               db=store.root))
    a = store.annotations("alpha")[1]
    assert (a.labels, a.note) == (["defence", "diplomacy"], "keep")


# -- 3 and 5: timestamps from the future ---------------------------------------------
def test_a_future_timestamp_cannot_revert_a_later_local_tag(cli, tmp_path):
    store = _make_db(tmp_path / "db")
    _put(store, "alpha", 1, ["trade"])
    path = tmp_path / "future.yaml"
    _ok(cli("export", "-o", path, db=store.root))
    data = yaml.safe_load(path.read_text("utf-8"))
    [sentence] = data["articles"][0]["sentences"]
    sentence["labels"] = ["defence"]
    sentence["updated_at"] = _iso(datetime.now(UTC) + timedelta(hours=1))
    path.write_text(dump_yaml(data), "utf-8")
    _ok(cli("import-annotations", path, db=store.root))
    stored = store.annotations("alpha")[1]
    assert stored.labels == ["defence"]
    assert stored.updated_at <= _iso(datetime.now(UTC))  # clamped, not an hour ahead
    _ok(cli("tag", "alpha", "1", "diplomacy", db=store.root, env=AS_PUT))
    out = _ok(cli("import-annotations", path, db=store.root))
    assert "1 conflict kept local" in out, out
    assert store.annotations("alpha")[1].labels == ["diplomacy"]


@pytest.mark.parametrize("stamp", ['"9999-12-31T23:59:59-23:59"',
                                   "9999-12-31T23:59:59.999999-23:59"])
def test_a_year_9999_stamp_is_clamped_and_exports_load_back(cli, tmp_path, stamp):
    store = _make_db(tmp_path / "db")
    path = tmp_path / "far.yaml"
    path.write_text("format: newstag-annotations\nversion: 1\narticles:\n- id: alpha\n"
                    f"  sentences:\n  - text: {ARTICLES['alpha'][1]}\n    labels: [trade]\n"
                    f"    updated_at: {stamp}\n", "utf-8")
    _ok(cli("import-annotations", path, db=store.root))
    assert store.annotations("alpha")[1].updated_at <= _iso(datetime.now(UTC))
    _ok(cli("tag", "alpha", "1", "defence", db=store.root))
    assert "1 conflict kept local" in _ok(cli("import-annotations", path, db=store.root))
    assert store.annotations("alpha")[1].labels == ["defence"]


def test_a_stored_stamp_past_9999_still_exports_a_loadable_jsonl(cli, tmp_path):
    """A database written before the clamp may hold such a stamp."""
    store = _make_db(tmp_path / "db")
    _put(store, "alpha", 1, ["trade"], stamp="9999-12-31T23:59:59-23:59")
    _put(store, "alpha", 3, ["defence"], stamp="1969-12-31T00:00:00Z")
    out = tmp_path / "out.jsonl"
    _ok(cli("export", "-f", "jsonl", "-o", out, db=store.root))
    fresh = _make_db(tmp_path / "fresh")
    assert "imported 2 annotations" in _ok(cli("import-annotations", "-f", "prodigy", out,
                                               db=fresh.root))


def test_a_local_change_is_stamped_after_a_stored_future_stamp(cli, tmp_path, config):
    """An older database may hold a stamp ahead of the clock: a later local change
    (CLI or reader) must still count as newer than it."""
    from annotations.session import TaggingSession
    from annotations.tagging import TagChange

    store = _make_db(tmp_path / "db")
    future = _iso(datetime.now(UTC) + timedelta(hours=1))
    _put(store, "alpha", 1, ["trade"], stamp=future)
    _put(store, "alpha", 3, ["trade"], stamp=future)
    _ok(cli("tag", "alpha", "1", "diplomacy", db=store.root, env=AS_PUT))
    assert store.annotations("alpha")[1].updated_at > future
    article = store.load_article("alpha")
    TaggingSession(store, config).change(article, 3, TagChange("alpha", 3, none=True))
    assert store.annotations("alpha")[3].updated_at > future


# -- 4: orphans and unplaced are not duplicated by round trips -----------------------
def test_round_trips_keep_one_orphan_and_one_unplaced(cli, tmp_path):
    store = _make_db(tmp_path / "db")
    _put(store, "alpha", 1, ["trade"])
    start = tmp_path / "start.yaml"
    start.write_text(
        "format: newstag-annotations\nversion: 1\narticles:\n- id: alpha\n  sentences:\n"
        "  - text: A sentence that alpha no longer has.\n    labels: [defence]\n"
        "    note: orphan note\n    annotator: carol\n"
        "unplaced:\n- text: A sentence in no article at all.\n  labels: [trade]\n"
        "  annotator: carol\n", "utf-8")
    _ok(cli("import-annotations", start, db=store.root))
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text(json.dumps({"text": "Nobody wrote this anywhere.", "label": ["trade"]})
                       + "\n", "utf-8")
    for round_ in range(3):
        for fmt, import_as in (("jsonl", "prodigy"), ("doccano", "doccano")):
            out = tmp_path / f"round{round_}.{fmt}"
            _ok(cli("export", "-f", fmt, "-o", out, db=store.root))
            _ok(cli("import-annotations", "-f", import_as, out, db=store.root))
        later = time.time() + round_ + 1  # a newer copy of the same foreign file
        os.utime(foreign, (later, later))
        _ok(cli("import-annotations", "-f", "doccano", foreign, db=store.root))
    # carol's orphan stays in carol's layer, beside the database's own (issue 12)
    orphans = store.load_layers("alpha").layer("carol").orphans
    assert [(o.text, o.note, o.annotator) for o in orphans] == [
        ("A sentence that alpha no longer has.", "orphan note", "carol")]
    assert sorted(u.text for u in store.unplaced()) == [
        "A sentence in no article at all.", "Nobody wrote this anywhere."]


# -- 6: an article line over 1,000,000 characters ------------------------------------
def test_a_yaml_export_with_a_line_over_a_million_characters_loads_back(cli, tmp_path):
    line = "Tariffs fell on Monday." + " " * 1_100_000 + "Talks resume in May."
    assert len(line) > 1_000_000
    source = tmp_path / "long.txt"
    source.write_text("Long line\n\n" + line + "\nEnvoys met in Lima on Friday.\n", "utf-8")
    first = tmp_path / "first"
    _ok(cli("import", source, db=first))
    [article_id] = [s.id for s in Store(first).summaries()]
    article = Store(first).load_article(article_id)
    index = next(s.index for s in article.taggable
                 if article.sentence_text(s) == "Talks resume in May.")
    _ok(cli("tag", article_id, str(index), "trade", db=first))
    export = tmp_path / "export.yaml"
    _ok(cli("export", "-o", export, db=first))
    second = tmp_path / "second"
    started = time.monotonic()
    out = _ok(cli("import-annotations", export, db=second))
    elapsed = time.monotonic() - started
    assert "1 articles created" in out, out
    assert Store(second).load_article(article_id).text == article.text
    assert Store(second).annotations(article_id)[index].labels == ["trade"]
    assert elapsed < 30, elapsed


# -- 7: FIFOs, duplicate ids -----------------------------------------------------------
def test_an_annotation_file_can_be_read_from_a_fifo(cli, tmp_path):
    store = _make_db(tmp_path / "db")
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    record = json.dumps({"text": ARTICLES["alpha"][1], "label": ["trade"]}) + "\n"
    writer = subprocess.Popen(["sh", "-c", 'printf "%s" "$1" > "$2"', "sh", record, str(fifo)])
    try:
        out = _ok(cli("import-annotations", "-f", "doccano", fifo, db=store.root))
    finally:
        writer.wait(timeout=30)
    assert "imported 1 annotations" in out
    assert store.annotations("alpha")[1].labels == ["trade"]


def test_an_annotation_file_over_the_size_cap_is_refused(tmp_path, monkeypatch):
    """The cap is 512 MB; it is lowered here so the test does not need such a file."""
    from annotations.importing import ImportFileError, files
    from annotations.interchange import read_file

    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"text": "x" * 200, "label": []}) + "\n", "utf-8")
    with pytest.raises(ImportFileError, match="larger than"):
        read_file(path, "doccano")


def test_a_folder_is_not_an_annotation_file(cli, tmp_path):
    store = _make_db(tmp_path / "db")
    r = cli("import-annotations", "-f", "doccano", tmp_path, db=store.root)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1, r.err
    assert "is a folder, not an annotation file" in r.err, r.err


def test_a_yaml_with_the_same_id_twice_is_refused(cli, tmp_path):
    store = _make_db(tmp_path / "db")
    path = tmp_path / "dup.yaml"
    path.write_text("format: newstag-annotations\nversion: 1\narticles:\n"
                    "- id: 12345\n  text: First text here.\n"
                    "- id: '12345'\n  text: Second text here.\n", "utf-8")
    before = sorted(p.name for p in store.root.rglob("*"))
    r = cli("import-annotations", path, db=store.root)
    assert r.code == 2, (r.out, r.err)
    [line] = r.err.strip().splitlines()
    assert "articles[0]" in line and "articles[1]" in line and "12345" in line, line
    assert sorted(p.name for p in store.root.rglob("*")) == before
