"""Resuming: a session rebuilt from what the store loaded carries on where it stopped."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.capture import Session, Step
from fieldkit.errors import AnswerError
from fieldkit.store import SEALED, LaptopStore
from fieldkit.store.records import (
    AnswerChange,
    AnswerStatus,
    ConsentRecord,
    InterviewStatus,
    MemberChange,
    ParadataEvent,
)
from tests.test_engine_helpers import TODAY, answer_all, consent_adult, engine, form, held
from tests.test_store_helpers import open_laptop

BODY = """
sections:
  - name: household
    label: {en: Household, fr: Ménage}
    questions:
      - {name: respondent_name, type: text, label: {en: Name, fr: Nom}, pii: true, required: true}
      - {name: visit, type: date, label: {en: Visit date, fr: Date de visite}}
      - {name: income, type: integer, label: {en: Income, fr: Revenu}, allow_dont_know: true}
      - name: children
        type: repeat
        label: {en: Children, fr: Enfants}
        questions:
          - {name: child_name, type: text, label: {en: Name, fr: Nom}, pii: true}
          - {name: sex, type: select_one, choices: sex, label: {en: Sex, fr: Sexe}, disaggregation: sex}
          - {name: age, type: integer, label: {en: Age, fr: Âge}, disaggregation: age}
          - {name: tasks, type: select_multiple, choices: yes_no, label: {en: T, fr: T}}
      - {name: child_count, type: calculate, calculation: "count(${children})"}
      - {name: days, type: calculate, calculation: "today() - ${visit}"}
      - {name: remark, type: text, label: {en: Remark, fr: Remarque}}
"""


def save(store: LaptopStore, interview: str, step: Step) -> None:
    """What a front end does with a step: the consent first, then members, answers, events."""
    if step.consent is not None:
        store.record_consent(interview, step.consent)
    store.apply(
        interview,
        answers=[r for r in step.records if isinstance(r, AnswerChange)],
        members=[r for r in step.records if isinstance(r, MemberChange)],
        events=[r for r in step.records if isinstance(r, ParadataEvent)],
    )


def first_half(session: Session) -> list[Step]:
    steps = [consent_adult(session)]
    steps += answer_all(
        session, "Mariam Diallo", "2027-02-01", "dk", "1", "Issa", "1", "11", "1 2", "yes"
    )
    steps += answer_all(session, "Fanta", "2", "8", "2")
    return steps


def test_a_draft_saved_in_the_laptop_store_resumes_where_it_stopped(tmp_path: Path) -> None:
    found = form(BODY)
    with open_laptop(tmp_path) as store:
        interview = store.create_interview(form=found, enumerator="enum-07", language="en")
        session = engine(found).start("en", today=TODAY)
        for step in first_half(session):
            save(store, interview, step)
        loaded = store.load(interview)
    assert loaded.answers[("respondent_name", 0)] == (SEALED, AnswerStatus.ANSWERED)
    assert loaded.answers[("child_name", 2)] == (SEALED, AnswerStatus.ANSWERED)
    resumed = engine(found).resume(loaded.answers, loaded.members, loaded.consent, today=TODAY)
    prompt = resumed.current()
    assert prompt is not None and prompt.kind == "roster_count"  # all of member 2 answered
    assert resumed.members("children") == (1, 2)
    mine, theirs = held(session), held(resumed)
    assert mine.keys() == theirs.keys()
    assert theirs[("respondent_name", 0)] == (None, AnswerStatus.ANSWERED)  # sealed
    assert theirs[("income", 0)] == (None, AnswerStatus.DONT_KNOW)
    assert theirs[("tasks", 1)] == (["1", "2"], AnswerStatus.ANSWERED)
    assert theirs[("days", 0)] == (14, AnswerStatus.ANSWERED)
    assert [r.value for r in resumed.summary()][:3] == ["•••", "2027-02-01", "Don't know"]
    step = resumed.answer("no")
    assert step.ok and resumed.current() is not None and resumed.current().name == "remark"  # type: ignore[union-attr]


def test_resuming_emits_no_answer_records_when_nothing_changed() -> None:
    found = form(BODY)
    session = engine(found).start("en", today=TODAY)
    first_half(session)
    stored = {key: (SEALED if a.pii else a.value, a.status) for key, a in session.answers().items()}
    resumed = engine(found).resume(stored, {"children": [1, 2]}, session.consent, today=TODAY)
    step = resumed.answer("no")
    assert not [r for r in step.records if isinstance(r, AnswerChange | MemberChange)]
    events = [r.event for r in step.records if isinstance(r, ParadataEvent)]
    assert events[:2] == ["resume", "ask"]


def test_a_resumed_session_takes_answer_records_and_the_consent_language() -> None:
    found = form(BODY)
    consent = ConsentRecord(outcome="given", respondent="adult", respondent_age=None, language="fr")  # type: ignore[arg-type]
    records = [AnswerChange("respondent_name", 0, None, AnswerStatus.ANSWERED, pii=True)]
    resumed = engine(found).resume(
        [AnswerChange("visit", 0, "2027-02-10", AnswerStatus.ANSWERED), *records], {}, consent
    )
    assert resumed.language == "fr"
    prompt = resumed.current()
    assert prompt is not None and prompt.name == "income" and prompt.label == "Revenu"
    assert resumed.status is InterviewStatus.DRAFT


def test_a_resumed_session_goes_on_after_the_last_answer_not_at_a_skipped_one() -> None:
    """The visit date was skipped (optional) before the power cut; income was answered."""
    found = form(BODY)
    consent = ConsentRecord(outcome="given", respondent="adult", respondent_age=None)  # type: ignore[arg-type]
    stored = [
        AnswerChange("respondent_name", 0, None, AnswerStatus.ANSWERED, pii=True),
        AnswerChange("income", 0, 1200, AnswerStatus.ANSWERED),
    ]
    resumed = engine(found).resume(stored, {}, consent, today=TODAY)
    prompt = resumed.current()
    assert prompt is not None and prompt.name == "children"


def test_a_stored_answer_to_an_unknown_question_is_an_error() -> None:
    found = form(BODY)
    consent = ConsentRecord(outcome="given", respondent="adult", respondent_age=None)  # type: ignore[arg-type]
    with pytest.raises(AnswerError) as caught:
        engine(found).resume({("nope", 0): (1, AnswerStatus.ANSWERED)}, {}, consent)
    assert caught.value.code == "FK-ANS-011"


def test_an_unknown_language_is_refused_at_the_start() -> None:
    with pytest.raises(AnswerError) as caught:
        engine(form(BODY)).start("sw")
    assert caught.value.code == "FK-ANS-010"
