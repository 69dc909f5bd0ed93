"""Each consent rule, one interview at a time: what is quarantined and why."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from fieldkit.merge.consent import REASONS, consent_problems
from fieldkit.merge.facts import InterviewFacts
from tests.merge_fixtures import make_project

T0 = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)
ADULT = {"outcome": "given", "respondent": "adult", "respondent_age": 40, "adult_consent": True}
CHILD = {
    "outcome": "given",
    "respondent": "child",
    "respondent_age": 14,
    "guardian_consent": True,
    "child_assent": True,
}


def block(
    consent: dict[str, Any] | None,
    *,
    status: str = "complete",
    answers: int = 2,
    events: tuple[str, ...] = (),
    answered_at: dt.datetime = T0 + dt.timedelta(minutes=5),
) -> InterviewFacts:
    """The facts the merge reads from a payload, for an interview with these answers/events
    (event order is the laptop's paradata id order: 1, 2, 3...)."""
    recorded = dict(consent or {}, recorded_at=T0.isoformat()) if consent else None
    interview = {
        "id": "i1",
        "status": status,
        "consent": json.dumps(recorded) if recorded else None,
    }
    answer_events = [n for n, e in enumerate(events, 1) if e in ("answer", "change")]
    consent_events = [n for n, e in enumerate(events, 1) if e == "consent"]
    stored_time = answered_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return InterviewFacts(
        interview,
        answers=answers,
        consent_event=consent_events[0] if consent_events else None,
        first_answer_event=answer_events[0] if answer_events else None,
        first_answer_at=stored_time if answers or answer_events else None,
    )


CASES: list[tuple[str, InterviewFacts, list[str]]] = [
    ("valid adult", block(ADULT), []),
    ("valid child", block(CHILD), []),
    (
        "refusal without answers",
        block({**ADULT, "outcome": "refused"}, status="refused", answers=0),
        [],
    ),
    (
        "screened out, no answers",
        block({**ADULT, "outcome": "screened_out"}, status="stopped", answers=0),
        [],
    ),
    ("no record", block(None), ["missing_consent"]),
    ("complete, no answers, no record", block(None, answers=0), ["missing_consent"]),
    ("unreadable record", block({"respondent": "adult"}), ["missing_consent"]),
    (
        "refused but answers",
        block({**ADULT, "outcome": "refused"}, status="refused"),
        ["answers_on_refused"],
    ),
    (
        "outcome refused, complete",
        block({**ADULT, "outcome": "guardian_refused"}),
        ["consent_not_given"],
    ),
    ("adult consent missing", block({**ADULT, "adult_consent": None}), ["no_adult_consent"]),
    ("child without assent", block({**CHILD, "child_assent": False}), ["no_child_assent"]),
    ("child without guardian", block({**CHILD, "guardian_consent": None}), ["no_guardian_consent"]),
    (
        "an 'adult' aged 16 is a child",
        block({**ADULT, "respondent_age": 16}),
        ["no_child_assent", "no_guardian_consent"],
    ),
    (
        "allowed exception with supervisor",
        block(
            {
                **CHILD,
                "outcome": "exception",
                "guardian_consent": None,
                "exception": "street_living",
                "supervisor": "s1",
            }
        ),
        [],
    ),
    (
        "exception not in protocol",
        block(
            {
                **CHILD,
                "outcome": "exception",
                "guardian_consent": None,
                "exception": "busy_parents",
                "supervisor": "s1",
            }
        ),
        ["exception_not_allowed"],
    ),
    (
        "exception without sign-off",
        block(
            {
                **CHILD,
                "outcome": "exception",
                "guardian_consent": None,
                "exception": "street_living",
            }
        ),
        ["exception_without_signoff"],
    ),
    (
        "answers before consent (times)",
        block(ADULT, answered_at=T0 - dt.timedelta(seconds=1)),
        ["consent_after_answers"],
    ),
    (
        "answers before consent (event order)",
        block(ADULT, events=("answer", "consent", "answer")),
        ["consent_after_answers"],
    ),
    (
        "event order wins over times",
        block(ADULT, events=("consent", "answer"), answered_at=T0 - dt.timedelta(days=400)),
        [],
    ),
]


@pytest.mark.parametrize(("name", "interview", "reasons"), CASES, ids=[c[0] for c in CASES])
def test_consent_rules(name: str, interview: InterviewFacts, reasons: list[str]) -> None:
    form = make_project().forms["hh_merge"]
    assert [reason for reason, _detail in consent_problems(interview, form)] == reasons
    assert set(reasons) <= set(REASONS)


def test_every_reason_is_exercised() -> None:
    assert {r for _name, _block, reasons in CASES for r in reasons} == set(REASONS)
