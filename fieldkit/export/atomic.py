"""Atomic file writes: write beside the target, flush to disk, then rename over it.

A failure at any point (an exception, a full disk, a killed process) leaves the old file or
no file under the final name, never half of one. After the rename the directory is synced
so the new name survives a power cut (ALICE, OSDI'14).

Exports are private by default (issue 11): each file is 0600 before it gets its final name,
whatever mode the writer library chose and whatever the umask, and each folder an export
creates is 0700.

Inside ``all_or_nothing()`` the renames wait until the whole block has succeeded, so an
export of several files (a workbook, CSV files, Stata files) leaves all of them or none:
a failure in the last writer removes what the first ones wrote, and the folders the block
created.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from fieldkit.errors import Location
from fieldkit.export.errors import ExportError
from fieldkit.store.files import PRIVATE_FILE, private_folder

__all__ = ["all_or_nothing", "atomic_path", "prepare_folder"]


class _Staged:
    """Files written but not yet renamed, and folders created, in one all-or-nothing block."""

    def __init__(self) -> None:
        self.files: list[tuple[Path, Path]] = []
        self.folders: list[Path] = []

    def commit(self) -> None:
        try:
            for temporary, target in self.files:
                os.replace(temporary, target)
            for folder in dict.fromkeys(target.parent for _, target in self.files):
                _fsync_directory(folder)
        except OSError as error:
            self.discard()
            raise _cannot_write(self.files[-1][1], error) from error
        self.files.clear()

    def discard(self) -> None:
        for temporary, _ in self.files:
            with contextlib.suppress(OSError):
                temporary.unlink()
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: never what was there before


_STAGED: ContextVar[_Staged | None] = ContextVar("fieldkit_export_staged", default=None)


@contextlib.contextmanager
def all_or_nothing() -> Iterator[None]:
    """Every file written by ``atomic_path`` in the block appears at the end, or none."""
    staged = _Staged()
    token = _STAGED.set(staged)
    try:
        yield
    except BaseException:
        staged.discard()
        raise
    else:
        staged.commit()
    finally:
        _STAGED.reset(token)


def prepare_folder(folder: Path) -> Path:
    """An export folder, created if needed (and removed again if an all-or-nothing block
    fails); FK-EXPORT-050 for a file where the folder should be, FK-EXPORT-002 if it
    cannot be made."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExportError(
            f"{folder} is a file, not a folder",
            code="FK-EXPORT-050",
            location=Location(str(folder)),
            hint="CSV, Parquet, Stata and SPSS exports write several files: give a folder",
        )
    missing = [folder, *folder.parents]
    missing = [path for path in missing if not path.exists()]
    try:
        private_folder(folder)
    except OSError as error:
        raise _cannot_write(folder, error) from None
    staged = _STAGED.get()
    if staged is not None:
        staged.folders.extend(reversed(missing))
    return folder


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it becomes ``target``."""
    target = Path(target)
    _check_target(target)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    staged = _STAGED.get()
    kept = False
    try:
        # Created here, so a folder that cannot be written fails with its reason before a
        # writer library (xlsxwriter, pyarrow, pyreadstat) reports it in its own way.
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        yield temporary
        _fsync(temporary)
        os.chmod(temporary, PRIVATE_FILE)  # a writer library may have made it anew
        if staged is None:
            os.replace(temporary, target)
            _fsync_directory(target.parent)
        else:
            staged.files.append((temporary, target))
            kept = True
    except OSError as error:
        raise _cannot_write(target, error) from error
    finally:
        if not kept:
            with contextlib.suppress(OSError):  # never made (EROFS even when it is not there)
                temporary.unlink()


def _check_target(target: Path) -> None:
    if not target.parent.is_dir():
        raise ExportError(
            f"cannot write {target}: folder {target.parent} does not exist",
            code="FK-EXPORT-002",
            location=Location(str(target)),
            hint="create the folder first",
        )
    if target.is_dir():
        raise ExportError(
            f"{target} is a folder, not a file",
            code="FK-EXPORT-050",
            location=Location(str(target)),
            hint="give the file's name (e.g. household.xlsx)",
        )


def _cannot_write(target: Path, error: OSError) -> ExportError:
    return ExportError(
        f"cannot write {target}: {error.strerror or error}",
        code="FK-EXPORT-002",
        location=Location(str(target)),
        hint="choose a folder you can write to; nothing was written",
    )


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
