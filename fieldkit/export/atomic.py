"""Atomic file writes: write beside the target, flush to disk, then rename over it.

A failure at any point (an exception, a full disk, a killed process) leaves the old file or
no file under the final name, never half of one. After the rename the directory is synced
so the new name survives a power cut (ALICE, OSDI'14).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from fieldkit.export.errors import ExportError

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it becomes ``target``."""
    target = Path(target)
    if not target.parent.is_dir():
        raise ExportError(
            f"cannot write {target}: folder {target.parent} does not exist",
            code="FK-EXPORT-002",
            hint="create the folder first",
        )
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        yield temporary
        _fsync(temporary)
        os.chmod(temporary, 0o600)  # private by default, whatever the writer and the umask
        os.replace(temporary, target)
        _fsync_directory(target.parent)
    except OSError as error:
        raise ExportError(
            f"cannot write {target}: {error.strerror or error}", code="FK-EXPORT-002"
        ) from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - Windows has no directory handles
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
