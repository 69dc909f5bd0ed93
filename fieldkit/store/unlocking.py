"""Opening the encrypted laptop store with the enumerator's passphrase: what a front end calls.

    check_laptop_store(path)                  # before asking: a wrong path, one clear line
    if is_new_laptop_store(path):             # ask for a new passphrase, twice
        ...
    store = open_laptop_store(path, passphrase, project_keys=load_project_keys(pub))

The terminal (``fieldkit collect``, ``drafts``, ``bundle``) and the web form (``fieldkit
serve``) both open the store this way, so a wrong passphrase is the same one line
(FK-KEY-001) everywhere, and a new store is set up only where none exists (its unlock file
is never replaced: that would lose the store behind it). A forgotten passphrase cannot be
recovered by anyone: the laptop's unsent interviews are lost by design.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from fieldkit.errors import Location, StoreError
from fieldkit.privacy.keys import ProjectPublicKeys
from fieldkit.store.cipher import (
    create_store_key,
    new_store_allowed,
    require_unlock_file,
    unlock_path,
    unlock_store,
)
from fieldkit.store.database import check_laptop_path
from fieldkit.store.laptop import LaptopStore

__all__ = ["check_laptop_store", "is_new_laptop_store", "open_laptop_store"]


def is_new_laptop_store(path: Path) -> bool:
    """True when there is no store at ``path`` yet: its passphrase is being chosen now."""
    return new_store_allowed(Path(path))


def check_laptop_store(path: Path) -> None:
    """What can be told before anyone types a passphrase: FK-STORE-004 for a folder, a
    missing folder or a new store in a folder that cannot be written, FK-STORE-003 for a
    plain SQLite file (a coordinator store, another program's), FK-KEY-030 for a store
    without its unlock file."""
    path = Path(path)
    check_laptop_path(path)
    if not new_store_allowed(path):
        require_unlock_file(path)
    elif not os.access(path.parent, os.W_OK | os.X_OK):  # a read-only disk, even for root
        raise StoreError(
            f"{path.name} cannot be created: the folder {path.parent} cannot be written",
            code="FK-STORE-004",
            location=Location(str(path)),
            hint="choose a folder you can write to",
        )


def open_laptop_store(
    path: Path, passphrase: str, *, project_keys: ProjectPublicKeys
) -> LaptopStore:
    """The laptop store at ``path``, unlocked; a new one is set up with ``passphrase``
    (FK-KEY-004 if it is too short). FK-KEY-001 for a wrong passphrase."""
    path = Path(path)
    check_laptop_store(path)
    new = new_store_allowed(path)
    key = create_store_key(path, passphrase) if new else unlock_store(path, passphrase)
    try:
        return LaptopStore.open(path, project_keys=project_keys, key=key)
    except BaseException:
        if new:  # nothing half set up: the next attempt starts afresh
            for made in (
                unlock_path(path),
                *(Path(f"{path}{end}") for end in ("", "-wal", "-shm")),
            ):
                with contextlib.suppress(OSError):
                    made.unlink()
        raise
