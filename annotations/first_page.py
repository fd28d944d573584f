"""The index's first rows, kept beside it for what shows only a first screen (issue 14).

``newstag list`` on a terminal prints one screenful and the library's first screen draws
one; both decoded the whole index for it (every row checked, ~10 ms at 20,000 articles,
most of what they still grew by). The first ``PAGE`` rows of the index, and how many
rows it has, are kept in ``counts/first-page`` with the stamp (inode, mtime, size) of
the index version they were taken from; they are used only while the index is that very
version. Every index write replaces the file (a new inode), so a stale page is never
used, by whoever wrote the index.

The page is written only from rows that were decoded and checked as a whole index
(``Store._index``), so a page that is used vouches that every row of that index version
was read without a problem: a damaged row is still reported, by the read that wrote
the page (and by any command that reads every row). The stamp is taken before the index
is read: a page written from a newer version than its stamp says is stale at once.

Derived data, like the corpus totals: a page that is missing, damaged, of another format
or not a regular file is not used (nothing else changes), and it is written again, never
over something that is not a regular file, by the next read of every row.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable
from typing import Annotated

import msgspec

from annotations.atomic_io import entry_problem, read_db_bytes
from annotations.counts_files import CountsFiles
from annotations.errors import DatabaseError
from annotations.file_stamps import recordable
from annotations.index_file import ArticleSummary

FIRST_PAGE = "first-page"  # in counts/; not ``*.json``, so never taken for a shard
PAGE_FORMAT = 2  # 2: with the index's schema version
PAGE = 200  # rows: taller than any terminal a first screen fills

FileStamp = tuple[int, int, int]
_Count = Annotated[int, msgspec.Meta(ge=0)]
_Stamp = Annotated[list[int], msgspec.Meta(min_length=3, max_length=3)]


class FirstPage(msgspec.Struct, gc=False):
    format: int
    index: _Stamp
    schema: int  # the index's schema version: opening checks it from here
    articles: _Count
    rows: list[ArticleSummary]

    def first(self, count: int) -> tuple[list[ArticleSummary], int] | None:
        """The first ``count`` rows and how many the index has; None when the page holds
        fewer than ``count`` of more."""
        if count > len(self.rows) and len(self.rows) < self.articles:
            return None
        return self.rows[:count], self.articles


class _File(msgspec.Struct):
    page: dict[str, FirstPage]  # TinyDB-shaped, like every file of the database


_DECODER = msgspec.json.Decoder(_File)


def read_first_page(files: CountsFiles, index: FileStamp) -> FirstPage | None:
    """The kept first page of the index version ``index``; None when there is none
    (then the index is read)."""
    if entry_problem(files.folder, folder=True):  # a link out of the database: not read
        return None
    try:
        data = read_db_bytes(files.folder / FIRST_PAGE)
        page = _DECODER.decode(data).page.get("1") if data is not None else None
    except (OSError, DatabaseError, msgspec.MsgspecError, RecursionError, ValueError):
        return None
    if page is None or page.format != PAGE_FORMAT or page.index != list(index) \
            or len(page.rows) > page.articles or len(page.rows) < min(PAGE, page.articles):
        return None
    return page


def keep_first_page(files: CountsFiles, index: FileStamp, schema: int,
                    rows: Iterable[ArticleSummary], articles: int, taken_ns: int) -> None:
    """Keep the first rows of the index version ``index`` (``rows``: all of them, in
    order; ``articles``: how many; ``schema``: its schema version), unless they are kept
    already, or written within a clock step before ``taken_ns`` (the clock before the
    stamp was taken: annotations/file_stamps.py). Derived data: a database that cannot
    be written still answers. Not under the store's lock (a reader would wait for an
    import): each writer's page is whole and names its own version, and a temp file
    tidied away by another process only means no page this time."""
    if read_first_page(files, index) is not None:
        return
    if recordable(index, taken_ns) != list(index):  # its stamp could lie
        return
    page = FirstPage(PAGE_FORMAT, list(index), schema, articles,
                     list(itertools.islice(rows, PAGE)))
    # UnicodeEncodeError: a lone surrogate in a title (an index edited by hand) cannot be
    # written in UTF-8; the index is read instead, as where the page cannot be written.
    with contextlib.suppress(OSError, DatabaseError, UnicodeEncodeError):
        if files.folder.is_dir():
            files._write(FIRST_PAGE, {"page": {"1": msgspec.to_builtins(page)}})
