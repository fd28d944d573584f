"""Errors a user can cause and fix; the CLI prints them as one line and exits 2."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in input, arguments or configuration, reported without a traceback."""

    exit_code = 2


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
