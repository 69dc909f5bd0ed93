"""What monitoring needs to know of each merged interview, read from the coordinator store.

Every merged interview counts here, included or not: a quarantined or conflicting interview
is still a visit an enumerator made. A few set-based queries (never a query per interview),
so the report stays quick on a national store:

- the interviews with their merge provenance and packed paradata (one row each);
- quarantine reasons, open conflicts and content duplicates (by id);
- answer statuses counted per interview and per form and question (SQL GROUP BY);
- the answers of grid questions only, for straight-lining.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, select

from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import QuestionType
from fieldkit.store.coordinator_tables import (
    capture_table,
    conflict_members,
    conflicts,
    duplicates,
    event_logs,
    merged_interviews,
    quarantine,
)
from fieldkit.store.database import as_utc

__all__ = ["AnswerCounts", "InterviewFacts", "StoreFacts", "grids_of", "read_facts"]

_EVENT, _ELAPSED = (
    1,
    4,
)  # positions in an event_logs entry: [at, event, question, member, ms, detail]
_TIMED_EVENTS = frozenset({"answer", "change"})
KEYED_MS = 100
"""Answers given under this many milliseconds each, on average, were keyed by a script (an
answers file typed from paper): such an interview has no interview time to judge."""


@dataclass(slots=True)
class InterviewFacts:
    id: str
    form_id: str
    enumerator: str
    status: str
    consent_outcome: str | None
    started_at: dt.datetime
    district: str | None
    unit_values: str | None
    included: bool
    quarantine: tuple[str, ...] = ()
    in_conflict: bool = False
    duplicate: bool = False
    active_seconds: float | None = None
    """Sum of the per-question times; None when untimed (keyed from paper by a script)."""
    changes_after_complete: int = 0
    answered: int = 0
    dont_know: int = 0
    refused_answers: int = 0
    """Answers by status (plain ints, not a Counter each: a national store has 200,000)."""
    grids: int = 0
    straight_grids: int = 0

    @property
    def day(self) -> dt.date:
        return self.started_at.date()


@dataclass(frozen=True, slots=True)
class AnswerCounts:
    answered: int = 0
    dont_know: int = 0
    refused: int = 0

    @property
    def total(self) -> int:
        return self.answered + self.dont_know + self.refused


@dataclass
class StoreFacts:
    interviews: list[InterviewFacts]
    questions: dict[tuple[str, str], AnswerCounts]
    """(form id, question) → answer statuses over every merged interview."""


def grids_of(form: Form, size: int) -> dict[str, tuple[str, ...]]:
    """Grid name → its questions: select_one questions of one section and roster sharing a
    named scale of three or more choices, at least ``size`` of them (a yes/no list is not a
    scale: 'no' to every hazard is an honest answer)."""
    groups: dict[str, list[str]] = {}
    for name, question in form.questions.items():
        if question.type is not QuestionType.SELECT_ONE or question.choice_list is None:
            continue
        if len(question.choices) < 3 or question.pii:
            continue
        key = f"{question.section}/{question.choice_list}"
        groups.setdefault(key, []).append(name)
    return {key: tuple(names) for key, names in groups.items() if len(names) >= size}


def read_facts(conn: Connection, forms: dict[str, Form]) -> StoreFacts:
    """Everything the report counts, from one read transaction."""
    facts = {row.id: row for row in _interviews(conn)}
    for interview_id, reason in conn.execute(
        select(quarantine.c.interview_id, quarantine.c.reason)
    ):
        if interview_id in facts:
            facts[interview_id].quarantine += (str(reason),)
    for (interview_id,) in conn.execute(_open_conflict_members()):
        if interview_id in facts:
            facts[interview_id].in_conflict = True
    for (interview_id,) in conn.execute(select(duplicates.c.interview_id)):
        if interview_id in facts:
            facts[interview_id].duplicate = True
    answers = capture_table("answers")
    per_interview = select(answers.c.interview_id, answers.c.status, func.count()).group_by(
        answers.c.interview_id, answers.c.status
    )
    for interview_id, status, count in conn.execute(per_interview):
        item = facts.get(interview_id)
        if item is not None:
            _count_answers(item, str(status), int(count))
    _straight_lining(conn, facts, forms)
    return StoreFacts(list(facts.values()), _question_counts(conn))


def _count_answers(item: InterviewFacts, status: str, count: int) -> None:
    if status == "answered":
        item.answered += count
    elif status == "dont_know":
        item.dont_know += count
    elif status == "refused":
        item.refused_answers += count


def _interviews(conn: Connection) -> Iterator[InterviewFacts]:
    interviews = capture_table("interviews")
    m = merged_interviews
    query = (
        select(
            interviews.c.id,
            interviews.c.form_id,
            interviews.c.enumerator,
            interviews.c.status,
            interviews.c.consent_outcome,
            interviews.c.started_at,
            m.c.district,
            m.c.unit_values,
            m.c.included,
            event_logs.c.log,
        )
        .join(m, m.c.interview_id == interviews.c.id)
        .outerjoin(event_logs, event_logs.c.interview_id == interviews.c.id)
        .order_by(interviews.c.id)
    )
    for row in conn.execute(query):
        seconds, changed = _paradata(row.log)
        yield InterviewFacts(
            id=row.id,
            form_id=row.form_id,
            enumerator=row.enumerator,
            status=row.status,
            consent_outcome=row.consent_outcome,
            started_at=as_utc(row.started_at),
            district=row.district,
            unit_values=row.unit_values,
            included=bool(row.included),
            active_seconds=seconds,
            changes_after_complete=changed,
        )


def _paradata(log: str | None) -> tuple[float | None, int]:
    """Active seconds and the answers changed after completion, from a packed event log."""
    if not log:
        return None, 0
    active_ms, answers, changed, completed = 0, 0, 0, False
    for event in json.loads(log):
        kind = event[_EVENT]
        if kind in _TIMED_EVENTS:
            active_ms += event[_ELAPSED] or 0
            answers += 1
            if completed and kind == "change":
                changed += 1
        elif kind == "complete":
            completed = True
    timed = answers > 0 and active_ms >= KEYED_MS * answers
    return (active_ms / 1000 if timed else None), changed


def _open_conflict_members() -> Any:
    return (
        select(conflict_members.c.interview_id)
        .join(conflicts, conflicts.c.id == conflict_members.c.conflict_id)
        .where(conflicts.c.status == "open")
    )


def _question_counts(conn: Connection) -> dict[tuple[str, str], AnswerCounts]:
    answers = capture_table("answers")
    m = merged_interviews
    query = (
        select(m.c.form_id, answers.c.question, answers.c.status, func.count())
        .join(m, m.c.interview_id == answers.c.interview_id)
        .group_by(m.c.form_id, answers.c.question, answers.c.status)
    )
    counts: dict[tuple[str, str], Counter[str]] = {}
    for form_id, question, status, count in conn.execute(query):
        counts.setdefault((form_id, question), Counter())[str(status)] += int(count)
    return {
        key: AnswerCounts(c["answered"], c["dont_know"], c["refused"]) for key, c in counts.items()
    }


def _straight_lining(
    conn: Connection, facts: dict[str, InterviewFacts], forms: dict[str, Form]
) -> None:
    """Count each interview's grids (per roster member) and those answered with one value."""
    grid_of: dict[tuple[str, str], str] = {}
    sizes = {form_id: form.protocol.model.monitoring.grid_size for form_id, form in forms.items()}
    for form_id, form in forms.items():
        for grid, names in grids_of(form, sizes[form_id]).items():
            grid_of.update({(form_id, name): grid for name in names})
    if not grid_of:
        return
    answers = capture_table("answers")
    m = merged_interviews
    questions = sorted({name for _, name in grid_of})
    query = (
        select(m.c.form_id, answers.c.interview_id, answers.c.member, answers.c.question)
        .add_columns(answers.c.value)
        .join(m, m.c.interview_id == answers.c.interview_id)
        .where(and_(answers.c.status == "answered", answers.c.question.in_(questions)))
        .order_by(answers.c.interview_id)
    )
    values: dict[tuple[str, int, str], list[str]] = {}
    for form_id, interview_id, member, question, value in conn.execute(query):
        found = grid_of.get((form_id, question))
        if found is not None:
            values.setdefault((interview_id, member, found), []).append(str(value))
    for (interview_id, _, _), given in values.items():
        item = facts.get(interview_id)
        if item is not None and len(given) >= sizes[item.form_id]:
            item.grids += 1
            item.straight_grids += len(set(given)) == 1
