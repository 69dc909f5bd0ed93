"""Skip logic, calculations, constraints and cascades: only what depends on a change is
re-evaluated, and an answer whose question stops applying is cleared (no ghosts)."""

from __future__ import annotations

from fieldkit.capture import PromptKind
from fieldkit.store.records import AnswerChange, AnswerStatus, InterviewStatus, ParadataEvent
from tests.test_engine_helpers import (
    Clock,
    answer_all,
    consent_adult,
    form,
    held,
    interview,
    replay,
    start,
)

WORK = """
sections:
  - name: work
    label: {en: Work, fr: Travail}
    questions:
      - name: age
        type: integer
        label: {en: Age, fr: Âge}
        required: true
        constraint: ". >= 5 and . <= 17"
        constraint_message: {en: "Between 5 and 17", fr: "Entre 5 et 17 ans"}
      - name: worked
        type: select_one
        choices: yes_no
        label: {en: "Worked last week?", fr: "A travaillé la semaine dernière ?"}
      - name: hours
        type: integer
        label: {en: Hours worked, fr: Heures travaillées}
        relevant: "${worked} = 1"
      - name: night
        type: select_one
        choices: yes_no
        label: {en: "At night?", fr: "La nuit ?"}
        relevant: "${hours} > 14"
      - name: hazardous
        type: calculate
        calculation: "${age} < 18 and (${hours} > 14 or ${night} = 1)"
      - name: school
        type: select_one
        choices: yes_no
        label: {en: "In school?", fr: "Scolarisé ?"}
  - name: followup
    label: {en: Follow-up, fr: Suivi}
    relevant: "${worked} = 1"
    questions:
      - name: employer
        type: text
        label: {en: Employer type, fr: Type d'employeur}
      - name: paid
        type: select_one
        choices: yes_no
        label: {en: "Paid?", fr: "Payé ?"}
"""


def test_skip_logic_moves_past_questions_that_do_not_apply() -> None:
    session = interview(WORK)
    answer_all(session, "12", "2")
    prompt = session.current()
    assert prompt is not None and prompt.name == "school"  # hours, night, followup skipped
    answer_all(session, "1")
    assert session.current() is None and session.status is InterviewStatus.COMPLETE


def test_an_answer_that_stops_applying_is_cleared_with_its_dependents() -> None:
    session = interview(WORK)
    steps = answer_all(session, "12", "1", "20", "1", "1", "farm", "1")
    assert held(session)[("hazardous", 0)] == ("true", AnswerStatus.ANSWERED)
    session.goto("worked")
    asked = session.answer("2")  # it would delete four answers: the engine asks first
    assert not asked.ok and asked.code == "FK-ANS-030" and asked.confirm is not None
    assert set(asked.confirm.cleared) == {("hours", 0), ("night", 0), ("employer", 0), ("paid", 0)}
    assert asked.confirm.message == (
        "This deletes 4 answers that would no longer apply: hours, night, employer, paid."
    )
    assert asked.answers == () and held(session)[("worked", 0)] == ("1", AnswerStatus.ANSWERED)
    steps.append(session.answer("2", confirm=True))
    cleared = {a.question for a in steps[-1].answers if a.status is AnswerStatus.CLEARED}
    assert cleared == {"hours", "night", "employer", "paid"}  # the chain and the whole section
    assert ("hazardous", 0) in {(a.question, a.member) for a in steps[-1].answers}
    assert held(session)[("hazardous", 0)] == ("false", AnswerStatus.ANSWERED)
    for key in session.answers():
        assert session.applies(*key), key  # no ghosts
    assert replay(session, steps) == held(session)


def test_calculations_recompute_when_their_inputs_change() -> None:
    session = interview(
        """
        sections:
          - name: money
            label: {en: Money, fr: Argent}
            questions:
              - {name: cash, type: integer, label: {en: Cash, fr: Espèces}}
              - {name: kind, type: integer, label: {en: In kind, fr: En nature}}
              - {name: total, type: calculate, calculation: "${cash} + coalesce(${kind}, 0)"}
              - {name: band, type: calculate, calculation: "if(${total} > 100, 'high', 'low')"}
              - {name: check, type: note, label: {en: "Total computed", fr: "Total calculé"}}
        """
    )
    assert held(session)[("band", 0)] == ("low", AnswerStatus.ANSWERED)  # '' > 100 is false
    step = session.answer("40")
    assert [(a.question, a.value) for a in step.answers] == [("cash", 40), ("total", 40)]
    step = session.answer("70")
    assert [(a.question, a.value) for a in step.answers] == [
        ("kind", 70),
        ("total", 110),
        ("band", "high"),
    ]
    prompt = session.current()
    assert prompt is not None and prompt.type == "note"
    step = session.answer("")
    assert step.ok and step.answers == () and session.status is InterviewStatus.COMPLETE


def test_a_constraint_message_comes_in_the_session_language() -> None:
    session = interview(WORK, language="fr")
    step = session.answer("30")
    assert not step.ok and step.message == "Entre 5 et 17 ans" and step.code == "FK-ANS-003"
    assert step.answers == () and ("age", 0) not in session.answers()
    invalid = [r for r in step.records if isinstance(r, ParadataEvent)]
    assert [(e.event, e.question, e.detail) for e in invalid] == [("invalid", "age", "FK-ANS-003")]
    assert session.answer("17").ok


def test_a_required_question_cannot_be_left_blank_but_an_optional_one_can() -> None:
    session = interview(WORK, language="fr")
    step = session.answer("  ")
    assert step.message == "Une réponse est obligatoire." and step.code == "FK-ANS-002"
    prompt = session.current()
    assert prompt is not None and prompt.required
    answer_all(session, "10", "")  # worked is optional: skipped
    prompt = session.current()
    assert prompt is not None and prompt.name == "school"


def test_a_blank_answer_keeps_the_answer_given_and_clear_removes_an_optional_one() -> None:
    session = interview(WORK)
    answer_all(session, "10", "1")
    session.goto("worked")
    prompt = session.current()
    assert prompt is not None and prompt.answer == "Yes"
    step = session.answer("")
    assert step.ok and step.answers == ()
    session.goto("worked")
    step = session.clear()
    assert [(a.question, a.status) for a in step.answers] == [("worked", AnswerStatus.CLEARED)]
    session.goto("age")
    assert session.clear().code == "FK-ANS-002"


def test_required_if_is_evaluated_at_the_question() -> None:
    session = interview(
        """
        sections:
          - name: main
            label: {en: Main, fr: Principal}
            questions:
              - {name: worked, type: select_one, choices: yes_no, label: {en: W, fr: W}}
              - {name: why, type: text, label: {en: Why, fr: Pourquoi}, required: "${worked} = 2"}
        """
    )
    answer_all(session, "1")
    prompt = session.current()
    assert prompt is not None and not prompt.required
    session.back()
    answer_all(session, "2")
    assert session.answer("").code == "FK-ANS-002"


def test_a_choice_filter_cascade_drops_an_answer_no_longer_offered() -> None:
    session = interview(
        """
        choices:
          region:
            - {value: north, label: {en: North, fr: Nord}}
            - {value: south, label: {en: South, fr: Sud}}
          district:
            - {value: n1, label: {en: North 1, fr: Nord 1}, filter: {region: north}}
            - {value: n2, label: {en: North 2, fr: Nord 2}, filter: {region: north}}
            - {value: s1, label: {en: South 1, fr: Sud 1}, filter: {region: south}}
          village:
            - {value: v1, label: {en: V1, fr: V1}, filter: {district: n1}}
            - {value: v2, label: {en: V2, fr: V2}, filter: {district: n2}}
            - {value: v3, label: {en: V3, fr: V3}, filter: {district: s1}}
        sections:
          - name: place
            label: {en: Place, fr: Lieu}
            questions:
              - {name: region, type: select_one, choices: region, label: {en: R, fr: R}}
              - {name: district, type: select_one, choices: district, label: {en: D, fr: D},
                 choice_filter: "region = ${region}"}
              - {name: village, type: select_one, choices: village, label: {en: V, fr: V},
                 choice_filter: "district = ${district}"}
        """
    )
    steps = answer_all(session, "north", "2", "1")
    assert held(session)[("village", 0)] == ("v2", AnswerStatus.ANSWERED)
    session.goto("region")
    prompt = session.current()
    assert prompt is not None and prompt.answer == "North"
    asked = session.answer("south")
    assert asked.confirm is not None and asked.confirm.cleared == (("district", 0), ("village", 0))
    steps.append(session.answer("south", confirm=True))
    assert [(a.question, a.status) for a in steps[-1].answers] == [
        ("region", AnswerStatus.ANSWERED),
        ("district", AnswerStatus.CLEARED),
        ("village", AnswerStatus.CLEARED),
    ]
    prompt = session.current()
    assert prompt is not None and prompt.name == "district"
    assert [c.value for c in prompt.choices] == ["s1"]
    assert replay(session, steps) == held(session)


CHAIN = """
sections:
  - name: main
    label: {en: Main, fr: Principal}
    questions:
      - {name: a, type: integer, label: {en: A, fr: A}}
      - {name: b, type: integer, label: {en: B, fr: B}}
      - {name: a2, type: calculate, calculation: "${a} * 2"}
      - {name: a4, type: calculate, calculation: "${a2} * 2"}
      - {name: big, type: select_one, choices: yes_no, label: {en: Big, fr: Big}, relevant: "${a4} > 40"}
      - {name: b2, type: calculate, calculation: "${b} + 1"}
      - {name: c, type: integer, label: {en: C, fr: C}}
      - {name: d, type: integer, label: {en: D, fr: D}, relevant: "${b} > 0"}
"""


def test_back_and_change_re_evaluates_only_the_dependents_transitively() -> None:
    session = interview(CHAIN)
    answer_all(session, "1", "1", "5", "5")
    session.back()
    session.back()
    prompt = session.current()
    assert prompt is not None and prompt.name == "c"  # big and d skipped going back too
    before = session.evaluations
    session.goto("a")
    session.answer("20")
    assert set(session.recomputed) == {("a2", 0), ("a4", 0), ("big", 0)}  # not b, b2, c, d
    assert session.evaluations - before == 3
    prompt = session.current()
    assert prompt is not None and prompt.name == "b"  # the cursor walks on from a
    before = session.evaluations
    session.answer("2")
    assert session.recomputed == (("b2", 0), ("d", 0))
    assert session.evaluations - before == 2


def test_a_question_in_an_irrelevant_section_is_not_reachable() -> None:
    session = interview(WORK)
    answer_all(session, "12", "2")
    step = session.goto("employer")
    assert not step.ok and step.code == "FK-ANS-006"
    assert session.goto("nowhere").code == "FK-ANS-006"
    assert session.goto("hazardous").code == "FK-ANS-006"  # a calculation is never asked


def test_progress_counts_answered_among_relevant() -> None:
    session = interview(WORK)
    prompt = session.current()
    assert prompt is not None and (prompt.progress.answered, prompt.progress.relevant) == (0, 3)
    answer_all(session, "12", "1")
    prompt = session.current()
    assert prompt is not None and (prompt.progress.answered, prompt.progress.relevant) == (2, 6)
    # age took its share of four (two to answer, four that may apply: two): 1/5; worked its
    # share of 4.5 (four to answer now, night may apply): 1 - 4/5 * 4.5/5.5
    assert prompt.progress.percent == 34
    assert (prompt.section, prompt.section_label) == ("work", "Work")


PII = """
sections:
  - name: who
    label: {en: Who, fr: Qui}
    questions:
      - name: child_name
        type: text
        label: {en: Name of the child, fr: Nom de l'enfant}
        pii: true
        constraint: "string-length(.) >= 2"
        constraint_message: {en: At least 2 letters, fr: Au moins 2 lettres}
      - {name: has_name, type: calculate, calculation: "string-length(${child_name}) > 0"}
      - {name: city, type: text, label: {en: City, fr: Ville}}
"""


def test_an_identifying_answer_goes_to_the_store_once_and_is_never_shown_again() -> None:
    session = interview(PII)
    assert session.answer("A").message == "At least 2 letters"  # validated with the value
    step = session.answer("Awa Traoré")
    (change,) = step.answers
    assert (change.question, change.value, change.pii) == ("child_name", "Awa Traoré", True)
    assert held(session)[("has_name", 0)] == ("false", AnswerStatus.ANSWERED)  # sealed: empty
    answer_all(session, "Kayes")
    assert [(r.question, r.value) for r in session.summary()] == [
        ("child_name", "•••"),
        ("city", "Kayes"),
    ]
    session.goto("child_name")
    prompt = session.current()
    assert prompt is not None and prompt.answer == "•••"
    assert "Awa" not in repr(session.answers()) and "Awa" not in repr(session.sheet.values)
    assert session.answer("").ok  # blank keeps the sealed answer


def test_paradata_times_each_question_and_never_carries_a_value() -> None:
    clock = Clock()
    session = start(form(WORK), clock=clock)
    consent_adult(session)
    clock.tick(2.5)
    step = session.answer("12")
    events = [r for r in step.records if isinstance(r, ParadataEvent)]
    assert [(e.event, e.question, e.elapsed_ms) for e in events] == [
        ("answer", "age", 2500),
        ("ask", "worked", None),
    ]
    clock.tick(1)
    session.answer("1")
    clock.tick(0.25)
    step = session.back()
    assert [(e.event, e.question) for e in step.records if isinstance(e, ParadataEvent)] == [
        ("back", "worked"),
        ("ask", "worked"),
    ]
    step = session.answer("2")
    events = [r for r in step.records if isinstance(r, ParadataEvent)]
    assert (events[0].event, events[0].question, events[0].elapsed_ms) == ("change", "worked", 0)
    for event in events:
        assert event.detail is None or not event.detail.isdigit()
    assert all("12" not in repr(r) for r in step.records if isinstance(r, ParadataEvent))


def test_a_completed_interview_can_be_reopened_with_goto() -> None:
    session = interview(WORK)
    answer_all(session, "12", "2", "1")
    assert session.current() is None and session.answer("1").code == "FK-ANS-007"
    assert session.back().ok
    prompt = session.current()
    assert prompt is not None and prompt.name == "school"
    assert session.status is InterviewStatus.DRAFT
    assert session.goto("worked").ok and session.answer("1").ok
    prompt = session.current()
    assert prompt is not None and prompt.kind is PromptKind.QUESTION and prompt.name == "hours"


def test_skipping_to_the_end_comes_back_to_a_required_question() -> None:
    session = interview(
        """
        sections:
          - name: main
            label: {en: Main, fr: Principal}
            questions:
              - {name: a, type: integer, label: {en: A, fr: A}}
              - {name: b, type: integer, label: {en: B, fr: B}, required: true}
              - {name: c, type: integer, label: {en: C, fr: C}}
        """
    )
    answer_all(session, "1")
    session.goto("c")
    session.answer("3")
    prompt = session.current()
    assert prompt is not None and prompt.name == "b"
    assert session.status is InterviewStatus.DRAFT
    session.answer("2")
    assert session.current() is None and session.status is InterviewStatus.COMPLETE


def test_answers_are_emitted_as_store_records() -> None:
    session = interview(WORK)
    (step,) = answer_all(session, "12")
    assert step.answers == (AnswerChange("age", 0, 12, AnswerStatus.ANSWERED, False),)
