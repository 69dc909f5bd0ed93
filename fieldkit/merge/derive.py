"""What the merge derives from one interview: consent problems, content hash, unit, district."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fieldkit.bundle.rows import InterviewBlock
from fieldkit.hashing import canonical_json
from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import DisaggregationRole
from fieldkit.merge.consent import consent_problems

__all__ = ["Derived", "derive"]


@dataclass(frozen=True, slots=True)
class Derived:
    block: InterviewBlock
    form: Form
    problems: list[tuple[str, str]]
    """(reason, detail) of each consent rule broken: quarantined when not empty."""
    content_hash: str | None
    """Form id + answers + roster members: equal for the same answers under another id."""
    unit_values: str | None
    """Canonical JSON of the form's unit key answers (None if any is missing)."""
    district: str | None


def derive(block: InterviewBlock, form: Form) -> Derived:
    values = block.values  # parsed answered values (others keep no value)
    content_hash = None
    if block.answers:
        answers = sorted(
            [a["question"], a["member"], values.get((a["question"], a["member"])), a["status"]]
            for a in block.answers
        )
        members = sorted([r["roster"], r["member"]] for r in block.members)
        digest = hashlib.sha256(canonical_json([form.id, answers, members]))
        content_hash = digest.hexdigest()
    unit = [values.get((name, 0)) for name in form.unit_key]
    unit_values = None
    if form.unit_key and all(v is not None for v in unit):
        unit_values = canonical_json(unit).decode("utf-8")
    district = None
    district_questions = form.by_role(DisaggregationRole.DISTRICT)
    if district_questions:
        found = values.get((district_questions[0].name, 0))
        district = None if found is None else str(found)
    return Derived(block, form, consent_problems(block, form), content_hash, unit_values, district)
