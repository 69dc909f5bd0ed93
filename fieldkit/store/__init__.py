"""Storage: the one place that opens databases, the table models, and the laptop store.

open_database(path_or_url, role=...)  -> Database     pragmas, quick_check, migrations
LaptopStore.open(path, project_public_key=...)        capture's durable, sealed store
"""

from __future__ import annotations

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
    "StoredInterview",
    "StoredValue",
    "open_database",
]
