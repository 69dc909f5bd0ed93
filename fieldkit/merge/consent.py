"""Consent checks at merge: an interview without valid consent for its respondent is quarantined.

Each reason is a stable id (the quarantine table's ``reason``)::

    missing_consent            answers (or a complete status) but no readable consent record
    consent_not_given          answers kept although the consent outcome does not allow them
    answers_on_refused         a refused interview that still carries answers
    no_adult_consent           an adult respondent whose own consent is not recorded as yes
    no_child_assent            a child respondent (under the protocol's age of majority)
                               whose own assent is not recorded as yes
    no_guardian_consent        a child without guardian consent and without an exception
    exception_not_allowed      an exception id the protocol does not list
    exception_without_signoff  an exception that needs a supervisor, with none recorded
    consent_after_answers      answers recorded before consent (by the laptop's own event
                               order, or else its own timestamps: one clock, so skew-proof)

A refused or stopped interview with no answers is a valid record of a refusal: not quarantined.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from fieldkit.bundle.untrusted import checked_json
from fieldkit.instrument.form import Form

if TYPE_CHECKING:
    from fieldkit.merge.facts import InterviewFacts

__all__ = ["REASONS", "consent_problems", "read_record"]

REASONS = (
    "missing_consent",
    "consent_not_given",
    "answers_on_refused",
    "no_adult_consent",
    "no_child_assent",
    "no_guardian_consent",
    "exception_not_allowed",
    "exception_without_signoff",
    "consent_after_answers",
)
_ALLOWING = ("given", "exception")


def consent_problems(facts: InterviewFacts, form: Form) -> list[tuple[str, str]]:
    """(reason, detail) for each consent rule the interview breaks; empty when it is valid."""
    status = facts.interview["status"]
    if not form.consent_required or not (facts.has_data or status == "complete"):
        return []
    if status == "refused":
        return [("answers_on_refused", "the interview was refused but answers were kept")]
    consent = _consent(facts)
    if consent is None:
        return [("missing_consent", "no consent record")]
    outcome = consent.get("outcome")
    if outcome not in _ALLOWING:
        return [("consent_not_given", f"consent outcome is '{outcome}'")]
    problems = _respondent_problems(consent, form)
    after = _consent_after_answers(facts, consent)
    if after:
        problems.append(("consent_after_answers", after))
    return problems


def _consent(facts: InterviewFacts) -> dict[str, Any] | None:
    """The record the facts read checked, or else (facts built by hand) its text parsed."""
    data, text = facts.consent_record, facts.interview["consent"]
    if data is None and text:
        try:
            data = read_record(text)
        except (ValueError, TypeError):
            return None
    return data if data is not None and data.get("outcome") else None


def _is_child(consent: dict[str, Any], form: Form) -> bool:
    age = consent.get("respondent_age")
    if isinstance(age, int) and not isinstance(age, bool):
        return age < form.protocol.consent.age_of_majority
    return consent.get("respondent") == "child"


def _respondent_problems(consent: dict[str, Any], form: Form) -> list[tuple[str, str]]:
    if not _is_child(consent, form):
        if consent.get("adult_consent") is not True:
            return [("no_adult_consent", "the adult respondent's consent is not recorded")]
        return []
    problems: list[tuple[str, str]] = []
    if consent.get("child_assent") is not True:
        problems.append(("no_child_assent", "the child's own assent is not recorded"))
    if consent.get("guardian_consent") is True:
        return problems
    exception_id = consent.get("exception")
    if not exception_id:
        problems.append(("no_guardian_consent", "no guardian consent and no exception"))
        return problems
    allowed = form.protocol.exception(str(exception_id))
    if allowed is None:
        problems.append(
            ("exception_not_allowed", f"exception '{exception_id}' is not in the protocol")
        )
    elif allowed.requires == "supervisor_signoff" and not consent.get("supervisor"):
        problems.append(
            ("exception_without_signoff", f"exception '{exception_id}' has no supervisor")
        )
    return problems


def _consent_after_answers(facts: InterviewFacts, consent: dict[str, Any]) -> str | None:
    if facts.consent_event is not None:
        first_answer = facts.first_answer_event
        if first_answer is not None and first_answer < facts.consent_event:
            return "an answer event comes before the consent event"
        return None
    recorded = _time(consent.get("recorded_at"))
    first = facts.first_answer_time()
    if recorded is None or first is None:
        return None
    if first < recorded:
        return f"first answer at {first.isoformat()}, consent at {recorded.isoformat()}"
    return None


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


_CONSENT_FIELDS: dict[str, tuple[type, ...]] = {
    "outcome": (str,),
    "respondent": (str,),
    "respondent_age": (int, type(None)),
    "screening": (dict,),
    "adult_consent": (bool, type(None)),
    "guardian_consent": (bool, type(None)),
    "child_assent": (bool, type(None)),
    "exception": (str, type(None)),
    "exception_reason": (str, type(None)),
    "supervisor": (str, type(None)),
    "others_present": (list,),
    "language": (str,),
    "recorded_at": (str, type(None)),
}
"""``ConsentRecord.to_dict``'s fields and their types (keys it does not know are let
through: the record may grow, and SQL bounded its size)."""


def read_record(text: str) -> dict[str, Any]:
    """A stored consent record, or ValueError/TypeError saying why it is not one a laptop
    writes. SQL
    has checked it is a JSON object of bounded size whose outcome matches; here it is parsed
    (bounded numbers and depth, no repeated key) and the fields the rules read are typed."""
    data = checked_json(text)
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    for key, kinds in _CONSENT_FIELDS.items():
        value = data.get(key)
        if key in data and (
            not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)
        ):
            raise TypeError(f"'{key}' is not of its type")
    age = data.get("respondent_age")
    if isinstance(age, int) and not 0 <= age <= 150:
        raise ValueError("'respondent_age' out of range")
    listed_texts = [*data.get("screening", {}).values(), *data.get("others_present", [])]
    if not all(isinstance(item, str) for item in listed_texts):
        raise TypeError("screening answers and people present must be text")
    return data
