"""Unlocking the laptop store: the one place the web form opens it.

The store is encrypted at rest (issue 11) and opens only with the enumerator's passphrase,
through ``fieldkit.store.open_laptop_store`` as in the terminal: a wrong passphrase is the
same one line (FK-KEY-001). Where no store exists yet, the first unlock sets it up, with the
passphrase typed twice (a typo would lose the store: nobody can recover it).
"""

from __future__ import annotations

from pathlib import Path

from fieldkit.privacy.keys import ProjectPublicKeys
from fieldkit.store import (
    LaptopStore,
    check_laptop_store,
    is_new_laptop_store,
    open_laptop_store,
)

__all__ = ["check_store", "is_new_store", "needs_passphrase", "unlock_store"]


def needs_passphrase(path: Path) -> bool:
    """Whether the store at ``path`` is locked by a passphrase: every laptop store is."""
    del path
    return True


def is_new_store(path: Path) -> bool:
    """No store at ``path`` yet: the unlock page asks for a new passphrase, twice."""
    return is_new_laptop_store(path)


def check_store(path: Path) -> None:
    """Before serving: a wrong path or a file that is no laptop store, in one line."""
    check_laptop_store(path)


def unlock_store(path: Path, project_keys: ProjectPublicKeys, passphrase: str) -> LaptopStore:
    """The laptop store, open and ready for capture (set up anew if none exists yet)."""
    return open_laptop_store(path, passphrase, project_keys=project_keys)
