"""Write a file so that a crash leaves either nothing or the whole file under its final name.

Temp file in the same directory, fsync, rename over the final name, fsync the directory
(ALICE, OSDI'14: the steps many mature systems get wrong).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_file", "fsync_directory", "temp_file_beside"]


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def temp_file_beside(path: Path, suffix: str = ".tmp") -> Iterator[tuple[BinaryIO, Path]]:
    """A new temp file in ``path``'s folder, removed on exit unless renamed away."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield handle, temp
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


@contextlib.contextmanager
def atomic_file(path: Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """Yield a file to write; on a clean exit it is synced and renamed to ``path``.

    Private by default (0600, whatever the umask: the temp file is made 0600 and only ever
    loosened on purpose, as for a public key)."""
    with temp_file_beside(path) as (handle, temp):
        yield handle
        handle.flush()
        os.fchmod(handle.fileno(), mode)
        os.fsync(handle.fileno())
        os.replace(temp, path)
    fsync_directory(path.parent)
