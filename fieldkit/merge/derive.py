"""What the merge derives from one interview: consent problems, content hash, unit, district."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import DisaggregationRole
from fieldkit.merge.consent import consent_problems
from fieldkit.merge.facts import InterviewFacts

__all__ = ["Derived", "derive", "wanted_questions"]


@dataclass(frozen=True, slots=True)
class Derived:
    facts: InterviewFacts
    form: Form
    problems: list[tuple[str, str]]
    """(reason, detail) of each consent rule broken: quarantined when not empty."""
    unit_values: str | None
    """Canonical JSON of the form's unit key answers (None if any is missing)."""
    district: str | None

    @property
    def id(self) -> str:
        return self.facts.id

    @property
    def content_hash(self) -> str | None:
        return self.facts.content_hash


def wanted_questions(forms: Iterable[Form]) -> set[str]:
    """The household-level answers ``derive`` reads: unit keys and the district."""
    names: set[str] = set()
    for form in forms:
        names.update(form.unit_key)
        district = _district_question(form)
        if district is not None:
            names.add(district)
    return names


_DISTRICT_QUESTIONS: dict[str, str | None] = {}


def _district_question(form: Form) -> str | None:
    """The form's district question (looked up once per form version, not per interview)."""
    if form.hash not in _DISTRICT_QUESTIONS:
        found = form.by_role(DisaggregationRole.DISTRICT)
        _DISTRICT_QUESTIONS[form.hash] = found[0].name if found else None
    return _DISTRICT_QUESTIONS[form.hash]


def derive(facts: InterviewFacts, form: Form) -> Derived:
    values = facts.values
    unit = [values.get(name) for name in form.unit_key]
    unit_values = None
    if form.unit_key and all(v is not None for v in unit):
        # Canonical JSON of a list of answers (no objects, so no keys to sort).
        unit_values = json.dumps(unit, ensure_ascii=False, separators=(",", ":"))
    district = None
    question = _district_question(form)
    if question is not None:
        found = values.get(question)
        district = None if found is None else str(found)
    return Derived(facts, form, consent_problems(facts, form), unit_values, district)
