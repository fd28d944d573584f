"""The full crash run: 200 trials of SIGKILLed writers (tests/ runs a short one).

Run by hand:  python benchmarks/bench_durability.py [--trials 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.durability import run_trials  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=200)
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = run_trials(Path(tmp) / "db", args.trials)
    print(f"{args.trials} trials, 2 writer processes each, SIGKILL at a random moment: "
          f"{result.acked} acknowledged tags, {result.unreadable} unreadable databases, "
          f"{result.lost} lost acknowledged changes, {result.wrong_counts} trials with "
          f"counts unequal to a recount ({result.killed_between_writes} writers killed between "
          f"the annotation and the counts write) ({time.perf_counter() - start:.0f} s)")
    for problem in result.problems[:10]:
        print("  " + problem)
    if result.problems:
        print(f"FAIL: {len(result.problems)} problems (writer errors count too)")
        sys.exit(1)


if __name__ == "__main__":
    main()
