"""When a file's stamp (inode, mtime, size) can be trusted to say it was not written
since: the one rule for what newstag records to compare later (the kept counts' stamps:
annotations/counts_stamp.py; the kept first page: first_page.py).

Every file compared this way is replaced whole on each write (a new inode), unless it is
written again within the same step of the file system's clock: the new version can then
have the old one's inode (freed by the rename, reused: seen here every few writes), its
size (counts that change digit for digit) and its mtime (ext4 before Linux 6.13 stamps
files with the last clock tick, ~4 ms; FAT, HFS+ and some network shares by the
second). So a stamp is recorded as ``recordable`` makes it: a file written less than a
clock step before is recorded with an mtime that matches nothing, and read again next
time (git's "racily clean" entries are the same problem).
"""

from __future__ import annotations

FileStamp = tuple[int, int, int]  # inode, mtime in ns, size

# How recently a file may have been written for its stamp not to be trusted: mtimes in
# whole seconds say the file system stamps by the second (FAT: by two); others step by
# a clock tick at most (10 ms at HZ=100), with room to spare.
COARSE_STEP_NS = 2_000_000_000
FINE_STEP_NS = 50_000_000
UNTRUSTED = -1  # the mtime a recorded stamp has when it is not to match anything


def recordable(file_stamp: tuple[int, ...] | list[int] | None, taken_ns: int
               ) -> list[int] | None:
    """``file_stamp``, taken at ``taken_ns`` (the clock read before the stat: not when it
    is recorded, after the reads), as it may be recorded to be compared with a later
    stamp: with an mtime that matches nothing when the file was written less than a step
    of its file system's clock before."""
    if file_stamp is None:
        return None
    ino, mtime, size = file_stamp
    return list(recorded_stamp(ino, mtime, size, taken_ns))


def recorded_stamp(ino: int, mtime: int, size: int, taken_ns: int) -> FileStamp:
    """``recordable``'s stamp as a tuple, as a stamp is kept in memory."""
    step = COARSE_STEP_NS if mtime % 1_000_000_000 == 0 else FINE_STEP_NS
    return ino, UNTRUSTED if mtime > taken_ns - step else mtime, size


def as_list(file_stamp: tuple[int, ...] | None) -> list[int] | None:
    """A stamp as a file of the database holds it."""
    return list(file_stamp) if file_stamp is not None else None
