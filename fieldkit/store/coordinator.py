"""The coordinator store: merged interviews from every laptop, on SQLite or PostgreSQL.

    db = open_coordinator("sqlite:///hq.sqlite")          # or postgresql+psycopg://...
    with db.read() as conn:
        for row in included_interviews(conn, "household_cl"):
            ...

It holds the capture tables (the laptop's shape) plus the merge tables of
``fieldkit.store.coordinator_tables``. Datasets read only *included* interviews: neither
quarantined (no valid consent), nor a content duplicate set aside, nor in a unit conflict a
coordinator has not resolved in their favour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, RowMapping, Select, Table, select

from fieldkit.errors import Location, StoreError
from fieldkit.hashing import canonical_json
from fieldkit.store.coordinator_tables import capture_table, merged_interviews
from fieldkit.store.database import Database, as_utc, open_database
from fieldkit.store.migrations import existing_store_only

__all__ = [
    "canonical_dump",
    "dump_digest",
    "included_ids",
    "included_interviews",
    "included_select",
    "open_coordinator",
    "require_store",
]

VOLATILE_COLUMNS: dict[str, frozenset[str]] = {
    "schema_migrations": frozenset({"applied_at"}),
}
"""Columns a canonical dump leaves out: when a migration ran."""
LOG_TABLES = frozenset({"audit_log"})
"""Tables a canonical dump leaves out: the audit log records *how* (who, when, in which
order) the store came to be, which is exactly what order-independence lets differ."""


def open_coordinator(path_or_url: Path | str, *, create: bool = True) -> Database:
    """Open a coordinator store: a SQLite path or any SQLAlchemy URL.

    Its tables, the merge tables included, come from the recorded migrations. Only what
    fills a store (merging, registering a device) creates one: with ``create=False`` a
    SQLite file that does not exist, or a server database with no fieldkit tables, is
    FK-STORE-050 (and nothing is written to it), so a mistyped path is not taken for an
    empty store."""
    if create:
        return open_database(path_or_url, role="coordinator")
    require_store(path_or_url)
    with existing_store_only():  # a server database with no tables is refused, not filled
        return open_database(path_or_url, role="coordinator")


def require_store(path_or_url: Path | str) -> None:
    """FK-STORE-050 unless a SQLite store is there (a server URL is left to its driver)."""
    text = str(path_or_url)
    if isinstance(path_or_url, str) and "://" in text:
        if not text.startswith("sqlite:///") or text in ("sqlite://", "sqlite:///:memory:"):
            return  # a server database (or a URL open_database refuses with its own reason)
        path = Path(text.removeprefix("sqlite:///").split("?", 1)[0])
    else:
        path = Path(path_or_url)
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        raise StoreError(
            f"no coordinator store at {path}" + (" (an empty file)" if path.exists() else ""),
            code="FK-STORE-050",
            location=Location(str(path)),
            hint="check the path; only 'fieldkit merge' and 'fieldkit device register' "
            "create a store",
        )


def included_select(form_id: str | None = None) -> Select[Any]:
    """The ``interviews`` rows datasets may use, ordered by id."""
    interviews = capture_table("interviews")
    query = (
        select(interviews)
        .join(merged_interviews, merged_interviews.c.interview_id == interviews.c.id)
        .where(merged_interviews.c.included.is_(True))
        .order_by(interviews.c.id)
    )
    if form_id is not None:
        query = query.where(interviews.c.form_id == form_id)
    return query


def included_ids(form_id: str | None = None) -> Select[Any]:
    """The ids of included interviews, to filter ``answers`` / ``roster_members`` with."""
    query = select(merged_interviews.c.interview_id).where(merged_interviews.c.included.is_(True))
    if form_id is not None:
        query = query.where(merged_interviews.c.form_id == form_id)
    return query


def included_interviews(connection: Connection, form_id: str | None = None) -> Iterator[RowMapping]:
    """Included interviews of ``form_id`` (all forms if None), streamed."""
    yield from connection.execute(included_select(form_id)).mappings()


def canonical_dump(db: Database) -> Iterator[str]:
    """Every row of every table, one canonical line each, in a fixed order.

    Two stores with the same content give the same lines whatever order the rows arrived in
    (``VOLATILE_COLUMNS`` are left out). Used to prove merges idempotent and order-free.
    """
    with db.read() as conn:
        metadata = MetaData()
        metadata.reflect(conn)
        for name in sorted(set(metadata.tables) - LOG_TABLES):
            yield from _dump_table(conn, metadata.tables[name])


def dump_digest(db: Database) -> str:
    digest = hashlib.sha256()
    for line in canonical_dump(db):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _dump_table(conn: Connection, table: Table) -> Iterator[str]:
    volatile = VOLATILE_COLUMNS.get(table.name, frozenset())
    kept = [column for column in table.columns if column.name not in volatile]
    keys = list(table.primary_key.columns) or list(table.columns)
    query = select(*kept).order_by(*keys, *(c for c in kept if c not in keys))
    for row in conn.execute(query):
        yield f"{table.name}\t" + canonical_json([_plain(value) for value in row]).decode()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return as_utc(value).isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value
