"""The rules behind every monitoring flag: each flag names one, and the report prints them.

A flag is a prompt for a supervisor to look, never a verdict: a fast interview may be a small
household, an outlying enumerator may work in a harder district. So each rule says exactly
what it measured and where its threshold comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RULES", "Flag", "Rule"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    rule: str
    """What is measured and the threshold, in one sentence."""
    source: str
    """Where the threshold comes from."""
    subject: str
    """``interview`` or ``enumerator``."""

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "title": self.title,
            "rule": self.rule,
            "source": self.source,
            "subject": self.subject,
        }


_MODIFIED_Z = (
    "modified z-score 0.6745 (x - median) / MAD over the enumerators of the same instrument "
    "(Iglewicz and Hoaglin, 'How to Detect and Handle Outliers', ASQC 1993), threshold: the "
    "protocol's monitoring.outlier_z (3.5 unless set)"
)

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "MON-001",
            "speeder",
            "active interview time (the sum of the per-question times in the paradata) under "
            "the protocol's minimum for the instrument kind",
            "protocol monitoring.min_minutes",
            "interview",
        ),
        Rule(
            "MON-002",
            "outside the collection windows",
            "the interview started (laptop clock) outside every collection window of the "
            "protocol (dates, weekdays, hours)",
            "protocol collection.windows (ILO Book 2, 2.6.2)",
            "interview",
        ),
        Rule(
            "MON-003",
            "answers changed after the fact",
            "an answer was changed after the interview had first been completed",
            "paradata: a 'change' event after the 'complete' event",
            "interview",
        ),
        Rule(
            "MON-004",
            "outside the assignment",
            "the interview's unit is not in the sample assigned with 'fieldkit assign', or is "
            "assigned to another enumerator",
            "the assignments table (fieldkit assign)",
            "interview",
        ),
        Rule(
            "MON-010",
            "don't know / refused outlier",
            "the enumerator's share of 'don't know' and 'refused' answers is unusually high: "
            + _MODIFIED_Z
            + "; only enumerators with at least monitoring.min_answers answers",
            "protocol monitoring.outlier_z, monitoring.min_answers",
            "enumerator",
        ),
        Rule(
            "MON-011",
            "straight-lining outlier",
            "the enumerator's share of grids (at least monitoring.grid_size select_one "
            "questions of a section sharing one scale, same roster member) answered with one "
            "value throughout is unusually high: " + _MODIFIED_Z,
            "protocol monitoring.grid_size, monitoring.outlier_z",
            "enumerator",
        ),
        Rule(
            "MON-012",
            "short interviews outlier",
            "the enumerator's median active interview time is unusually low: " + _MODIFIED_Z,
            "protocol monitoring.outlier_z",
            "enumerator",
        ),
        Rule(
            "MON-013",
            "consent refusal outlier",
            "the enumerator's share of visits where consent or assent was refused is unusually "
            "high: " + _MODIFIED_Z,
            "protocol monitoring.outlier_z",
            "enumerator",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Flag:
    """One rule raised on one interview or one enumerator."""

    rule: str
    form_id: str
    enumerator: str
    interview_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    """The measured numbers (value, threshold, z-score...)."""

    @property
    def title(self) -> str:
        return RULES[self.rule].title

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "form_id": self.form_id,
            "enumerator": self.enumerator,
            "interview_id": self.interview_id,
            "detail": dict(self.detail),
        }
