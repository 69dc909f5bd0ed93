"""The protocol's screening and consent block opens every interview (ILO Book 2, 2.6.5)."""

from __future__ import annotations

import pytest

from fieldkit.capture import PromptKind, Session, Step
from fieldkit.errors import ConsentError
from fieldkit.instrument.schema import QuestionType
from fieldkit.store.records import (
    AnswerChange,
    ConsentOutcome,
    InterviewStatus,
    MemberChange,
)
from tests.test_engine_helpers import (
    ADULT_HEADER,
    CHILD_HEADER,
    NO_CONSENT_HEADER,
    consent_adult,
    form,
    start,
)

BODY = """
sections:
  - name: main
    label: {en: Main, fr: Principal}
    questions:
      - name: works
        type: select_one
        choices: yes_no
        label: {en: "Did you work last week?", fr: "Avez-vous travaillé la semaine dernière ?"}
      - name: hours
        type: integer
        label: {en: Hours, fr: Heures}
      - name: fixed
        type: calculate
        calculation: "7"
      - name: sex
        type: select_one
        choices: sex
        label: {en: Sex, fr: Sexe}
        disaggregation: sex
      - name: age
        type: integer
        label: {en: Age, fr: Âge}
        disaggregation: age
"""


def kinds_and_answers(session: Session, *answers: str) -> tuple[list[PromptKind], list[Step]]:
    kinds, steps = [], []
    for raw in answers:
        prompt = session.current()
        assert prompt is not None
        kinds.append(prompt.kind)
        steps.append(session.answer(raw))
        assert steps[-1].ok, steps[-1].message
    return kinds, steps


def no_answer_records(steps: list[Step]) -> bool:
    return not any(isinstance(r, AnswerChange | MemberChange) for s in steps for r in s.records)


def test_an_adult_interview_opens_with_screening_consent_others_and_language() -> None:
    session = start(form(BODY))
    kinds, steps = kinds_and_answers(session, "1", "1", "yes", "parent, employer", "fr")
    assert kinds == [
        PromptKind.SCREENING,
        PromptKind.SCREENING,
        PromptKind.CONSENT_ADULT,
        PromptKind.OTHERS_PRESENT,
        PromptKind.INTERVIEW_LANGUAGE,
    ]
    record = steps[-1].consent
    assert record is not None and record.outcome is ConsentOutcome.GIVEN
    assert record.respondent == "adult" and record.adult_consent is True
    assert record.screening == {"safe_to_proceed": "1", "respondent_calm": "1"}
    assert record.others_present == ["parent", "employer"]
    assert record.language == "fr" and record.recorded_at is not None
    assert no_answer_records(steps[:-1])  # nothing is stored before consent is complete
    prompt = session.current()
    assert prompt is not None and prompt.kind is PromptKind.QUESTION and prompt.name == "works"
    assert prompt.label == "Avez-vous travaillé la semaine dernière ?"  # the interview language


def test_the_consent_prompts_read_the_protocols_statements_in_the_session_language() -> None:
    session = start(form(BODY), "fr")
    prompt = session.current()
    assert prompt is not None and prompt.label == "Peut-on continuer en sécurité ?"
    assert prompt.hint == "Arrêter et orienter"  # the distress protocol
    assert [c.label for c in prompt.choices] == ["Oui", "Non"]
    session.answer("oui")
    session.answer("o")
    prompt = session.current()
    assert prompt is not None and prompt.label == "Acceptez-vous de participer ?"


def test_a_screening_stop_ends_the_interview_before_consent() -> None:
    session = start(form(BODY))
    _, steps = kinds_and_answers(session, "1", "2")
    assert steps[-1].status is InterviewStatus.STOPPED
    record = steps[-1].consent
    assert record is not None and record.outcome is ConsentOutcome.SCREENED_OUT
    assert record.screening == {"safe_to_proceed": "1", "respondent_calm": "2"}
    assert not record.allows_interview
    assert session.current() is None
    assert no_answer_records(steps)
    assert session.answer("1").code == "FK-ANS-007"


def test_an_adult_refusal_stores_only_the_consent_record() -> None:
    session = start(form(BODY))
    _, steps = kinds_and_answers(session, "1", "1", "no")
    assert steps[-1].status is InterviewStatus.REFUSED
    record = steps[-1].consent
    assert record is not None and record.outcome is ConsentOutcome.REFUSED
    assert record.adult_consent is False
    assert all(step.records == () for step in steps)  # not even the constant calculation
    assert session.current() is None and session.answers() == {}
    assert session.goto("works").code == "FK-ANS-007"


def test_a_child_needs_a_guardian_and_their_own_assent() -> None:
    session = start(form(BODY, CHILD_HEADER))
    kinds, steps = kinds_and_answers(session, "1", "1", "12", "1", "1", "nobody", "1")
    assert kinds[2:5] == [
        PromptKind.RESPONDENT_AGE,
        PromptKind.GUARDIAN_CONSENT,
        PromptKind.CHILD_ASSENT,
    ]
    record = steps[-1].consent
    assert record is not None and record.outcome is ConsentOutcome.GIVEN
    assert (record.respondent, record.respondent_age) == ("child", 12)
    assert (record.guardian_consent, record.child_assent, record.adult_consent) == (
        True,
        True,
        None,
    )


def test_a_fifteen_year_old_who_says_no_is_not_interviewed_though_the_guardian_said_yes() -> None:
    session = start(form(BODY, CHILD_HEADER))
    _, steps = kinds_and_answers(session, "1", "1", "15", "1", "2")
    record = steps[-1].consent
    assert record is not None and record.outcome is ConsentOutcome.ASSENT_REFUSED
    assert (record.guardian_consent, record.child_assent) == (True, False)
    assert steps[-1].status is InterviewStatus.REFUSED
    assert all(step.records == () for step in steps)  # no answer records at all
    assert session.current() is None


def test_a_guardian_refusal_ends_the_interview() -> None:
    session = start(form(BODY, CHILD_HEADER))
    _, steps = kinds_and_answers(session, "1", "1", "9", "2")
    record = steps[-1].consent
    assert record is not None and record.outcome is ConsentOutcome.GUARDIAN_REFUSED
    assert steps[-1].status is InterviewStatus.REFUSED and no_answer_records(steps)


def test_an_adult_respondent_on_a_child_form_gives_adult_consent() -> None:
    session = start(form(BODY, CHILD_HEADER))
    kinds_and_answers(session, "1", "1", "18")
    prompt = session.current()
    assert prompt is not None and prompt.kind is PromptKind.CONSENT_ADULT


def test_no_guardian_a_documented_exception_with_a_coded_reason_a_note_and_a_supervisor() -> None:
    the_form = form(BODY, CHILD_HEADER)
    session = start(the_form)
    kinds_and_answers(session, "1", "1", "14")
    prompt = session.current()
    assert prompt is not None and [c.value for c in prompt.choices] == ["1", "2", "3"]
    kinds, steps = kinds_and_answers(session, "3", "street_living")
    prompt = session.current()  # the reason: chosen from the protocol's coded list
    assert prompt is not None and prompt.type is QuestionType.SELECT_ONE
    assert [c.value for c in prompt.choices] == ["no_family_contact", "parents_unreachable"]
    assert session.answer("Lives at the bus station").code == "FK-ANS-004"  # not free text
    more, steps = kinds_and_answers(
        session, "2", "Lives at the bus station with Musa", "S03", "yes", "nobody", "en"
    )
    kinds += more
    assert kinds[:5] == [PromptKind.GUARDIAN_CONSENT] + [PromptKind.EXCEPTION] * 4
    assert kinds[5] is PromptKind.CHILD_ASSENT
    record = steps[-1].consent
    assert record is not None and record.outcome is ConsentOutcome.EXCEPTION
    assert record.exception == "street_living"
    assert record.exception_reason == "parents_unreachable"
    assert record.exception_note == "Lives at the bus station with Musa"  # the store seals it
    assert record.supervisor == "S03"
    assert record.guardian_consent is None and record.child_assent is True
    assert record.allows_interview
    protocol = the_form.protocol
    assert (record.protocol_version, record.consent_sha256, record.data_use_sha256) == (
        protocol.version,
        protocol.consent_sha256,
        protocol.data_use_sha256,
    )


@pytest.mark.parametrize("name", ["A. Supervisor", "Fatmata Kamara", "S 03"])
def test_the_supervisor_is_a_staff_code_not_a_name(name: str) -> None:
    session = start(form(BODY, CHILD_HEADER))
    kinds_and_answers(session, "1", "1", "14", "3", "1", "1", "")  # the note may be blank
    step = session.answer(name)
    assert step.code == "FK-ANS-001" and "code" in (step.error.message if step.error else "")
    assert session.answer("S-03").ok


def test_an_exception_still_needs_the_childs_assent() -> None:
    session = start(form(BODY, CHILD_HEADER))
    _, steps = kinds_and_answers(session, "1", "1", "14", "3", "1", "1", "", "S03", "2")
    record = steps[-1].consent
    assert record is not None and record.outcome is ConsentOutcome.ASSENT_REFUSED
    assert record.exception == "street_living" and no_answer_records(steps)


def test_the_exception_reason_and_supervisor_cannot_be_blank() -> None:
    session = start(form(BODY, CHILD_HEADER))
    kinds_and_answers(session, "1", "1", "14", "3", "1")
    assert session.answer("  ").code == "FK-ANS-002"
    kinds_and_answers(session, "1", "")
    assert session.answer("  ").code == "FK-ANS-002"


def test_no_form_question_is_reachable_before_consent() -> None:
    session = start(form(BODY))
    for question in ("works", "hours", "fixed", "nowhere"):
        step = session.goto(question)
        assert not step.ok and step.code == "FK-CONSENT-001"
    assert not session.add_member("works").ok
    session.answer("1")
    assert session.goto("works").code == "FK-CONSENT-001"
    assert session.summary() == [] and session.answers() == {}
    prompt = session.current()
    assert prompt is not None and prompt.kind is PromptKind.SCREENING


def test_back_inside_the_consent_block_asks_again() -> None:
    session = start(form(BODY, CHILD_HEADER))
    kinds_and_answers(session, "1", "1", "41")
    assert session.back().ok
    prompt = session.current()
    assert prompt is not None and prompt.kind is PromptKind.RESPONDENT_AGE
    kinds_and_answers(session, "12")
    prompt = session.current()
    assert prompt is not None and prompt.kind is PromptKind.GUARDIAN_CONSENT
    for _ in range(3):
        assert session.back().ok
    assert session.back().code == "FK-ANS-009"


def test_consent_cannot_be_revisited_from_the_form() -> None:
    session = start(form(BODY))
    consent_adult(session)
    step = session.back()
    assert not step.ok and step.code == "FK-CONSENT-002"


@pytest.mark.parametrize("raw", ["", "maybe", "7", "dk"])
def test_consent_answers_must_be_yes_or_no(raw: str) -> None:
    session = start(form(BODY))
    kinds_and_answers(session, "1", "1")
    step = session.answer(raw)
    assert not step.ok and step.records == ()
    prompt = session.current()
    assert prompt is not None and prompt.kind is PromptKind.CONSENT_ADULT


def test_respondent_age_is_a_plausible_whole_number() -> None:
    session = start(form(BODY, CHILD_HEADER))
    kinds_and_answers(session, "1", "1")
    assert session.answer("twelve").code == "FK-ANS-001"
    assert session.answer("130").code == "FK-ANS-001"
    assert session.answer("-1").code == "FK-ANS-001"


def test_nobody_present_cannot_be_combined() -> None:
    session = start(form(BODY))
    kinds_and_answers(session, "1", "1", "1")
    step = session.answer("nobody parent")
    assert step.code == "FK-ANS-004"


def test_a_form_without_consent_starts_at_its_first_question() -> None:
    session = start(form(BODY, NO_CONSENT_HEADER))
    prompt = session.current()
    assert prompt is not None and prompt.kind is PromptKind.QUESTION and prompt.name == "works"
    step = session.answer("1")
    assert step.ok and step.consent is None
    assert ("fixed", 0) in {(a.question, a.member) for a in step.answers}  # opening records


def test_withdrawing_mid_interview_ends_it_refused_and_forgets_the_answers() -> None:
    session = start(form(BODY))
    consent_adult(session)
    session.answer("1")
    asked = session.withdraw()  # nothing happens until the enumerator confirms
    assert not asked.ok and asked.code == "FK-ANS-030" and asked.confirm is not None
    assert asked.confirm.message == (
        "The respondent withdraws: the interview ends now as refused, the answer given so far"
        " is deleted, and only the refusal is kept."
    )
    assert asked.status is InterviewStatus.DRAFT and len(session.answers()) >= 1
    step = session.withdraw(confirm=True)
    assert step.status is InterviewStatus.REFUSED and step.records == ()  # the store purges
    assert step.consent is not None and step.consent.outcome is ConsentOutcome.REFUSED
    assert step.consent.adult_consent is True  # what was said at the start stays on record
    assert session.answers() == {} and session.current() is None and session.summary() == []
    assert session.withdraw(confirm=True).code == "FK-ANS-007"


def test_withdrawing_during_the_consent_block_is_a_refusal() -> None:
    session = start(form(BODY))
    session.answer("1")
    asked = session.withdraw()
    assert asked.message == (
        "The respondent withdraws: the interview ends now as refused, and only the refusal is kept."
    )
    assert asked.confirm is not None and session.consenting
    step = session.withdraw(confirm=True)
    assert step.consent is not None and step.consent.outcome is ConsentOutcome.REFUSED
    assert step.status is InterviewStatus.REFUSED and step.records == ()


def test_resuming_needs_a_consent_that_allows_the_interview() -> None:
    from tests.test_engine_helpers import engine

    with pytest.raises(ConsentError) as caught:
        engine(form(BODY)).resume({}, {}, None)
    assert caught.value.code == "FK-CONSENT-003"


def test_the_header_is_really_adult_only() -> None:
    assert "child" not in form(BODY, ADULT_HEADER).respondents
