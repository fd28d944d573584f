"""Where the database lives: --db, $NEWSTAG_DB, config, else the user data directory."""

from __future__ import annotations

import os
from pathlib import Path

from annotations.config import Config


def resolve_db_path(explicit: str | None, config: Config) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("NEWSTAG_DB"):
        return Path(os.environ["NEWSTAG_DB"]).expanduser()
    if config.database:
        return Path(config.database).expanduser()
    from platformdirs import user_data_path

    return user_data_path("newstag") / "db"
