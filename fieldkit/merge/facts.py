"""What the merge needs to know of each interview in a payload, read batch by batch in SQL.

One aggregate query per payload table and batch of interviews. The payload's tables are
``WITHOUT ROWID`` and keyed by interview id first, so each query is a range scan of the key
and SQLite groups the rows as it meets them, in key order: no sort, and no row crosses into
Python. Per interview it gives row counts, the consent-relevant order of events and first
answer time, the paradata packed as the store keeps them (one JSON array), the answers the
form's unit key and district need, the rows no fieldkit writes (FK-BUNDLE-010), and two
hashes:

``row_hash``      the interview record: a laptop changes only drafts, and every change bumps
                  ``updated_at`` (the marker its receipts rely on too), so this tells a
                  re-send (equal) from a changed copy without reading every row again
``content_hash``  form id + answers + roster members, no ids, times or identities: equal for
                  the same answers entered again under another id (a content duplicate)

``tests/test_merge_facts.py`` checks ``content_hash`` against a plain Python computation over
explicitly sorted rows, so a SQLite that fed ``group_concat`` in another order would be caught.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from fieldkit.bundle.payload import PAYLOAD_COLUMNS

__all__ = ["BadRows", "InterviewFacts", "read_facts"]

_TIME_GLOB = (  # a stored time: "YYYY-MM-DD HH:MM:SS.ffffff" (SQLAlchemy's SQLite format, UTC)
    "[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9]."
    "[0-9][0-9][0-9][0-9][0-9][0-9]"
)
_RECORD = " || char(31) || ".join(
    f"ifnull({column}, char(0))" for column in PAYLOAD_COLUMNS["interviews"]
)
"""The interview record as one text (what ``row_hash`` hashes)."""
_BAD_INTERVIEW = (
    "(typeof(sequence) != 'integer' OR status NOT IN ('complete', 'refused', 'stopped') "
    f"OR NOT started_at GLOB '{_TIME_GLOB}' OR NOT updated_at GLOB '{_TIME_GLOB}' "
    f"OR (ended_at IS NOT NULL AND NOT ended_at GLOB '{_TIME_GLOB}') "
    "OR length(started_at) + length(updated_at) + length(ifnull(ended_at, '')) "
    "NOT IN (52, 78))"
)


class BadRows(ValueError):
    """Rows that contradict the manifest or that fieldkit never writes."""


@dataclass(slots=True)
class InterviewFacts:
    interview: dict[str, Any]
    answers: int = 0
    members: int = 0
    identities: int = 0
    consent_event: int | None = None
    """Laptop order (paradata id) of the first consent event, if any."""
    first_answer_event: int | None = None
    first_answer_at: str | None = None
    """Earliest answer time, from answers and answer events (stored time text, UTC)."""
    values: dict[str, Any] = field(default_factory=dict)
    """Answered values of the household-level questions asked for (member 0)."""
    content_hash: str | None = None
    row_hash: str = ""
    events: int = 0
    event_log: str = "[]"
    """The paradata packed as the store keeps it: a JSON array of [at, event, question,
    member, elapsed_ms, detail], in the laptop's order."""
    content: list[str] = field(default_factory=list)
    """What ``content_hash`` is made of: answers, then roster members."""

    @property
    def id(self) -> str:
        return str(self.interview["id"])

    @property
    def has_data(self) -> bool:
        return bool(self.answers or self.members or self.identities)

    def first_answer_time(self) -> dt.datetime | None:
        if self.first_answer_at is None:
            return None
        try:
            return dt.datetime.fromisoformat(self.first_answer_at).replace(tzinfo=dt.UTC)
        except ValueError:
            raise BadRows(f"interview {self.id} has a bad answer time") from None

    def earliest(self, at: str | None) -> None:
        if at is not None and (self.first_answer_at is None or at < self.first_answer_at):
            self.first_answer_at = at


_QUERIES = {
    "answers": (
        "SELECT interview_id, count(*), min(changed_at), group_concat("
        "question || char(31) || member || char(31) || value || char(31) || status, char(30)), "
        "sum(typeof(member) != 'integer' OR member < 0 OR typeof(value) != 'text' "
        "OR NOT json_valid(value) OR length(changed_at) != 26) "
        "FROM {s}.answers WHERE interview_id BETWEEN ? AND ? GROUP BY interview_id"
    ),
    "roster_members": (
        "SELECT interview_id, count(*), "
        "group_concat(roster || char(31) || member, char(30)), "
        "sum(typeof(member) != 'integer' OR member < 1) "
        "FROM {s}.roster_members WHERE interview_id BETWEEN ? AND ? GROUP BY interview_id"
    ),
    "paradata": (
        "SELECT interview_id, count(*), "
        "min(CASE WHEN event = 'consent' THEN id END), "
        "min(CASE WHEN event IN ('answer', 'change') THEN id END), "
        "min(CASE WHEN event IN ('answer', 'change') THEN at END), "
        "json_group_array(json_array(at, event, question, member, elapsed_ms, detail)), "
        "sum(typeof(member) != 'integer' OR member < 0 OR typeof(id) != 'integer' "
        "OR length(at) != 26) "
        "FROM {s}.paradata WHERE interview_id BETWEEN ? AND ? GROUP BY interview_id"
    ),
    "identities": (
        "SELECT v.id, count(*), "
        "sum(typeof(s.member) != 'integer' OR s.member < 0 OR typeof(s.sealed) != 'blob') "
        "FROM {s}.interviews v JOIN {s}.identities s ON s.reference = v.reference "
        "WHERE v.id BETWEEN ? AND ? GROUP BY v.id"
    ),
}
"""Per interview: rows, what consent checks need, content parts, and a count of bad rows
(last column). Times are checked for their stored length here; the laptop writes them
through the same code as the store, and the interview's own times are checked in full."""


def read_facts(
    conn: sqlite3.Connection,
    schema: str,
    wanted: Collection[str],
    batch: int,
    totals: Counter[str],
) -> Iterator[list[InterviewFacts]]:
    """Batches of interviews in id order, with their facts. ``wanted``: questions whose
    member-0 answered value is kept in ``values``; ``totals``: rows per table as counted in
    the payload (all rows must belong to an interview). Raises BadRows."""
    columns = PAYLOAD_COLUMNS["interviews"]
    select = f"SELECT {', '.join(columns)}, {_RECORD}, {_BAD_INTERVIEW} FROM {schema}.interviews"
    queries = {table: sql.format(s=schema) for table, sql in _QUERIES.items()}
    values_sql = _values_query(schema, wanted)
    seen: Counter[str] = Counter()
    last = ""
    while True:
        rows = conn.execute(f"{select} WHERE id > ? ORDER BY id LIMIT ?", (last, batch)).fetchall()
        if not rows:
            break
        facts = {row[0]: _interview(columns, row) for row in rows}
        span = (rows[0][0], rows[-1][0])
        for table, sql in queries.items():
            seen[table] += _apply(table, conn.execute(sql, span), facts)
        if values_sql:
            for interview_id, question, value in conn.execute(values_sql, span):
                facts[interview_id].values[question] = json.loads(value)
        for item in facts.values():
            _finish(item)
        seen["interviews"] += len(rows)
        yield list(facts.values())
        last = rows[-1][0]
    short = {t: n for t, n in totals.items() if t in _QUERIES and seen[t] != n}
    if short:
        raise BadRows(f"rows that belong to no interview ({', '.join(sorted(short))})")


def _values_query(schema: str, wanted: Collection[str]) -> str | None:
    names = sorted(wanted)
    if not names:
        return None
    listed = ", ".join("'" + name.replace("'", "''") + "'" for name in names)
    return (
        f"SELECT interview_id, question, value FROM {schema}.answers "
        f"WHERE interview_id BETWEEN ? AND ? AND member = 0 AND status = 'answered' "
        f"AND question IN ({listed})"
    )


def _interview(columns: tuple[str, ...], row: tuple[Any, ...]) -> InterviewFacts:
    *values, record, bad = row
    if bad:
        raise BadRows(f"interview {row[0]} is not finished, or has a bad time or sequence")
    return InterviewFacts(
        dict(zip(columns, values, strict=True)),
        row_hash=hashlib.sha256(record.encode("utf-8")).hexdigest(),
    )


def _apply(table: str, rows: sqlite3.Cursor, facts: dict[str, InterviewFacts]) -> int:
    counted = 0
    for row in rows:
        item = facts.get(row[0])
        if item is None:
            raise BadRows(f"a row of '{table}' belongs to no interview ({row[0]})")
        if row[-1]:
            raise BadRows(f"interview {row[0]} has a row fieldkit never writes in '{table}'")
        counted += row[1]
        if table == "answers":
            item.answers = row[1]
            item.earliest(row[2])
            item.content.append(row[3])
        elif table == "roster_members":
            item.members = row[1]
            item.content.append(row[2])
        elif table == "paradata":
            item.events = row[1]
            item.consent_event, item.first_answer_event = row[2], row[3]
            item.earliest(row[4])
            item.event_log = row[5]
        else:
            item.identities = row[1]
    return counted


def _finish(item: InterviewFacts) -> None:
    if item.answers:
        content = "\x1d".join([item.interview["form_id"], *item.content])
        item.content_hash = hashlib.sha256(content.encode("utf-8")).hexdigest()
    item.content = []
