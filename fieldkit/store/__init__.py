"""Storage: the one place that opens databases, the table models, and the laptop store.

open_database(path_or_url, role=...)  -> Database     pragmas, quick_check, migrations
LaptopStore.open(path, project_keys=..., key=...)    capture's durable, encrypted, sealed store
create_store_key(path, passphrase) / unlock_store(path, passphrase) -> StoreKey
"""

from __future__ import annotations

from fieldkit.store.cipher import StoreKey, create_store_key, unlock_store
from fieldkit.store.database import AppliedMigration, Database, Role, open_database
from fieldkit.store.laptop import (
    SEALED,
    InterviewSummary,
    LaptopStore,
    Sealed,
    StoredInterview,
    StoredValue,
)

__all__ = [
    "SEALED",
    "AppliedMigration",
    "Database",
    "InterviewSummary",
    "LaptopStore",
    "Role",
    "Sealed",
    "StoreKey",
    "StoredInterview",
    "StoredValue",
    "create_store_key",
    "open_database",
    "unlock_store",
]
