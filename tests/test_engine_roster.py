"""Rosters: members follow a count answer, or are added one by one; each member's
questions see that member's answers; aggregates outside see them all."""

from __future__ import annotations

from fieldkit.capture import Coded, MemberRemoval, PromptKind, Session, Step
from fieldkit.store.records import AnswerStatus, InterviewStatus, MemberChange
from tests.test_engine_helpers import (
    answer_all,
    consent_adult,
    form,
    held,
    members,
    replay,
    start,
)

COUNTED = (
    """
sections:
  - name: household
    label: {en: Household, fr: Ménage}
    questions:
      - name: hh_size
        type: integer
        label: {en: How many people live here?, fr: Combien de personnes vivent ici ?}
        constraint: ". >= 1 and . <= 30"
        constraint_message: {en: 1 to 30, fr: 1 à 30}
      - name: people
        type: repeat
        label: {en: People, fr: Personnes}
        count: ${hh_size}
        questions:
          - {name: sex, type: select_one, choices: sex, label: {en: Sex, fr: Sexe}, disaggregation: sex}
          - {name: age, type: integer, label: {en: Age, fr: Âge}, disaggregation: age}
          - name: works
            type: select_one
            choices: yes_no
            label: {en: Works?, fr: Travaille ?}
            relevant: "${age} >= 5"
          - {name: number, type: calculate, calculation: "position()"}
      - {name: total_age, type: calculate, calculation: "sum(${age})"}
      - {name: listed, type: calculate, calculation: "count(${people})"}
      - {name: remark, type: text, label: {en: Remark, fr: Remarque}}
""".replace("How many people live here?", '"How many people live here?"')
    .replace("Combien de personnes vivent ici ?", '"Combien de personnes vivent ici ?"')
    .replace("{en: Works?, fr: Travaille ?}", '{en: "Works?", fr: "Travaille ?"}')
)

OPEN = """
sections:
  - name: household
    label: {en: Household, fr: Ménage}
    questions:
      - {name: head, type: select_one, choices: yes_no, label: {en: Head present, fr: Chef présent}}
      - name: children
        type: repeat
        label: {en: Children, fr: Enfants}
        relevant: "${head} = 1"
        questions:
          - {name: sex, type: select_one, choices: sex, label: {en: Sex, fr: Sexe}, disaggregation: sex}
          - {name: age, type: integer, label: {en: Age, fr: Âge}, disaggregation: age}
      - {name: how_many, type: calculate, calculation: "count(${children})"}
      - {name: done, type: text, label: {en: Done, fr: Fini}}
"""


def opened(body: str) -> tuple[Session, list[Step]]:
    session = start(form(body))
    return session, [consent_adult(session)]


def test_members_follow_the_count_answer_and_each_sees_its_own_answers() -> None:
    session, steps = opened(COUNTED)
    steps += answer_all(session, "3")
    assert session.members("people") == (1, 2, 3)
    prompt = session.current()
    assert prompt is not None and prompt.name == "sex" and prompt.roster is not None
    assert (prompt.roster.index, prompt.roster.total, prompt.member) == (1, 3, 1)
    steps += answer_all(session, "1", "40", "1", "2", "3")  # member 2 is 3: works is skipped
    prompt = session.current()
    assert prompt is not None and (prompt.name, prompt.member) == ("sex", 3)
    assert not session.applies("works", 2) and session.applies("works", 1)
    steps += answer_all(session, "2", "9", "2")
    kept = held(session)
    assert [kept[("number", m)] for m in (1, 2, 3)] == [
        (m, AnswerStatus.ANSWERED) for m in (1, 2, 3)
    ]
    assert kept[("total_age", 0)] == (52, AnswerStatus.ANSWERED)
    assert kept[("listed", 0)] == (3, AnswerStatus.ANSWERED)
    assert replay(session, steps) == kept


def test_lowering_the_count_removes_the_last_member_and_its_answers() -> None:
    session, steps = opened(COUNTED)
    steps += answer_all(session, "3", "1", "40", "1", "2", "3", "2", "9", "2")
    session.goto("hh_size")
    asked = session.answer("2")  # member 3 holds answers: nothing is removed without a yes
    assert not asked.ok and asked.code == "FK-ANS-030" and asked.confirm is not None
    assert asked.confirm.removed == (MemberRemoval("people", 3, 3, "", 3),)
    assert (
        asked.message == "This removes member 3 from 'People', with the 3 answers given for them."
    )
    assert session.members("people") == (1, 2, 3) and held(session)[("hh_size", 0)][0] == 3
    step = session.answer("2", confirm=True)
    steps.append(step)
    assert [r for r in step.records if isinstance(r, MemberChange)] == [
        MemberChange("people", 3, present=False)
    ]
    assert session.members("people") == (1, 2)
    assert not [key for key in session.answers() if key[1] == 3]
    assert {(a.question, a.value) for a in step.answers} == {
        ("hh_size", 2),
        ("total_age", 43),
        ("listed", 2),
    }
    assert replay(session, steps) == held(session)
    assert members(steps) == {"people": {1, 2}}
    prompt = session.current()
    assert prompt is not None and (prompt.name, prompt.member) == ("sex", 1)  # walking on


def test_raising_the_count_adds_members_at_the_end() -> None:
    session, steps = opened(COUNTED)
    steps += answer_all(session, "1", "2", "30", "2")
    assert session.current() is not None and session.current().name == "remark"  # type: ignore[union-attr]
    session.goto("hh_size")
    steps += answer_all(session, "2", "", "", "")  # keep member 1's answers
    prompt = session.current()
    assert prompt is not None and (prompt.name, prompt.member) == ("sex", 2)
    assert prompt.roster is not None and (prompt.roster.index, prompt.roster.total) == (2, 2)
    assert members(steps) == {"people": {1, 2}}


def test_a_member_can_be_reached_with_goto_and_an_unknown_one_cannot() -> None:
    session, _ = opened(COUNTED)
    answer_all(session, "2", "1", "30", "1")
    assert session.goto("age", 2).ok
    prompt = session.current()
    assert prompt is not None and (prompt.name, prompt.member) == ("age", 2)
    assert session.goto("age", 5).code == "FK-ANS-006"
    assert session.goto("people", 2).ok
    prompt = session.current()
    assert prompt is not None and (prompt.name, prompt.member) == ("sex", 2)


def test_a_counted_roster_refuses_add_and_remove() -> None:
    session, _ = opened(COUNTED)
    answer_all(session, "2")
    assert session.add_member("people").code == "FK-ANS-008"
    assert session.remove_member("people", 1).code == "FK-ANS-008"
    assert session.add_member("hh_size").code == "FK-ANS-008"


def test_an_open_ended_roster_asks_whether_to_add_another_member() -> None:
    session, steps = opened(OPEN)
    steps += answer_all(session, "1")
    prompt = session.current()
    assert (
        prompt is not None and prompt.kind is PromptKind.ROSTER_COUNT and prompt.name == "children"
    )
    assert prompt.label == "Children: add a member? (0 so far)"
    steps += answer_all(session, "yes", "2", "7")
    prompt = session.current()
    assert prompt is not None and prompt.kind is PromptKind.ROSTER_COUNT
    steps += answer_all(session, "1", "1", "12", "1", "2", "15")
    prompt = session.current()
    assert prompt is not None and prompt.label == "Children: add a member? (3 so far)"
    assert session.answer("maybe").code == "FK-ANS-004"
    steps += answer_all(session, "no")
    prompt = session.current()
    assert prompt is not None and prompt.name == "done"
    assert held(session)[("how_many", 0)] == (3, AnswerStatus.ANSWERED)
    assert members(steps) == {"children": {1, 2, 3}}


def test_removing_a_member_keeps_the_others_numbers() -> None:
    session, steps = opened(OPEN)
    steps += answer_all(session, "1", "1", "2", "7", "1", "1", "12", "1", "2", "15", "2")
    asked = session.remove_member("children", 2)
    assert asked.confirm is not None and asked.confirm.removed == (
        MemberRemoval("children", 2, 2, "", 2),
    )
    assert session.members("children") == (1, 2, 3)
    steps.append(session.remove_member("children", 2, confirm=True))
    assert steps[-1].ok and session.members("children") == (1, 3)
    assert {(a.question, a.value) for a in steps[-1].answers} == {("how_many", 2)}
    assert [(k, v) for k, v in held(session).items() if k[0] == "age"] == [
        (("age", 1), (7, AnswerStatus.ANSWERED)),
        (("age", 3), (15, AnswerStatus.ANSWERED)),
    ]
    steps.append(session.add_member("children"))
    assert session.members("children") == (1, 3, 4)
    prompt = session.current()
    assert prompt is not None and (prompt.name, prompt.member) == ("sex", 4)
    assert prompt.roster is not None and (prompt.roster.index, prompt.roster.total) == (3, 3)
    assert replay(session, steps) == held(session)
    assert members(steps) == {"children": {1, 3, 4}}
    assert session.remove_member("children", 2).code == "FK-ANS-008"


def test_removing_the_member_being_asked_moves_on() -> None:
    session, _ = opened(OPEN)
    answer_all(session, "1", "1", "2")
    prompt = session.current()
    assert prompt is not None and (prompt.name, prompt.member) == ("age", 1)
    assert session.remove_member("children", 1).confirm is not None  # its sex is answered
    assert session.remove_member("children", 1, confirm=True).ok
    prompt = session.current()
    assert prompt is not None and prompt.kind is PromptKind.ROSTER_COUNT


def test_a_roster_that_stops_applying_loses_its_members() -> None:
    session, steps = opened(OPEN)
    steps += answer_all(session, "1", "1", "2", "7", "2", "done")
    assert session.status is InterviewStatus.COMPLETE
    session.goto("head")
    asked = session.answer("2")
    assert asked.confirm is not None and [r.member for r in asked.confirm.removed] == [1]
    steps.append(session.answer("2", confirm=True))
    assert [r for r in steps[-1].records if isinstance(r, MemberChange)] == [
        MemberChange("children", 1, present=False)
    ]
    assert session.members("children") == ()
    assert replay(session, steps) == held(session)
    assert session.add_member("children").code == "FK-ANS-006"


def test_back_walks_through_members_in_reverse() -> None:
    session, _ = opened(OPEN)
    answer_all(session, "1", "1", "1", "7", "1", "2", "9")
    visited = []
    for _ in range(5):
        assert session.back().ok
        prompt = session.current()
        assert prompt is not None
        visited.append((prompt.name, prompt.member))
    assert visited == [("age", 2), ("sex", 2), ("age", 1), ("sex", 1), ("head", 0)]
    assert session.back().code == "FK-CONSENT-002"


def test_a_member_without_answers_is_removed_without_asking() -> None:
    session, _ = opened(OPEN)
    answer_all(session, "1", "1")  # head present; add a member, who has no answer yet
    assert session.members("children") == (1,)
    step = session.remove_member("children", 1)
    assert step.ok and step.confirm is None and session.members("children") == ()


def test_clearing_an_answer_others_depend_on_asks_first() -> None:
    session, _ = opened(COUNTED)
    answer_all(session, "1", "1", "30", "2", "fine")  # one member; works applies at 30
    assert session.goto("age", 1).ok
    asked = session.clear()
    assert asked.confirm is not None and asked.confirm.cleared == (("works", 1),)
    assert asked.message == ("This deletes 1 answer that would no longer apply: works (member 1).")
    assert ("age", 1) in held(session)
    assert session.clear(confirm=True).ok and ("age", 1) not in held(session)


def test_an_open_ended_roster_takes_its_yes_and_no_as_coded_values() -> None:
    """The web form hands the add-a-member question over as Coded("1")/Coded("2")."""
    session, steps = opened(OPEN)
    steps += answer_all(session, "1")
    added = session.answer(Coded("1"))
    assert added.error is None
    prompt = session.current()
    assert prompt is not None and prompt.kind is not PromptKind.ROSTER_COUNT
    steps += answer_all(session, "2", "7")
    assert session.answer(Coded("2")).error is None
    prompt = session.current()
    assert prompt is not None and prompt.name == "done"
