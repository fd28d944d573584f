"""YAML in and out: the safe loader newstag reads with and the emitter it writes with.

Reading is safe_load only (libyaml's CSafeLoader when present), guarded against alias
bombs, cycles and values no Python type holds. Writing is newstag's own emitter:
block style, stable key order, Unicode as is, long text as block scalars. PyYAML's
representer spends most of an export's time building node objects (~20 s for 100,000
annotations); this one covers the shapes an export has (mappings, lists, strings,
numbers, booleans, null, one-line flow lists and mappings) in one pass, and leaves every
string it cannot write simply and safely to the JSON-compatible double-quoted style. A
property test loads its output with both PyYAML loaders (pure SafeLoader and libyaml's
CSafeLoader, which disagree on details) and compares with the data, on hostile strings
too; benchmarks/common.py keeps PyYAML's own dumper to compare speed and output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml

__all__ = ["FlowList", "FlowMap", "YAMLRefused", "dump_yaml", "load_yaml"]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# -- writing --------------------------------------------------------------------------
LONG_STRING = 80
WIDTH = 88

_PLAIN = re.compile(
    r"[A-Za-z\u00c0-\u024f][^\x00-\x1f\x7f-\x9f:#'\"{}\[\],&*!|>%@`\\?\u2028\u2029\ufeff"
    r"\ud800-\udfff\ufffe\uffff]*")
_RESERVED = re.compile(r"(?i:y|n|yes|no|on|off|true|false|null|~|\.nan|\.inf)")
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
    # _PLAIN starts with a letter: no number, date or sign can pass as a plain scalar.
    if value and _plain_ok(value):
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


def dump_yaml(data: Any) -> str:
    out: list[str] = []
    _emit(data, "", out, "")
    return "\n".join(out) + "\n"


# -- reading --------------------------------------------------------------------------
# Aliases may make a document bigger than its text (PyYAML's own dumper writes them for
# shared lists), but not by much: a "billion laughs" alias bomb of a few hundred bytes
# expands to 10**9 values and hangs whoever walks them.
MAX_EXPANDED_NODES = 1_000_000
MAX_EXPANSION_RATIO = 10
# Where an anchor can start: "&name" after a space, a flow indicator or a line start.
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s,\[\]{}]", re.MULTILINE)
_MESSAGE_LIMIT = 120


class YAMLRefused(yaml.YAMLError):
    """A YAML document newstag will not load: an alias bomb, absurd nesting, a value no
    Python type holds. A yaml.YAMLError, with ``problem`` and ``problem_mark`` as PyYAML's
    own errors have, so callers report it like a syntax error: one short line."""

    def __init__(self, problem: str, mark: yaml.Mark | None = None, key: str = "") -> None:
        super().__init__(problem)
        self.reason = problem
        self.key = key  # where in the document, e.g. "labels[0].key", when known
        self.problem = f"{key}: {problem}" if key else problem
        self.problem_mark = mark
        self.node: yaml.Node | None = None  # the value refused, when known

    def __str__(self) -> str:
        where = f"line {self.problem_mark.line + 1}: " if self.problem_mark else ""
        return where + self.problem


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check_expansion(root: yaml.Node, limit: int) -> None:
    """Refuse a node graph whose aliases expand it past ``limit`` values, or into a cycle.

    Each distinct node is visited once (its expanded size is remembered), so even an
    alias bomb is checked in time proportional to its text.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # the nodes on the current path, to find cycles
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            size = 1 + sum(sizes[id(child)] for child in _children(node))
            if size > limit:
                raise YAMLRefused(f"aliases expand this document past {limit:,} values "
                                  "(an alias bomb?)", node.start_mark)
            sizes[key] = size
        elif key in sizes:
            continue
        elif key in open_nodes:
            raise YAMLRefused("an alias refers to a value that contains it", node.start_mark)
        else:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def key_path(root: yaml.Node, target: yaml.Node) -> str:
    """Where ``target`` sits below ``root``, as ``labels[0].key`` (mapping keys shown briefly)."""
    from annotations.errors import brief

    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                name = name if len(name) <= 40 and name.isprintable() else brief(name, 40)
                stack.append((value, f"{path}.{name}" if path else name))
                stack.append((key, path))
    return ""


def _count_nodes(root: yaml.Node) -> int:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(_children(node))
    return len(seen)


def _short(exc: BaseException) -> str:
    text = str(exc)  # a ValueError can quote a whole (huge) value
    if text.startswith("Exceeds the limit"):
        return "a number longer than Python reads (4,300 digits)"
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


# The mixin is checked as the loader it is mixed into.
if TYPE_CHECKING:
    _LoaderBase = yaml.SafeLoader
else:
    _LoaderBase = object


class _Guard(_LoaderBase):
    """For a safe loader: check the composed nodes before building Python objects."""

    may_alias = True

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        if self.may_alias:
            limit = max(MAX_EXPANDED_NODES, MAX_EXPANSION_RATIO * _count_nodes(node))
            check_expansion(node, limit)
        try:
            return self.construct_document(node)
        except YAMLRefused as exc:
            if exc.problem_mark is not None and not exc.key:
                bad = getattr(exc, "node", None)
                if bad is not None:
                    raise YAMLRefused(exc.reason, exc.problem_mark, key_path(node, bad)) \
                        from None
            raise

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, OverflowError, IndexError) as exc:
            # e.g. an int past Python's 4,300-digit limit, 2026-02-30, !!float abc
            refused = YAMLRefused(f"cannot read this value: {_short(exc)}", node.start_mark)
            refused.node = node  # get_single_data names its key
            raise refused from None


class _GuardedLoader(_Guard, _Loader):  # type: ignore[misc, valid-type]
    pass


class _GuardedPyLoader(_Guard, yaml.SafeLoader):
    """The pure-Python loader, for machines without libyaml (and to test that path)."""


def load_yaml(text: str) -> Any:
    """Parse YAML safely; every hostile document ends in a yaml.YAMLError (YAMLRefused)."""
    return _load(text, _GuardedLoader)


def _load(text: str, loader_class: type) -> Any:
    try:
        loader = loader_class(text)
    except UnicodeEncodeError:  # libyaml reads UTF-8, which cannot hold a lone surrogate
        raise YAMLRefused("holds a lone surrogate (\\ud800-\\udfff), which is not text") \
            from None
    # Without an anchor there is no alias to expand: skip the walk on ordinary exports.
    loader.may_alias = _ANCHOR.search(text) is not None
    try:
        return loader.get_single_data()
    except RecursionError:  # the pure-Python composer on deep nesting (libyaml stops at 1000)
        raise YAMLRefused("nested too deeply") from None
    finally:
        loader.dispose()
