"""What a coordinator reviews after a merge: devices, unit conflicts, quarantine.

Conflicts are resolved with a recorded reason and name (``conflict_resolutions`` keeps every
resolution); quarantine can be listed, never emptied: there is no function that deletes it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from fieldkit.bundle.device import DevicePublicKey
from fieldkit.bundle.format import DEVICE_ID
from fieldkit.errors import BundleError, Location, MergeConflict
from fieldkit.merge.groups import members_digest, refresh_included
from fieldkit.merge.rowcheck import printable
from fieldkit.privacy.audit import record
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import (
    capture_table,
    conflict_members,
    conflict_resolutions,
    conflicts,
    devices,
    merged_interviews,
    quarantine,
)
from fieldkit.store.database import as_utc

__all__ = [
    "ConflictMember",
    "ConflictView",
    "QuarantineEntry",
    "Resolution",
    "list_conflicts",
    "list_quarantine",
    "register_device",
    "resolve_conflict",
]


def register_device(store: Path | str, key: DevicePublicKey, *, replace: bool = False) -> str:
    """Trust ``key`` for its device's bundles: 'registered', 'unchanged' or 'replaced'.

    A device registered with another key is refused (FK-BUNDLE-027) unless ``replace``; a
    revoked device is refused (FK-BUNDLE-032); a device id its bundles could never carry (the
    manifest's name rule) is FK-BUNDLE-026. Registering and replacing are audited.
    """
    if not DEVICE_ID.fullmatch(key.device_id):
        raise BundleError(
            f"not a fieldkit device key file: the device id {printable(key.device_id)} is not "
            "one a laptop makes",
            code="FK-BUNDLE-026",
            location=Location(record=printable(key.device_id)),
            hint="use the device-<id>.pub file 'fieldkit device init' wrote on the laptop",
        )
    with open_coordinator(store) as db, db.transaction() as conn:
        status = _register(conn, key, replace=replace)
        if status != "unchanged":
            action = {"registered": "device register", "replaced": "device replace"}[status]
            record(conn, action, key.device_id, {"fingerprint": key.fingerprint})
        return status


def _register(conn: Connection, key: DevicePublicKey, *, replace: bool) -> str:
    row = conn.execute(select(devices).where(devices.c.device_id == key.device_id)).one_or_none()
    if row is not None and row.revoked_at is not None:
        raise BundleError(
            f"device {key.device_id} was revoked ({row.revoked_reason})",
            code="FK-BUNDLE-032",
            location=Location(record=key.device_id),
            hint="a revoked laptop stays revoked: set up the replacement as a new device",
        )
    if row is None:
        conn.execute(
            insert(devices).values(
                device_id=key.device_id,
                public_key=key.text,
                fingerprint=key.fingerprint,
                last_sequence=0,
            )
        )
        return "registered"
    if row.public_key == key.text:
        return "unchanged"
    if not replace:
        raise BundleError(
            f"device {key.device_id} is registered with another key ({row.fingerprint})",
            code="FK-BUNDLE-027",
            location=Location(record=key.device_id),
            hint="if the laptop's key was lost or stolen, register the new one with --replace",
        )
    conn.execute(
        update(devices)
        .where(devices.c.device_id == key.device_id)
        .values(public_key=key.text, fingerprint=key.fingerprint)
    )
    return "replaced"


@dataclass(frozen=True)
class ConflictMember:
    interview_id: str
    enumerator: str
    device_id: str
    sequence: int
    bundle: str
    status: str
    started_at: dt.datetime
    answers: dict[str, Any]
    """Top-level answers (question → value): what a coordinator compares side by side."""

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "started_at": self.started_at.isoformat()}


@dataclass(frozen=True)
class Resolution:
    """One decision a coordinator recorded on a conflict (never deleted)."""

    kept_interview_id: str
    reason: str
    resolved_by: str
    resolved_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "resolved_at": self.resolved_at.isoformat()}


@dataclass(frozen=True)
class ConflictView:
    id: str
    form_id: str
    unit: list[Any]
    status: str
    kept_interview_id: str | None
    members: list[ConflictMember] = field(default_factory=list)
    reason: str | None = None
    resolved_by: str | None = None
    history: list[Resolution] = field(default_factory=list)
    """Every decision recorded on this conflict, oldest first (the current one last)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "members": [m.to_dict() for m in self.members],
            "history": [r.to_dict() for r in self.history],
        }


@dataclass(frozen=True)
class QuarantineEntry:
    interview_id: str
    form_id: str
    enumerator: str
    device_id: str
    bundle: str
    reason: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def list_conflicts(store: Path | str, *, include_resolved: bool = False) -> list[ConflictView]:
    with open_coordinator(store, create=False) as db, db.read() as conn:
        query = select(conflicts).order_by(conflicts.c.form_id, conflicts.c.unit_values)
        if not include_resolved:
            query = query.where(conflicts.c.status == "open")
        return [_view(conn, row) for row in conn.execute(query).all()]


def _view(conn: Connection, row: Any) -> ConflictView:
    resolution = None
    if row.resolution_id is not None:
        resolution = conn.execute(
            select(conflict_resolutions).where(conflict_resolutions.c.id == row.resolution_id)
        ).one_or_none()
    history = conn.execute(
        select(conflict_resolutions)
        .where(conflict_resolutions.c.conflict_id == row.id)
        .order_by(conflict_resolutions.c.id)
    )
    return ConflictView(
        id=row.id,
        form_id=row.form_id,
        unit=json.loads(row.unit_values),
        status=row.status,
        kept_interview_id=row.kept_interview_id,
        members=_members(conn, row.id),
        reason=None if resolution is None else resolution.reason,
        resolved_by=None if resolution is None else resolution.resolved_by,
        history=[
            Resolution(r.kept_interview_id, r.reason, r.resolved_by, as_utc(r.resolved_at))
            for r in history
        ],
    )


def _members(conn: Connection, conflict: str) -> list[ConflictMember]:
    interviews = capture_table("interviews")
    answers = capture_table("answers")
    rows = conn.execute(
        select(interviews, merged_interviews.c.bundle_sha256)
        .join(conflict_members, conflict_members.c.interview_id == interviews.c.id)
        .join(merged_interviews, merged_interviews.c.interview_id == interviews.c.id)
        .where(conflict_members.c.conflict_id == conflict)
        .order_by(interviews.c.device_id, interviews.c.sequence, interviews.c.id)
    ).all()
    members = []
    for row in rows:
        values = conn.execute(
            select(answers.c.question, answers.c.value)
            .where(answers.c.interview_id == row.id, answers.c.member == 0)
            .order_by(answers.c.question)
        )
        members.append(
            ConflictMember(
                interview_id=row.id,
                enumerator=row.enumerator,
                device_id=row.device_id,
                sequence=row.sequence,
                bundle=row.bundle_sha256,
                status=row.status,
                started_at=as_utc(row.started_at),
                answers={question: json.loads(value) for question, value in values},
            )
        )
    return members


def resolve_conflict(
    store: Path | str,
    conflict: str,
    *,
    keep: str,
    reason: str,
    resolved_by: str,
    force: bool = False,
) -> ConflictView:
    """Keep one interview of a unit conflict; the others stay stored but excluded.

    A conflict already resolved keeps its decision: the same interview again changes
    nothing, another one is refused (FK-MERGE-030, naming the earlier decision) unless
    ``force``. Every decision stays in ``conflict_resolutions``, the history."""
    if not reason.strip() or not resolved_by.strip():
        raise MergeConflict(
            "a resolution needs a reason and the name of who decided",
            code="FK-MERGE-003",
            location=Location(record=conflict),
            hint="say why this interview is the right one, e.g. 'revisit: household confirmed'",
        )
    with open_coordinator(store, create=False) as db:
        with db.transaction() as conn:
            row = _conflict(conn, conflict)
            members = [m for (m,) in conn.execute(_member_ids(conflict))]
            if keep not in members:
                raise MergeConflict(
                    f"interview {keep} is not one of the interviews in conflict {conflict}",
                    code="FK-MERGE-002",
                    location=Location(record=conflict),
                    hint=f"keep one of: {', '.join(sorted(members))}",
                )
            if row.status == "resolved" and (row.kept_interview_id == keep or not force):
                _unchanged_or_refused(conn, row, keep)
                return _view(conn, row)
            _record_resolution(
                conn, row.id, members, keep=keep, reason=reason.strip(), by=resolved_by.strip()
            )
            refresh_included(conn, members)
            detail = {"keep": keep, "members": sorted(members), "reason": reason.strip()}
            record(conn, "conflict resolved", row.id, detail, actor=resolved_by.strip())
        with db.read() as conn:
            return _view(conn, _conflict(conn, conflict))


def _unchanged_or_refused(conn: Connection, row: Any, keep: str) -> None:
    """The same decision again is no change; another one needs ``force`` (FK-MERGE-030)."""
    if row.kept_interview_id == keep:
        return
    earlier = conn.execute(
        select(conflict_resolutions).where(conflict_resolutions.c.id == row.resolution_id)
    ).one()
    raise MergeConflict(
        f"conflict {row.id} was already resolved by {earlier.resolved_by} on "
        f"{as_utc(earlier.resolved_at):%Y-%m-%d %H:%M} UTC: keep {earlier.kept_interview_id} "
        f"({earlier.reason!r})",
        code="FK-MERGE-030",
        location=Location(record=row.id),
        hint=f"to keep {keep} instead, resolve again with --force: the earlier decision stays "
        "in the conflict's history",
    )


def _member_ids(conflict: str) -> Any:
    return select(conflict_members.c.interview_id).where(conflict_members.c.conflict_id == conflict)


def _conflict(conn: Connection, conflict: str) -> Any:
    row = conn.execute(select(conflicts).where(conflicts.c.id == conflict)).one_or_none()
    if row is None:
        raise MergeConflict(
            f"no unit conflict '{conflict}'",
            code="FK-MERGE-001",
            location=Location(record=conflict),
            hint="list them with 'fieldkit conflicts --store STORE'",
        )
    return row


def _record_resolution(
    conn: Connection, conflict: str, members: list[str], *, keep: str, reason: str, by: str
) -> None:
    inserted = conn.execute(
        insert(conflict_resolutions).values(
            conflict_id=conflict,
            members_digest=members_digest(members),
            kept_interview_id=keep,
            reason=reason,
            resolved_by=by,
            resolved_at=dt.datetime.now(dt.UTC),
        )
    ).inserted_primary_key
    assert inserted is not None
    conn.execute(
        update(conflicts)
        .where(conflicts.c.id == conflict)
        .values(status="resolved", kept_interview_id=keep, resolution_id=inserted[0])
    )


def list_quarantine(store: Path | str, *, reason: str | None = None) -> list[QuarantineEntry]:
    interviews = capture_table("interviews")
    query = (
        select(
            quarantine,
            merged_interviews.c.form_id,
            merged_interviews.c.bundle_sha256,
            interviews.c.enumerator,
            interviews.c.device_id,
        )
        .join(merged_interviews, merged_interviews.c.interview_id == quarantine.c.interview_id)
        .join(interviews, interviews.c.id == quarantine.c.interview_id)
        .order_by(quarantine.c.reason, quarantine.c.interview_id)
    )
    if reason is not None:
        query = query.where(quarantine.c.reason == reason)
    with open_coordinator(store, create=False) as db, db.read() as conn:
        return [
            QuarantineEntry(
                row.interview_id,
                row.form_id,
                row.enumerator,
                row.device_id,
                row.bundle_sha256,
                row.reason,
                row.detail,
            )
            for row in conn.execute(query)
        ]
