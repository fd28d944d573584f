"""``newstag stats`` answers from kept corpus totals, flat with the corpus (issue 14).

Real databases on disk written through ``Store`` (no spaCy), real tags through
``apply_changes`` and the CLI in subprocesses, a real SIGKILL between the annotation
and the counts write. Shard reads are counted with a spy that lets the real read
happen.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from annotations.config import load_config
from annotations.corpus_totals import TOTALS, corpus_totals, read_totals, recounted_totals
from annotations.counts_files import CountsFiles, shard_name
from annotations.model import Article, Sentence
from annotations.stats import compute_stats, summary_stats
from annotations.store import Store
from annotations.tagging import TagChange, apply_changes
from tests.helpers import REPO, clock_step, summed_stats

ARTICLES = 30


def _article(n: int) -> Article:
    lines = [f"Pier {n} of Saltcombe reopened to grain barges.",
             f"Customs at Saltcombe cleared {n} cargoes by noon.",
             f"The harbour board of Saltcombe met again on day {n}."]
    sentences, pos = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, pos, pos + len(line)))
        pos += len(line) + 1
    return Article(id=f"t{n:03d}", text="\n".join(lines), title=f"Saltcombe pier {n}",
                   source="harbour", published="2026-04-01", sentences=sentences)


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    root = tmp_path / "db"
    store = Store.open(root)
    store.save_articles([(a, a.id) for a in map(_article, range(ARTICLES))])
    config = load_config(str(REPO / "config.yaml"))
    apply_changes(store, config, [TagChange(f"t{n:03d}", n % 3, labels=("trade",))
                                  for n in range(0, ARTICLES, 2)]
                  + [TagChange("t001", 1, none=True)])
    clock_step()  # shards written within a clock step are summed again by the next stats
    return root


def config():
    return load_config(str(REPO / "config.yaml"))


def whole(stats: dict) -> dict:
    """compute_stats without its per-article rows: what summary_stats must equal."""
    return {k: v for k, v in stats.items() if k != "per_article"}


def count_shard_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real = CountsFiles.inspect_shard

    def spy(self, name):
        reads.append(name)
        return real(self, name)

    monkeypatch.setattr(CountsFiles, "inspect_shard", spy)
    return reads


def test_after_a_tag_stats_reads_only_that_shard_and_equals_the_full_sum(db, monkeypatch):
    store = Store.open(db)
    assert summary_stats(store, config()) == whole(summed_stats(store, config()))
    apply_changes(store, config(), [TagChange("t007", 2, labels=("defence", "diplomacy"))])
    clock_step()
    reads = count_shard_reads(monkeypatch)
    fresh = Store.open(db, create=False)
    summary = summary_stats(fresh, config())
    assert reads == [shard_name("t007")]
    assert summary == whole(summed_stats(fresh, config()))
    assert summary["reviewed"] == ARTICLES // 2 + 2
    assert summary["labels"] == {"trade": ARTICLES // 2, "defence": 1, "diplomacy": 1}
    reads.clear()
    summary_stats(Store.open(db, create=False), config())
    assert reads == []  # nothing written since: no shard is read at all


def test_stats_json_takes_its_totals_from_the_kept_ones_and_equals_the_full_sum(db,
                                                                              monkeypatch):
    """stats --json (and the stats screen) summed every article's per-annotator counts
    (~35 ms of decoding and ~40 ms of adding up at 20,000 articles): its totals are the
    kept ones now, its rows read without the per-annotator counts, and the answer is what
    the full sum gives."""
    store = Store.open(db)
    compute_stats(store, config())
    apply_changes(store, config(), [TagChange("t011", 0, labels=("defence",)),
                                    TagChange("t011", 1, none=True)])
    clock_step()
    reads = count_shard_reads(monkeypatch)
    fresh = Store.open(db, create=False)
    stats = compute_stats(fresh, config())
    assert reads == [shard_name("t011")]  # every row's per-annotator counts: 30 shards
    assert msgspec.to_builtins(stats) == summed_stats(fresh, config())
    assert list(stats) == list(summed_stats(fresh, config()))  # keys in their order
    row = next(r for r in stats["per_article"] if r.id == "t011")
    assert (row.reviewed, row.tagged, row.labels, row.progress) == (2, 1, {"defence": 1},
                                                                    0.6667)


def test_an_import_sums_everything_again_with_the_new_article(db):
    store = Store.open(db)
    summary_stats(store, config())
    store.save_articles([(_article(500), "t500")])
    apply_changes(store, config(), [TagChange("t500", 0, labels=("trade",))])
    summary = summary_stats(Store.open(db, create=False), config())
    assert summary["articles"] == ARTICLES + 1
    assert summary["sentences"] == 3 * (ARTICLES + 1)
    assert summary == whole(summed_stats(Store.open(db, create=False), config()))


def test_a_kill_between_the_annotation_and_the_counts_write_is_counted(db, cli):
    store = Store.open(db)
    summary_stats(store, config())  # totals kept before the crash
    crashed = cli("tag", "t003", "0", "defence", db=db,
                  env={"NEWSTAG_CRASH_AT": "between-annotation-and-counts"})
    assert crashed.code == -9
    result = cli("stats", db=db)
    assert result.code == 0, result.err
    truth = recounted_totals(Store.open(db, create=False))
    assert truth.labels["defence"] == 1
    first = result.out.splitlines()[0]
    assert first.startswith(f"{ARTICLES} articles, {3 * ARTICLES} sentences, "
                            f"{truth.reviewed} reviewed")
    assert corpus_totals(Store.open(db, create=False)).corpus().same(truth)


def test_on_a_terminal_stats_prints_the_totals_and_no_row_per_article(db):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTAG_")}
    env["NEWSTAG_DB"] = str(db)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli", "stats"], stdout=terminal,
                            stderr=subprocess.DEVNULL, env=env, cwd=db.parent)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=120) == 0
    os.close(controller)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert shown.startswith(f"{ARTICLES} articles, {3 * ARTICLES} sentences, "
                            f"{ARTICLES // 2 + 1} reviewed")
    assert "Saltcombe pier" not in shown  # no line per article on a terminal
    assert "per article: 'newstag list'" in shown
    piped = subprocess.run([sys.executable, "-m", "tui.cli", "stats"], env=env,
                           capture_output=True, text=True, cwd=db.parent, check=True)
    assert "Saltcombe pier 0" in piped.stdout  # a pipe gets every row, as before


def test_doctor_finds_totals_that_lie_and_repair_removes_them(db, cli):
    store = Store.open(db)
    summary_stats(store, config())
    path = db / "counts" / TOTALS
    data = json.loads(path.read_text("utf-8"))
    name = shard_name("t000")
    data["totals"]["1"]["shards"][name]["reviewed"] += 5  # the shard itself is unchanged
    stat = path.stat()
    path.write_text(json.dumps(data), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert read_totals(CountsFiles(db)) is not None
    doctor = cli("doctor", db=db)
    assert doctor.code == 1, doctor.out + doctor.err
    assert f"the totals of counts/{name} disagree with a recount" in doctor.out
    repaired = cli("doctor", "--repair", db=db)
    assert repaired.code == 0, repaired.out + repaired.err
    assert cli("doctor", db=db).code == 0
    stats = json.loads(cli("stats", "--json", db=db).out)
    assert cli("stats", db=db).out.startswith(
        f"{ARTICLES} articles, {3 * ARTICLES} sentences, {stats['reviewed']} reviewed")


def test_a_fifo_in_place_of_the_totals_is_never_read(db, cli):
    path = db / "counts" / TOTALS
    os.mkfifo(path)
    result = cli("stats", db=db)  # answers from the rows; the FIFO would block a read
    assert result.code == 0, result.err
    assert result.out.startswith(f"{ARTICLES} articles")
    doctor = cli("doctor", db=db)
    assert doctor.code == 1 and str(path) in doctor.out and "FIFO" in doctor.out
    assert cli("doctor", "--repair", db=db).code == 0
    assert not path.exists()


def test_doctor_reads_each_annotation_file_once_for_the_counts_and_the_totals(db,
                                                                             monkeypatch):
    """doctor compares both the rows and the corpus totals with a recount: one recount
    of each article serves both (each annotation file was read three times: the file
    check, then a recount for the rows and another for the totals)."""
    from annotations.doctor import check

    summary_stats(Store.open(db), config())
    read: list[str] = []
    real = Store.load_layers

    def spy(self, article_id):
        read.append(article_id)
        return real(self, article_id)

    monkeypatch.setattr(Store, "load_layers", spy)
    assert check(db) == []
    assert sorted(read) == sorted([f"t{n:03d}" for n in range(ARTICLES)] * 2)
    # and what is found is what it was: a row that lies and totals that lie
    shard = db / "counts" / shard_name("t004")
    tables = json.loads(shard.read_bytes())
    tables["rows"]["t004"]["tagged"] = 0
    shard.write_text(json.dumps(tables), "utf-8")
    clock_step()
    summary_stats(Store.open(db), config())  # totals summed from the row that lies
    read.clear()
    problems = [str(f) for f in check(db)]
    assert len(read) == 2 * ARTICLES
    assert problems == [f"{shard}: counts of article 't004' disagree with a recount",
                        f"{db / 'counts' / TOTALS}: the totals of counts/{shard.name} "
                        "disagree with a recount"]
