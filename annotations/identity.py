"""Who is annotating: the name recorded on every write, and the layer it reads.

Precedence: ``--annotator NAME``, else ``$NEWSTAG_ANNOTATOR``, else the config's
``annotator:`` (which itself falls back to the login name). A name is one printable
line; names starting with ``@`` are reserved for layers that are nobody's own
(``@gold``, the adjudicated layer).
"""

from __future__ import annotations

import os
from dataclasses import replace

from annotations.config import Config
from annotations.errors import UserError, brief

ENV = "NEWSTAG_ANNOTATOR"
GOLD = "@gold"  # the adjudicated layer: no annotator can be called this
MAX_ANNOTATOR = 80


def annotator_problem(name: object) -> str | None:
    """What makes ``name`` unusable as an annotator's name, or None."""
    if not isinstance(name, str):
        return "must be text"
    if not name.strip():
        return "must not be empty"
    if len(name) > MAX_ANNOTATOR:
        return f"longer than {MAX_ANNOTATOR} characters"
    if not name.isprintable():
        return "holds a control or non-printable character"
    if name != name.strip():
        return "starts or ends with a space"
    if name.startswith("@"):
        return "starts with @ (reserved for the gold layer)"
    return None


def with_identity(config: Config, given: str | None,
                  environ: dict[str, str] | os._Environ[str] = os.environ) -> Config:
    """``config`` with the annotator this run records; one line (exit 2) when unusable."""
    if given is not None:
        name, where = given, "--annotator"
    elif environ.get(ENV) is not None:
        name, where = environ[ENV], f"${ENV}"
    else:
        name, where = config.annotator, f"{config.path}: annotator"
    if problem := annotator_problem(name):
        raise UserError(f"{where}: {brief(name)} is not a usable annotator name ({problem})")
    return replace(config, annotator=name)
