"""An append-only, hash-chained audit log in the coordinator store (table ``audit_log``).

Entry ``i`` stores ``hash_i = SHA-256(canonical JSON of [i, at, actor, action, subject, detail,
hash_(i-1)])`` with ``hash_(-1)`` = 64 zeros. ``verify`` walks the chain and names the first
index that is missing, out of place, edited or not linked to its predecessor.

A chain alone cannot show that its *last* entries were cut off, nor that an attacker rewrote
an entry and re-hashed everything after it. Anchor the head elsewhere: every fieldkit command
that writes prints it (``#12:9f3c…``), every receipt and every export's About sheet carries
it; pass the ones you kept to ``verify(anchors=...)`` (Crosby & Wallach 2009). With several
anchors, a rewritten chain is narrowed down to the entries between the last anchor that still
matches and the first that does not.

What is logged (``action``): ``merge`` and ``merge refused`` (per bundle, with its SHA-256),
``export``, ``reveal`` and ``reveal refused``, ``conflict resolved``, ``quarantine release``,
``device register`` / ``device replace`` / ``device revoke``, ``keys init`` / ``keys rotate``,
``retention``, ``protocol``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from fieldkit.errors import PrivacyError
from fieldkit.hashing import canonical_json
from fieldkit.store.database import Database
from fieldkit.store.tables import AuditEntry

__all__ = [
    "GENESIS",
    "AuditCheck",
    "AuditHead",
    "AuditLog",
    "AuditRecord",
    "current_actor",
    "entry_hash",
    "head_in",
    "parse_anchor",
    "read_entries",
    "record",
]

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

    def text(self) -> str:
        """``#12:<64 hex>``, as commands print it and ``--anchor`` takes it."""
        return f"#{self.index}:{self.hash}"


_ANCHOR = re.compile(r"^#?(\d+):([0-9a-f]{64})$")


def parse_anchor(text: str) -> AuditHead:
    """An anchor as printed (``#12:9f3c…``, the full hash); FK-PRIV-005 otherwise."""
    found = _ANCHOR.match(text.strip().lower())
    if found is None:
        raise PrivacyError(
            f"not an audit anchor: {text[:40]!r}",
            code="FK-PRIV-005",
            hint="give the head a fieldkit command printed, as #INDEX:HASH (64 hex digits)",
        )
    return AuditHead(int(found.group(1)), found.group(2))


def current_actor() -> str:
    """Who runs this command, as the operating system says (for audit entries)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without /etc/passwd)
        return "unknown"


def record(
    conn: Connection,
    action: str,
    subject: str,
    detail: Mapping[str, Any],
    *,
    actor: str | None = None,
) -> AuditRecord:
    """One entry in the caller's transaction: it commits, or rolls back, with what it logs."""
    return _append(
        conn,
        actor=actor or current_actor(),
        action=action,
        subject=subject,
        detail=canonical_json(dict(detail)).decode("utf-8"),
    )


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
        return _append(conn, actor=actor, action=action, subject=subject, detail=detail)

    def entries(self) -> list[AuditRecord]:
        with self.db.read() as conn:
            return read_entries(conn)

    def head(self) -> AuditHead | None:
        entries = self.entries()
        return AuditHead(entries[-1].index, entries[-1].hash) if entries else None

    def verify(
        self, anchor: AuditHead | None = None, *, anchors: Sequence[AuditHead] = ()
    ) -> AuditCheck:
        """Walk the chain, then compare it with every anchor; the first bad index and why."""
        entries = self.entries()
        prev = GENESIS
        for position, entry in enumerate(entries):
            problem = _problem(position, entry, prev)
            if problem:
                return AuditCheck(len(entries), position, problem)
            prev = entry.hash
        kept = sorted({*anchors, *([anchor] if anchor else [])}, key=lambda a: a.index)
        matched = -1
        for item in kept:
            if len(entries) <= item.index:
                return AuditCheck(
                    len(entries), len(entries), f"entries up to anchor #{item.index} are gone"
                )
            if entries[item.index].hash != item.hash:
                return AuditCheck(
                    len(entries),
                    matched + 1,
                    f"differs from anchor #{item.index}: the chain was rewritten at or after "
                    f"entry {matched + 1}",
                )
            matched = item.index
        return AuditCheck(len(entries))


def _append(conn: Connection, *, actor: str, action: str, subject: str, detail: str) -> AuditRecord:
    last = head_in(conn)
    index, prev = (0, GENESIS) if last is None else (last.index + 1, last.hash)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    unsigned = AuditRecord(index, at, actor, action, subject, detail, prev, "")
    entry = dataclasses.replace(unsigned, hash=entry_hash(unsigned))
    conn.execute(
        insert(AuditEntry).values(
            entry_index=index,
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            detail=detail,
            prev_hash=prev,
            hash=entry.hash,
        )
    )
    return entry


def read_entries(conn: Connection) -> list[AuditRecord]:
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


def head_in(conn: Connection) -> AuditHead | None:
    """The last entry's index and hash, read inside the caller's transaction."""
    last = conn.execute(
        select(AuditEntry.entry_index, AuditEntry.hash)  # type: ignore[call-overload]
        .order_by(col(AuditEntry.entry_index).desc())
        .limit(1)
    ).first()
    return None if last is None else AuditHead(int(last[0]), str(last[1]))


def _problem(position: int, entry: AuditRecord, prev: str) -> str | None:
    if entry.index != position:
        return f"expected entry {position}, found {entry.index}: entries deleted or moved"
    if entry.prev_hash != prev:
        return "not linked to the entry before it: entries deleted, moved or rewritten"
    if entry.hash != entry_hash(entry):
        return "its content was edited"
    return None
