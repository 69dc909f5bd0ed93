"""Every version of an interview HQ held: a corrected copy replaces the rejected one in the
store, and the one it replaces is kept in ``interview_versions`` (fieldkit.monitor.tables),
whole, with the bundle that had delivered it and when a later bundle replaced it.

``interview_history(store, id)`` lists the replaced versions, oldest first, then the current.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, LargeBinary, Table, insert, select

from fieldkit.monitor.tables import interview_versions
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import capture_table, event_logs, merged_interviews
from fieldkit.store.database import as_utc

__all__ = [
    "ROW_TABLES",
    "InterviewVersion",
    "decode_rows",
    "encode_rows",
    "interview_history",
    "interview_rows",
    "keep_replaced",
    "replaced_since",
]

ROW_TABLES = ("interviews", "answers", "roster_members", "identities")
"""The capture tables HQ holds of one interview, parents first (its paradata is merged into
``event_logs``, kept in the history beside them)."""


@dataclass(frozen=True)
class InterviewVersion:
    interview_id: str
    bundle_sha256: str
    row_hash: str
    rows: dict[str, list[dict[str, Any]]]
    replaced_at: dt.datetime | None
    """None for the version the store holds now."""

    @property
    def answers(self) -> dict[tuple[str, int], Any]:
        return {
            (a["question"], a["member"]): json.loads(a["value"])
            for a in self.rows["answers"]
            if a.get("status") == "answered"
        }


def interview_rows(
    conn: Connection, interview_id: str, *, events: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """The interview's rows in every capture table (and its event log), as Python values."""
    interviews = capture_table("interviews")
    found = conn.execute(select(interviews).where(interviews.c.id == interview_id)).mappings()
    rows: dict[str, list[dict[str, Any]]] = {"interviews": [dict(r) for r in found]}
    reference = rows["interviews"][0]["reference"] if rows["interviews"] else None
    for name in ROW_TABLES[1:]:
        table = capture_table(name)
        where = (
            table.c.reference == reference
            if name == "identities"
            else table.c.interview_id == interview_id
        )
        rows[name] = [dict(r) for r in conn.execute(select(table).where(where)).mappings()]
    if events:
        e = event_logs
        found = conn.execute(select(e).where(e.c.interview_id == interview_id)).mappings()
        rows[e.name] = [dict(r) for r in found]
    return rows


def encode_rows(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """JSON-ready rows: times as ISO text, bytes as base64 (decoded back by column type)."""

    def value(item: Any) -> Any:
        if isinstance(item, dt.datetime):
            return as_utc(item).isoformat()
        if isinstance(item, bytes | memoryview):
            return base64.b64encode(bytes(item)).decode()
        return item

    return {
        name: [{k: value(v) for k, v in r.items()} for r in found] for name, found in rows.items()
    }


def decode_rows(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The inverse of ``encode_rows``, column by column; KeyError/ValueError/TypeError if the
    rows do not fit the capture tables."""
    decoded: dict[str, list[dict[str, Any]]] = {}
    for name in ROW_TABLES:
        table = capture_table(name)
        found = data[name]
        if not isinstance(found, list):
            raise TypeError(f"{name} is not a list of rows")
        decoded[name] = [_decode_row(table, row) for row in found]
    if event_logs.name in data:
        decoded[event_logs.name] = [dict(row) for row in data[event_logs.name]]
    return decoded


def _decode_row(table: Table, row: Any) -> dict[str, Any]:
    if not isinstance(row, dict) or set(row) - set(table.c.keys()):
        raise ValueError(f"a row that does not fit {table.name}")
    out: dict[str, Any] = {}
    for key, item in row.items():
        kind = table.c[key].type
        if item is not None and isinstance(kind, DateTime):
            out[key] = dt.datetime.fromisoformat(item)
        elif item is not None and isinstance(kind, LargeBinary):
            out[key] = base64.b64decode(item, validate=True)
        else:
            out[key] = item
    return out


def keep_replaced(conn: Connection, interview_ids: list[str]) -> None:
    """Copy the stored versions about to be replaced into ``interview_versions``."""
    now = dt.datetime.now(dt.UTC)
    m = merged_interviews
    for interview_id in interview_ids:
        merged = conn.execute(
            select(m.c.bundle_sha256, m.c.row_hash).where(m.c.interview_id == interview_id)
        ).one()
        rows = encode_rows(interview_rows(conn, interview_id, events=True))
        conn.execute(
            insert(interview_versions).values(
                interview_id=interview_id,
                bundle_sha256=merged.bundle_sha256,
                row_hash=merged.row_hash,
                rows=json.dumps(rows, ensure_ascii=False, separators=(",", ":")),
                replaced_at=now,
            )
        )


def interview_history(store: Path | str, interview_id: str) -> list[InterviewVersion]:
    """The versions of ``interview_id`` HQ held, oldest first; the last is the current one."""
    v, m = interview_versions, merged_interviews
    with open_coordinator(store, create=False) as db, db.read() as conn:
        versions = [
            InterviewVersion(
                interview_id,
                row.bundle_sha256,
                row.row_hash,
                decode_rows(json.loads(row.rows)),
                as_utc(row.replaced_at),
            )
            for row in conn.execute(
                select(v).where(v.c.interview_id == interview_id).order_by(v.c.id)
            )
        ]
        current = conn.execute(
            select(m.c.bundle_sha256, m.c.row_hash).where(m.c.interview_id == interview_id)
        ).one_or_none()
        if current is not None:
            rows = interview_rows(conn, interview_id, events=True)
            versions.append(
                InterviewVersion(interview_id, current.bundle_sha256, current.row_hash, rows, None)
            )
    return versions


def replaced_since(conn: Connection) -> dict[str, dt.datetime]:
    """When each interview was last replaced by a corrected copy."""
    v = interview_versions
    latest: dict[str, dt.datetime] = {}
    for interview_id, stored_at in conn.execute(select(v.c.interview_id, v.c.replaced_at)):
        at = as_utc(stored_at)
        if interview_id not in latest or at > latest[interview_id]:
            latest[interview_id] = at
    return latest
