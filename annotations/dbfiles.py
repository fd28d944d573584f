"""The one gate for every path newstag writes or deletes inside a database folder.

The database folder is the only place newstag changes anything. A folder that
was shared or downloaded can hold symbolic links (``backups -> ~``,
``.lock -> ~/.bashrc``, ``articles -> /somewhere``): following one would let a
routine ``newstag tag`` write or delete outside the database. Every path below
the root is therefore built or checked here, and refused when a component
between the root and the target is a link, or when it would resolve outside the
root. The root itself may be a link: that is the user's own choice of ``--db``.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from annotations.errors import DatabaseError


class UnsafePath(DatabaseError):
    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}; newstag writes only inside the database "
                         "folder and never through a link (remove it, or choose another --db)")
        self.path = path


def inside(root: Path, *parts: str | Path) -> Path:
    """``root/parts`` after checking that nothing from the root down to it is a link."""
    path = Path(root)
    for part in parts:
        for name in Path(part).parts:
            if name in ("", ".", "..") or os.sep in name:
                raise UnsafePath(path / name, "not a name inside the database folder")
            path = path / name
            if path.is_symlink():
                raise UnsafePath(path, "is a symbolic link")
    return path


def check(root: Path, path: Path) -> Path:
    """``path`` (built by the caller) once it is known to stay inside ``root``."""
    try:
        relative = Path(path).relative_to(root)
    except ValueError:
        raise UnsafePath(Path(path), f"is outside the database folder {root}") from None
    checked = inside(root, *relative.parts)
    real_root = os.path.realpath(root)
    real = os.path.realpath(checked)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        raise UnsafePath(checked, f"resolves outside the database folder {root}")
    return checked


def files(root: Path, folder: str, pattern: str) -> Iterator[Path]:
    """Entries of ``root/folder`` matching ``pattern``, each checked (no link followed)."""
    base = inside(root, folder) if folder else Path(root)
    if not base.is_dir():
        return
    for path in sorted(base.glob(pattern)):
        yield check(root, path)


def make_dirs(root: Path, path: Path) -> Path:
    """Create ``path`` and its missing parents below ``root``, never through a link."""
    parts = check(root, path).relative_to(root).parts
    for depth in range(1, len(parts) + 1):
        current = inside(root, *parts[:depth])
        try:
            current.mkdir()
        except FileExistsError:
            if not current.is_dir():
                raise UnsafePath(current, "exists and is not a folder") from None
    return Path(path)


def unlink(root: Path, path: Path) -> None:
    check(root, path).unlink(missing_ok=True)


def rmtree(root: Path, path: Path) -> None:
    """Remove a folder of the database; a link is refused, never followed."""
    checked = check(root, path)
    if checked.exists():
        shutil.rmtree(checked)  # removes links found inside the tree, never their targets


def open_lock(root: Path) -> int:
    """The descriptor of ``.lock``, created if needed; never through a link."""
    path = inside(root, ".lock")
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafePath(path, "is a symbolic link") from None
        if exc.errno == errno.EISDIR:
            raise DatabaseError(f"{path}: is a folder, not the lock file; "
                                "run 'newstag doctor --repair'") from None
        raise DatabaseError(f"{path}: cannot open the lock file "
                            f"({exc.strerror or exc})") from None


def move_entry(root: Path, path: Path, target: Path) -> None:
    """Rename the entry ``path`` (which may itself be a link, a FIFO, a folder) to
    ``target``; the folders on both sides are checked, and a rename never follows the
    link it moves."""
    try:
        relative = Path(path).relative_to(root)
    except ValueError:
        relative = Path()
    if not relative.parts or relative.parts[-1] in (".", ".."):
        raise UnsafePath(Path(path), f"is outside the database folder {root}")
    parent = inside(root, *relative.parts[:-1])
    checked = check(root, target)
    os.replace(parent / relative.parts[-1], checked)
