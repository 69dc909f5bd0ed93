"""Review decisions: a supervisor approves an interview, or rejects it with a comment saying
what to correct. Decisions are appended (never updated): the latest one stands, the others
stay as history, and each is written to the audit log in the same transaction."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from fieldkit.errors import Location
from fieldkit.monitor.errors import MonitorError
from fieldkit.monitor.report import build_monitor
from fieldkit.monitor.tables import review_decisions
from fieldkit.project import Project
from fieldkit.review.history import replaced_since
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import capture_table, duplicates, merged_interviews
from fieldkit.store.database import as_utc

__all__ = ["DECISIONS", "Decision", "ReviewItem", "decide", "review_queue"]

DECISIONS = ("approved", "rejected")
_MIN_PREFIX = 6


@dataclass(frozen=True)
class Decision:
    interview_id: str
    decision: str
    comment: str
    reviewer: str
    decided_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "interview_id": self.interview_id,
            "decision": self.decision,
            "comment": self.comment,
            "reviewer": self.reviewer,
            "decided_at": self.decided_at.isoformat(timespec="seconds"),
        }


@dataclass
class ReviewItem:
    interview_id: str
    form_id: str
    enumerator: str
    status: str
    started_at: dt.datetime
    flags: list[str] = field(default_factory=list)
    """The rules raised on the interview (MON-...)."""
    decision: Decision | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "interview_id": self.interview_id,
            "form_id": self.form_id,
            "enumerator": self.enumerator,
            "status": self.status,
            "started_at": self.started_at.isoformat(timespec="minutes"),
            "flags": list(self.flags),
            "decision": None if self.decision is None else self.decision.to_dict(),
        }


def review_queue(
    store: Path | str, project: Project, *, include_decided: bool = False
) -> list[ReviewItem]:
    """Merged interviews to review: flagged first (most flags first), then oldest first.
    Content duplicates are left out (the copy kept is reviewed); so are decided ones unless
    ``include_decided``."""
    flags: dict[str, list[str]] = {}
    for flag in build_monitor(store, project).flags:
        if flag.interview_id is not None:
            flags.setdefault(flag.interview_id, []).append(flag.rule)
    with open_coordinator(store, create=False) as db, db.read() as conn:
        latest = _latest(conn)
        corrected = replaced_since(conn)  # a corrected copy came back: review it afresh
        latest = {
            i: d for i, d in latest.items() if i not in corrected or corrected[i] < d.decided_at
        }
        items = [
            ReviewItem(row.id, row.form_id, row.enumerator, row.status, as_utc(row.started_at))
            for row in conn.execute(_merged())
        ]
    queue = []
    for item in items:
        item.flags = sorted(flags.get(item.interview_id, []))
        item.decision = latest.get(item.interview_id)
        if include_decided or item.decision is None:
            queue.append(item)
    queue.sort(key=lambda i: (-len(i.flags), i.started_at, i.interview_id))
    return queue


def _merged() -> Any:
    interviews = capture_table("interviews")
    m = merged_interviews
    return (
        select(
            interviews.c.id,
            interviews.c.form_id,
            interviews.c.enumerator,
            interviews.c.status,
            interviews.c.started_at,
        )
        .join(m, m.c.interview_id == interviews.c.id)
        .where(interviews.c.id.not_in(select(duplicates.c.interview_id)))
    )


def _latest(conn: Connection) -> dict[str, Decision]:
    r = review_decisions
    latest: dict[str, Decision] = {}
    for row in conn.execute(select(r).order_by(r.c.id)):
        latest[row.interview_id] = Decision(
            row.interview_id, row.decision, row.comment, row.reviewer, as_utc(row.decided_at)
        )
    return latest


def decide(
    store: Path | str, interview: str, decision: str, comment: str, reviewer: str
) -> Decision:
    """Record ``decision`` on the merged interview ``interview`` (its id or the start of it,
    at least six characters). A rejection needs a comment: it is what the enumerator reads."""
    from fieldkit.privacy.audit import AuditLog  # noqa: PLC0415  (the HQ audit chain)

    if decision not in DECISIONS:
        raise ValueError(decision)
    text = comment.strip()
    if decision == "rejected" and not text:
        raise MonitorError(
            "a rejection needs a comment: it is what the enumerator will read",
            code="FK-MON-057",
            hint="say what to correct, e.g. --comment 'ages of members 2 and 3 look swapped'",
        )
    with open_coordinator(store, create=False) as db, db.transaction() as conn:
        interview_id = _find(conn, interview)
        now = dt.datetime.now(dt.UTC)
        row = {
            "interview_id": interview_id,
            "decision": decision,
            "comment": text,
            "reviewer": reviewer,
            "decided_at": now,
        }
        conn.execute(insert(review_decisions).values(**row))
        detail = json.dumps({"decision": decision, "comment": text}, ensure_ascii=False)
        AuditLog(db).append_in(
            conn, actor=reviewer, action=f"review {decision}", subject=interview_id, detail=detail
        )
    return Decision(interview_id, decision, text, reviewer, now)


def _find(conn: Connection, given: str) -> str:
    """The merged interview ``given`` names (FK-MON-056: none, or more than one)."""
    m = merged_interviews
    query = select(m.c.interview_id).where(m.c.interview_id.startswith(given, autoescape=True))
    found = [] if len(given) < _MIN_PREFIX else [row[0] for row in conn.execute(query.limit(2))]
    if len(found) == 1:
        return str(found[0])
    reason = "matches more than one" if found else "is not a merged interview"
    raise MonitorError(
        f"'{given}' {reason}",
        code="FK-MON-056",
        location=Location(record=given),
        hint=f"give the interview id (at least {_MIN_PREFIX} characters) 'fieldkit review' lists",
    )
