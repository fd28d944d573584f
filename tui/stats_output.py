"""Which articles ``newstag stats`` lists under its totals: on a terminal none, piped all.

The totals come from the kept corpus totals and cost the same at 20,000 articles as
at 100 (annotations/corpus_totals.py). A line per reviewed article cannot: it reads
every article's counts and prints a line per article, as ``list`` does. So, as
``list`` does, a terminal gets what a person reads (the totals, and where the
per-article rows are), and a pipe or a file gets every row, as scripts always did.
"""

from __future__ import annotations

import sys

from annotations.stats import article_rows
from annotations.store import Store
from tui.output import out

HINT = "  (per article: 'newstag list', or 'newstag stats --json')"


def per_article_rows(store: Store) -> list[dict]:
    """Every article's row when piped; on a terminal none (a hint says where they are)."""
    if sys.stdout.isatty():
        out(HINT)
        return []
    return article_rows(store)
