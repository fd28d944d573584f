"""Corpus-scale benchmark: does listing the corpus cost the same at 20,000 articles as at 100?

Run by hand:  python benchmarks/bench_corpus_scale.py [--sizes 100,2000,20000] [--rounds 7]

Corpora of 10-sentence articles with half the sentences tagged are built once,
straight through ``Store`` (no spaCy), into a cache folder under /tmp and reused
by later runs. Then, alternating the sizes round by round so that machine noise
falls on all of them alike, it times as subprocesses: the library's first screen
(``newstag`` with no argument, in a real terminal through tmux, until the first
row is drawn; a minimal Textual app is timed in the same rounds as the floor),
``newstag list`` on a 24-line pseudo-terminal (one screenful: the cost a person waits for)
and piped (every row, from the kept listing), ``newstag stats``
on a terminal (the kept corpus totals, annotations/corpus_totals.py) and piped (a line
per reviewed article as well), ``newstag stats --json`` (every row too) and the
Store-level ``article_rows`` (no command uses it: a process that reads every row); in
this process, the library's app work per filter and sort key (headless), the return from
the reader to the library after a tag (every row read again, as before, and only the
changed ones); and in this process one tag (``apply_changes``). The piped listings and
``stats --json`` are timed right after each round's tags: what they cost then is
re-rendering the rows of the shards those tags wrote (annotations/kept_listing.py).
It prints medians and the growth ratios x(2,000/100) and x(20,000/100); the goal
(issue 14) is <= 1.3.

It also prints what the design not taken would cost: rewriting the whole index
(``newstag.json``) on every tag, as keeping the counts in the index rows would,
and the once-per-boot verification of the counts (annotations/counts.py).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import REPO

from annotations import counts
from annotations.atomic_io import AtomicJSONStorage, read_json_tables
from annotations.config import load_config
from annotations.model import Article, ReviewState, Sentence, SentenceAnnotation
from annotations.store import SCHEMA_VERSION, Store, now_iso
from annotations.tagging import TagChange, apply_changes

SENTENCES = 10
LABELS = ["trade", "defence", "diplomacy"]
CACHE = Path(tempfile.gettempdir()) / "newstag-corpus-scale"
CHUNK = 1000


def article(n: int) -> Article:
    lines = [f"Line {i} of dispatch {n}: envoys in Geneva weighed tariffs, troops and talks."
             for i in range(SENTENCES)]
    sentences, pos = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, pos, pos + len(line)))
        pos += len(line) + 1
    return Article(id=f"d{n:06d}", text="\n".join(lines), title=f"Dispatch {n} from Geneva",
                   source="wire", published="2026-01-01", sentences=sentences)


def tagged(a: Article) -> list[SentenceAnnotation]:
    """Half the sentences (the even ones) tagged, one label each."""
    stamp = now_iso()
    return [SentenceAnnotation(a.id, s.index, a.sentence_text(s), s.start, s.end,
                               [LABELS[s.index % 3]], ReviewState.REVIEWED, "", "bench",
                               stamp, stamp)
            for s in a.sentences if s.index % 2 == 0]


def corpus(size: int) -> Path:
    """The cached database of ``size`` articles, built the first time."""
    root = CACHE / f"{size}-s{SCHEMA_VERSION}-c{counts.FORMAT}" / "db"
    done = root.parent / "complete"
    if done.exists():
        return root
    if root.exists():
        import shutil

        shutil.rmtree(root)
    start = time.perf_counter()
    store = Store.open(root)
    for first in range(0, size, CHUNK):
        articles = [article(n) for n in range(first, min(size, first + CHUNK))]
        store.save_articles([(a, a.id) for a in articles])
        store.put_annotations([x for a in articles for x in tagged(a)])
    done.write_text("")
    print(f"  built {size} articles in {time.perf_counter() - start:.0f} s ({root})")
    return root


# The newstag checkout whose commands are timed (--code; this one by default).
CODE = {"path": REPO}
# Where they start: python -m and -c put the current folder first on sys.path, ahead of
# PYTHONPATH, so started in a checkout they timed that checkout whatever --code said.
NEUTRAL_CWD = tempfile.gettempdir()


def run(cmd: list[str]) -> float:
    # With the bytecode cache, as an installed newstag runs (bench_first_screen.py says why).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NEWSTAG_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(CODE["path"])
    env["NEWSTAG_CONFIG"] = str(REPO / "config.yaml")
    t = time.perf_counter()
    # Not cwd=REPO: python -m would import this checkout's newstag, whatever --code says.
    subprocess.run(cmd, check=True, cwd=NEUTRAL_CWD, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


ROWS_SCRIPT = ("import sys\nfrom annotations.store import Store\n"
               "from annotations.stats import article_rows\n"
               "article_rows(Store.open(sys.argv[1], create=False))\n")

LIBRARY_READY = "Dispatch 0 from Geneva"  # the first row: the library's rows are drawn
# Run to its end with a 24-line pseudo-terminal as stdout: what a person at a terminal
# waits for. `list` prints one screenful there (tui/list_output.py); piped, every row.
ON_A_TERMINAL = "\0pty"

# What is timed per size and round, as subprocesses: (name, command, needle). With no
# needle the command runs to its end; with one it runs in a real terminal (tmux, as
# benchmarks/bench_first_screen.py does) until the needle is on screen.
MEASURES: list[tuple[str, Callable[[Path], list[str]], str | None]] = [
    ("library first screen",
     lambda db: [sys.executable, "-m", "tui.cli", "--db", str(db)], LIBRARY_READY),
    ("newstag list (terminal)",
     lambda db: [sys.executable, "-m", "tui.cli", "--db", str(db), "list"], ON_A_TERMINAL),
    ("newstag list (piped)",
     lambda db: [sys.executable, "-m", "tui.cli", "--db", str(db), "list"], None),
    ("newstag stats --json",
     lambda db: [sys.executable, "-m", "tui.cli", "--db", str(db), "stats", "--json"], None),
    ("newstag stats (terminal)",
     lambda db: [sys.executable, "-m", "tui.cli", "--db", str(db), "stats"], ON_A_TERMINAL),
    ("newstag stats (piped)",
     lambda db: [sys.executable, "-m", "tui.cli", "--db", str(db), "stats"], None),
    ("article_rows (Store)", lambda db: [sys.executable, "-c", ROWS_SCRIPT, str(db)], None),
]


def run_on_a_terminal(cmd: list[str], lines: int = 24) -> float:
    import fcntl
    import pty
    import struct
    import termios

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NEWSTAG_") and k not in ("PYTHONDONTWRITEBYTECODE", "LINES")}
    env["PYTHONPATH"] = str(CODE["path"])
    env["NEWSTAG_CONFIG"] = str(REPO / "config.yaml")
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", lines, 120, 0, 0))
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=NEUTRAL_CWD, env=env, stdout=terminal)
    os.close(terminal)
    while True:  # drain, as a terminal does, until the child closes it
        try:
            if not os.read(controller, 1 << 16):
                break
        except OSError:
            break
    proc.wait()
    elapsed = time.perf_counter() - t
    os.close(controller)
    assert proc.returncode == 0, cmd
    return elapsed


def measure(command: list[str], needle: str | None) -> float:
    if needle is None:
        return run(command)
    if needle == ON_A_TERMINAL:
        return run_on_a_terminal(command)
    from benchmarks.bench_first_screen import first_screen

    env = {"PYTHONPATH": str(CODE["path"]), "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "HOME": os.environ.get("HOME", "/tmp"), "NEWSTAG_CONFIG": str(REPO / "config.yaml")}
    return first_screen(command, needle, env)


def tag_times(root: Path, size: int, samples: int, rng: random.Random) -> list[float]:
    """One tag at a time on a tagged sentence, flipping its label: the corpus stays half
    tagged, and every tag really writes."""
    config = load_config(str(REPO / "config.yaml"))
    store = Store.open(root)
    times = []
    for _ in range(samples):
        n = rng.randrange(size)
        index = rng.randrange(0, SENTENCES, 2)
        label = LABELS[index % 3] if rng.random() < 0.5 else LABELS[(index + 1) % 3]
        change = TagChange(f"d{n:06d}", index, labels=(label,))
        t = time.perf_counter()
        apply_changes(store, config, [change])
        times.append(time.perf_counter() - t)
    return times


def index_rewrite(root: Path, samples: int = 5) -> float:
    """The design not taken: read and rewrite the whole index on every tag."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "newstag.json"
        copy.write_bytes((root / "newstag.json").read_bytes())
        for _ in range(samples):
            t = time.perf_counter()
            AtomicJSONStorage(copy).write(read_json_tables(copy))
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def verify_once(root: Path) -> float:
    """The once-per-boot check (a stat of every annotation file), forced."""
    (root / counts.COUNTS_DIR / counts.META).unlink(missing_ok=True)
    store = Store.open(root, create=False)
    t = time.perf_counter()
    recounted = counts.heal(store)
    elapsed = time.perf_counter() - t
    assert not recounted, f"{len(recounted)} rows were stale in a cached corpus"
    return elapsed


def return_times(root: Path, size: int, samples: int = 7) -> tuple[float, float]:
    """(every row read again, only the changed rows) after one tag: the app work of
    coming back from the reader to the library (annotations/library_rows.py), in this
    process and with this checkout's code whatever --code says."""
    from annotations.library_rows import KeptRows
    from annotations.stats import library_rows

    store, config = Store.open(root, create=False), load_config()
    rows = KeptRows(store)
    rows.read()
    full, changed = [], []
    for i in range(samples):
        apply_changes(store, config, [TagChange(f"d{(i * 7919) % size:06d}", 1,
                                                labels=(LABELS[i % 3],))])
        t = time.perf_counter()
        library_rows(store)
        full.append(time.perf_counter() - t)
        t = time.perf_counter()
        rows.changed()
        changed.append(time.perf_counter() - t)
    return statistics.median(full), statistics.median(changed)


FILTER_TYPED = "dispatch 1"  # typed a key at a time: every prefix narrows the last view


def library_keys(root: Path, repeats: int = 5) -> tuple[float, float, float, int]:
    """The library's app work per key, headless (Textual's run_test), once every row is
    read: (a filter key, the median over typing FILTER_TYPED and clearing it; a sort
    key, the median over cycling the sorts; the first sort key, each order built the
    first time; the rows the finished filter shows). The work is the screen's handler
    and the table's lines drawn for the new view, as bench_reader.py times a key."""
    import asyncio

    from annotations.config import load_config
    from tui.app import NewstagApp
    from tui.library_table import LibraryTable
    from tui.screens.library import LibraryScreen

    async def measure_keys() -> tuple[float, float, float, int]:
        app = NewstagApp(load_config(str(REPO / "config.yaml")), Store.open(root, create=False))
        async with app.run_test(size=(120, 35)) as pilot:
            screen = app.screen
            assert isinstance(screen, LibraryScreen)
            while screen._totals is None:  # every row read (the first screen's are first)
                await pilot.pause(0.05)
            table = screen.query_one(LibraryTable)
            filter_box = screen.query_one("#library-filter")

            def drawn(act: Callable[[], None]) -> float:
                t = time.perf_counter()
                act()
                for y in range(table.size.height):
                    table.render_line(y)
                return time.perf_counter() - t

            def typed(text: str) -> None:
                with filter_box.prevent(filter_box.Changed):
                    filter_box.value = text
                screen.refresh_table()

            first_sort = drawn(screen.action_cycle_sort)
            sorts = [drawn(screen.action_cycle_sort) for _ in range(3 * repeats)]
            keys: list[float] = []
            for _ in range(repeats):
                keys += [drawn(lambda n=n: typed(FILTER_TYPED[:n]))
                         for n in range(1, len(FILTER_TYPED) + 1)]
                shown = table.row_count
                keys.append(drawn(lambda: typed("")))
            return statistics.median(keys), statistics.median(sorts), first_sort, shown

    return asyncio.run(measure_keys())


def timed_rounds(args: argparse.Namespace, sizes: list[int], roots: dict[int, Path]
                 ) -> tuple[dict[str, dict[int, list[float]]], dict[int, list[float]],
                            list[float]]:
    from benchmarks.bench_first_screen import MINIMAL_APP

    minimal = CACHE / "minimal_app.py"
    minimal.write_text(MINIMAL_APP, "utf-8")
    minimal_run = ([sys.executable, str(minimal)], "minimal app ready")
    for size in sizes:  # one warm-up of each command, the first read verifies after a boot
        for _, build, needle in MEASURES:
            measure(build(roots[size]), needle)
    measure(*minimal_run)
    times: dict[str, dict[int, list[float]]] = {name: {s: [] for s in sizes}
                                                for name, _, _ in MEASURES}
    tags: dict[int, list[float]] = {s: [] for s in sizes}
    floor: list[float] = []
    rng = random.Random(14)
    for _ in range(args.rounds):
        floor.append(measure(*minimal_run))
        for size in sizes:
            for name, build, needle in MEASURES:
                times[name][size].append(measure(build(roots[size]), needle))
            tags[size] += tag_times(roots[size], size, args.tag_samples // args.rounds + 1, rng)
    return times, tags, floor


def ratio_line(name: str, medians: dict[int, float], sizes: list[int], unit: float = 1.0,
               suffix: str = "s") -> str:
    base = medians[sizes[0]]
    cells = "  ".join(f"{size:>6}: {medians[size] * unit:8.3f} {suffix}" for size in sizes)
    ratios = "  ".join(f"x({size:,}/{sizes[0]:,}) {medians[size] / base:4.2f}"
                       for size in sizes[1:])
    return f"{name:<24} {cells}   {ratios}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,2000,20000")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tag-samples", type=int, default=100)
    parser.add_argument("--code", metavar="DIR", default=str(REPO),
                        help="the newstag checkout whose commands are timed (e.g. main's)")
    args = parser.parse_args()
    CODE["path"] = Path(args.code)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"corpora of 10-sentence articles, half the sentences tagged (cache: {CACHE}); "
          f"code: {CODE['path']}")
    roots = {size: corpus(size) for size in sizes}
    # A session that outlives the terminal runs (a new-session racing a tmux server that
    # is shutting down fails), as in bench_first_screen.py.
    keeper = f"bench-keeper-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keeper, "sleep", "3600"], check=True)
    try:
        times, tags, floor = timed_rounds(args, sizes, roots)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keeper], capture_output=True)
    print(f"medians of {args.rounds} alternating rounds (goal: every ratio <= 1.3)")
    for name, _, _ in MEASURES:
        print(ratio_line(name, {s: statistics.median(v) for s, v in times[name].items()}, sizes))
    minimal = statistics.median(floor)
    library = {s: statistics.median(v) for s, v in times["library first screen"].items()}
    print(f"minimal Textual app: {minimal:.3f} s; library first screen / minimal app: "
          + "  ".join(f"{size:,}: {library[size] / minimal:4.2f}" for size in sizes)
          + "   (goal <= 1.5)")
    print(ratio_line("one tag (median)", {s: statistics.median(v) for s, v in tags.items()},
                     sizes, 1000, "ms"))
    p99 = {s: sorted(v)[int(0.99 * (len(v) - 1))] for s, v in tags.items()}
    print(ratio_line("one tag (p99)", p99, sizes, 1000, "ms"))
    keys = {size: library_keys(roots[size]) for size in sizes}
    print(f"the library, app work per key (this checkout; goal <= 50 ms at 20,000; "
          f"filter: {FILTER_TYPED!r} typed a key at a time, then cleared):")
    print(ratio_line("  filter key (median)", {s: k[0] for s, k in keys.items()}, sizes,
                     1000, "ms"))
    print(ratio_line("  sort key (median)", {s: k[1] for s, k in keys.items()}, sizes,
                     1000, "ms"))
    print(ratio_line("  first sort key", {s: k[2] for s, k in keys.items()}, sizes, 1000,
                     "ms"))
    print("  rows the filter shows: " + "  ".join(f"{s:,}: {k[3]}" for s, k in keys.items()))
    print("back from the reader to the library after a tag (app work, this checkout):")
    for size in sizes:
        full, changed = return_times(roots[size], size)
        print(f"  {size:>6} articles: every row read again {full * 1000:7.1f} ms, only the "
              f"changed ones {changed * 1000:6.1f} ms")
    print("the design not taken, counts in the index rows: one tag rewrites newstag.json")
    for size in sizes:
        mb = (roots[size] / "newstag.json").stat().st_size / 1e6
        print(f"  {size:>6} articles: index {mb:5.1f} MB, read + rewrite "
              f"{index_rewrite(roots[size]) * 1000:7.1f} ms per tag")
    print("once per boot: verify every row's file signature (annotations/counts.py)")
    for size in sizes:
        print(f"  {size:>6} articles: {verify_once(roots[size]) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
