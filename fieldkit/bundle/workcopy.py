"""The private working copy of a bundle's payload: mode 0600, locked while used, swept after.

The payload holds answers in plain text (identities stay sealed), so its copy lives in the
store's own folder (on the same protected disk as the store) and is readable by its owner
only. A merge killed mid-import cannot remove it, so every copy is held under an exclusive
``flock`` by the process using it: the next merge removes every copy whose lock it can take
(its process is gone: the kernel drops the lock with it) and leaves the others, which belong
to merges still running.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["PREFIX", "SUFFIXES", "sweep_leftovers", "working_copy"]

PREFIX = ".fieldkit-payload-"
SUFFIXES = ("", "-journal", "-wal", "-shm")
"""The copy and the files SQLite may put beside it."""


@contextlib.contextmanager
def working_copy(directory: Path | None) -> Iterator[tuple[BinaryIO, Path]]:
    """A new empty file (0600, locked) to write a payload into; removed on exit.

    Raises OSError when the folder cannot hold it (read-only, missing, full)."""
    handle, path = _locked_new_file(directory)
    try:
        yield handle, path
    finally:
        _remove(path)
        handle.close()  # closing the last descriptor drops the lock, after the removal


def _locked_new_file(directory: Path | None) -> tuple[BinaryIO, Path]:
    for _attempt in range(3):
        fd, name = tempfile.mkstemp(prefix=PREFIX, suffix=".sqlite", dir=directory)
        fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            # A sweeper may have taken the file between mkstemp and flock: start again.
            if os.stat(name).st_ino == os.fstat(fd).st_ino:
                return os.fdopen(fd, "w+b"), Path(name)
        os.close(fd)
    raise OSError(f"cannot keep a working copy in {directory}")


def sweep_leftovers(directory: Path | None) -> list[Path]:
    """Remove the working copies (and their SQLite side files) no running process holds;
    returns what was removed. Unreadable or foreign files are left alone."""
    folder = Path(directory) if directory is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        candidates = sorted(folder.glob(f"{PREFIX}*.sqlite"))
    except OSError:
        return removed
    for path in candidates:
        if _abandoned(path):
            removed += _remove(path)
    return removed


def _abandoned(path: Path) -> bool:
    """True if nobody holds the copy's lock (taking the lock proves its owner is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def _remove(path: Path) -> list[Path]:
    removed = []
    for suffix in SUFFIXES:
        side = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError, PermissionError):
            side.unlink()
            removed.append(side)
    return removed
