"""The full crash run: 200 trials of SIGKILLed writers (tests/ runs a short one).

Run by hand:  python benchmarks/bench_durability.py [--trials 200]
The harness is the tests' own (tests/durability.py), run as a script: one harness, and no
benchmark imports the tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=200)
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, str(REPO / "tests" / "durability.py"),
                               str(Path(tmp) / "db"), str(args.trials)],
                              check=True, capture_output=True, text=True)
    result = json.loads(done.stdout)
    print(f"{args.trials} trials, 2 writer processes each, SIGKILL at a random moment: "
          f"{result['acked']} acknowledged tags, {result['unreadable']} unreadable databases, "
          f"{result['lost']} lost acknowledged changes, {result['wrong_counts']} trials with "
          f"counts unequal to a recount, {result.get('wrong_totals', 0)} with corpus totals "
          f"unequal to a recount ({result['killed_between_writes']} writers killed "
          f"between the annotation and the counts write) ({time.perf_counter() - start:.0f} s)")
    for problem in result["problems"][:10]:
        print("  " + problem)
    if result["problems"]:
        print(f"FAIL: {len(result['problems'])} problems (writer errors count too)")
        sys.exit(1)


if __name__ == "__main__":
    main()
