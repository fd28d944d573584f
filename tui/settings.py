"""The reader's remembered choices (the last export format and folder).

Kept in the database folder (``reader-settings.json``): it is the only place newstag
writes, the choices belong with the annotations they export (another database, another
project, other choices), and a user config dir would be one more place to write. It is
a preference: a missing or unreadable file means the defaults, never an error.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from annotations.atomic_io import read_db_bytes, write_atomically
from annotations.dbfiles import inside
from annotations.errors import DatabaseError
from annotations.interchange import FORMATS
from annotations.paths import READER_SETTINGS_FILE

SETTINGS_FILE = READER_SETTINGS_FILE
EXPORT_FORMATS = {f.name: f.extension for f in FORMATS.values()}  # name -> file extension


@dataclass(slots=True)
class ExportChoice:
    format: str = "yaml"
    folder: str = ""  # empty: the current folder


def load_export_choice(db: Path) -> ExportChoice:
    try:
        # Through the one database read: a FIFO or a link here must not block the dialog.
        raw = read_db_bytes(inside(db, SETTINGS_FILE))
        if raw is None:
            return ExportChoice()
        data = json.loads(raw.decode("utf-8"))
        export = data["export"]
        fmt, folder = export["format"], export["folder"]
    except (OSError, ValueError, KeyError, TypeError, DatabaseError):
        return ExportChoice()
    if fmt not in EXPORT_FORMATS or not isinstance(folder, str):
        return ExportChoice()
    return ExportChoice(fmt, folder)


def save_export_choice(db: Path, choice: ExportChoice) -> None:
    payload = json.dumps({"export": asdict(choice)}, indent=2).encode("utf-8")
    # Through the database folder's gate: never through a link, never outside it.
    write_atomically(db / SETTINGS_FILE, payload, root=db)
