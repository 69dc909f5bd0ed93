"""What capture hands to the store: plain, validated records with no I/O.

The engine produces these; the laptop store persists them in one transaction each; the
bundle and merge code read them back. Values are JSON-ready: int, float, str, a list of
str (select_multiple), an ISO date/time string, or ``None`` with a status that says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "TOP_LEVEL",
    "AnswerChange",
    "AnswerStatus",
    "ConsentOutcome",
    "ConsentRecord",
    "InterviewStatus",
    "MemberChange",
    "ParadataEvent",
]

TOP_LEVEL = 0
"""The member number of an answer asked once per interview (roster members count from 1)."""

JsonValue = int | float | str | list[str] | None


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    DONT_KNOW = "dont_know"
    REFUSED = "refused"
    CLEARED = "cleared"
    """The answer no longer applies (its question became irrelevant): delete it."""


class InterviewStatus(StrEnum):
    DRAFT = "draft"
    COMPLETE = "complete"
    REFUSED = "refused"
    """Consent or assent refused: no answers are kept."""
    STOPPED = "stopped"
    """A screening stop rule ended the interview (risk of reprisal, distress)."""


class ConsentOutcome(StrEnum):
    GIVEN = "given"
    """Adult consent, or guardian consent plus the child's assent."""
    EXCEPTION = "exception"
    """Child's assent with a documented protocol exception instead of guardian consent."""
    REFUSED = "refused"
    GUARDIAN_REFUSED = "guardian_refused"
    ASSENT_REFUSED = "assent_refused"
    SCREENED_OUT = "screened_out"


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """Who agreed to what, when. Kept even when the interview is refused (no answers then)."""

    outcome: ConsentOutcome
    respondent: str
    """'adult' or 'child'."""
    respondent_age: int | None
    screening: dict[str, str] = field(default_factory=dict)
    """Screening question name → the answer given (choice value)."""
    adult_consent: bool | None = None
    guardian_consent: bool | None = None
    child_assent: bool | None = None
    exception: str | None = None
    exception_reason: str | None = None
    supervisor: str | None = None
    others_present: list[str] = field(default_factory=list)
    language: str = "en"
    recorded_at: dt.datetime | None = None

    @property
    def allows_interview(self) -> bool:
        return self.outcome in (ConsentOutcome.GIVEN, ConsentOutcome.EXCEPTION)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome),
            "respondent": self.respondent,
            "respondent_age": self.respondent_age,
            "screening": dict(self.screening),
            "adult_consent": self.adult_consent,
            "guardian_consent": self.guardian_consent,
            "child_assent": self.child_assent,
            "exception": self.exception,
            "exception_reason": self.exception_reason,
            "supervisor": self.supervisor,
            "others_present": list(self.others_present),
            "language": self.language,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
        }


@dataclass(frozen=True, slots=True)
class AnswerChange:
    """Set or clear one answer. ``pii`` answers go to the sealed identities table only."""

    question: str
    member: int
    value: JsonValue
    status: AnswerStatus
    pii: bool = False


@dataclass(frozen=True, slots=True)
class MemberChange:
    """A roster member added (present=True) or removed."""

    roster: str
    member: int
    present: bool


@dataclass(frozen=True, slots=True)
class ParadataEvent:
    """How the interview went: never an answer's value, only what happened and how long it took."""

    event: str
    """open, resume, ask, answer, change, clear, back, invalid, member_add, member_remove,
    save, complete."""
    question: str | None = None
    member: int = TOP_LEVEL
    elapsed_ms: int | None = None
    detail: str | None = None
