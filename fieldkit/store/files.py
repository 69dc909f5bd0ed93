"""Files private by default: fieldkit creates its files 0600 and its folders 0700.

The mode is given when the file is created (``os.open(..., 0o600)``), so no other user can
read it even for an instant, whatever the umask (a umask can only take bits away). SQLite
gives a database's ``-wal`` and ``-shm`` the mode of the database file itself, so creating
the (empty) database file first is enough for all three.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = [
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "create_private_file",
    "make_private",
    "private_folder",
    "write_private",
]

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 unless it exists; True if it was created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` (never replacing a file) with mode 0600, write ``data``, sync it.

    A failure half-way (a full disk) removes the file again: never half of one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    os.close(fd)


def make_private(path: Path) -> None:
    """Set an existing file fieldkit just wrote (by a library that chose the mode) to 0600."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, PRIVATE_FILE)


def private_folder(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700 folders; an existing folder is kept."""
    missing = []
    current = Path(path)
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR)
            os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is masked by the umask
    return Path(path)
