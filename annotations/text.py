"""Plain-text rules shared by sources and NLP: lines, headings, ids, control characters."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator

FINAL_PUNCTUATION = ".!?:;…\"'”’»)]"
HEADING_MAX_CHARS = 90
HEADING_MAX_WORDS = 12
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
_SPACE = re.compile(r"\s+")


def normalise_newlines(text: str) -> str:
    """Strip a BOM and turn CRLF / CR into LF; offsets refer to the result."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content_id(text: str) -> str:
    """A stable id from the text, insensitive to Unicode form and whitespace layout."""
    canonical = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def is_heading_line(line: str) -> bool:
    """Short lines without final punctuation are headings, not sentences."""
    stripped = line.strip().lstrip("#").strip()
    if not stripped:
        return False
    if line.lstrip().startswith("#"):
        return True
    return (
        len(stripped) <= HEADING_MAX_CHARS
        and len(stripped.split()) <= HEADING_MAX_WORDS
        and stripped[-1] not in FINAL_PUNCTUATION
    )


def iter_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every non-blank line, trimmed of surrounding whitespace."""
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            yield pos + lead, pos + lead + len(stripped)
        pos += len(raw) + 1


def visible_controls(text: str) -> str:
    """Replace terminal control characters by visible symbols (same length, so offsets hold)."""
    return _CONTROL.sub(_control_picture, text)


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 "Control Pictures" block: ␀ ␛ ␇ …
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"
