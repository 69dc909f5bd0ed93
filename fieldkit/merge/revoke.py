"""Revoke a laptop: its later bundles are refused, those it sent since a point go to review.

    result = revoke_device("hq.sqlite", device_id, reason="laptop stolen in Kenema",
                           from_sequence=12)

A revoked device stays revoked: ``merge`` refuses its bundles (FK-BUNDLE-032) and
``device register`` will not trust it again (set the replacement up as a new device). The
bundles it sent from a bundle sequence on (clock-free), or claiming to be made at or after a
time (the laptop's own clock: a hint, not proof), are listed and their interviews quarantined
(reason ``device_revoked``), excluded from datasets until a coordinator has reviewed them.
The revocation is one audited transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from fieldkit.errors import BundleError, Location
from fieldkit.merge.groups import refresh_included
from fieldkit.privacy.audit import AuditHead, head_in, record
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import bundles, devices, merged_interviews, quarantine

__all__ = ["REVOKED", "Revocation", "revoke_device"]

REVOKED = "device_revoked"
"""The quarantine reason of interviews from bundles sent by a revoked device."""


@dataclass(frozen=True)
class HeldBundle:
    name: str
    sha256: str
    sequence: int
    created_at: str | None
    interviews: int


@dataclass(frozen=True)
class Revocation:
    device_id: str
    revoked_at: str
    reason: str
    held: list[HeldBundle] = field(default_factory=list)
    """Bundles sent from the given point on: their interviews were quarantined."""
    quarantined: int = 0
    audit_head: AuditHead | None = None


def revoke_device(
    store: Path | str,
    device_id: str,
    *,
    reason: str,
    from_sequence: int | None = None,
    since: dt.datetime | None = None,
    actor: str | None = None,
) -> Revocation:
    """Revoke ``device_id``; quarantine what it sent from ``from_sequence`` / ``since`` on."""
    if not reason.strip():
        raise BundleError(
            "a revocation needs a reason",
            code="FK-BUNDLE-033",
            location=Location(record=device_id),
            hint="say why, e.g. --reason 'laptop stolen on 3 March in Kenema'",
        )
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with open_coordinator(store, create=False) as db, db.transaction() as conn:
        row = conn.execute(select(devices).where(devices.c.device_id == device_id)).one_or_none()
        if row is None:
            raise BundleError(
                f"device {device_id} is not registered at this coordinator",
                code="FK-BUNDLE-007",
                location=Location(record=device_id),
                hint="list the registered devices' ids in the merge report",
            )
        revoked_at = row.revoked_at or now
        conn.execute(
            update(devices)
            .where(devices.c.device_id == device_id)
            .values(revoked_at=revoked_at, revoked_reason=reason.strip())
        )
        held = _held(conn, device_id, from_sequence, since)
        count = _quarantine(conn, held, reason.strip())
        detail = {
            "reason": reason.strip(),
            "from_sequence": from_sequence,
            "since": since.isoformat() if since else None,
            "bundles": [b.sha256 for b in held],
            "interviews_quarantined": count,
        }
        record(conn, "device revoke", device_id, detail, actor=actor)
        head = head_in(conn)
    return Revocation(device_id, revoked_at, reason.strip(), held, count, head)


def _held(
    conn: Connection, device_id: str, from_sequence: int | None, since: dt.datetime | None
) -> list[HeldBundle]:
    rows = conn.execute(
        select(bundles.c.name, bundles.c.sha256, bundles.c.sequence, bundles.c.created_at)
        .where(bundles.c.device_id == device_id)
        .order_by(bundles.c.sequence)
    ).all()
    held = []
    for name, sha256, sequence, created_at in rows:
        by_sequence = from_sequence is not None and sequence >= from_sequence
        by_time = since is not None and _claimed(created_at) >= since
        if by_sequence or by_time:
            count = conn.execute(
                select(merged_interviews.c.interview_id).where(
                    merged_interviews.c.bundle_sha256 == sha256
                )
            ).all()
            held.append(HeldBundle(name, sha256, sequence, created_at, len(count)))
    return held


def _claimed(created_at: str | None) -> dt.datetime:
    """The laptop's claimed creation time (UTC); unreadable counts as the latest."""
    try:
        moment = dt.datetime.fromisoformat(str(created_at))
    except ValueError:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _quarantine(conn: Connection, held: list[HeldBundle], reason: str) -> int:
    ids: list[str] = []
    for item in held:
        ids += [
            str(i)
            for (i,) in conn.execute(
                select(merged_interviews.c.interview_id).where(
                    merged_interviews.c.bundle_sha256 == item.sha256
                )
            )
        ]
    fresh = []
    for interview_id in ids:
        seen = conn.execute(
            select(quarantine.c.interview_id).where(
                quarantine.c.interview_id == interview_id, quarantine.c.reason == REVOKED
            )
        ).first()
        if seen is None:
            fresh.append({"interview_id": interview_id, "reason": REVOKED, "detail": reason})
    if fresh:
        conn.execute(insert(quarantine), fresh)
    if ids:
        conn.execute(
            update(merged_interviews)
            .where(merged_interviews.c.bundle_sha256.in_([b.sha256 for b in held]))
            .values(quarantined=True)
        )
        refresh_included(conn, ids)
    return len(fresh)
