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
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldkit.bundle.payload import PAYLOAD_COLUMNS
from fieldkit.instrument.form import Form
from fieldkit.merge.consent import read_record
from fieldkit.merge.rowcheck import RowCheck, first_problem, install_forms, printable, row_checks
from fieldkit.merge.textcheck import log_problem, times_problem

__all__ = ["BadRows", "InterviewFacts", "read_facts"]

_RECORD = " || char(31) || ".join(
    f"ifnull(i.{column}, char(0))" for column in PAYLOAD_COLUMNS["interviews"]
)
"""The interview record as one text (what ``row_hash`` hashes)."""


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
    consent_record: dict[str, Any] | None = None
    """The consent record, parsed and checked once (``consent.read_record``)."""

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
        "SELECT a.interview_id, count(*), min(a.changed_at), group_concat(a.question "
        "|| char(31) || a.member || char(31) || a.value || char(31) || a.status, char(30)), "
        "group_concat(a.changed_at, ','), count({check}) "
        "FROM {source} WHERE a.interview_id BETWEEN ? AND ? "
        "GROUP BY a.interview_id"
    ),
    "roster_members": (
        "SELECT m.interview_id, count(*), "
        "group_concat(m.roster || char(31) || m.member, char(30)), count({check}) "
        "FROM {source} WHERE m.interview_id BETWEEN ? AND ? GROUP BY m.interview_id"
    ),
    "paradata": (
        "SELECT p.interview_id, count(*), "
        "min(CASE WHEN p.event = 'consent' THEN p.id END), "
        "min(CASE WHEN p.event IN ('answer', 'change') THEN p.id END), "
        "min(CASE WHEN p.event IN ('answer', 'change') THEN p.at END), "
        "json_group_array(json_array(p.at, p.event, p.question, p.member, p.elapsed_ms, "
        "p.detail)), count({check}) "
        "FROM {source} WHERE p.interview_id BETWEEN ? AND ? GROUP BY p.interview_id"
    ),
    "identities": (
        "SELECT i.id, count(*), count({check}) FROM {source} WHERE i.id BETWEEN ? AND ? "
        "GROUP BY i.id"
    ),
}
"""Per interview: rows, what consent checks need, content parts, and how many rows fail
their check (last column; ``fieldkit.merge.rowcheck``). Each query is a range scan of its
table's key (a join to its interview, when there is one, is driven by it: ``CROSS JOIN``),
so rows are met, and grouped, in the payload's key order."""


def _query(template: str, check: RowCheck) -> tuple[str, RowCheck]:
    return template.replace("{check}", check.problem).replace("{source}", check.source), check


def read_facts(
    conn: sqlite3.Connection,
    schema: str,
    *,
    forms: Iterable[Form],
    wanted: Collection[str],
    batch: int,
    totals: Counter[str],
    merge_key_id: str,
) -> Iterator[list[InterviewFacts]]:
    """Batches of interviews in id order, with their facts, every row checked against
    ``forms`` (``fieldkit.merge.rowcheck``). ``wanted``: questions whose member-0 answered
    value is kept in ``values``; ``totals``: rows per table as counted in the payload (every
    row must belong to an interview); ``merge_key_id``: the fingerprint of the merge key
    free text is sealed to. Raises BadRows naming the first row refused."""
    forms = list(forms)
    install_forms(conn, forms)
    checks = row_checks(schema, [form.hash for form in forms], merge_key_id)
    identifying = {form.hash: frozenset(form.pii_fields()) for form in forms}
    columns = PAYLOAD_COLUMNS["interviews"]
    select = (
        f"SELECT {', '.join('i.' + c for c in columns)}, {_RECORD}, "
        f"{checks.interview_problem} FROM {checks.interview_source}"
    )
    queries = {table: _query(sql, checks.children[table]) for table, sql in _QUERIES.items()}
    values_sql = _values_query(schema, wanted)
    seen: Counter[str] = Counter()
    rows = conn.execute(f"{select} ORDER BY i.id LIMIT ?", (batch,)).fetchall()
    while rows:
        facts = {row[0]: _interview(columns, row) for row in rows}
        span = (rows[0][0], rows[-1][0])
        for table, (sql, check) in queries.items():
            seen[table] += _apply(table, conn.execute(sql, span), facts, check, identifying)
        if values_sql:
            for interview_id, question, value in conn.execute(values_sql, span):
                facts[interview_id].values[question] = _decoded(interview_id, question, value)
        for item in facts.values():
            _finish(item)
        seen["interviews"] += len(rows)
        yield list(facts.values())
        last = rows[-1][0]
        rows = conn.execute(
            f"{select} WHERE i.id > ? ORDER BY i.id LIMIT ?", (last, batch)
        ).fetchall()
    short = {t: n for t, n in totals.items() if t in (*_QUERIES, "interviews") and seen[t] != n}
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


def _decoded(interview_id: str, question: str, value: str) -> Any:
    """An answer's value for unit keys and district names (SQL checked it is JSON of its
    question's type); a NUL in a name would not go into PostgreSQL."""
    try:
        decoded = json.loads(value)  # SQL checked it is JSON of its question's type
    except (ValueError, RecursionError):
        raise BadRows(f"interview {interview_id}: answer {question!r} is not JSON") from None
    if isinstance(decoded, str) and "\x00" in decoded:
        raise BadRows(f"interview {interview_id}: answer {question!r}: a NUL character")
    return decoded


def _interview(columns: tuple[str, ...], row: tuple[Any, ...]) -> InterviewFacts:
    *values, record, problem = row
    if problem is not None:
        raise BadRows(f"interview {printable(row[0])}: {problem}")
    interview = dict(zip(columns, values, strict=True))
    facts = InterviewFacts(interview, row_hash=hashlib.sha256(record.encode("utf-8")).hexdigest())
    if interview["consent"] is not None:
        try:
            facts.consent_record = read_record(interview["consent"])
        except (ValueError, TypeError) as error:
            raise BadRows(f"interview {row[0]}: consent record: {error}") from None
        if facts.consent_record.get("outcome") != interview["consent_outcome"]:
            raise BadRows(f"interview {row[0]}: the consent record disagrees with its outcome")
    return facts


def _apply(
    table: str,
    rows: sqlite3.Cursor,
    facts: dict[str, InterviewFacts],
    check: RowCheck,
    identifying: Mapping[str, frozenset[str]],
) -> int:
    counted = 0
    for row in rows:
        item = facts.get(row[0])
        if item is None:
            raise BadRows(f"a row of '{table}' belongs to no interview ({printable(row[0])})")
        if row[-1]:
            raise BadRows(first_problem(rows.connection, check, row[0]))
        counted += row[1]
        if table == "answers":
            item.answers = row[1]
            item.earliest(row[2])
            item.content.append(row[3])
            _text_check(item, times_problem(row[4]))
        elif table == "roster_members":
            item.members = row[1]
            item.content.append(row[2])
        elif table == "paradata":
            item.events = row[1]
            item.consent_event, item.first_answer_event = row[2], row[3]
            item.earliest(row[4])
            item.event_log = row[5]
            _text_check(item, log_problem(row[5], identifying[item.interview["form_hash"]]))
        else:
            item.identities = row[1]
    return counted


def _text_check(item: InterviewFacts, problem: str | None) -> None:
    if problem is not None:
        raise BadRows(f"interview {item.id}: {problem}")


def _finish(item: InterviewFacts) -> None:
    if item.answers:
        content = "\x1d".join([item.interview["form_id"], *item.content])
        item.content_hash = hashlib.sha256(content.encode("utf-8")).hexdigest()
    item.content = []
