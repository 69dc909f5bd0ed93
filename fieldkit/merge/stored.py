"""What the store already holds of the interviews arriving: copies, clashes, replacements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, or_, select

from fieldkit.bundle.reader import ScannedBundle
from fieldkit.errors import BundleError, Location
from fieldkit.merge.groups import chunks
from fieldkit.merge.sets import one_of
from fieldkit.store.coordinator_tables import (
    capture_table,
    conflict_members,
    duplicates,
    event_logs,
    merged_interviews,
    quarantine,
)

__all__ = [
    "StoredCopy",
    "claimed_error",
    "clash_error",
    "delete_interviews",
    "find_clash",
    "stored_copies",
]


@dataclass(frozen=True, slots=True)
class StoredCopy:
    """The merged copy of an interview: where it came from and the groups it is in."""

    version: tuple[str, int]
    """(device id, bundle sequence) of the bundle that delivered it."""
    row_hash: str
    reference: str
    form_id: str
    content_hash: str | None
    unit_values: str | None


def stored_copies(conn: Connection, ids: list[str]) -> dict[str, StoredCopy]:
    interviews = capture_table("interviews")
    m = merged_interviews
    rows = conn.execute(
        select(
            m.c.interview_id,
            m.c.bundle_device,
            m.c.bundle_sequence,
            m.c.row_hash,
            m.c.form_id,
            m.c.content_hash,
            m.c.unit_values,
            interviews.c.reference,
        )
        .join(interviews, interviews.c.id == m.c.interview_id)
        .where(one_of(conn, m.c.interview_id, ids))
    )
    return {
        row.interview_id: StoredCopy(
            (row.bundle_device, row.bundle_sequence),
            row.row_hash,
            row.reference,
            row.form_id,
            row.content_hash,
            row.unit_values,
        )
        for row in rows
    }


def find_clash(
    conn: Connection, device_id: str, by_reference: dict[str, str], by_sequence: dict[int, str]
) -> tuple[str, str] | None:
    """(incoming id, stored id) of an interview whose reference or device sequence is taken."""
    interviews = capture_table("interviews")
    rows = conn.execute(
        select(
            interviews.c.id, interviews.c.reference, interviews.c.device_id, interviews.c.sequence
        ).where(
            or_(
                one_of(conn, interviews.c.reference, by_reference),
                and_(
                    interviews.c.device_id == device_id,
                    one_of(conn, interviews.c.sequence, by_sequence),
                ),
            )
        )
    )
    for row in rows:
        same_device = by_sequence.get(row.sequence) if row.device_id == device_id else None
        for mine in (by_reference.get(row.reference), same_device):
            if mine is not None and mine != row.id:
                return mine, row.id
    return None


def claimed_error(scanned: ScannedBundle, interview_id: str, stored: StoredCopy) -> BundleError:
    """FK-BUNDLE-011: another device's bundle claims an interview this one delivered."""
    owner, sequence = stored.version
    return BundleError(
        f"interview {interview_id} was delivered by device {owner} (bundle "
        f"{owner}-{sequence:06d}); device {scanned.manifest.device_id} cannot replace it",
        code="FK-BUNDLE-011",
        location=Location(scanned.where, record=interview_id),
        hint="an interview belongs to the laptop that sent it first: a copied laptop database "
        "or a forged bundle; nothing of this bundle was kept, investigate before merging it",
    )


def clash_error(scanned: ScannedBundle, mine: str, other: str | None) -> BundleError:
    what = f"interview {other} already merged" if other else "another interview"
    return BundleError(
        f"interview {mine} clashes with {what} (same id, reference or device sequence)",
        code="FK-BUNDLE-011",
        location=Location(scanned.where, record=mine),
        hint="two laptops share a database copy, or the bundle was forged: investigate",
    )


def delete_interviews(conn: Connection, items: list[tuple[str, str]]) -> None:
    """Remove stored copies (id, reference) and everything hanging on them, to re-insert."""
    for chunk in chunks(items):
        ids = [interview_id for interview_id, _ in chunk]
        references = [reference for _, reference in chunk]
        for table in (quarantine, duplicates, conflict_members, merged_interviews, event_logs):
            conn.execute(delete(table).where(table.c.interview_id.in_(ids)))
        for name in ("answers", "roster_members"):
            table = capture_table(name)
            conn.execute(delete(table).where(table.c.interview_id.in_(ids)))
        identities = capture_table("identities")
        conn.execute(delete(identities).where(identities.c.reference.in_(references)))
        interviews = capture_table("interviews")
        conn.execute(delete(interviews).where(interviews.c.id.in_(ids)))
