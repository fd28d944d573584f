"""Where newstag's files are: the database, the config, the reader's settings, the samples.

Every location newstag looks up is decided here, so the order of precedence is written
once: the command line, then the environment, then the config, then the user's folders.
"""

from __future__ import annotations

import os
from pathlib import Path

READER_SETTINGS_FILE = "reader-settings.json"  # in the database folder (tui/settings.py)


def resolve_db_path(explicit: str | None, configured: str = "") -> Path:
    """--db, $NEWSTAG_DB, ``database:`` in the config, else the user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("NEWSTAG_DB"):
        return Path(os.environ["NEWSTAG_DB"]).expanduser()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_path

    return user_data_path("newstag") / "db"


def user_config_path() -> Path:
    from platformdirs import user_config_path as _ucp

    return _ucp("newstag") / "config.yaml"


def resolve_config_path(explicit: str | None = None) -> Path | None:
    """--config, $NEWSTAG_CONFIG, ./config.yaml, user config dir; None means the default."""
    if explicit:
        return Path(explicit)
    if os.environ.get("NEWSTAG_CONFIG"):
        return Path(os.environ["NEWSTAG_CONFIG"])
    for candidate in (Path("config.yaml"), user_config_path()):
        if candidate.is_file():
            return candidate
    return None


def packaged_data(name: str) -> Path:
    """A file or folder shipped in annotations/data (the default config, the samples).

    The package's own folder, as ``importlib.resources.files`` gives it for a package on
    disk (a path was always expected), without importing it: ~2 ms of every start."""
    return Path(__file__).parent / "data" / name


def samples_folder() -> Path:
    return packaged_data("samples")
