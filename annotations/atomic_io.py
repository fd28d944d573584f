"""The file layer: one TinyDB file read safely and replaced atomically, never half-written.

Every write goes to a temporary file in the same folder, is fsync'd and then
renamed over the live file (and the folder fsync'd), so a crash leaves either
the old or the new version. A file that cannot be parsed is reported and never
written over.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import shutil
import stat
from pathlib import Path

import msgspec

from annotations.dbfiles import check
from annotations.errors import DatabaseError, UserError

TEMP_SUFFIX = ".tmp"
_FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)


class CorruptFile(DatabaseError):
    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            f"{path}: {problem}; the file was left untouched. "
            "Run 'newstag doctor' to check the database and "
            "'newstag doctor --repair' to restore it from its backup."
        )
        self.path = path
        self.problem = problem


class NotAFile(CorruptFile):
    """A database entry that is not a regular file (a FIFO, a link, a folder, a device)."""


_KINDS = ((stat.S_ISFIFO, "is a FIFO"), (stat.S_ISDIR, "is a folder"),
          (stat.S_ISCHR, "is a device"), (stat.S_ISBLK, "is a device"),
          (stat.S_ISSOCK, "is a socket"))


def read_db_bytes(path: Path) -> bytes | None:
    """The bytes of a database file; None when it is missing.

    The one way newstag reads a file of its database. A shared or downloaded folder
    can hold a FIFO (a plain read blocks for ever), a link to /dev/zero (a read fills
    the memory) or a link out of the folder where a data file belongs: the last
    component is opened without following a link and without blocking, and anything
    but a regular file is ``NotAFile`` naming what it is. The folders above it are
    the gate's business (``dbfiles``); the root itself may be a link (the user's --db).
    """
    # Looked at before it is opened (opening a device can have effects of its own), and
    # checked again on the open descriptor, in case it was swapped in between.
    try:
        if problem := entry_problem(path):
            raise NotAFile(path, problem)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotAFile(path, "is a symbolic link") from None
        if exc.errno == errno.ENOTDIR:
            raise NotAFile(path.parent, "is not a folder") from None
        if exc.errno == errno.ENXIO:  # a socket
            raise NotAFile(path, "is not a regular file") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotAFile(path, next((what for test, what in _KINDS if test(mode)),
                                      "is not a regular file"))
        return handle.read()


def entry_problem(path: Path, folder: bool = False) -> str:
    """What is wrong with a database entry that should be a regular file (or a folder):
    '' when it is one, or is missing. One lstat: nothing is opened or followed."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return ""
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if folder:
        return "" if stat.S_ISDIR(mode) else "is a file, not a folder"
    if stat.S_ISREG(mode):
        return ""
    return next((what for test, what in _KINDS if test(mode)), "is not a regular file")


def read_json_tables(path: Path) -> dict | None:
    """The parsed tables of a TinyDB file; None for a missing or empty file."""
    data = read_db_bytes(path)
    return None if data is None else parse_tables(path, data)


def parse_tables(path: Path, data: bytes) -> dict | None:
    """The tables of a TinyDB file's bytes (``path`` names it in an error); None if empty."""
    if not data.strip():
        return None
    try:
        tables = _loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problem = "truncated JSON" if "Expecting" in str(exc) or "Unterminated" in str(exc) \
            else "not valid JSON"
        raise CorruptFile(path, f"{problem} ({exc})") from None
    except RecursionError:  # "[[[[…" 100,000 deep: json recurses once per level
        raise CorruptFile(path, "JSON nested too deeply to be a newstag file") from None
    except ValueError:  # an integer past Python's 4,300-digit limit
        raise CorruptFile(path, "holds a number too long to be a newstag value") from None
    if not isinstance(tables, dict) or not all(
        isinstance(t, dict) and all(isinstance(d, dict) for d in t.values())
        for t in tables.values()
    ):
        raise CorruptFile(path, "valid JSON but not a newstag/TinyDB table file")
    return tables


def _loads(data: bytes) -> object:
    """msgspec's parser (3-5x faster on a 5 MB index); Python's json for anything it refuses.

    Where msgspec accepts a text it gives the same value json.loads would. It refuses
    more (NaN, lone surrogates, a BOM, integers past 64 bits): those go to json.loads, so
    what is accepted and every error message stay exactly as they were.
    """
    try:
        return msgspec.json.decode(data)
    except (msgspec.MsgspecError, RecursionError, UnicodeDecodeError, ValueError):
        return json.loads(data)


def previous_version(path: Path) -> Path:
    """Where the version before the last write is kept (a hard link, no copy)."""
    return path.with_name(f".{path.name}.prev")


def write_atomically(path: Path, payload: bytes, keep_previous: bool = False,
                     root: Path | None = None) -> None:
    """Replace ``path`` with ``payload`` (temp file, fsync, rename, fsync the folder).

    With ``root`` (the database folder), the path is refused when it would pass
    through a link or leave that folder.
    """
    if root is not None:
        check(root, path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if keep_previous and path.exists():
            prev = previous_version(path)
            prev.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # no hard links here: the backups remain
                os.link(path, prev)
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a failed write() names no file; the user needs it
        raise
    fsync_dir(path.parent)


def write_output(path: Path, payload: bytes) -> None:
    """Write an export to a file the user named (``-o``).

    A regular file (or a new one) is replaced atomically. A FIFO, a terminal or a
    device such as /dev/null is written into, never replaced by a regular file;
    a socket or a folder is refused. A link is followed to what it names.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is None or stat.S_ISREG(mode):
        write_atomically(target, payload)
        return
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode)):
        raise UserError(f"{path}: not a regular file, FIFO or device; name a file to export to")
    fd = os.open(target, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)  # no O_CREAT, no O_TRUNC
    with os.fdopen(fd, "wb") as handle:
        handle.write(payload)


def copy_file(src: Path, dest: Path) -> None:
    """A copy of ``src`` that no later in-place change of ``src`` can reach.

    A copy-on-write clone (FICLONE) where the file system has one (Btrfs, XFS):
    instant and sharing the blocks until either side changes; else the kernel
    copies (copy_file_range), and Python never holds the bytes.
    """
    with open(src, "rb") as source, open(dest, "xb") as target:
        try:
            fcntl.ioctl(target.fileno(), _FICLONE, source.fileno())
            return
        except OSError:
            pass
        size = os.fstat(source.fileno()).st_size
        copied = 0
        try:
            while copied < size:
                n = os.copy_file_range(source.fileno(), target.fileno(), size - copied)
                if n == 0:
                    break
                copied += n
        except OSError:  # not supported here: an ordinary copy
            source.seek(0)
            target.seek(0)
            target.truncate()
            shutil.copyfileobj(source, target, 1 << 20)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicJSONStorage:
    """TinyDB storage: read the file fresh each time, replace it atomically on write.

    TinyDB's storage interface (read, write, close) without its base class, so that
    tinydb is imported only where a TinyDB is opened (a write of the index's schema or
    of a reading position), not by every start (~2.5 ms of it, issue 9)."""

    def __init__(self, path: str | Path, root: str | Path | None = None) -> None:
        self.path = Path(path)
        self.root = None if root is None else Path(root)

    def read(self) -> dict | None:
        return read_json_tables(self.path)

    def write(self, data: dict) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        write_atomically(self.path, payload, keep_previous=True, root=self.root)

    def close(self) -> None:
        pass
