"""What capture hands to the store: plain, validated records with no I/O.

The engine produces these; the laptop store persists them in one transaction each; the
bundle and merge code read them back. Values are JSON-ready: int, float, str, a list of
str (select_multiple), an ISO date/time string, or ``None`` with a status that says why.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "EXCEPTION_NOTE",
    "STAFF_CODE",
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

STAFF_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
"""Enumerators and supervisors are codes (``E07``, ``S03``), never names: names live in the
coordinator's staff register only."""

EXCEPTION_NOTE = "consent.exception_note"
"""Where the consent exception's free-text note is kept: sealed, in ``identities``."""


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
    """A code from the protocol's ``exception_reasons``."""
    supervisor: str | None = None
    """The approving supervisor's staff code."""
    others_present: list[str] = field(default_factory=list)
    language: str = "en"
    recorded_at: dt.datetime | None = None
    exception_note: str | None = None
    """Free text about the exception: the store seals it (to the merge key) and never keeps it
    in the record; a stored record says only ``exception_note_sealed``."""
    exception_note_sealed: bool = False
    protocol_version: str | None = None
    consent_sha256: str | None = None
    """Hash of the consent statements the respondent heard (``Protocol.consent_sha256``)."""
    data_use_sha256: str | None = None
    """Hash of the data-use statement they were collected under."""

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
            "exception_note_sealed": self.exception_note_sealed,
            "protocol_version": self.protocol_version,
            "consent_sha256": self.consent_sha256,
            "data_use_sha256": self.data_use_sha256,
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
