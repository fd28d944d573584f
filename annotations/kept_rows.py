"""A kept listing's rows as the bytes they print (annotations/kept_listing.py says what
it is for).

The printed rows are kept as the UTF-8 they print, ``body``: each row followed by its
kind's ending ("\\n" for lines, ",\\n" between JSON rows). A listing with nothing
changed writes ``body`` as it is. Every copy of it counts in a fresh process: each
6.7 MB string or bytes object made (decoded, joined, encoded) was ~3-4 ms there, most of
it the memory's first touch. So the rows re-rendered since the whole listing was written
are ``patches`` over it, written between slices of ``body`` (views, not copies) and
folded into it only when the whole listing is written again.

The numbers per row are arrays of unsigned ints in bytes (20,000 ints as a list were
~0.3 ms each to decode): the row's length in ``body`` (0 when it is not printed), and
where its dynamic part starts and ends in the row (in bytes). A row that is not printed
keeps its text in ``hidden``, its dynamic part empty, for the day it is printed again.
"""

from __future__ import annotations

import itertools
import sys
from array import array
from collections.abc import Sequence

import msgspec

_UINT = "I"  # 4 bytes wherever CPython runs

# A row re-rendered: its text (without its ending), where its dynamic part starts and
# ends, and whether it is printed.
Patch = tuple[bytes, int, int, bool]


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
    body: bytes
    length: bytes  # uints: each row's length in body, its ending included
    cut: bytes  # uints: where each row's dynamic part starts in the row
    tail: bytes  # uints: where it ends
    hidden: dict[int, bytes]  # rows not printed, by place: their text, dynamic part empty
    last_end: str  # the ending of the last row ("" between JSON rows)
    end: str
    patches: dict[int, Patch] = {}  # by place; empty in a whole listing written

    @classmethod
    def of(cls, ids: list[str], shard: bytes, room: Sequence[int], sentences: Sequence[int],
           heads: Sequence[str], dynamic: Sequence[str | None], tails: Sequence[str],
           end: str, last_end: str) -> KeptRows:
        """The rows ``head + dynamic + tail`` (``dynamic`` None: not printed)."""
        last = len(ids) - 1
        rows = [(h + (d or "") + t).encode() for h, d, t in zip(heads, dynamic, tails,
                                                                strict=True)]
        ending, last_ending = end.encode(), last_end.encode()
        entries = [(b"" if d is None else r + (ending if i < last else last_ending))
                   for i, (r, d) in enumerate(zip(rows, dynamic, strict=True))]
        cut = [len(h.encode()) for h in heads]
        return cls(sys.byteorder, ids, shard, uints(room).tobytes(),
                   uints(sentences).tobytes(), b"".join(entries),
                   uints(list(map(len, entries))).tobytes(), uints(cut).tobytes(),
                   uints([c + len((d or "").encode()) for c, d in zip(cut, dynamic,
                                                                       strict=True)])
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
            and all(0 <= i < n and length[i] == 0 for i in self.hidden) \
            and all(0 <= i < n for i in self.patches)

    def _ending(self, at: int) -> bytes:
        return (self.end if at < len(self.ids) - 1 else self.last_end).encode()

    def _starts(self) -> list[int]:
        return list(itertools.accumulate(uints(self.length), initial=0))

    @property
    def printed(self) -> int:
        hidden = set(self.hidden)
        for at, (_, _, _, shown) in self.patches.items():
            (hidden.discard if shown else hidden.add)(at)
        return len(self.ids) - len(hidden)

    def parts(self) -> list[bytes | memoryview]:
        """What the printed rows print, in order: ``body`` between the patched rows
        (views of it) and the patched rows."""
        if not self.patches:
            return [self.body]
        starts, view = self._starts(), memoryview(self.body)
        parts: list[bytes | memoryview] = []
        done = 0
        for at in sorted(self.patches):
            text, _, _, shown = self.patches[at]
            parts.append(view[done:starts[at]])
            if shown:
                parts.append(text + self._ending(at))
            done = starts[at + 1]
        parts.append(view[done:])
        return parts

    def text(self) -> bytes:
        """``parts`` as one bytes object."""
        return self.body if not self.patches else b"".join(self.parts())

    def _shown(self, at: int) -> bool:
        """Whether row ``at`` is printed (its patch says, else whether it is hidden)."""
        return self.patches[at][3] if at in self.patches else at not in self.hidden

    def lines(self) -> list[str]:
        """The printed rows, without their endings."""
        places = [i for i in range(len(self.ids)) if self._shown(i)]
        return [row.decode("utf-8", "replace") for row in self.rows_at(places)]

    def rows_at(self, places: Sequence[int]) -> list[bytes]:
        """The rows at ``places``, printed or not, without their endings."""
        starts = self._starts()
        rows = []
        for at in places:
            if at in self.patches:
                rows.append(self.patches[at][0])
            elif at in self.hidden:
                rows.append(self.hidden[at])
            else:
                rows.append(self.body[starts[at]:starts[at + 1] - len(self._ending(at))])
        return rows

    def _cut_tail(self, at: int, cut: array, tail: array) -> tuple[int, int]:
        if at in self.patches:
            return self.patches[at][1], self.patches[at][2]
        return cut[at], tail[at]

    def dynamic_of(self, at: int) -> str:
        start, end = self._cut_tail(at, uints(self.cut), uints(self.tail))
        return self.rows_at([at])[0][start:end].decode("utf-8", "replace")

    def with_dynamics(self, places: Sequence[int], dynamics: Sequence[str | None]
                      ) -> dict[int, Patch]:
        """The rows at ``places`` whose dynamic part is not ``dynamics``' (None: not
        printed), with it: after a tag, one row of its shard's."""
        cut, tail = uints(self.cut), uints(self.tail)
        changed = {}
        for at, row, part in zip(places, self.rows_at(places), dynamics, strict=True):
            start, end = self._cut_tail(at, cut, tail)
            new = (part or "").encode()
            if (part is not None) == self._shown(at) and row[start:end] == new:
                continue
            changed[at] = (row[:start] + new + row[end:], start, start + len(new),
                           part is not None)
        return changed

    def fold(self) -> None:
        """The patches made part of ``body`` (before the whole listing is written)."""
        if not self.patches:
            return
        length, cut, tail = uints(self.length), uints(self.cut), uints(self.tail)
        body = self.text()
        for at, (text, row_cut, row_tail, shown) in self.patches.items():
            length[at] = len(text) + len(self._ending(at)) if shown else 0
            cut[at], tail[at] = row_cut, row_tail
            if shown:
                self.hidden.pop(at, None)
            else:
                self.hidden[at] = text
        self.body, self.patches = body, {}
        self.length, self.cut, self.tail = length.tobytes(), cut.tobytes(), tail.tobytes()
