"""Storage: the one place that opens databases, the table models, and the laptop store.

open_database(path_or_url, role=...)  -> Database     pragmas, quick_check, migrations
LaptopStore.open(path, project_keys=..., key=...)    capture's durable, encrypted, sealed store
create_store_key(path, passphrase) / unlock_store(path, passphrase) -> StoreKey
open_laptop_store(path, passphrase, project_keys=...) -> LaptopStore   what front ends call
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
from fieldkit.store.unlocking import check_laptop_store, is_new_laptop_store, open_laptop_store

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
    "check_laptop_store",
    "create_store_key",
    "is_new_laptop_store",
    "open_database",
    "open_laptop_store",
    "unlock_store",
]
