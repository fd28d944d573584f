"""What several benchmarks share: the invented articles and PyYAML's dumper to compare with.

Benchmarks run from a clone (``python benchmarks/bench_core.py``) with newstag installed
(``pip install -e .``), so they import ``annotations`` like any user of it and nothing
from ``tests``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from annotations.model import Article, Entity, Sentence
from annotations.yamlio import LONG_STRING, WIDTH, FlowList, FlowMap

REPO = Path(__file__).resolve().parents[1]
# The invented test articles: the repository needs nothing beside it.
CORPUS = REPO / "tests" / "data" / "corpus"
SAMPLES = REPO / "annotations" / "data" / "samples"
# The invented 15-sentence test article that the reader benchmarks repeat.
SAMPLE = REPO / "tests" / "data" / "corpus" / "japan-philippines-access-pact.txt"

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# libyaml escapes characters outside the Basic Multilingual Plane (emoji, flags)
# as \U0001F1EE; documents holding any are written by the pure-Python emitter.
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


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


def repeated_article(base: Article, sentences: int, **fields: str) -> Article:
    """``base`` repeated, a blank line between copies, until it has ``sentences``
    sentences; offsets shifted, so a long article keeps the sample's entities."""
    parts: list[str] = []
    out_sentences: list[Sentence] = []
    out_entities: list[Entity] = []
    offset = 0
    body = base.text.rstrip("\n")
    while len(out_sentences) < sentences:
        for s in base.sentences:
            out_sentences.append(Sentence(len(out_sentences), s.start + offset,
                                          s.end + offset, s.heading))
        out_entities += [Entity(e.start + offset, e.end + offset, e.label)
                         for e in base.entities]
        parts.append(body)
        offset += len(body) + 2
    fields = {"id": "big-article", "title": "A very long article", **fields}
    return Article(text="\n\n".join(parts) + "\n", sentences=out_sentences,
                   entities=out_entities, **fields)
