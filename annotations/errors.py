"""Errors a user can cause and fix; the CLI prints them as one line and exits 2."""

from __future__ import annotations

import errno


class UserError(Exception):
    """A mistake in input, arguments or configuration, reported without a traceback."""

    exit_code = 2


class ArgumentError(UserError):
    """A command line that cannot be run as given (a missing or conflicting argument)."""


class ConfigError(UserError):
    def __init__(self, path: object, key: str | None, problem: str) -> None:
        where = f"{path}: {key}: " if key else f"{path}: "
        super().__init__(f"{where}{problem}")
        self.path = path
        self.key = key
        self.problem = problem


class DatabaseError(UserError):
    """The database cannot be used as it is; the files were left untouched."""


class ModelNotInstalled(UserError):
    pass


BRIEF_LIMIT = 60


def brief(value: object, limit: int = BRIEF_LIMIT) -> str:
    """A short repr of a bad value for an error message.

    Error messages echo what was wrong, but a hostile file can hold megabytes in
    one value (a YAML alias bomb printed with ``!r`` was 4.9 MB): never echo more
    than ``limit`` characters, and never build the whole repr of a huge value.
    """
    if isinstance(value, str):
        shown = repr(value[: limit + 1])
    elif isinstance(value, int | float | bool) or value is None:
        try:
            shown = repr(value)
        except ValueError:  # an int past Python's digit limit
            return "<a number too long to show>"
    elif isinstance(value, list | tuple | dict | set):
        return f"<{type(value).__name__} of {len(value)} items>"
    else:
        return f"<{type(value).__name__}>"
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def os_error_line(exc: OSError) -> str:
    """``PATH: reason`` for an OSError, with a hint for the common ones."""
    reason = exc.strerror or type(exc).__name__
    hint = {errno.ENOSPC: "free some space and run the command again",
            errno.EDQUOT: "free some space and run the command again",
            errno.EFBIG: "the file size limit (ulimit -f) was reached"}.get(exc.errno or 0, "")
    where = str(exc.filename) if exc.filename is not None else "cannot read or write"
    if exc.filename2 is not None:
        where += f" -> {exc.filename2}"
    return f"{where}: {reason}" + (f" ({hint})" if hint else "")
