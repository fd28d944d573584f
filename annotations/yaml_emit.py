"""A fast YAML writer for newstag's exports: block style, readable, loads back exactly.

PyYAML's representer spends most of an export's time building node objects;
for 100,000 annotations that is ~20 s. This writer covers the shapes an export
has (mappings, lists, strings, numbers, booleans, null, one-line flow lists and
mappings) in one pass, and leaves every string it cannot write simply and
safely to the JSON-compatible double-quoted style. A property test loads its
output with both PyYAML loaders (pure SafeLoader and libyaml's CSafeLoader, which
disagree on details) and compares with the data, on hostile strings too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

LONG_STRING = 80
WIDTH = 88

_PLAIN = re.compile(
    r"[A-Za-z\u00c0-\u024f][^\x00-\x1f\x7f-\x9f:#'\"{}\[\],&*!|>%@`\\?\u2028\u2029\ufeff"
    r"\ud800-\udfff\ufffe\uffff]*")
_RESERVED = re.compile(r"(?i:y|n|yes|no|on|off|true|false|null|~|\.nan|\.inf)")
_NUMBERISH = re.compile(r"[-+.0-9]")
# Characters YAML cannot hold raw (non-printable) or reads as line breaks.
_UNSAFE_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\u2028\u2029\ufeff\ufffe\uffff"
                         "\ud800-\udfff\r\x85]")
_NEEDS_ESCAPE_AFTER_JSON = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    # A lone surrogate cannot be written in UTF-8, and libyaml refuses its \uD800
    # escape (PyYAML's pure loader accepts it): no YAML both loaders read can
    # hold one, so it is written as U+FFFD, the replacement character.
    if "\ud800" <= char <= "\udfff":
        return REPLACEMENT
    return f"\\u{ord(char):04x}"


class FlowList(list):
    """A list written on one line: ``[trade, defence]``."""


class FlowMap(dict):
    """A mapping written on one line: ``{text: Paris, label: GPE, start: 3, end: 8}``."""


def quoted(value: str) -> str:
    """Double-quoted: JSON's escapes are YAML's, plus the few YAML needs beyond them."""
    text = json.dumps(value, ensure_ascii=False)
    return _NEEDS_ESCAPE_AFTER_JSON.sub(_escape, text)


def _plain_ok(value: str) -> bool:
    return (
        _PLAIN.fullmatch(value) is not None
        and value[-1] != " "
        and ": " not in value
        and " #" not in value
        and not _RESERVED.fullmatch(value)
    )


_short_cache: dict[str, str] = {}


def scalar(value: object) -> str:
    """A value on one line (plain or quoted)."""
    if value.__class__ is str:
        cached = _short_cache.get(value)  # keys, labels, states and names repeat a lot
        if cached is not None:
            return cached
        written = _string_scalar(value)
        if len(value) < 64:
            if len(_short_cache) > 100_000:
                _short_cache.clear()
            _short_cache[value] = written
        return written
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string_scalar(value)
    raise TypeError(f"cannot write {type(value).__name__} to YAML")


def _float(value: float) -> str:
    """YAML 1.1 floats need a dot (``1e+20`` reads as a string) and spell inf/nan its way."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "." not in text:
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}.0e{exponent}" if exponent else f"{mantissa}.0"
    return text


def _string_scalar(value: str) -> str:
    if value and _plain_ok(value) and not _NUMBERISH.match(value):
        return value
    return quoted(value)


def _fold(line: str, width: int) -> list[str]:
    """Break a line at single spaces between words, which folding reads back as one space.

    A space next to a tab is no such place: a folded line that starts with a tab is
    "more indented" and keeps its line break.
    """
    pieces, start, cursor = [], 0, 0
    while len(line) - start > width:
        cut = line.rfind(" ", start + 1, start + width)
        while cut > start and (line[cut - 1] in " \t" or line[cut + 1] in " \t"):
            cut = line.rfind(" ", start + 1, cut)
        if cut <= start:
            cut = line.find(" ", start + width)
            while cut != -1 and (line[cut - 1] in " \t"
                                 or line[cut + 1:cut + 2] in ("", " ", "\t")):
                cut = line.find(" ", cut + 1)
            if cut == -1:
                break
        pieces.append(line[start:cut])
        start = cut + 1
        cursor = start
    pieces.append(line[cursor:] if pieces else line)
    return pieces


def _block(value: str, indent: str) -> str | None:
    """A literal (multi-line) or folded (long line) block scalar, or None if unsafe."""
    if _UNSAFE_RAW.search(value) or not value.strip():
        return None
    multiline = "\n" in value
    if not multiline and (value[0] in " \t" or value[-1] in " \t"):
        return None
    if value.endswith("\n"):
        chomp = "+" if value.endswith("\n\n") else ""
        body = value[:-1] if not chomp else value
    else:
        chomp, body = "-", value
    lines = body.split("\n")
    if chomp == "+":
        lines = lines[:-1]
    first = next((x for x in lines if x.strip()), "")
    # YAML guesses the indentation from the first non-blank line; say it outright
    # when that line starts with a space or blank lines before it hold spaces.
    leading_blank = lines[: lines.index(first)] if first in lines else lines
    # libyaml also refuses a tab there when it has to guess.
    indicator = "2" if first[:1] in (" ", "\t") or lines[0] == "" or any(
        x != "" for x in leading_blank) else ""
    if multiline:
        head = f"|{indicator}{chomp}"
        out = lines
    else:
        head = f">{indicator}{chomp}"
        out = _fold(value, WIDTH - len(indent))
    return head + "".join(f"\n{indent}{x}" if x else "\n" for x in out)


def _value(value: object, indent: str) -> str:
    """What follows ``key:`` or ``-`` for a scalar: ' text' or a block."""
    if isinstance(value, str) and ("\n" in value or len(value) > LONG_STRING):
        block = _block(value, indent)
        if block is not None:
            return " " + block
    return " " + scalar(value)


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _emit(value: object, indent: str, out: list[str], first_prefix: str) -> None:
    """Write a mapping or list whose first line starts with ``first_prefix``."""
    write: Callable[[str], None] = out.append
    if isinstance(value, dict):
        prefix = first_prefix
        for key, item in value.items():
            head = f"{prefix}{scalar(key)}:"
            prefix = indent
            if isinstance(item, FlowList | FlowMap) or (isinstance(item, list | dict) and not item):
                write(f"{head} {_flow(item)}")
            elif isinstance(item, dict):
                write(head)
                _emit(item, indent + "  ", out, indent + "  ")
            elif isinstance(item, list):
                write(head)
                _emit(item, indent, out, indent)
            else:
                write(head + _value(item, indent + "  "))
        return
    if isinstance(value, list):
        for item in value:
            if isinstance(item, FlowList | FlowMap) or (isinstance(item, list | dict) and not item):
                write(f"{indent}- {_flow(item)}")
            elif isinstance(item, dict):
                _emit(item, indent + "  ", out, indent + "- ")
            elif isinstance(item, list):
                write(f"{indent}-")
                _emit(item, indent + "  ", out, indent + "  ")
            else:
                write(f"{indent}-" + _value(item, indent + "  "))
        return
    write(first_prefix + scalar(value).lstrip())


def emit_yaml(data: dict) -> str:
    out: list[str] = []
    _emit(data, "", out, "")
    return "\n".join(out) + "\n"
