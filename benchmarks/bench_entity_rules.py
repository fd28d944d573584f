"""One entity correction over 2,000 articles (issue 11): the goal is well under 1 s per
1,000 articles.

Corrections are an overlay (annotations/entity_apply.py): making one is a scan of every
article's stored text (is the text there, how many mentions change) and one small write
of ``entity-rules.json``; every later read of an article lays the rules over the model's
entities. Printed: the time to make one correction (scan + write), the time to read every
article corrected vs as stored (what an export or ``newstag entities`` pays), and, for
comparison, what writing the correction into every article file would cost (the
alternative design: every file rewritten atomically, and again on ``forget``).

    python benchmarks/bench_entity_rules.py [--articles 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from annotations.entity_apply import corrected
from annotations.entity_corrections import add_rule, forget, make_rule
from annotations.entity_overlay import rule_set
from annotations.model import Article, Entity, Sentence
from annotations.store import Store

SENTENCES = 20


def article(n: int) -> Article:
    lines = [f"Line {i} of dispatch {n}: Trump met envoys in Geneva about tariffs and troops."
             for i in range(SENTENCES)]
    sentences, entities, pos = [], [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, pos, pos + len(line)))
        t = pos + line.index("Trump")
        g = pos + line.index("Geneva")
        entities += [Entity(t, t + 5, "ORG"), Entity(g, g + 6, "GPE")]
        pos += len(line) + 1
    return Article(id=f"d{n:06d}", text="\n".join(lines), title=f"Dispatch {n}",
                   source="wire", sentences=sentences, entities=entities)


def build(root: Path, size: int) -> Store:
    store = Store.open(root)
    for first in range(0, size, 1000):
        batch = [article(n) for n in range(first, min(size, first + 1000))]
        store.save_articles([(a, a.id) for a in batch])
    return store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = build(Path(tmp) / "db", args.articles)
        ids = [s.id for s in store.summaries()]
        make, read_raw, read_fixed, rewrite = [], [], [], []
        for _ in range(args.rounds):
            rule = make_rule(store, "Trump", "PERSON", [])
            start = time.perf_counter()
            add_rule(store, rule)
            make.append(time.perf_counter() - start)

            start = time.perf_counter()
            for i in ids:
                store.load_article(i, corrected=False)
            read_raw.append(time.perf_counter() - start)

            start = time.perf_counter()
            fixed = [store.load_article(i) for i in ids]
            read_fixed.append(time.perf_counter() - start)
            assert all(e.label == "PERSON" for e in fixed[0].entities
                       if fixed[0].text[e.start:e.end] == "Trump")

            # The alternative: the correction written into every article file.
            rules = rule_set(store.root)
            start = time.perf_counter()
            for i in ids:
                store.write_article_file(corrected(store.load_article(i, corrected=False),
                                                   rules))
            rewrite.append(time.perf_counter() - start)
            forget(store, "Trump")
            for i in ids:  # back to the model's output for the next round
                store.write_article_file(store.load_article(i))

    n = args.articles
    per = 1000 / n

    def line(name: str, times: list[float]) -> None:
        med = statistics.median(times)
        print(f"  {name:<52} {med:7.3f} s  ({med * per:.3f} s per 1,000 articles)")

    print(f"{n} articles of {SENTENCES} sentences, {args.rounds} rounds, medians:")
    line("make one correction (scan every article + write)", make)
    line("read every article as stored (no rules)", read_raw)
    line("read every article corrected (overlay)", read_fixed)
    line("alternative: rewrite every article file corrected", rewrite)
    overlay = statistics.median(read_fixed) - statistics.median(read_raw)
    print(f"  overlay cost per article read: {overlay / n * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
