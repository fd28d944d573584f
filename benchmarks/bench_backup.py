"""Backup benchmark: one backup of a database of N articles, copied vs hard linked.

Run by hand:  python benchmarks/bench_backup.py [--articles 2000] [--repeat 5]
Backups used to hard link article files (fast, but an in-place change of a live
article file reached its backups too); they now copy them (a copy-on-write clone
where the file system can). Both are measured here on the same database: the
current ``make_backup`` and the same walk with ``os.link`` for article files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from annotations.backup import BACKUP_DIR, data_files, make_backup
from annotations.model import Article, Entity, Sentence
from annotations.store import Store

LINE = "Officials from Norway and Japan met in Oslo on Monday to discuss trade and tariffs."


def build(root: Path, articles: int) -> None:
    store = Store.open(root)
    text = "\n".join(f"{LINE} ({i})" for i in range(60))  # about 5 KB, like a news article
    sentences, entities, pos = [], [], 0
    for i, line in enumerate(text.split("\n")):
        sentences.append(Sentence(i, pos, pos + len(line)))
        entities.append(Entity(pos + 15, pos + 21, "GPE"))
        pos += len(line) + 1
    items = [(Article(id=f"article-{n:05d}", text=text, title=f"Article {n}",
                      sentences=sentences, entities=entities), f"c{n}")
             for n in range(articles)]
    store.save_articles(items)


def linked_backup(root: Path) -> Path:
    """The old way: article files hard linked, the rest copied."""
    staging = root / BACKUP_DIR / f".linked-{time.time_ns()}"
    for src in data_files(root):
        dest = staging / src.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.parent.name == "articles":
            os.link(src, dest)
        else:
            shutil.copy2(src, dest)
    return staging


def timed(fn, root: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        made = fn(root)
        times.append(time.perf_counter() - start)
        shutil.rmtree(made)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "db"
        build(root, args.articles)
        size = sum(p.stat().st_size for p in (root / "articles").glob("*.json"))
        print(f"{args.articles} articles, {size / 1e6:.1f} MB of article files")
        for name, fn in (("hard links (old)", linked_backup), ("copies (now)", make_backup)):
            times = timed(fn, root, args.repeat)
            print(f"{name:<18} median {statistics.median(times) * 1000:7.0f} ms   "
                  f"max {max(times) * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
