"""Back-checks: re-interview a random share of each enumerator's completed households with
the short ``backcheck_cl`` instrument, then compare the answers that should not change.

    draw(store, rate=0.1, seed="2027-03")   -> list[Drawn]     recorded, audited
    compare(store)                          -> BackcheckReport  discrepancy rates

The draw is reproducible: the same store, rate and seed draw the same interviews (each
enumerator's completed included interviews, sorted by id, shuffled by a generator seeded
with the seed and the enumerator's code), so anyone can re-run it and check that supervisors
did not pick whom to back-check. Each enumerator gets ceil(rate x n) of their n interviews.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select

from fieldkit.errors import Location
from fieldkit.monitor.errors import MonitorError
from fieldkit.monitor.tables import backcheck_draws
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import capture_table, merged_interviews

__all__ = ["BACKCHECK_FORM", "COMPARED", "BackcheckReport", "Drawn", "compare", "draw"]

BACKCHECK_FORM = "backcheck_cl"
COMPARED = ("hh_size", "sex", "age", "attending_now", "worked_7d")
"""Back-check questions compared with the household interview (the same names there, but
``worked_7d``: read from the household's ``econ_any_7d`` and ``temp_absent_job``)."""
AGE_TOLERANCE = 1
"""Ages that differ by one year are the same answer told a birthday apart."""


@dataclass(frozen=True)
class Drawn:
    interview_id: str
    enumerator: str
    unit: list[Any]
    district: str | None


def draw(
    store: Path | str,
    *,
    rate: float,
    seed: str,
    form_id: str = "household_cl",
    actor: str = "supervisor",
) -> list[Drawn]:
    """Draw and record the back-check sample (a new draw replaces the earlier one)."""
    if not 0 < rate <= 1:
        raise MonitorError(
            f"a back-check rate of {rate}", code="FK-MON-058", hint="give --rate between 0 and 1"
        )
    from fieldkit.privacy.audit import AuditLog  # noqa: PLC0415  (the HQ audit chain)

    with open_coordinator(store, create=False) as db, db.transaction() as conn:
        per: dict[str, list[tuple[str, str, str | None]]] = {}
        for interview_id, who, unit, district in conn.execute(_completed(form_id)):
            per.setdefault(who, []).append((interview_id, unit, district))
        drawn: list[Drawn] = []
        for who, items in sorted(per.items()):
            chooser = random.Random(f"{seed}\x00{who}")
            picked = chooser.sample(sorted(items), math.ceil(rate * len(items)))
            drawn += [Drawn(i, who, json.loads(u), d) for i, u, d in sorted(picked)]
        if not drawn:
            raise MonitorError(
                f"no completed {form_id} interview to back-check",
                code="FK-MON-059",
                location=Location(str(store)),
                hint="merge the laptops' bundles first",
            )
        _record(conn, drawn, form_id=form_id, rate=rate, seed=seed, actor=actor)
        detail = json.dumps({"rate": rate, "seed": seed, "drawn": len(drawn)})
        AuditLog(db).append_in(
            conn, actor=actor, action="backcheck draw", subject=form_id, detail=detail
        )
    return drawn


def _completed(form_id: str) -> Any:
    interviews = capture_table("interviews")
    m = merged_interviews
    return (
        select(m.c.interview_id, interviews.c.enumerator, m.c.unit_values, m.c.district)
        .join(interviews, interviews.c.id == m.c.interview_id)
        .where(
            and_(
                m.c.form_id == form_id,
                m.c.included.is_(True),
                m.c.unit_values.is_not(None),
                interviews.c.status == "complete",
            )
        )
    )


def _record(
    conn: Connection, drawn: list[Drawn], *, form_id: str, rate: float, seed: str, actor: str
) -> None:
    conn.execute(delete(backcheck_draws).where(backcheck_draws.c.form_id == form_id))
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "interview_id": d.interview_id,
            "form_id": form_id,
            "enumerator": d.enumerator,
            "unit_values": json.dumps(d.unit, separators=(",", ":")),
            "seed": seed,
            "rate": rate,
            "drawn_by": actor,
            "drawn_at": now,
        }
        for d in drawn
    ]
    conn.execute(insert(backcheck_draws), rows)


@dataclass
class Rate:
    compared: int = 0
    differing: int = 0

    @property
    def rate(self) -> float | None:
        return self.differing / self.compared if self.compared else None

    def to_dict(self) -> dict[str, Any]:
        rate = self.rate
        return {
            "compared": self.compared,
            "differing": self.differing,
            "rate": None if rate is None else round(rate, 4),
        }


@dataclass
class BackcheckReport:
    drawn: int = 0
    backchecked: int = 0
    by_question: dict[str, Rate] = field(default_factory=lambda: {q: Rate() for q in COMPARED})
    by_enumerator: dict[str, Rate] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "drawn": self.drawn,
            "backchecked": self.backchecked,
            "by_question": {q: r.to_dict() for q, r in self.by_question.items()},
            "by_enumerator": {e: r.to_dict() for e, r in sorted(self.by_enumerator.items())},
        }


def compare(store: Path | str) -> BackcheckReport:
    """Discrepancy rates of the back-checked interviews, per question and per enumerator of
    the first interview. Only drawn interviews whose unit has an included back-check count."""
    report = BackcheckReport()
    with open_coordinator(store, create=False) as db, db.read() as conn:
        drawn = {
            row.unit_values: (row.interview_id, row.enumerator, row.form_id)
            for row in conn.execute(select(backcheck_draws))
        }
        report.drawn = len(drawn)
        checks = {
            unit: interview_id
            for interview_id, unit in conn.execute(
                select(merged_interviews.c.interview_id, merged_interviews.c.unit_values).where(
                    merged_interviews.c.form_id == BACKCHECK_FORM,
                    merged_interviews.c.included.is_(True),
                )
            )
            if unit in drawn
        }
        for unit, check_id in sorted(checks.items()):
            first_id, enumerator, _ = drawn[unit]
            first, second = _answers(conn, first_id), _answers(conn, check_id)
            rate = report.by_enumerator.setdefault(enumerator, Rate())
            for question, same in _comparisons(first, second):
                report.by_question[question].compared += 1
                report.by_question[question].differing += not same
                rate.compared += 1
                rate.differing += not same
            report.backchecked += 1
    return report


Answers = dict[tuple[str, int], Any]


def _answers(conn: Connection, interview_id: str) -> Answers:
    answers = capture_table("answers")
    rows = conn.execute(
        select(answers.c.question, answers.c.member, answers.c.value, answers.c.status).where(
            answers.c.interview_id == interview_id
        )
    )
    return {(q, m): (json.loads(v) if s == "answered" else s) for q, m, v, s in rows}


def _comparisons(first: Answers, second: Answers) -> Iterable[tuple[str, bool]]:
    """(question, same?) for every answer the back-check gives that the first had too."""
    for (question, member), value in sorted(second.items()):
        if question not in COMPARED:
            continue
        original = (
            _worked(first, member) if question == "worked_7d" else first.get((question, member))
        )
        if original is None:
            continue  # not asked the first time (or a member the first roster did not have)
        yield question, _same(question, original, value)


def _worked(first: Answers, member: int) -> str | None:
    """The household interview's answer to 'worked in the last 7 days', as yes_no."""
    activities = first.get(("econ_any_7d", member))
    if not isinstance(activities, list):
        return None
    if [a for a in activities if a != "none"] or str(first.get(("temp_absent_job", member))) == "1":
        return "1"
    return "2"


def _same(question: str, original: Any, value: Any) -> bool:
    if question == "age" and isinstance(original, int) and isinstance(value, int):
        return abs(original - value) <= AGE_TOLERANCE
    return str(original) == str(value)
