"""A never-imported article in a real terminal: how soon can it be read? (issue 9, stretch)

Run by hand:  python benchmarks/bench_new_article.py [--rounds 3] [--sentences 20000]
              [--baseline DIR]

Each round starts ``newstag FILE`` in a fresh tmux window (120x35) on an article of about
20,000 sentences that the (new, empty) database has never seen, and a minimal Textual app
as the floor, one after the other. It times, from the start of the process:
  - first lines: the reader's status line on screen (a read-only preview: the lines as
    they are while spaCy loads; before the preview existed, the reader came only after
    the import);
  - processed lines: the title saying how many lines spaCy has done (entities shown);
  - stored: the reader showing the stored article (no "processing:" in its title);
then kills the window. The goal of the stretch: first lines within 1 s.
Set PYTHONPATH to choose the code measured; ``--baseline DIR`` times a second checkout in
the same alternating rounds.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_first_screen import NEUTRAL_CWD, POLL, READER_READY, first_screen, prepare
from common import REPO

PREVIEW_MARK = "processing:"
PROCESSED = re.compile(r"processing: [1-9][\d,]* of")  # not "0 of": spaCy still loading


def timeline(command: list[str], env: dict,
             timeout: float = 300) -> tuple[float, float, float]:
    """Seconds until the reader is on screen, until it shows processed lines, and until
    it shows the stored article."""
    session = f"bench-{uuid.uuid4().hex[:8]}"
    line = " ".join(shlex.quote(c) for c in command)
    start = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "35",
                    "-c", NEUTRAL_CWD, "env", "-u", "PYTHONDONTWRITEBYTECODE",
                    *[f"{k}={v}" for k, v in env.items()], "sh", "-c", line], check=True)
    first = processed = None
    try:
        while time.perf_counter() - start < timeout:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                    capture_output=True, text=True).stdout
            if READER_READY in screen:
                now = time.perf_counter() - start
                first = now if first is None else first
                if processed is None and PROCESSED.search(screen):
                    processed = now
                if PREVIEW_MARK not in screen:
                    return first, processed or now, now
            time.sleep(POLL)
        raise RuntimeError(f"the stored article never appeared:\n{screen}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=20_000)
    parser.add_argument("--baseline", metavar="DIR")
    args = parser.parse_args()
    env = {"PYTHONPATH": os.environ.get("PYTHONPATH", str(REPO)), "TERM": "xterm-256color",
           "COLORTERM": "truecolor", "HOME": os.environ.get("HOME", "/tmp"),
           "NEWSTAG_CONFIG": str(REPO / "config.yaml")}
    codes = {"newstag": env} | ({"baseline": {**env, "PYTHONPATH": args.baseline}}
                                if args.baseline else {})
    keeper = f"bench-keeper-{uuid.uuid4().hex[:8]}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keeper, "sleep", "3600"], check=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            _, _, big_file, minimal = prepare(folder, args.sentences)
            floor_env = env
            floors: list[float] = []
            first: dict[str, list[float]] = {c: [] for c in codes}
            processed: dict[str, list[float]] = {c: [] for c in codes}
            stored: dict[str, list[float]] = {c: [] for c in codes}
            first_screen([sys.executable, str(minimal)], "minimal app ready", floor_env)
            for n in range(args.rounds):
                floors.append(first_screen([sys.executable, str(minimal)],
                                           "minimal app ready", floor_env))
                for code, code_env in codes.items():
                    db = folder / f"db-{code}-{n}"  # never seen the article
                    a, b, c = timeline([sys.executable, "-m", "tui.cli", "--db", str(db),
                                        str(big_file)], code_env)
                    first[code].append(a)
                    processed[code].append(b)
                    stored[code].append(c)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keeper], capture_output=True)
    floor = statistics.median(floors)
    print(f"never-imported {args.sentences:,}-sentence article in tmux, {args.rounds} rounds; "
          f"minimal Textual app {floor:.3f} s")
    for code in codes:
        for name, values in (("first lines", first[code]), ("processed lines", processed[code]),
                             ("stored", stored[code])):
            median = statistics.median(values)
            print(f"  {code:<9} {name:<16} median {median:6.2f} s  (min {min(values):.2f}, "
                  f"max {max(values):.2f})  {median / floor:5.1f}x the minimal app")


if __name__ == "__main__":
    main()
