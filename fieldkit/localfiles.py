"""Reading a file a user named: only a regular file, and never more than it should hold.

A path on the command line can be a folder, a FIFO (opening it waits for a writer that never
comes), or a device such as /dev/zero (reading it never ends, until memory runs out). Each
such path is refused as an `OSError` whose ``strerror`` says what it is, so a caller's one-line
message reads "cannot read X: not a regular file (a device)".
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["SMALL_FILE_BYTES", "read_regular", "require_regular"]

SMALL_FILE_BYTES = 64 * 1024
"""More than a passphrase file ever holds."""


def read_regular(path: Path, *, limit: int | None = None) -> bytes:
    """The bytes of ``path`` if it is a regular file (of at most ``limit`` bytes)."""
    descriptor = _open_regular(path)
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read() if limit is None else handle.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise OSError(errno.EFBIG, f"too large (more than {limit} bytes)", str(path))
    return data


def require_regular(path: Path) -> None:
    """OSError unless ``path`` is a regular file that can be opened for reading (for a
    library that opens the file itself)."""
    os.close(_open_regular(path))


def _open_regular(path: Path) -> int:
    # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; the type is
    # then read from the open descriptor, so the file judged is the file read.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise OSError(errno.EINVAL, f"not a regular file ({_kind(mode)})", str(path))
    os.set_blocking(descriptor, True)
    return descriptor


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a pipe"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a file")
