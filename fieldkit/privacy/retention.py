"""Retention that deletes: sealed answers past the protocol's ``identity_retention_days`` go.

    run = apply_retention("hq.sqlite", project.protocols, dry_run=True)   # what would go
    run = apply_retention("hq.sqlite", project.protocols)                 # and now it goes

An interview's sealed rows (``identities``: identifying answers sealed to the identity key,
and free text sealed to the merge key, the consent exception's note included: everything
fieldkit sealed because it may identify someone) are destroyed once the interview's
collection date (its end, else its start, as the laptop recorded it) plus the retention
period of its protocol is past. Its pseudonymous answers, roster and consent record stay.
The rows are deleted in one audited transaction (the entry lists the references), then the
space is reclaimed: SQLite overwrites deleted content (``secure_delete``) and ``VACUUM``
rewrites the file, PostgreSQL runs ``VACUUM FULL identities``. Interviews whose protocol the
project does not hold are kept and listed: without a retention period nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, delete, func, select

from fieldkit.privacy.audit import AuditHead, head_in, record
from fieldkit.protocol.model import Protocol
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.database import as_utc
from fieldkit.store.tables import Identity, Interview

__all__ = ["Expired", "RetentionRun", "apply_retention"]

_CHUNK = 500


@dataclass(frozen=True)
class Expired:
    interview_id: str
    reference: str
    protocol_id: str
    collected: dt.date
    due: dt.date
    """The last day the sealed rows were kept."""
    rows: int


@dataclass
class RetentionRun:
    today: dt.date
    dry_run: bool
    expired: list[Expired] = field(default_factory=list)
    unknown_protocols: Counter[str] = field(default_factory=Counter)
    """Protocol id → interviews with sealed rows kept because the project lacks the protocol."""
    audit_head: AuditHead | None = None

    @property
    def rows(self) -> int:
        return sum(item.rows for item in self.expired)


def apply_retention(
    store: Path | str,
    protocols: Mapping[str, Protocol],
    *,
    today: dt.date | None = None,
    dry_run: bool = False,
    actor: str | None = None,
) -> RetentionRun:
    """Destroy the sealed rows past their retention date (or, ``dry_run``, list them)."""
    run = RetentionRun(today or dt.datetime.now(dt.UTC).date(), dry_run)
    with open_coordinator(store, create=False) as db:
        with db.transaction() as conn:
            _find(conn, protocols, run)
            if not dry_run and run.expired:
                _destroy(conn, run)
                detail = {
                    "today": run.today.isoformat(),
                    "rows": run.rows,
                    "references": sorted(item.reference for item in run.expired),
                    "per_protocol": dict(Counter(item.protocol_id for item in run.expired)),
                }
                record(conn, "retention", f"{len(run.expired)} interview(s)", detail, actor=actor)
            run.audit_head = head_in(conn)
        if not dry_run and run.expired:
            db.reclaim("identities")
    return run


def _find(conn: Connection, protocols: Mapping[str, Protocol], run: RetentionRun) -> None:
    sealed = (
        select(Identity.reference, func.count().label("rows"))  # type: ignore[call-overload]
        .group_by(Identity.reference)
        .subquery()
    )
    rows = conn.execute(
        select(
            Interview.id,  # type: ignore[call-overload]
            Interview.reference,
            Interview.protocol_id,
            Interview.started_at,
            Interview.ended_at,
            sealed.c.rows,
        )
        .join(sealed, sealed.c.reference == Interview.reference)
        .order_by(Interview.id)
    )
    for interview_id, reference, protocol_id, started, ended, count in rows:
        protocol = protocols.get(protocol_id)
        if protocol is None:
            run.unknown_protocols[protocol_id] += 1
            continue
        collected = as_utc(ended or started).date()
        due = collected + dt.timedelta(days=protocol.model.identity_retention_days)
        if run.today > due:
            run.expired.append(
                Expired(interview_id, reference, protocol_id, collected, due, int(count))
            )


def _destroy(conn: Connection, run: RetentionRun) -> None:
    references = [item.reference for item in run.expired]
    for start in range(0, len(references), _CHUNK):
        chunk = references[start : start + _CHUNK]
        conn.execute(delete(Identity).where(Identity.reference.in_(chunk)))  # type: ignore[attr-defined]
