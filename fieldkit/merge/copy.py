"""Copy a batch of interviews' rows from the payload into the coordinator's capture tables.

On a SQLite store the payload is attached to the store's own connection and every row moves
inside SQLite (``INSERT ... SELECT`` in key order, one statement per table and batch): no row
passes through Python, which is what lets a merge keep pace with a raw SQLite copy. On any
other database (PostgreSQL) the rows are read from the payload and written through
SQLAlchemy, times turned into UTC datetimes; the rows stored are the same.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, insert

from fieldkit.bundle.payload import PAYLOAD_COLUMNS, TIME_COLUMNS
from fieldkit.merge.facts import BadRows
from fieldkit.store.coordinator_tables import capture_table

__all__ = ["copy_rows"]

SCHEMA = "bundle"
_FETCH = 2000

_STORED: dict[str, tuple[str, ...]] = {
    table: columns for table, columns in PAYLOAD_COLUMNS.items() if table != "paradata"
}
"""Tables copied row for row (paradata is packed per interview: ``facts.event_log``)."""

_ORDER = {
    "interviews": "id",
    "answers": "interview_id, question, member",
    "roster_members": "interview_id, roster, member",
    "identities": "v.id, s.question, s.member",
}


def _select(table: str, columns: Sequence[str], chosen: str) -> str:
    names = ", ".join(columns)
    if table == "identities":
        names = ", ".join(f"s.{c}" for c in columns)
        source = f"{SCHEMA}.identities s JOIN {SCHEMA}.interviews v ON v.reference = s.reference"
        key = "v.id"
    else:
        source = f"{SCHEMA}.{table}"
        key = "id" if table == "interviews" else "interview_id"
    return (
        f"SELECT {names} FROM {source} WHERE {key} BETWEEN ? AND ? {chosen.format(key=key)} "
        f"ORDER BY {_ORDER[table]}"
    )


def copy_rows(
    conn: Connection,
    payload: sqlite3.Connection,
    span: tuple[str, str],
    ids: Sequence[str],
    *,
    every: bool,
) -> dict[str, int]:
    """Rows of interviews ``ids`` (within ``span``; ``every``: all of the span) per table."""
    chosen = ""
    if not every:
        payload.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_CHOSEN} (id TEXT PRIMARY KEY)")
        payload.execute(f"DELETE FROM {_CHOSEN}")
        payload.executemany(f"INSERT INTO {_CHOSEN} (id) VALUES (?)", ((i,) for i in ids))
        chosen = "AND {key} IN (SELECT id FROM " + _CHOSEN + ")"
    if conn.dialect.name == "sqlite":
        return _copy_inside_sqlite(payload, span, chosen)
    return _copy_through_python(conn, payload, span, chosen)


_CHOSEN = "temp.fieldkit_chosen"


def _copy_inside_sqlite(
    payload: sqlite3.Connection, span: tuple[str, str], chosen: str
) -> dict[str, int]:
    written = {}
    for table, columns in _STORED.items():
        select = _select(table, columns, chosen)
        cursor = payload.execute(f"INSERT INTO main.{table} ({', '.join(columns)}) {select}", span)
        written[table] = cursor.rowcount
    return written


def _copy_through_python(
    conn: Connection, payload: sqlite3.Connection, span: tuple[str, str], chosen: str
) -> dict[str, int]:
    written = {}
    for table, columns in _STORED.items():
        target = capture_table(table)
        times = [n for n, c in enumerate(columns) if c in TIME_COLUMNS.get(table, ())]
        count = 0
        for rows in _chunks(payload.execute(_select(table, columns, chosen), span)):
            conn.execute(insert(target), [_stored(columns, row, times) for row in rows])
            count += len(rows)
        written[table] = count
    return written


def _chunks(cursor: sqlite3.Cursor) -> Iterator[list[Any]]:
    while rows := cursor.fetchmany(_FETCH):
        yield rows


def _stored(columns: Sequence[str], row: Sequence[Any], times: list[int]) -> dict[str, Any]:
    values = list(row)
    for n in times:
        if values[n] is not None:
            try:
                values[n] = dt.datetime.fromisoformat(values[n]).replace(tzinfo=dt.UTC)
            except (TypeError, ValueError):
                raise BadRows(f"a time in '{columns[n]}' is not a stored time") from None
    return dict(zip(columns, values, strict=True))
