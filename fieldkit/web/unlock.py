"""Unlocking the laptop store: the one place the web form opens it.

Today the store is not encrypted at rest, so unlocking only opens it and no passphrase is
asked. When at-rest encryption lands, ``needs_passphrase`` says whether this store has one
and ``unlock_store`` hands the passphrase to the store's own unlock call: the pages, routes
and tests around it already carry the passphrase form.
"""

from __future__ import annotations

from pathlib import Path

from fieldkit.privacy.keys import PublicKey
from fieldkit.store import LaptopStore

__all__ = ["needs_passphrase", "unlock_store"]


def needs_passphrase(path: Path) -> bool:
    """Whether the store at ``path`` is locked by a passphrase (none is, yet)."""
    del path
    return False


def unlock_store(path: Path, public_key: PublicKey, passphrase: str | None) -> LaptopStore:
    """The laptop store, open and ready for capture."""
    del passphrase  # nothing to unlock until the store is encrypted at rest
    return LaptopStore.open(path, project_public_key=public_key)
