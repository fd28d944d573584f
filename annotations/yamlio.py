"""YAML for people: stable key order, Unicode as is, long text as block scalars.

Reading is safe_load only (libyaml's CSafeLoader when present). Writing uses
newstag's own emitter (yaml_emit), which writes the same readable style several
times faster than PyYAML with libyaml's C emitter; ``dump_yaml_pyyaml`` keeps
that reference path for the benchmark and the tests.
"""

from __future__ import annotations

import json
import re
from typing import IO, Any

import yaml

from annotations.yaml_emit import LONG_STRING, WIDTH, FlowList, FlowMap, emit_yaml

__all__ = ["FlowList", "FlowMap", "YAMLRefused", "dump_yaml", "dump_yaml_pyyaml", "load_yaml"]

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# libyaml escapes characters outside the Basic Multilingual Plane (emoji, flags)
# as \U0001F1EE; documents holding any are written by the pure-Python emitter.
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def dump_yaml(data: Any, stream: IO[str] | None = None) -> str | None:
    text = emit_yaml(data)
    if stream is None:
        return text
    stream.write(text)
    return None


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


class _Guard:
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


class _ReadableDumper(_Dumper):  # type: ignore[misc, valid-type]
    pass


class _ReadablePyDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if len(value) > LONG_STRING:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _represent_flow_list(dumper: yaml.SafeDumper, value: FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _represent_flow_map(dumper: yaml.SafeDumper, value: FlowMap) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


for _dumper in (_ReadableDumper, _ReadablePyDumper):
    _dumper.add_representer(str, _represent_str)
    _dumper.add_representer(FlowList, _represent_flow_list)
    _dumper.add_representer(FlowMap, _represent_flow_map)


def dump_yaml_pyyaml(data: Any) -> str:
    """The same document through PyYAML (libyaml's emitter unless emoji need Python's)."""
    dumper = _ReadablePyDumper if _ASTRAL.search(json.dumps(data, ensure_ascii=False)) \
        else _ReadableDumper
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False,
                     width=WIDTH, default_flow_style=False)
