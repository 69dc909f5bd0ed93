"""The laptop's record of the bundles it made, and what a receipt lets it delete.

Two tables in the laptop database (created here if missing)::

    bundle_log    sequence (monotonic, never reused), status writing/written/receipted,
                  the file's SHA-256 and name, interview count, creation time (informational)
    bundle_items  which interviews went into each bundle, with their ``updated_at`` then

A bundle sequence is taken and committed *before* the file is written, so a crash mid-write
wastes a number but never reuses one (a reused number would look like a replay to the
coordinator). An interview is deleted from the laptop only when a receipt names a bundle made
here that held it, and only if it has not changed since (same ``updated_at``, compared for
equality, never ordered: P11).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)

from fieldkit.bundle.receipt import Receipt, read_receipt
from fieldkit.errors import BundleError, Location
from fieldkit.store.cipher import StoreKey
from fieldkit.store.coordinator_tables import capture_table
from fieldkit.store.database import Database, as_utc, open_database

__all__ = ["ReceiptOutcome", "apply_receipt", "ensure_ledger", "record_items", "take_sequence"]

LEDGER = MetaData()
_interviews = capture_table("interviews")
bundle_log = Table(
    "bundle_log",
    LEDGER,
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("status", String, nullable=False),
    Column("sha256", String, nullable=True),
    Column("file_name", String, nullable=False),
    Column("interviews", Integer, nullable=False, default=0),
    Column("created_at", String, nullable=False),
)
bundle_items = Table(
    "bundle_items",
    LEDGER,
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("interview_id", String, primary_key=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class ReceiptOutcome:
    bundle: str
    sequence: int
    deleted: int
    """Interviews removed from the laptop now."""
    kept_changed: int
    """Interviews in the bundle changed on the laptop since: kept for the next bundle."""
    already_applied: bool


def ensure_ledger(conn: Connection) -> None:
    LEDGER.create_all(conn, checkfirst=True)


def take_sequence(conn: Connection, file_name: str, created_at: str) -> int:
    """The next bundle sequence number, recorded as 'writing' in the caller's transaction."""
    ensure_ledger(conn)
    last = conn.execute(select(func.max(bundle_log.c.sequence))).scalar()
    sequence = int(last or 0) + 1
    conn.execute(
        insert(bundle_log).values(
            sequence=sequence, status="writing", file_name=file_name, created_at=created_at
        )
    )
    return sequence


def record_items(
    conn: Connection, sequence: int, sha256: str, items: Iterable[tuple[str, dt.datetime]]
) -> None:
    rows = [
        {"sequence": sequence, "interview_id": interview_id, "updated_at": updated_at}
        for interview_id, updated_at in items
    ]
    if rows:
        conn.execute(insert(bundle_items), rows)
    conn.execute(
        update(bundle_log)
        .where(bundle_log.c.sequence == sequence)
        .values(status="written", sha256=sha256, interviews=len(rows))
    )


def apply_receipt(db_path: Path, receipt_file: Path, key: StoreKey) -> ReceiptOutcome:
    """Delete from the laptop the interviews a coordinator receipt says were merged."""
    receipt = read_receipt(receipt_file)
    with open_database(db_path, role="laptop", key=key) as db:
        outcome = _apply(db, receipt, receipt_file)
        if outcome.deleted:
            db.checkpoint()  # the deleted rows' old pages leave the WAL too
    return outcome


def _apply(db: Database, receipt: Receipt, where: Path) -> ReceiptOutcome:
    with db.transaction() as conn:
        ensure_ledger(conn)
        device_id = conn.execute(select(capture_table("device").c.device_id)).scalar()
        row = conn.execute(
            select(bundle_log).where(bundle_log.c.sha256 == receipt.bundle_sha256)
        ).one_or_none()
        if row is None or device_id != receipt.device_id or row.sequence != receipt.sequence:
            raise BundleError(
                f"the receipt is for bundle {receipt.bundle}, which this laptop did not make",
                code="FK-BUNDLE-024",
                location=Location(str(where)),
                hint="give the receipt to the laptop that made the bundle; nothing was deleted",
            )
        if row.status == "receipted":
            return ReceiptOutcome(receipt.bundle, row.sequence, 0, 0, already_applied=True)
        deleted, changed = _delete_items(conn, row.sequence)
        conn.execute(
            update(bundle_log)
            .where(bundle_log.c.sequence == row.sequence)
            .values(status="receipted")
        )
    return ReceiptOutcome(receipt.bundle, row.sequence, deleted, changed, already_applied=False)


def _delete_items(conn: Connection, sequence: int) -> tuple[int, int]:
    items = conn.execute(
        select(bundle_items.c.interview_id, bundle_items.c.updated_at).where(
            bundle_items.c.sequence == sequence
        )
    ).all()
    deleted = changed = 0
    for interview_id, updated_at in items:
        row = conn.execute(
            select(_interviews.c.reference, _interviews.c.updated_at).where(
                _interviews.c.id == interview_id
            )
        ).one_or_none()
        if row is None:
            continue
        if as_utc(row.updated_at) != as_utc(updated_at):
            changed += 1
            continue
        _delete_interview(conn, interview_id, str(row.reference))
        deleted += 1
    return deleted, changed


def _delete_interview(conn: Connection, interview_id: str, reference: str) -> None:
    for name in ("answers", "roster_members", "paradata"):
        table = capture_table(name)
        conn.execute(delete(table).where(table.c.interview_id == interview_id))
    identities = capture_table("identities")
    conn.execute(delete(identities).where(identities.c.reference == reference))
    conn.execute(delete(_interviews).where(_interviews.c.id == interview_id))
