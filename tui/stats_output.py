"""Which articles ``newstag stats`` lists under its totals: on a terminal none, piped all.

The totals come from the kept corpus totals and cost the same at 20,000 articles as
at 100 (annotations/corpus_totals.py). A line per reviewed article cannot: it reads
every article's counts and prints a line per article, as ``list`` does. So, as
``list`` does, a terminal gets what a person reads (the totals, and where the
per-article rows are), and a pipe or a file gets every row, as scripts always did.
"""

from __future__ import annotations

import sys

from annotations.counts import Counts
from annotations.stats import listing
from annotations.store import Store
from tui.list_output import printable_lines
from tui.output import out

HINT = "  (per article: 'newstag list', or 'newstag stats --json')"


def print_article_lines(store: Store) -> None:
    """A line per reviewed article when piped (every row read, the text written at
    once); on a terminal none (a hint says where they are)."""
    if sys.stdout.isatty():
        out(HINT)
        return
    summaries, counts, _ = listing(store)
    get, empty = counts.get, Counts.none()
    lines = [f"  {s.id[:18]:<18} {c.reviewed:>4}/{s.sentences:<4} {s.title}"
             for s in summaries if (c := get(s.id, empty)).reviewed]
    if lines:
        sys.stdout.write(printable_lines(lines))
