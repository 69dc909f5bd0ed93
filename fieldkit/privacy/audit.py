"""An append-only, hash-chained audit log in the coordinator store (table ``audit_log``).

Entry ``i`` stores ``hash_i = SHA-256(canonical JSON of [i, at, actor, action, subject, detail,
hash_(i-1)])`` with ``hash_(-1)`` = 64 zeros. ``verify`` walks the chain and names the first
index that is missing, out of place, edited or not linked to its predecessor.

A chain alone cannot show that its *last* entries were cut off, nor that an attacker rewrote
an entry and re-hashed everything after it. Anchor the head elsewhere (print it, mail it to
the ethics board: ``head()``) and pass it to ``verify(anchor=...)`` (Crosby & Wallach 2009).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from fieldkit.hashing import canonical_json
from fieldkit.store.database import Database
from fieldkit.store.tables import AuditEntry

__all__ = ["GENESIS", "AuditCheck", "AuditHead", "AuditLog", "AuditRecord", "entry_hash"]

GENESIS = "0" * 64
_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class AuditRecord:
    index: int
    at: str
    actor: str
    action: str
    subject: str
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The last entry's index and hash: keep a copy somewhere the log's host cannot change."""

    index: int
    hash: str


@dataclass(frozen=True, slots=True)
class AuditCheck:
    entries: int
    first_bad: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def entry_hash(record: AuditRecord) -> str:
    """The hash of everything in ``record`` but its own hash."""
    content = canonical_json(
        [
            record.index,
            record.at,
            record.actor,
            record.action,
            record.subject,
            record.detail,
            record.prev_hash,
        ]
    )
    return hashlib.sha256(content).hexdigest()


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, *, actor: str, action: str, subject: str, detail: str = "") -> AuditRecord:
        """Add an entry in its own committed transaction."""
        for attempt in range(_ATTEMPTS):
            try:
                with self.db.transaction() as conn:
                    return self.append_in(
                        conn, actor=actor, action=action, subject=subject, detail=detail
                    )
            except IntegrityError:  # another writer took the index first (server databases)
                if attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def append_in(
        self, conn: Connection, *, actor: str, action: str, subject: str, detail: str = ""
    ) -> AuditRecord:
        """Add an entry inside the caller's transaction."""
        last = conn.execute(
            select(AuditEntry.entry_index, AuditEntry.hash)  # type: ignore[call-overload]
            .order_by(col(AuditEntry.entry_index).desc())
            .limit(1)
        ).first()
        index, prev = (0, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        unsigned = AuditRecord(index, at, actor, action, subject, detail, prev, "")
        record = dataclasses.replace(unsigned, hash=entry_hash(unsigned))
        conn.execute(
            insert(AuditEntry).values(
                entry_index=index,
                at=at,
                actor=actor,
                action=action,
                subject=subject,
                detail=detail,
                prev_hash=prev,
                hash=record.hash,
            )
        )
        return record

    def entries(self) -> list[AuditRecord]:
        with self.db.read() as conn:
            rows = conn.execute(select(AuditEntry).order_by(col(AuditEntry.entry_index)))
            return [
                AuditRecord(
                    row.entry_index,
                    row.at,
                    row.actor,
                    row.action,
                    row.subject,
                    row.detail,
                    row.prev_hash,
                    row.hash,
                )
                for row in rows
            ]

    def head(self) -> AuditHead | None:
        entries = self.entries()
        return AuditHead(entries[-1].index, entries[-1].hash) if entries else None

    def verify(self, anchor: AuditHead | None = None) -> AuditCheck:
        """Walk the chain; the first bad index and why, or ok."""
        entries = self.entries()
        prev = GENESIS
        for position, entry in enumerate(entries):
            problem = _problem(position, entry, prev)
            if problem:
                return AuditCheck(len(entries), position, problem)
            prev = entry.hash
        if anchor is not None:
            if len(entries) <= anchor.index:
                return AuditCheck(len(entries), len(entries), "entries up to the anchor are gone")
            if entries[anchor.index].hash != anchor.hash:
                return AuditCheck(len(entries), anchor.index, "differs from the anchored head")
        return AuditCheck(len(entries))


def _problem(position: int, entry: AuditRecord, prev: str) -> str | None:
    if entry.index != position:
        return f"expected entry {position}, found {entry.index}: entries deleted or moved"
    if entry.prev_hash != prev:
        return "not linked to the entry before it: entries deleted, moved or rewritten"
    if entry.hash != entry_hash(entry):
        return "its content was edited"
    return None
