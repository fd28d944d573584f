"""Word-wrapping a document of sentences into screen lines, fast enough for 20,000 sentences.

Pure Python and no Textual, so it is cheap to test; the view turns the result
into styled lines only for what is on screen.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Protocol

from rich.cells import cell_len

_WORD = re.compile(r"\S+\s*")
# Characters that always take one cell: Latin, Greek, Cyrillic, general punctuation
# (curly quotes, dashes, ellipsis), currency, arrows, box drawing.
_NARROW = re.compile(
    "[\x20-\x7e\xa0-\u02ff\u0370-\u0482\u048a-\u058f\u2010-\u2027\u2030-\u205e"
    "\u20a0-\u20bf\u2100-\u214f\u2190-\u23ff\u2500-\u25ff]*"
)


def wrap_offsets(text: str, width: int) -> list[int]:
    """Start offsets of the lines ``text`` wraps into at ``width`` cells.

    Breaks after whitespace; a word longer than the width is cut by cells.
    """
    width = max(width, 1)
    if text.isascii() or _NARROW.fullmatch(text):
        return _wrap_ascii(text, width)
    else:
        if cell_len(text) <= width:
            return [0]
        measure = cell_len
    starts = [0]
    used = 0
    for match in _WORD.finditer(text):
        word = match.group()
        word_cells = measure(word.rstrip())
        full_cells = measure(word)
        if used and used + word_cells > width:
            starts.append(match.start())
            used = 0
        if word_cells > width:  # cut an overlong word by cells
            position, cells = match.start(), used
            for offset, char in enumerate(word):
                w = measure(char)
                if cells + w > width and cells:
                    starts.append(match.start() + offset)
                    cells = 0
                cells += w
                position = offset
            used = cells if position else 0
            continue
        used += full_cells
    return starts


def _wrap_ascii(text: str, width: int) -> list[int]:
    """The same rule for one-cell characters: one rfind per line, not a loop per word."""
    starts = [0]
    pos, end = 0, len(text)
    while end - pos > width:
        cut = text.rfind(" ", pos, pos + width + 1)
        if cut <= pos:
            nxt = pos + width  # no space: cut the word
        else:
            nxt = cut + 1
            while nxt < end and text[nxt] == " ":
                nxt += 1
            if nxt >= end:
                break
        starts.append(nxt)
        pos = nxt
    return starts


@dataclass(slots=True)
class DocumentLayout:
    """Which sentence and which part of it sits on each screen line.

    ``blocks`` are sentence indexes in display order; a blank line goes between
    paragraphs (``breaks_before``) and before headings.
    """

    width: int
    blocks: list[int] = field(default_factory=list)
    first_line: list[int] = field(default_factory=list)  # per block
    line_starts: list[list[int]] = field(default_factory=list)  # per block: text offsets
    total_lines: int = 0

    def block_at_line(self, line: int) -> tuple[int, int] | None:
        """(block number, part number) on a screen line, or None for a blank line."""
        if not self.blocks or line < 0 or line >= self.total_lines:
            return None
        block = bisect_right(self.first_line, line) - 1
        part = line - self.first_line[block]
        if part >= len(self.line_starts[block]):
            return None
        return block, part


class TextSource(Protocol):
    """``texts[i]``: a list, or an object that makes each text only when asked."""

    def __getitem__(self, index: int, /) -> str: ...


def build_layout(texts: TextSource, blocks: list[int], gap_before: list[bool],
                 width: int) -> DocumentLayout:
    """Lay out ``texts[b]`` for each block ``b``; ``gap_before[i]`` adds a blank line."""
    layout = DocumentLayout(width=width, blocks=list(blocks))
    line = 0
    for i, block in enumerate(blocks):
        if gap_before[i] and i:
            line += 1
        layout.first_line.append(line)
        starts = wrap_offsets(texts[block], width)
        layout.line_starts.append(starts)
        line += len(starts)
    layout.total_lines = line
    return layout
