"""Storage benchmark: tag latency as the database grows, against plain TinyDB.

Run by hand:  python benchmarks/bench_storage.py [--sizes 0,10000,100000] [--samples 200]
For each size: newstag's store and, on the same records, TinyDB with its default
JSONStorage (one file, rewritten on every write), both measured in this run.
Then: loading one article, `newstag tag --from` with 100,000 operations, and
`newstag export` / `newstag stats` over the largest database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO
from tinydb import TinyDB
from tinydb.table import Document

from annotations.atomic_io import AtomicJSONStorage
from annotations.config import load_config
from annotations.model import Article, ReviewState, Sentence, SentenceAnnotation
from annotations.store import Store, now_iso
from annotations.tagging import TagChange, apply_changes

ARTICLES = 2000
PER_ARTICLE = 50
LABELS = ["trade", "defence", "diplomacy"]


def article(n: int) -> Article:
    lines = [f"Sentence {i} of article {n}: ministers in Paris discussed tariffs and troops."
             for i in range(PER_ARTICLE)]
    text = "\n".join(lines)
    sentences, pos = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, pos, pos + len(line)))
        pos += len(line) + 1
    return Article(id=f"art{n:05d}", text=text, title=f"Article {n}", source="bench",
                   sentences=sentences)


def record(a: Article, i: int) -> SentenceAnnotation:
    s = a.sentences[i]
    stamp = now_iso()
    return SentenceAnnotation(a.id, i, a.text[s.start:s.end], s.start, s.end,
                              [LABELS[i % 3]], ReviewState.REVIEWED, "", "bench", stamp, stamp)


def fill(root: Path, count: int) -> tuple[Store, list[Article]]:
    store = Store.open(root)
    articles = [article(n) for n in range(ARTICLES)]
    store.save_articles([(a, a.id) for a in articles])
    records = [record(a, i) for a in articles for i in range(PER_ARTICLE)][:count]
    store.put_annotations(records)
    return store, articles


def plain_tinydb(path: Path, count: int, articles: list[Article], storage=None):
    db = TinyDB(path) if storage is None else TinyDB(path, storage=storage)
    table = db.table("annotations")
    rows = [record(a, i).to_record() for a in articles for i in range(PER_ARTICLE)][:count]
    table.insert_multiple(rows)
    return db, table


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_size(size: int, samples: int, baseline_samples: int) -> None:
    config = load_config(str(REPO / "config.yaml"))
    rng = random.Random(size)
    with tempfile.TemporaryDirectory() as tmp:
        store, articles = fill(Path(tmp) / "db", size)
        ours = []
        for _ in range(samples):
            a = rng.choice(articles)
            change = TagChange(a.id, rng.randrange(PER_ARTICLE), labels=(rng.choice(LABELS),))
            t = time.perf_counter()
            apply_changes(store, config, [change])
            ours.append(time.perf_counter() - t)
        load = []
        for _ in range(50):
            a = rng.choice(articles)
            t = time.perf_counter()
            store.annotations(a.id)
            load.append(time.perf_counter() - t)

        def one_file(storage=None) -> list[float]:
            db, table = plain_tinydb(Path(tmp) / f"one-{storage}.json", size, articles, storage)
            times = []
            for _ in range(baseline_samples):
                a = rng.choice(articles)
                rec = record(a, rng.randrange(PER_ARTICLE)).to_record()
                t = time.perf_counter()
                table.insert(Document(rec, doc_id=10**7 + len(times)))
                times.append(time.perf_counter() - t)
            db.close()
            return times

        theirs = one_file()
        atomic_one_file = one_file(AtomicJSONStorage)
    med, p99 = statistics.median(ours), percentile(ours, 99)
    bmed, bp99 = statistics.median(theirs), percentile(theirs, 99)
    print(f"{size:>7} annotations: newstag tag median {med * 1000:6.2f} ms, "
          f"p99 {p99 * 1000:6.2f} ms"
          f" | plain TinyDB median {bmed * 1000:8.2f} ms, p99 {bp99 * 1000:8.2f} ms"
          f" | plain/newstag x{bmed / med:7.1f} (median)")
    print(f"{'':>21}one TinyDB file with newstag's atomic storage (the design not taken): "
          f"median {statistics.median(atomic_one_file) * 1000:.2f} ms")
    print(f"{'':>21}load one article's annotations: median {statistics.median(load) * 1000:.2f}"
          f" ms (goal <= 5)")


def bench_cli(size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "db"
        fill(root, 0)
        ops = Path(tmp) / "ops.txt"
        with ops.open("w") as out:
            for n in range(size):
                a, i = divmod(n, PER_ARTICLE)
                out.write(f"art{a % ARTICLES:05d} {i} {LABELS[n % 3]}\n")
        cmd = [sys.executable, "-m", "tui.cli", "--db", str(root)]
        t = time.perf_counter()
        subprocess.run([*cmd, "tag", "--from", str(ops)], check=True, cwd=REPO,
                       stdout=subprocess.DEVNULL)
        tag_from = time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run([*cmd, "export", "-o", str(Path(tmp) / "out.yaml")], check=True, cwd=REPO,
                       stderr=subprocess.DEVNULL)
        export = time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run([*cmd, "stats", "--json"], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        stats = time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run([*cmd, "list"], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        listing = time.perf_counter() - t
        size_mb = (Path(tmp) / "out.yaml").stat().st_size / 1e6
    print(f"CLI over {size} annotations in {ARTICLES} articles:")
    print(f"  newstag tag --from ({size} operations): {tag_from:6.2f} s  (goal: well under 60)")
    print(f"  newstag export ({size_mb:.0f} MB YAML):      {export:6.2f} s  (goal <= 10)")
    print(f"  newstag stats --json:                 {stats:6.2f} s  (goal <= 10)")
    print(f"  newstag list:                         {listing:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="0,10000,100000")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--baseline-samples", type=int, default=20,
                        help="plain TinyDB is slow at 100,000 records; fewer samples")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        bench_size(size, args.samples, args.baseline_samples)
    bench_cli(max(sizes) or 1000)


if __name__ == "__main__":
    main()
