"""A crash harness: writer processes tag sentences and are SIGKILLed at random moments.

Each writer prints "ACK <op>" after the store call for that operation returned;
after the kill the database must open, every acknowledged change must be there,
and the kept counts (annotations/counts.py), read the normal way (so whatever
healing it does runs), must equal a recount of the annotation file, and so must the
corpus totals ``stats`` prints (annotations/corpus_totals.py, kept before the writers
start, so the kill leaves them stale). In every
other trial one writer also SIGKILLs itself between the annotation write and the
counts write, at a random operation, so that window is hit for sure.
Used by tests/unit/test_durability.py (a short run) and benchmarks/bench_durability.py
(the full 200-trial run).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from annotations.kept_listing import kept_listing
from annotations.listing_pieces import LIST_JSON
from annotations.model import Article, Sentence

REPO = Path(__file__).resolve().parents[1]
SENTENCES = 40
WRITER = f"""
import os, sys
from annotations.config import load_config
from annotations.store import Store
from annotations.tagging import TagChange, apply_changes
root, article_id, writer, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
crash_op = int(sys.argv[5])  # -1: never
store = Store.open(root)
config = load_config()
labels = config.label_names
op = start
while True:
    index = ((op * 7) % ({SENTENCES} // 2)) * 2 + writer  # writers share the file, not sentences
    change = TagChange(article_id, index, labels=(labels[op % 3],), note=f"{{writer}}:{{op}}")
    if op == crash_op:
        os.environ["NEWSTAG_CRASH_AT"] = "between-annotation-and-counts"
    apply_changes(store, config, [change])
    print(f"ACK {{writer}} {{op}} {{index}}", flush=True)
    op += 1
"""


@dataclass
class TrialResult:
    unreadable: int = 0
    lost: int = 0
    acked: int = 0
    wrong_counts: int = 0
    wrong_totals: int = 0  # stats' kept corpus totals differ from a recount
    killed_between_writes: int = 0
    problems: list[str] = field(default_factory=list)


class _Lines:
    """A pipe read line by line in a thread, so the trial can count ACKs as they come."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self.acks = 0
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)
            self.acks += line.startswith("ACK ")

    def text(self) -> str:
        self.thread.join(timeout=30)
        return "".join(self.lines)


def make_database(root: Path) -> str:
    from annotations.store import Store

    text = "\n".join(f"Sentence number {i} mentions Paris and trade." for i in range(SENTENCES))
    sentences, pos = [], 0
    for i, line in enumerate(text.split("\n")):
        sentences.append(Sentence(i, pos, pos + len(line)))
        pos += len(line) + 1
    article = Article(id="crash-test", text=text, title="Crash test", sentences=sentences)
    Store.open(root).save_article(article, "crash")
    return article.id


def run_trial(root: Path, article_id: str, rng: random.Random, first_op: int,
              writers: int = 2, max_wait: float = 0.6,
              crash_between: bool = False) -> TrialResult:
    """One trial; ops are numbered from ``first_op`` (above any earlier trial's).

    ``crash_between``: writer 0 kills itself between its two writes at a random op.
    """
    from annotations.corpus_totals import corpus_totals, recounted_totals
    from annotations.counts import recount
    from annotations.store import Store

    corpus_totals(Store.open(root))  # kept before the writers, so the kill can leave them stale
    kept_listing(Store.open(root), LIST_JSON)  # likewise the kept listing

    env = {k: v for k, v in os.environ.items() if k != "NEWSTAG_CRASH_AT"}
    env["PYTHONPATH"] = str(REPO)
    crash_op = first_op + rng.randrange(1, 15) if crash_between else -1
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(root), article_id, str(w),
                               str(first_op), str(crash_op if w == 0 else -1)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              text=True, cwd=REPO)
             for w in range(writers)]
    # The kill comes after a random number of acknowledged tags (and a random moment
    # more), not after a fixed time: on a loaded machine a fixed sleep killed the writers
    # before they had written anything, and such a trial proves nothing.
    outs = [_Lines(proc.stdout) for proc in procs]
    errs = [_Lines(proc.stderr) for proc in procs]
    wanted = rng.randrange(15, 45)
    deadline = time.monotonic() + 120
    while sum(o.acks for o in outs) < wanted and time.monotonic() < deadline \
            and all(p.poll() is None for p in procs):
        time.sleep(0.005)
    time.sleep(rng.random() * max_wait / 4)
    for proc in procs:
        proc.send_signal(signal.SIGKILL)
    newest: dict[int, int] = {}  # sentence -> newest acknowledged op (one writer each)
    result = TrialResult()
    for proc, out_lines, err_lines in zip(procs, outs, errs, strict=True):
        proc.wait()
        out, err = out_lines.text(), err_lines.text()
        if proc.returncode == -signal.SIGKILL and crash_between and proc is procs[0] \
                and f"ACK 0 {crash_op - 1} " in out and f"ACK 0 {crash_op} " not in out:
            result.killed_between_writes += 1  # died at its own crash point, not ours
        if "Traceback" in err:
            result.problems.append(err.strip().splitlines()[-1])
        for line in out.splitlines():
            if line.startswith("ACK "):
                _, _, op, index = line.split()
                newest[int(index)] = max(newest.get(int(index), -1), int(op))
                result.acked += 1
    try:
        store = Store.open(root, create=False)
        stored = store.annotations(article_id)
        # What list, stats' rows and the library read (no per-annotator part) must heal
        # what the kill left as the full read does: one trial in two it reads first.
        listed_first = rng.random() < 0.5
        if listed_first:  # the kept listing before anything else has healed the counts
            row = _listing_row(Store.open(root, create=False), article_id)
            listed = Store.open(root, create=False).listed_counts()[article_id]
        kept = store.kept_counts()[article_id]  # the normal read path, healing included
        if not listed_first:
            listed = Store.open(root, create=False).listed_counts()[article_id]
            row = _listing_row(Store.open(root, create=False), article_id)
        truth = recount(store, article_id)
        totals = corpus_totals(store).corpus()  # what stats prints, healing included
        total_truth = recounted_totals(store)
    except Exception as exc:  # noqa: BLE001 - any failure to read counts as unreadable
        result.unreadable += 1
        result.problems.append(f"unreadable: {exc}")
        return result
    if not kept.same_counts(truth):
        result.wrong_counts += 1
        result.problems.append(f"counts {kept.to_row()} after reopening, recount "
                               f"{truth.to_row()}")
    shown = (listed.reviewed, listed.tagged, listed.none_apply, listed.orphaned,
             listed.labels)
    if shown != (truth.reviewed, truth.tagged, truth.none_apply, truth.orphaned, truth.labels):
        result.wrong_counts += 1
        result.problems.append(f"listed counts {shown} after reopening, recount "
                               f"{truth.to_row()}")
    truth_row = LIST_JSON.dynamic(truth, next(s.sentences for s in store.summaries()
                                              if s.id == article_id))
    if row != truth_row:
        result.wrong_counts += 1
        result.problems.append(f"kept listing row {row!r} after reopening, recount "
                               f"{truth_row!r}")
    if not totals.same(total_truth):
        result.wrong_totals += 1
        result.problems.append(f"corpus totals {totals} after reopening, recount "
                               f"{total_truth}")
    for index, op in newest.items():
        annotation = stored.get(index)
        held = int(annotation.note.split(":")[1]) if annotation else -1
        if held < op:  # a later unacknowledged write may be there; an older one may not
            result.lost += 1
            result.problems.append(f"sentence {index}: op {op} acknowledged, holds {held}")
    return result


def _listing_row(store, article_id: str) -> str | None:
    """The article's counts as ``list --json`` prints them, from the kept listing (made
    before the writers: the kill can leave it stale), healing included."""
    listing = kept_listing(store, LIST_JSON)
    if listing is None:
        return None
    return listing.rows.dynamic_of(listing.rows.ids.index(article_id))


def run_trials(root: Path, trials: int, seed: int = 1) -> TrialResult:
    rng = random.Random(seed)
    total = TrialResult()
    article_id = make_database(root)
    for trial in range(trials):
        result = run_trial(root, article_id, rng, first_op=(trial + 1) * 10**7,
                           crash_between=trial % 2 == 1)
        total.unreadable += result.unreadable
        total.lost += result.lost
        total.acked += result.acked
        total.wrong_counts += result.wrong_counts
        total.wrong_totals += result.wrong_totals
        total.killed_between_writes += result.killed_between_writes
        total.problems += result.problems
    return total


if __name__ == "__main__":  # benchmarks/bench_durability.py: DB_FOLDER TRIALS -> JSON
    import json
    from dataclasses import asdict

    print(json.dumps(asdict(run_trials(Path(sys.argv[1]), int(sys.argv[2])))))
