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

__all__ = ["FlowList", "FlowMap", "dump_yaml", "dump_yaml_pyyaml", "load_yaml"]

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


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader


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
