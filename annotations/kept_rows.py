"""A kept listing's rows as one text (annotations/kept_listing.py says what it is for).

The printed rows are kept as the text they print, ``body``: each row followed by its
kind's ending ("\\n" for lines, ",\\n" between JSON rows). A listing with nothing changed
prints ``body`` as it is: reading it is one string to decode (~1 ms for the 6.7 MB of
`stats --json` at 20,000 articles, where 20,000 strings were ~6 ms and their join ~2 ms
more). The numbers per row are arrays of unsigned ints in bytes (20,000 ints as a list
were ~0.3 ms each to decode): the row's length in ``body`` (0 when it is not printed),
and where its dynamic part starts and ends in the row. A row that is not printed keeps
its text in ``hidden``, its dynamic part empty, for the day it is printed again.
"""

from __future__ import annotations

import itertools
import sys
from array import array
from collections.abc import Sequence

import msgspec

_UINT = "I"  # 4 bytes wherever CPython runs


def uints(values: Sequence[int] | bytes) -> array:
    numbers = array(_UINT)
    if isinstance(values, bytes):
        numbers.frombytes(values)
    else:
        numbers.extend(values)
    return numbers


class KeptRows(msgspec.Struct, gc=False):
    byteorder: str  # the arrays' (a database folder can be copied to another machine)
    ids: list[str]  # in import order
    shard: bytes  # each row's counts shard (its name's number)
    room: bytes  # uints: sentences and headings, what a count can reach
    sentences: bytes  # uints
    body: str
    length: bytes  # uints: each row's length in body, its ending included
    cut: bytes  # uints: where each row's dynamic part starts in the row
    tail: bytes  # uints: where it ends
    hidden: dict[int, str]  # rows not printed, by place: their text, dynamic part empty
    last_end: str  # the ending of the last row ("" between JSON rows)
    end: str

    @classmethod
    def of(cls, ids: list[str], shard: bytes, room: Sequence[int], sentences: Sequence[int],
           heads: Sequence[str], dynamic: Sequence[str | None], tails: Sequence[str],
           end: str, last_end: str) -> KeptRows:
        """The rows ``head + dynamic + tail`` (``dynamic`` None: not printed)."""
        last = len(ids) - 1
        rows = [h + (d or "") + t for h, d, t in zip(heads, dynamic, tails, strict=True)]
        entries = [("" if d is None else r + (end if i < last else last_end))
                   for i, (r, d) in enumerate(zip(rows, dynamic, strict=True))]
        cut = [len(h) for h in heads]
        return cls(sys.byteorder, ids, shard, uints(room).tobytes(),
                   uints(sentences).tobytes(), "".join(entries),
                   uints(list(map(len, entries))).tobytes(), uints(cut).tobytes(),
                   uints([c + len(d or "") for c, d in zip(cut, dynamic, strict=True)])
                   .tobytes(),
                   {i: r for i, (r, d) in enumerate(zip(rows, dynamic, strict=True))
                    if d is None}, last_end, end)

    def whole(self) -> bool:
        """Every column the length of ``ids``, and the lengths those of ``body``."""
        n = len(self.ids)
        if self.byteorder != sys.byteorder or len(self.shard) != n \
                or any(len(column) != 4 * n for column in (self.room, self.sentences,
                                                            self.length, self.cut,
                                                            self.tail)):
            return False
        length = uints(self.length)
        return sum(length) == len(self.body) \
            and all(0 <= i < n and length[i] == 0 for i in self.hidden)

    @property
    def printed(self) -> int:
        return len(self.ids) - len(self.hidden)

    def lines(self) -> list[str]:
        """The printed rows, without their endings."""
        return self.rows_at([i for i in range(len(self.ids)) if i not in self.hidden])

    def rows_at(self, places: Sequence[int]) -> list[str]:
        """The rows at ``places``, printed or not, without their endings."""
        starts = list(itertools.accumulate(uints(self.length), initial=0))
        last, end, last_end = len(self.ids) - 1, len(self.end), len(self.last_end)
        return [self.hidden[at] if at in self.hidden else
                self.body[starts[at]:starts[at + 1] - (end if at < last else last_end)]
                for at in places]

    def dynamic_of(self, at: int) -> str:
        return self.rows_at([at])[0][uints(self.cut)[at]:uints(self.tail)[at]]

    def with_dynamics(self, places: Sequence[int], dynamics: Sequence[str | None]
                      ) -> dict[int, tuple[str, int, int, bool]]:
        """The rows at ``places`` whose dynamic part is not ``dynamics``' (None: not
        printed) with it, as ``replace`` takes them: after a tag, one row of its shard's."""
        cut, tail, hidden = uints(self.cut), uints(self.tail), self.hidden
        changed = {}
        for at, row, part in zip(places, self.rows_at(places), dynamics, strict=True):
            start, end = cut[at], tail[at]
            if (part is None) == (at in hidden) and row[start:end] == (part or ""):
                continue
            changed[at] = (row[:start] + (part or "") + row[end:], start,
                           start + len(part or ""), part is not None)
        return changed

    def replace(self, changes: dict[int, tuple[str, int, int, bool]]) -> None:
        """Rows replaced, by place: (text without its ending, where its dynamic part
        starts and ends, printed). The body is made again in one join."""
        if not changes:
            return
        length, cut, tail = uints(self.length), uints(self.cut), uints(self.tail)
        starts = list(itertools.accumulate(length, initial=0))
        last = len(self.ids) - 1
        parts, done = [], 0
        for at in sorted(changes):
            text, row_cut, row_tail, shown = changes[at]
            entry = text + (self.end if at < last else self.last_end) if shown else ""
            parts += [self.body[done:starts[at]], entry]
            done = starts[at + 1]
            length[at], cut[at], tail[at] = len(entry), row_cut, row_tail
            if shown:
                self.hidden.pop(at, None)
            else:
                self.hidden[at] = text
        parts.append(self.body[done:])
        self.body = "".join(parts)
        self.length, self.cut, self.tail = length.tobytes(), cut.tobytes(), tail.tobytes()
