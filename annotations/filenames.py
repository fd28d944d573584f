"""The file names of an article's files: one name per id, never shared."""

from __future__ import annotations

import hashlib
import re

_PLAIN_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
_LEGACY_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_DEVICE_NAMES = frozenset(["con", "prn", "aux", "nul"] + [f"{p}{i}" for p in ("com", "lpt")
                                                           for i in range(10)])


def file_stem(article_id: str) -> str:
    """The file name of an article's files: one name per id, never shared (schema 3).

    A plain id (lower-case letters, digits, ``.``, ``_``, ``-``; at most 80
    characters; not starting with ``h-``, not ending with ``.``, not a Windows
    device name) is its own name. Every other id is named ``h-`` and the full
    SHA-256 of the id. No plain name starts with ``h-``, so no id can take a
    hashed name; every name is lower case, so two names stay distinct on a
    case-insensitive file system too (``Abc`` and ``abc`` would not).
    """
    if (_PLAIN_ID.match(article_id) and not article_id.startswith("h-")
            and not article_id.endswith(".")
            and article_id.split(".", 1)[0] not in _DEVICE_NAMES):
        return article_id
    return "h-" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()


def legacy_file_stem(article_id: str) -> str:
    """The name schema 2 used: ``h-5f…`` was both a plain id and a hashed name."""
    if _LEGACY_SAFE_ID.match(article_id):
        return article_id
    return "h-" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:24]
