"""What ``newstag list`` prints: one screenful on a terminal, every row when piped.

A listing of 20,000 articles is 20,000 lines: on a terminal a person sees the last
screenful scroll past, and the time goes into printing what nobody reads. So on a
terminal ``list`` prints the first screenful (as a pager's first page) and says how
many more there are; ``--all`` or ``--limit N`` say otherwise, and a pipe or a file
gets every row, as scripts always did. Only the rows printed are read: their counts
come from their own shards and their index rows from the kept first page
(``annotations.stats.listing(limit=...)``, annotations/first_page.py), so the first
screenful costs the same at 20,000 articles as at 100; every row costs what reading
and printing 20,000 rows costs (``benchmarks/bench_corpus_scale.py`` times both).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from annotations.errors import ArgumentError
from annotations.kept_listing import kept_listing
from annotations.kept_rows import KeptRows
from annotations.listing_pieces import LIST_JSON, LIST_LINES, printed
from annotations.stats import article_structs, listing
from annotations.store import Store
from annotations.text import printable, visible_controls
from tui.output import json_rows, json_text, out

HEADER = LIST_LINES.header
_NONE = "no articles in {db} (import some with 'newstag import PATH')"
# Lines of a screen that are not rows: the header, the "more" line and the next prompt.
NOT_ROWS = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, metavar="N",
                        help="the first N articles (default: one screenful on a terminal, "
                             "every article when piped)")
    parser.add_argument("--all", action="store_true",
                        help="every article, on a terminal too")


def row_limit(args: argparse.Namespace) -> int | None:
    """How many rows to print; None for all of them."""
    if args.limit is not None:
        if args.limit < 1:
            raise ArgumentError(f"newstag list: --limit must be 1 or more, not {args.limit}")
        return args.limit
    if args.all or args.json or not sys.stdout.isatty():
        return None
    return max(1, shutil.get_terminal_size().lines - NOT_ROWS)


def list_articles(args: argparse.Namespace, store: Store, db: Path) -> int:
    limit = row_limit(args)
    if limit is None and _every_article(args, store, db):
        return 0
    if args.json:
        json_rows(article_structs(store, limit))
        return 0
    summaries, counts, total = listing(store, limit)
    if not summaries:
        out(_NONE.format(db=db))
        return 0
    lines = [HEADER, *printed(LIST_LINES.whole(summaries, counts))]
    if limit is not None and total > len(summaries):
        lines.append(f"{len(summaries)} of {total} articles shown; 'newstag list --all' lists "
                     "every one (a pipe gets them all)")
    sys.stdout.write(printable_lines(lines))
    return 0


def _every_article(args: argparse.Namespace, store: Store, db: Path) -> bool:
    """Every row, from the kept listing (annotations/kept_listing.py): what changed since
    the last listing is rendered again, not every row. False when there is none (a
    lone surrogate in a title: printed as every listing was)."""
    kept = kept_listing(store, LIST_JSON if args.json else LIST_LINES)
    if kept is None:
        return False
    if args.json:
        json_text(LIST_JSON.document(kept.rows))
    elif not kept.rows.ids:
        out(_NONE.format(db=db))
    else:
        sys.stdout.write(HEADER + "\n" + printable_rows(kept.rows))
    return True


def printable_rows(rows: KeptRows) -> str:
    """A kept listing's printed rows through the one sanitising path, as
    ``printable_lines`` makes them (its one pass when no row holds a line break)."""
    text = rows.text().decode("utf-8", "replace")  # a file can hold anything
    if text.count("\n") != rows.printed:
        return "".join(printable(line) + "\n" for line in rows.lines())
    return visible_controls(text).replace("\t", " ")


def printable_lines(lines: list[str]) -> str:
    """``lines`` each made printable (a title cannot forge a line), as one text to write
    at once. One pass over the whole text where no line holds a line break (the usual
    case: 20,000 calls of ``printable`` were ~10 ms of ``list``), else line by line."""
    text = "\n".join(lines)
    if text.count("\n") != len(lines) - 1:
        return "\n".join(map(printable, lines)) + "\n"
    return visible_controls(text).replace("\t", " ") + "\n"
