"""`newstag stats` per annotator: labels, progress per article, active time, tags per day
(issue 12). Every number below is worked out by hand from the annotations written
through the real store and the active time written through the real timer."""

from __future__ import annotations

import json
import os

import pytest

from annotations.activity import ACTIVITY_FILE, ActiveTimer, add_activity, read_activity
from annotations.model import Article, ReviewState, Sentence, SentenceAnnotation
from annotations.store import Store
from tests.helpers import REPO

CONFIG = REPO / "config.yaml"  # labels trade, defence, diplomacy

# Invented for this test: four sentences in one article, two in the other.
TEXT_A = ("Port officials in Valparaíso cut fees on copper cargo.\n"
          "A frigate escorted the convoy past the strait.\n"
          "Envoys met in Quito to draft a customs accord.\n"
          "Rain delayed the harvest in the southern valleys.")
TEXT_B = "Ministers in Accra signed a cocoa pact.\nThe navy held drills near Takoradi."


def _article(article_id: str, text: str) -> Article:
    sentences, pos = [], 0
    for i, line in enumerate(text.split("\n")):
        sentences.append(Sentence(i, pos, pos + len(line)))
        pos += len(line) + 1
    return Article(id=article_id, text=text, title=f"Title {article_id}", source="desk",
                   sentences=sentences)


def _note(a: Article, index: int, annotator: str, labels: list[str], day: str,
          state: ReviewState = ReviewState.REVIEWED, note: str = "") -> SentenceAnnotation:
    s = a.sentences[index]
    stamp = f"{day}T10:00:00.000Z"
    return SentenceAnnotation(a.id, index, a.sentence_text(s), s.start, s.end, labels, state,
                              note, annotator, stamp, stamp)


@pytest.fixture
def team_db(tmp_path) -> Store:
    store = Store.open(tmp_path / "db")
    a, b = _article("alpha", TEXT_A), _article("beta", TEXT_B)
    store.save_articles([(a, a.id), (b, b.id)])
    store.put_annotations([
        _note(a, 0, "alice", ["trade"], "2025-03-01"),
        _note(a, 1, "alice", ["trade", "defence"], "2025-03-01"),
        _note(a, 2, "alice", [], "2025-03-02"),  # reviewed, none apply
        _note(b, 0, "bob", ["diplomacy"], "2025-03-02"),
        # a note on an unreviewed sentence: it counts nowhere
        _note(b, 1, "bob", [], "2025-03-02", ReviewState.UNREVIEWED, "check the date"),
    ])
    add_activity(store, {("alice", "2025-03-01"): 1800.0, ("alice", "2025-03-02"): 900.0,
                         ("bob", "2025-03-03"): 600.0})  # bob's active day has no tags
    return store


def test_stats_json_per_annotator_per_day_and_article(team_db, cli):
    result = cli("--config", CONFIG, "stats", "--json", db=team_db.root)
    assert result.code == 0, result.err
    stats = json.loads(result.out)
    # The keys that were there before are all still there.
    assert {"articles", "sentences", "reviewed", "tagged", "none_apply", "orphaned",
            "progress", "labels", "per_article"} <= set(stats)
    assert (stats["articles"], stats["sentences"], stats["reviewed"]) == (2, 6, 4)
    alice, bob = stats["annotators"]["alice"], stats["annotators"]["bob"]
    assert list(stats["annotators"]) == ["alice", "bob"]
    assert alice == {
        "reviewed": 3, "tagged": 2, "none_apply": 1,
        "labels": {"trade": 2, "defence": 1, "diplomacy": 0},
        "days": {"2025-03-01": 2, "2025-03-02": 1},
        "active_seconds": 2700.0,
        "active_days": {"2025-03-01": 1800.0, "2025-03-02": 900.0},
        "sentences_per_hour": 4.0,  # 3 sentences in 2700 s = 0.75 h
    }
    assert bob["reviewed"] == 1 and bob["labels"] == {"trade": 0, "defence": 0,
                                                      "diplomacy": 1}
    assert bob["days"] == {"2025-03-02": 1}
    assert bob["active_seconds"] == 600.0
    assert bob["sentences_per_hour"] == 0.0  # nothing reviewed on his one active day
    assert stats["days"] == {"2025-03-01": 2, "2025-03-02": 2}
    assert stats["idle_after_seconds"] == 120.0
    progress = {r["id"]: (r["reviewed"], r["sentences"], r["progress"])
                for r in stats["per_article"]}
    assert progress == {"alpha": (3, 4, 0.75), "beta": (1, 2, 0.5)}


def test_stats_text_lists_annotators_and_days(team_db, cli):
    result = cli("--config", CONFIG, "stats", db=team_db.root)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("2 articles, 6 sentences, 4 reviewed (66.7%)")
    assert ("  alice: 3 reviewed, 2 tagged, 1 none apply; active 0.75 h, "
            "4.0 sentences/h") in lines
    assert "    trade 2, defence 1, diplomacy 0" in lines
    assert "  2025-03-01     2  (alice 2)" in lines
    assert "  2025-03-02     2  (alice 1, bob 1)" in lines


def test_active_time_skips_idle_gaps_and_is_written_in_batches(team_db, cli):
    """The clock is injected: two minutes of idleness cannot be waited for in a test."""
    now = [0.0]
    timer = ActiveTimer(team_db, "carol", clock=lambda: now[0], today=lambda: "2025-03-04")
    for t in (0, 10, 40):  # gaps 10 and 30
        now[0] = t
        assert timer.key() == ""
    assert not [r for r in read_activity(team_db.root) if r.annotator == "carol"]  # batched
    now[0] = 200  # a gap of 160 s: away, not counted; 60 s since the start: written
    timer.key()
    assert [(r.day, r.seconds) for r in read_activity(team_db.root)
            if r.annotator == "carol"] == [("2025-03-04", 40.0)]
    now[0] = 230  # 30 s more, in memory until the next write
    timer.key()
    assert timer.pending == {("carol", "2025-03-04"): 30.0}
    timer.flush()
    stats = json.loads(cli("--config", CONFIG, "stats", "--json", db=team_db.root).out)
    assert stats["annotators"]["carol"]["active_seconds"] == 70.0
    assert stats["annotators"]["carol"]["sentences_per_hour"] == 0.0
    assert stats["annotators"]["carol"]["reviewed"] == 0


def test_stats_answers_from_kept_counts_without_opening_annotation_files(team_db, cli):
    """Issue 14: per-annotator and per-day numbers are kept with the counts."""
    team_db.kept_counts()  # counts verified for this boot, as any first reader does
    before = json.loads(cli("--config", CONFIG, "stats", "--json", db=team_db.root).out)
    for path in (team_db.root / "annotations").glob("*.json"):
        path.write_bytes(b"\x00 not json")  # a stats that opened one would fail
    result = cli("--config", CONFIG, "stats", "--json", db=team_db.root)
    assert result.code == 0, result.err
    after = json.loads(result.out)
    assert after["annotators"] == before["annotators"]
    assert after["days"] == before["days"]


@pytest.mark.parametrize("damage", [
    b"{\"active\": {\"1\": {\"annotator\": \"alice\", \"day\": \"yesterday\", \"seconds\": 5}}}",
    b"{\"active\": {\"1\": {\"annotator\": \"alice\", \"day\": \"2025-03-01\", "
    b"\"seconds\": 1e308}}}",
    b"[1, 2",
    "fifo",
])
def test_damaged_activity_file_is_one_line_and_doctor_mends_it(team_db, cli, damage):
    path = team_db.root / ACTIVITY_FILE
    path.unlink()
    if damage == "fifo":
        os.mkfifo(path)
    else:
        path.write_bytes(damage)
    result = cli("--config", CONFIG, "stats", db=team_db.root)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert str(path) in result.err and "Traceback" not in result.err
    doctor = cli("doctor", db=team_db.root)
    assert doctor.code == 1 and str(path) in doctor.out
    repaired = cli("doctor", "--repair", db=team_db.root)
    assert repaired.code == 0, repaired.out + repaired.err
    assert "active time reset" in repaired.out
    again = cli("--config", CONFIG, "stats", "--json", db=team_db.root)
    assert again.code == 0, again.err
    assert json.loads(again.out)["annotators"]["alice"]["active_seconds"] == 0.0


def test_timer_never_writes_over_a_damaged_file_and_keeps_the_time(team_db):
    path = team_db.root / ACTIVITY_FILE
    path.write_bytes(b"not json at all")
    now = [0.0]
    timer = ActiveTimer(team_db, "dan", clock=lambda: now[0], today=lambda: "2025-03-05")
    timer.key()
    now[0] = 61.0
    problem = timer.key()
    assert str(path) in problem  # said once ...
    now[0] = 130.0
    assert timer.key() == ""  # ... not again on every key
    assert path.read_bytes() == b"not json at all"
    assert timer.pending == {("dan", "2025-03-05"): 130.0}


def test_counts_of_the_format_before_annotators_are_recounted(team_db, cli):
    """A database whose counts were kept before this change (format 1: no annotators)."""
    shards = [p for p in (team_db.root / "counts").glob("*.json") if p.name != "meta.json"]
    assert shards
    for shard in shards:
        tables = json.loads(shard.read_text("utf-8"))
        assert tables["meta"]["1"]["format"] == 2
        tables["meta"]["1"]["format"] = 1
        for row in tables["rows"].values():
            del row["annotators"]
        shard.write_text(json.dumps(tables), "utf-8")
    result = cli("--config", CONFIG, "stats", "--json", db=team_db.root)
    assert result.code == 0, result.err
    assert json.loads(result.out)["annotators"]["alice"]["labels"]["trade"] == 2
    rewritten = json.loads(shards[0].read_text("utf-8"))
    assert rewritten["meta"]["1"]["format"] == 2  # kept again, in the new format
    assert all("annotators" in row for row in rewritten["rows"].values())
