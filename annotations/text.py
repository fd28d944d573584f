"""Plain-text rules shared by sources and NLP: lines, headings, ids, control characters."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence

FINAL_PUNCTUATION = ".!?:;…\"'”’»)]"
HEADING_MAX_CHARS = 90
HEADING_MAX_WORDS = 12
# Every character that can move the cursor, start an escape sequence or reorder what
# follows it: C0 controls but tab and newline (ESC starts OSC 52, CSI …), DEL, C1 (U+009B
# is a one-byte CSI, U+009D an OSC), the bidi embeddings, overrides and isolates
# (U+202A–202E, U+2066–2069: "Trojan Source"), the line and paragraph separators, and
# lone surrogates (they cannot be encoded for the terminal). LRM, RLM and ALM
# (U+200E, U+200F, U+061C) stay: they only steer the neutral characters next to them,
# cannot reorder a whole line, and Arabic and Hebrew text needs them.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SPACE = re.compile(r"\s+")
# A lone surrogate comes from JSON's "\ud800" escape or from argv bytes that are not
# UTF-8 ("surrogateescape"); no UTF-8 file (the database, an export) can hold one.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


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
    """Replace terminal control characters by visible symbols (same length, so offsets hold).

    Tab and newline are left for the caller (see ``printable``).
    """
    return _CONTROL.sub(_control_picture, text)


def printable(text: str, *, multiline: bool = False) -> str:
    """Text from a file as it may reach a terminal: the one sanitising rule.

    Controls become visible symbols (␛ ␇ ␀ …), bidi overrides and isolates become
    U+FFFD, a tab becomes a space and, unless ``multiline``, so does a newline (a title
    must not forge a line of output). One character for one, so offsets still hold.
    Markup is not this function's business: the screen gets Content built from the
    result, the CLI prints it as it is.
    """
    shown = visible_controls(text).replace("\t", " ")
    return shown if multiline else shown.replace("\n", " ")


def json_for_terminal(dumped: str) -> str:
    """JSON from ``json.dumps(..., ensure_ascii=False)`` with what a terminal could act on
    written as ``\\uXXXX``.

    json escapes C0 controls but, with ``ensure_ascii=False``, leaves DEL, C1 (U+009B is a
    CSI), bidi overrides and lone surrogates raw. Outside strings JSON is ASCII, so the
    escapes land inside strings and the document parses to exactly the same values.
    """
    if dumped.isascii() and "\x7f" not in dumped:
        # json escapes every other control there is in ASCII: nothing to do, and the
        # search of a 6 MB `stats --json` was ~15 ms of it.
        return dumped
    return _CONTROL.sub(_escaped, dumped)


# Bytes that need no escape in JSON a terminal shows: printable ASCII and the newline.
_PLAIN = bytes(range(0x20, 0x7F)) + b"\n"


def json_bytes_for_terminal(parts: Sequence[bytes | memoryview]) -> list[bytes | memoryview]:
    """``json_for_terminal`` for JSON kept as UTF-8 bytes (annotations/kept_listing.py),
    which newstag wrote but a file could have changed: nothing is taken on trust. Parts
    of plain ASCII (deleting it leaves nothing: ~2 ms for 6 MB) are written as they are;
    otherwise every control is escaped, C0 included. A view is checked through the bytes
    it views, once (6 MB of rows are views of one body)."""
    bases = {id(base): base for base in (p.obj if isinstance(p, memoryview) else p
                                          for p in parts)}
    if all(isinstance(base, bytes) and not base.translate(None, _PLAIN)
           for base in bases.values()):
        return list(parts)
    return [_CONTROL.sub(_escaped, bytes(part).decode("utf-8", "replace")).encode()
            for part in parts]


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 "Control Pictures" block: ␀ ␛ ␇ …
    if code == 0x7F:
        return "\u2421"  # ␡
    if code in (0x2028, 0x2029):
        return "\u2424"  # ␤: a line break the terminal would not show as one
    return "\ufffd"
