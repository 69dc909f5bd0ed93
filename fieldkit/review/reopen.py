"""On the laptop: reopen as drafts the interviews the supervisor sent back (``.returns``).

``fieldkit bundle --receipt north.fkb.receipt`` applies the receipt, then the returns file
beside it, if any (fieldkit.review.returns). The file is untrusted input until it opens: a
regular file of bounded size, one canonical JSON line, for this laptop's device and for a
bundle this laptop made, sealed by the holder of the project's merge key to this device. Even
then only interviews this laptop delivered (its bundle ledger names them) are reopened; one
that does not fit refuses the whole file and nothing is written.

A reopened interview is a draft again, with the rows HQ holds (or the laptop's own copy, if
it still has one), ``updated_at`` set to now so no earlier receipt deletes it, and the
supervisor's comment kept in ``returned_interviews`` to show the enumerator. The same
rejection applied twice reopens nothing the second time.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
    update,
)

from fieldkit.bundle.device import stored_device_key
from fieldkit.bundle.format import encode_line
from fieldkit.bundle.ledger import bundle_items, bundle_log, ensure_ledger
from fieldkit.bundle.untrusted import canonical_line, read_small
from fieldkit.errors import Location
from fieldkit.monitor.errors import MonitorError
from fieldkit.privacy.keys import parse_project_keys
from fieldkit.review.history import ROW_TABLES, decode_rows
from fieldkit.review.returns import (
    device_exchange_key,
    header,
    raw,
    returns_aead,
    returns_path,
)
from fieldkit.store.cipher import StoreKey
from fieldkit.store.coordinator_tables import capture_table
from fieldkit.store.database import Database, open_database

__all__ = ["MAX_RETURNS_BYTES", "Reopened", "reopen_returned", "returned_comments"]

MAX_RETURNS_BYTES = 16 * 1024 * 1024
"""A returns file holds a few interviews' rows: a few hundred KiB at most in practice."""

RETURNED = MetaData()
returned_interviews = Table(
    "returned_interviews",
    RETURNED,
    Column("interview_id", String, primary_key=True),
    Column("decided_at", String, primary_key=True),  # the rejection's time, as HQ sent it
    Column("comment", Text, nullable=False),
    Column("reviewer", String, nullable=False),
    Column("reopened_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class Reopened:
    interview_id: str
    comment: str
    reviewer: str


def reopen_returned(db_path: Path, receipt_file: Path, key: StoreKey) -> list[Reopened]:
    """Reopen the interviews in the returns file beside ``receipt_file`` (none if absent)."""
    path = returns_path(receipt_file)
    if not path.exists():
        return []
    try:
        data = canonical_line(read_small(path, MAX_RETURNS_BYTES))
    except (OSError, ValueError) as error:
        raise _bad(path, str(error)[:160]) from None
    with open_database(db_path, role="laptop", key=key) as db, db.transaction() as conn:
        entries = _open(conn, db, data, path)
        return [done for entry in entries if (done := _reopen(conn, entry)) is not None]


def _open(conn: Connection, db: Database, data: Any, path: Path) -> list[dict[str, Any]]:
    """The returned entries, once the file is shown to be HQ's, for this laptop, about
    interviews it delivered; MonitorError FK-MON-070/071 otherwise."""
    ensure_ledger(conn)
    RETURNED.create_all(conn, checkfirst=True)
    device = stored_device_key(conn, db)
    if not isinstance(data, dict) or set(data) != {*header("", ""), "nonce", "sealed"}:
        raise _bad(path, "not a fieldkit returns file")
    top = {name: data[name] for name in header("", "")}
    if top != header(device.device_id, str(data["bundle_sha256"])):
        raise _bad(path, "it is for another laptop")
    made = conn.execute(
        select(bundle_log.c.sequence).where(bundle_log.c.sha256 == data["bundle_sha256"])
    ).first()
    if made is None:
        raise _bad(path, "it names a bundle this laptop did not make")
    public = conn.execute(select(capture_table("device").c.public_keys)).scalar()
    merge_public = parse_project_keys(str(public).encode(), db.where).merge
    mine = device_exchange_key(device.private)
    salt = raw(merge_public) + raw(mine.public_key())
    aead = returns_aead(mine, merge_public, salt, device.device_id, top["bundle_sha256"])
    try:
        nonce = base64.b64decode(str(data["nonce"]), validate=True)
        sealed = base64.b64decode(str(data["sealed"]), validate=True)
        entries = _entries(json.loads(aead.decrypt(nonce, sealed, encode_line(top))))
    except (InvalidTag, binascii.Error, ValueError, KeyError, TypeError):
        raise _bad(path, "it does not open with this laptop's key") from None
    delivered = {row[0] for row in conn.execute(select(bundle_items.c.interview_id))}
    try:
        for entry in entries:
            _check_delivered(entry, delivered, path)
    except (KeyError, TypeError):
        raise _bad(path, "an interview's rows are incomplete") from None
    return entries


def _entries(plain: Any) -> list[dict[str, Any]]:
    entries = plain["returned"]
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise TypeError("returned")
    for entry in entries:
        entry["rows"] = decode_rows(entry["rows"])
    return entries


def _check_delivered(entry: dict[str, Any], delivered: set[str], path: Path) -> None:
    interview_id = entry.get("interview_id")
    rows = entry["rows"]
    ids = {r["id"] for r in rows["interviews"]} | {
        r["interview_id"] for name in ROW_TABLES[1:3] for r in rows[name]
    }
    if interview_id not in delivered or ids != {interview_id} or len(rows["interviews"]) != 1:
        raise MonitorError(
            f"the returns file reopens interview {str(interview_id)[:40]}, which this laptop "
            "did not deliver",
            code="FK-MON-071",
            location=Location(str(path), record=str(interview_id)[:40]),
            hint="a returns file reopens only this laptop's own interviews; nothing was "
            "reopened: report the file to the coordinator",
        )
    reference = rows["interviews"][0]["reference"]
    if any(r["reference"] != reference for r in rows["identities"]):
        raise _bad(path, "an identity does not belong to its interview")


def _reopen(conn: Connection, entry: dict[str, Any]) -> Reopened | None:
    interview_id, decided_at = str(entry["interview_id"]), str(entry["decided_at"])
    r = returned_interviews
    seen = conn.execute(
        select(r.c.interview_id).where(
            r.c.interview_id == interview_id, r.c.decided_at == decided_at
        )
    ).first()
    if seen is not None:
        return None
    now = dt.datetime.now(dt.UTC)
    interviews = capture_table("interviews")
    here = conn.execute(select(interviews.c.id).where(interviews.c.id == interview_id)).first()
    if here is None:
        _insert_rows(conn, entry["rows"])
    conn.execute(
        update(interviews)
        .where(interviews.c.id == interview_id)
        .values(status="draft", ended_at=None, updated_at=now)
    )
    comment, reviewer = str(entry["comment"]), str(entry["reviewer"])
    conn.execute(
        insert(r).values(
            interview_id=interview_id,
            decided_at=decided_at,
            comment=comment,
            reviewer=reviewer,
            reopened_at=now,
        )
    )
    return Reopened(interview_id, comment, reviewer)


def _insert_rows(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    for name in ROW_TABLES:  # no paradata: the reopened draft's own events start afresh
        if rows[name]:
            conn.execute(insert(capture_table(name)), rows[name])


def returned_comments(conn: Connection) -> dict[str, Reopened]:
    """The latest supervisor comment of each interview reopened on this laptop."""
    if not inspect(conn).has_table(returned_interviews.name):
        return {}
    r = returned_interviews
    found: dict[str, Reopened] = {}
    for row in conn.execute(select(r).order_by(r.c.reopened_at)):
        found[row.interview_id] = Reopened(row.interview_id, row.comment, row.reviewer)
    return found


def _bad(path: Path, why: str) -> MonitorError:
    return MonitorError(
        f"not a returns file for this laptop: {why}",
        code="FK-MON-070",
        location=Location(str(path)),
        hint="give the .receipt (and the .returns beside it) the coordinator's 'fieldkit merge' "
        "wrote for this laptop's bundle; nothing was reopened",
    )
