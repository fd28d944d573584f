"""Which articles ``newstag stats`` lists under its totals: on a terminal none (unless
``--articles``), piped all.

The totals come from the kept corpus totals and cost the same at 20,000 articles as
at 100 (annotations/corpus_totals.py). A line per reviewed article cannot: it reads
every article's counts and prints a line per article, as ``list`` does. So, as
``list`` does, a terminal gets what a person reads (the totals, and where the
per-article rows are), and a pipe or a file gets every row, as scripts always did.
"""

from __future__ import annotations

import sys

from annotations.kept_listing import kept_listing
from annotations.listing_pieces import STATS_LINES, printed
from annotations.stats import listing
from annotations.store import Store
from tui.list_output import printable_lines, printable_rows
from tui.output import out

HINT = ("  (per article: 'newstag list', 'newstag stats --articles' or "
        "'newstag stats --json')")


def print_article_lines(store: Store, articles: bool = False) -> None:
    """A line per reviewed article when piped or asked for (``articles``: every row
    read, the text written at once); else none (a hint says where they are)."""
    if sys.stdout.isatty() and not articles:
        out(HINT)
        return
    kept = kept_listing(store, STATS_LINES)  # only what changed since is rendered again
    if kept is not None:
        if kept.rows.printed:
            sys.stdout.write(printable_rows(kept.rows))
        return
    summaries, counts, _ = listing(store)  # a lone surrogate in a title: as it always was
    lines = printed(STATS_LINES.whole(summaries, counts))
    if lines:
        sys.stdout.write(printable_lines(lines))
