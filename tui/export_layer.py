"""Which layer `newstag export` takes: --gold, or an --annotator NAME given after `export`.

`--annotator` before the command is only who runs it (README: "before or after the
command"); `newstag --annotator ana export --gold` must therefore export gold, not be
refused as naming two layers. After `export` the flag still records the name too."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from annotations.errors import ArgumentError


class _LayerName(argparse.Action):
    """--annotator after `export`: the name recorded, and the layer to export."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        namespace.annotator = values
        namespace.layer_annotator = values


def add_layer_option(parser: argparse.ArgumentParser) -> None:
    """Give the export parser its own --annotator (it replaces the common one: the parser
    must be built with conflict_handler="resolve" from a parent of its own)."""
    parser.set_defaults(layer_annotator=None)
    parser.add_argument("--annotator", metavar="NAME", action=_LayerName,
                        default=argparse.SUPPRESS,
                        help="export NAME's layer (and record NAME as who runs it)")


def export_layer(args: argparse.Namespace, gold: str) -> str | None:
    """``gold`` for --gold, NAME for an --annotator after `export`, else None (your own)."""
    if args.gold and args.layer_annotator is not None:
        raise ArgumentError("newstag export: --gold and --annotator name two layers; give one")
    return gold if args.gold else args.layer_annotator
