"""The bundle payload: a small SQLite database of finished interviews, in a fixed schema.

A SQLite payload lets the coordinator verify and import rows inside SQLite (``ATTACH`` and
``INSERT ... SELECT``) instead of decoding every row in Python, which bounded the merge of
format 1 (JSON lines). The file is authenticated before SQLite ever opens it (signature over
the manifest, manifest over the payload's SHA-256), and then it must still have exactly the
schema below (no extra tables, views, triggers or indexes) and rows that agree with the
manifest (:func:`payload_problem` here; row by row in ``fieldkit.merge.facts``), so a buggy
or forged laptop cannot smuggle anything in.

Tables are ``STRICT`` and ``WITHOUT ROWID``, keyed by interview id, so every table can be read
interview by interview in key order. Times are the laptop store's own text
(``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), copied as stored.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "APPLICATION_ID",
    "PAYLOAD_COLUMNS",
    "PAYLOAD_SCHEMA",
    "TIME_COLUMNS",
    "create_payload_schema",
    "header_problem",
    "payload_counts",
    "payload_problem",
]

APPLICATION_ID = 0x666B6232  # "fkb2": marks the file as a fieldkit bundle payload

PAYLOAD_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "interviews": (
        "id",
        "form_id",
        "form_hash",
        "instrument_kind",
        "protocol_id",
        "enumerator",
        "device_id",
        "language",
        "status",
        "consent",
        "consent_outcome",
        "reference",
        "sequence",
        "started_at",
        "ended_at",
        "updated_at",
    ),
    "answers": ("interview_id", "question", "member", "value", "status", "changed_at"),
    "roster_members": ("interview_id", "roster", "member"),
    "paradata": (
        "interview_id",
        "id",
        "at",
        "event",
        "question",
        "member",
        "elapsed_ms",
        "detail",
    ),
    "identities": ("reference", "question", "member", "status", "sealed", "key_id"),
}
"""Each payload table's columns, in order (the manifest repeats them)."""

TIME_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "interviews": ("started_at", "ended_at", "updated_at"),
    "answers": ("changed_at",),
    "paradata": ("at",),
}

PAYLOAD_SCHEMA = (
    """CREATE TABLE interviews (
    id TEXT PRIMARY KEY NOT NULL, form_id TEXT NOT NULL, form_hash TEXT NOT NULL,
    instrument_kind TEXT NOT NULL, protocol_id TEXT NOT NULL, enumerator TEXT NOT NULL,
    device_id TEXT NOT NULL, language TEXT NOT NULL, status TEXT NOT NULL, consent TEXT,
    consent_outcome TEXT, reference TEXT NOT NULL UNIQUE, sequence INTEGER NOT NULL UNIQUE,
    started_at TEXT NOT NULL, ended_at TEXT, updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID""",
    """CREATE TABLE answers (
    interview_id TEXT NOT NULL, question TEXT NOT NULL, member INTEGER NOT NULL,
    value TEXT NOT NULL, status TEXT NOT NULL, changed_at TEXT NOT NULL,
    PRIMARY KEY (interview_id, question, member)
) STRICT, WITHOUT ROWID""",
    """CREATE TABLE roster_members (
    interview_id TEXT NOT NULL, roster TEXT NOT NULL, member INTEGER NOT NULL,
    PRIMARY KEY (interview_id, roster, member)
) STRICT, WITHOUT ROWID""",
    """CREATE TABLE paradata (
    interview_id TEXT NOT NULL, id INTEGER NOT NULL, at TEXT NOT NULL, event TEXT NOT NULL,
    question TEXT, member INTEGER NOT NULL, elapsed_ms INTEGER, detail TEXT,
    PRIMARY KEY (interview_id, id)
) STRICT, WITHOUT ROWID""",
    """CREATE TABLE identities (
    reference TEXT NOT NULL, question TEXT NOT NULL, member INTEGER NOT NULL,
    status TEXT NOT NULL, sealed BLOB NOT NULL, key_id TEXT NOT NULL,
    PRIMARY KEY (reference, question, member)
) STRICT, WITHOUT ROWID""",
)


def header_problem(path: Path) -> str | None:
    """Why the payload file's header is not a plain rollback-journal SQLite database (read
    before SQLite opens it: a WAL header would make SQLite create files beside the copy)."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return "the payload is not a SQLite database"
    if header[18:20] != b"\x01\x01":
        return "the payload is not in the rollback-journal format fieldkit writes"
    return None


def create_payload_schema(conn: sqlite3.Connection, schema: str = "main") -> None:
    conn.execute(f"PRAGMA {schema}.application_id = {APPLICATION_ID}")
    for statement in PAYLOAD_SCHEMA:
        conn.execute(statement.replace("CREATE TABLE ", f"CREATE TABLE {schema}.", 1))


def _expected_master() -> list[tuple[Any, ...]]:
    probe = sqlite3.connect(":memory:")
    try:
        create_payload_schema(probe)
        return _master(probe, "main")
    finally:
        probe.close()


def _master(conn: sqlite3.Connection, schema: str) -> list[tuple[Any, ...]]:
    return conn.execute(
        f"SELECT type, name, tbl_name, sql FROM {schema}.sqlite_master ORDER BY type, name"
    ).fetchall()


_EXPECTED_MASTER: list[tuple[Any, ...]] = _expected_master()


def payload_counts(conn: sqlite3.Connection, schema: str) -> dict[str, Any]:
    """What the manifest states about a payload: rows per table, interviews per status,
    form and enumerator (computed the same way on the laptop and at the coordinator)."""
    counts: Counter[str] = Counter()
    forms: Counter[tuple[str, str, str]] = Counter()
    enumerators: Counter[str] = Counter()
    devices: set[str] = set()
    rows = conn.execute(
        "SELECT status, form_id, form_hash, protocol_id, enumerator, device_id, count(*) "
        f"FROM {schema}.interviews GROUP BY 1, 2, 3, 4, 5, 6"
    )
    for status, form_id, form_hash, protocol_id, enumerator, device_id, n in rows:
        counts["interviews"] += n
        counts[f"status_{status}"] += n
        forms[(form_id, form_hash, protocol_id)] += n
        enumerators[enumerator] += n
        devices.add(device_id)
    for table in ("answers", "roster_members", "paradata", "identities"):
        counts[table] = conn.execute(f"SELECT count(*) FROM {schema}.{table}").fetchone()[0]
    return {"counts": counts, "forms": forms, "enumerators": enumerators, "devices": devices}


def payload_problem(
    conn: sqlite3.Connection,
    schema: str,
    *,
    device_id: str,
    counts: Mapping[str, int],
    forms: Mapping[tuple[str, str, str], int],
    enumerators: Mapping[str, int],
) -> str | None:
    """Why the payload attached as ``schema`` contradicts its signed manifest, or None."""
    if conn.execute(f"PRAGMA {schema}.application_id").fetchone()[0] != APPLICATION_ID:
        return "the payload is not a fieldkit bundle payload"
    if _master(conn, schema) != _EXPECTED_MASTER:
        return "the payload's tables differ from format 2"
    found = payload_counts(conn, schema)
    statuses = {k[7:] for k in found["counts"] if k.startswith("status_")}
    declared = {k: v for k, v in counts.items() if v}
    problems = [
        (found["devices"] - {device_id}, "an interview was made on another device"),
        (
            statuses - {"complete", "refused", "stopped"},
            f"interviews that are not finished ({', '.join(sorted(statuses))})",
        ),
        (
            {k: v for k, v in found["counts"].items() if v} != declared,
            f"row counts {dict(found['counts'])} differ from the manifest's {declared}",
        ),
        (
            dict(found["forms"]) != {k: v for k, v in forms.items() if v},
            "interviews per form differ from the manifest",
        ),
        (
            dict(found["enumerators"]) != {k: v for k, v in enumerators.items() if v},
            "interviews per enumerator differ from the manifest",
        ),
    ]
    return next((why for failed, why in problems if failed), None)
