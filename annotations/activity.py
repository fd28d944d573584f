"""Active time: how long each annotator worked, measured between their keys.

Wall time says little (a reader left open over lunch is not work), so the reader
counts the time between two keys pressed while an article is open, and a gap
longer than ``IDLE_SECONDS`` (2 minutes) counts nothing: the annotator was away.
``newstag stats`` divides the sentences an annotator reviewed by these hours.

Kept in ``activity.json`` in the database folder (the only place newstag writes), one
row per annotator and UTC day: ``{"active": {"1": {"annotator", "day", "seconds"}}}``,
a TinyDB-shaped file like the others, replaced atomically (``atomic_io``) under the
database lock, so two readers on one database add up instead of overwriting each
other. A write per key would cost an fsync per key, so the time is added up in memory
and written at most every ``FLUSH_SECONDS`` (and when the reader quits or is
suspended): a crash loses at most that much active time, never the file.

A file that cannot be used (not JSON, the wrong shape, a FIFO, a link) is never written
over: the reader keeps the time in memory and says so once, ``newstag stats`` stops
with one line, and ``newstag doctor`` reports it (``--repair`` restores or resets it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Protocol

import msgspec

from annotations import dbfiles
from annotations.annotator_counts import Day
from annotations.atomic_io import AtomicJSONStorage, CorruptFile, read_json_tables
from annotations.errors import DatabaseError, brief
from annotations.identity import annotator_problem

ACTIVITY_FILE = "activity.json"
TABLE = "active"
IDLE_SECONDS = 120.0  # a longer gap between two keys is time away, not work
FLUSH_SECONDS = 60.0  # at most this much active time is only in memory
DAY_SECONDS = 86400.0


class ActivityRow(msgspec.Struct, frozen=True):
    annotator: str
    day: Day
    seconds: Annotated[float, msgspec.Meta(ge=0, le=DAY_SECONDS)]


class _Locked(Protocol):
    """What writing needs from the store: its folder and its lock."""

    root: Path

    def locked(self): ...


def activity_path(root: Path) -> Path:
    return dbfiles.inside(root, ACTIVITY_FILE)


def activity_problem(tables: dict | None) -> str:
    """What is wrong with the tables of an activity file ('' when nothing is)."""
    rows = (tables or {}).get(TABLE, {})
    for doc_id, row in rows.items():
        try:
            checked = msgspec.convert(row, ActivityRow)
        except msgspec.ValidationError as exc:
            return f"active time row {brief(doc_id)} is not usable ({brief(str(exc), 100)})"
        # Only the reader writes rows, under a checked name on today's date: anything else
        # is not newstag's (a lone surrogate in a name would also make the next write fail).
        if problem := annotator_problem(checked.annotator):
            return f"active time row {brief(doc_id)}: the annotator {problem}"
        try:
            date.fromisoformat(checked.day)
        except ValueError:
            return f"active time row {brief(doc_id)}: {brief(checked.day)} is not a date"
    return ""


def read_activity(root: Path) -> list[ActivityRow]:
    """Every row; none for a missing file. CorruptFile for a file that cannot be used."""
    path = activity_path(root)
    tables = read_json_tables(path) or {}
    if problem := activity_problem(tables):
        raise CorruptFile(path, f"valid JSON but not newstag's active time ({problem})")
    rows = [msgspec.convert(row, ActivityRow) for row in tables.get(TABLE, {}).values()]
    if len({(r.annotator, r.day) for r in rows}) != len(rows):
        raise CorruptFile(path, "valid JSON but not newstag's active time "
                                "(an annotator's day is listed twice)")
    return rows


def add_activity(store: _Locked, seconds: Mapping[tuple[str, str], float]) -> None:
    """Add seconds per (annotator, day) to the file, in one atomic write under the lock."""
    if not seconds:
        return
    with store.locked():
        totals = {(r.annotator, r.day): r.seconds for r in read_activity(store.root)}
        for key, value in seconds.items():
            totals[key] = min(DAY_SECONDS, totals.get(key, 0.0) + value)
        rows = {str(n): {"annotator": annotator, "day": day, "seconds": round(value, 3)}
                for n, ((annotator, day), value) in enumerate(sorted(totals.items()), 1)}
        AtomicJSONStorage(activity_path(store.root), root=store.root).write({TABLE: rows})


def seconds_by_annotator(rows: Iterable[ActivityRow]) -> dict[str, dict[str, float]]:
    """annotator -> day -> active seconds."""
    result: dict[str, dict[str, float]] = {}
    for row in rows:
        result.setdefault(row.annotator, {})[row.day] = row.seconds
    return result


def utc_day() -> str:
    return datetime.now(UTC).date().isoformat()


class ActiveTimer:
    """Adds up the time between keys; written in batches (see the module docstring).

    ``clock`` and ``today`` can be given (the tests drive time with them: two minutes of
    idleness cannot be waited for in a test).
    """

    def __init__(self, store: _Locked, annotator: str,
                 clock: Callable[[], float] = time.monotonic,
                 today: Callable[[], str] = utc_day) -> None:
        self.store = store
        self.annotator = annotator
        self.clock = clock
        self.today = today
        self.pending: dict[tuple[str, str], float] = {}
        self.problem = ""  # why the last write failed ('' once one succeeds)
        self._last_key: float | None = None
        self._last_flush = clock()

    def key(self) -> str:
        """A key was pressed. Returns why a write that was due failed, the first time
        it fails ('' otherwise), for the reader to say once."""
        now = self.clock()
        if self._last_key is not None:
            gap = now - self._last_key
            if 0 < gap <= IDLE_SECONDS and math.isfinite(gap):
                key = (self.annotator, self.today())
                self.pending[key] = self.pending.get(key, 0.0) + gap
        self._last_key = now
        if self.pending and now - self._last_flush >= FLUSH_SECONDS:
            return self.try_flush()
        return ""

    def try_flush(self) -> str:
        """Write what is pending; the reason the write failed when it is new ('' else).
        What could not be written stays pending for the next try."""
        self._last_flush = self.clock()
        before = self.problem
        try:
            self.flush()
        except (DatabaseError, OSError) as exc:
            self.problem = str(exc)
            return self.problem if self.problem != before else ""
        self.problem = ""
        return ""

    def flush(self) -> None:
        """Write what is pending (raises DatabaseError or OSError; it then stays pending)."""
        pending = dict(self.pending)
        add_activity(self.store, pending)
        for key, value in pending.items():  # keys pressed meanwhile stay pending
            self.pending[key] -= value
            if self.pending[key] <= 1e-9:
                del self.pending[key]
