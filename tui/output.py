"""What the command line prints: the one sanitising path for people, exact JSON for scripts.

Human output echoes titles, labels, notes, file names and file content: every line
goes through printable (controls and bidi overrides made visible, one line each).
--json output keeps every value exactly; json_for_terminal only escapes what json.dumps
leaves raw, so a script parses the stored text and a terminal shows \\u escapes.
"""

from __future__ import annotations

import json
import sys

from annotations.text import json_bytes_for_terminal, json_for_terminal, printable


def out(line: str = "") -> None:
    print(printable(line))


def warn(message: str) -> None:
    print(f"newstag: warning: {printable(message)}", file=sys.stderr)


def note(message: str) -> None:
    """A progress or result line for a person, on stderr (stdout may hold the data)."""
    print(printable(message), file=sys.stderr)


def json_out(value: object) -> None:
    print(json_for_terminal(json.dumps(value, ensure_ascii=False, indent=2)))


def json_rows(value: object) -> None:
    """``json_out`` for list and stats, whose values are str, int, bool, dict, list and floats
    rounded to 4 places in [0, 1]: for those msgspec writes exactly the text json.dumps
    does (it differs only on floats whose repr has an exponent), ~12x faster at 20,000
    rows (json's indent path is pure Python). Text it cannot encode (a lone surrogate)
    goes through json as before."""
    import msgspec

    try:
        text = msgspec.json.format(msgspec.json.encode(value), indent=2).decode("utf-8")
    except (msgspec.EncodeError, UnicodeEncodeError):
        text = json.dumps(msgspec.to_builtins(value), ensure_ascii=False, indent=2)
    print(json_for_terminal(text))


def json_text(parts: list[bytes | memoryview]) -> None:
    """JSON already formatted as UTF-8 (``json_rows``'s text, kept in pieces:
    annotations/kept_listing.py), written part by part as json_bytes_for_terminal lets
    it through (it acts on single characters, so on the parts as on the whole)."""
    parts = json_bytes_for_terminal(parts)
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text stream only (stdout redirected to a StringIO)
        sys.stdout.write("".join(bytes(p).decode("utf-8", "replace") for p in parts) + "\n")
        return
    sys.stdout.flush()
    for part in parts:
        out.write(part)
    out.write(b"\n")
    out.flush()


def err(message: str) -> None:
    print(f"newstag: error: {printable(message)}", file=sys.stderr)
