"""Roster checks hold whatever way the roster changes (issue 10, #6): when a member is added
by hand, and when a draft is resumed with answers that break one (stored by an earlier
fieldkit or written by another program): the interview goes first to the question to
correct, names the check that fails, and is not complete while one fails. The summary
fills its labels without showing an identifying answer (the labels of the CLI list).
"""

from __future__ import annotations

import io

from rich.console import Console

from fieldkit.capture import Engine, Session
from fieldkit.cli.terminal import TerminalInterview
from fieldkit.store.records import AnswerChange, AnswerStatus, InterviewStatus
from fieldkit.web.screens import build_screen
from tests.capture_helpers import form_of
from tests.test_engine_helpers import answer_all, consent_adult, form, start
from tests.test_engine_household import drive

LISTED = """
sections:
  - name: household
    label: {en: Household, fr: Ménage}
    questions:
      - name: n_children
        type: integer
        label: {en: "How many children live here?", fr: "Combien d'enfants vivent ici ?"}
      - name: children
        type: repeat
        label: {en: Children, fr: Enfants}
        checks:
          - name: as_many_as_said
            rule: "count(${children}) <= ${n_children}"
            message: {en: "${n_children} children were said to live here", fr: "${n_children} enfants vivent ici"}
        questions:
          - {name: sex, type: select_one, choices: sex, label: {en: Sex, fr: Sexe}, disaggregation: sex}
          - {name: age, type: integer, label: {en: Age, fr: Âge}, disaggregation: age}
      - {name: done, type: text, label: {en: Done, fr: Fini}}
"""


def test_adding_a_member_a_roster_check_forbids_is_refused() -> None:
    session = start(form(LISTED))
    consent_adult(session)
    answer_all(session, "1", "yes", "2", "9")  # one child said to live here: a girl of 9
    refused = session.add_member("children")
    assert not refused.ok and refused.code == "FK-ANS-031"
    assert refused.message == "member 1: 1 children were said to live here"
    assert refused.error is not None and refused.error.hint == "roster check 'as_many_as_said'"
    assert session.members("children") == (1,)
    assert session.goto("n_children").ok
    assert answer_all(session, "2")[0].ok
    assert session.add_member("children").ok
    assert session.members("children") == (1, 2)


def _complete_household() -> Session:
    session = Engine(form_of("household")).start("en")
    drive(session)
    assert session.status is InterviewStatus.COMPLETE
    return session


def _resumed(session: Session, **changed: object) -> Session:
    """The session's interview resumed from what the store holds, with answers changed
    (``sex_1=2``: member 1's sex is 2) as another program could have written them."""
    answers: dict[tuple[str, int], AnswerChange] = dict(session.answers())
    for name, value in changed.items():
        question, member = name.rsplit("_", 1)
        key = (question, int(member))
        answers[key] = AnswerChange(question, key[1], value, AnswerStatus.ANSWERED, False)
    members = {"members": list(session.members("members"))}
    return session.engine.resume(answers.values(), members, session.consent, language="en")


def _keep_until(session: Session, place: tuple[str, int]) -> None:
    """Keep every answer (Enter) up to the prompt at ``place``."""
    while (prompt := session.current()) is not None and (prompt.name, prompt.member) != place:
        assert session.answer("").ok, prompt.name


def test_a_resumed_draft_that_breaks_a_check_goes_to_it_and_cannot_be_complete() -> None:
    resumed = _resumed(_complete_household(), sex_1=2)  # the head, father of both children
    failing = resumed.failing()
    assert [(f.error.code, f.at) for f in failing] == [
        ("FK-ANS-031", ("father_line", 2)),
        ("FK-ANS-031", ("father_line", 3)),
    ]
    assert failing[0].message == (
        "member 2: Line 1 is given as member 2's father but is recorded as female"
    )
    assert resumed.status is InterviewStatus.DRAFT
    prompt = resumed.current()
    assert prompt is not None and (prompt.name, prompt.member) == ("father_line", 2)
    _keep_until(resumed, ("father_line", 3))
    _keep_until(resumed, ("father_line", 2))  # past the end: back to what still fails
    assert resumed.status is InterviewStatus.DRAFT
    assert resumed.answer("0").ok  # his father does not live here, then
    _keep_until(resumed, ("father_line", 3))
    assert resumed.answer("0").ok
    _keep_until(resumed, ("", -1))
    assert resumed.failing() == ()
    assert resumed.status is InterviewStatus.COMPLETE


def test_a_resumed_draft_whose_checks_hold_starts_where_it_stopped() -> None:
    session = _complete_household()
    resumed = _resumed(session)
    assert resumed.failing() == ()
    assert resumed.status is InterviewStatus.COMPLETE and resumed.current() is None


def test_the_terminal_and_the_browser_show_the_check_beside_the_question() -> None:
    resumed = _resumed(_complete_household(), sex_1=2)
    shown = io.StringIO()
    typed = iter([":q"])
    interview = TerminalInterview(
        resumed, _Recorder(), Console(file=shown, width=200), lambda _: next(typed)
    )
    assert interview.run() is InterviewStatus.DRAFT
    assert "✗ member 2: Line 1 is given as member 2's father but is recorded as female" in (
        shown.getvalue()
    )
    screen = build_screen(resumed, resumed.form)
    assert screen is not None and screen.error == (
        "member 2: Line 1 is given as member 2's father but is recorded as female"
    )


class _Recorder:
    """Stands in for the laptop store: this test stores nothing."""

    def record(self, step: object) -> None:
        del step


def test_a_smaller_household_cannot_leave_a_parent_line_pointing_at_no_member() -> None:
    session = _complete_household()
    assert session.goto("hh_size").ok and session.answer("4").ok
    assert session.goto("first_name", 4).ok
    assert all(session.answer(typed).ok for typed in ("Akua", "2", "", "40", "2"))
    assert session.goto("mother_line", 2).ok and session.answer("4").ok  # Fiifi's mother
    assert session.goto("hh_size").ok
    refused = session.answer("3", confirm=True)  # even when the loss of Akua is agreed
    assert refused.code == "FK-ANS-031"
    assert refused.message == (
        "member 2 (Fiifi): Line 4 is given as Fiifi's mother but the household has no member 4"
    )
    assert session.members("members") == (1, 2, 3, 4)
    assert session.goto("mother_line", 2).ok and session.answer("0").ok
    assert session.goto("hh_size").ok and session.answer("3", confirm=True).ok
    assert session.members("members") == (1, 2, 3)


def test_the_summary_fills_its_labels_and_never_shows_a_name() -> None:
    session = _complete_household()
    labels = {(row.question, row.member): row.label for row in session.summary()}
    assert labels[("sex", 2)] == "Is member 2 male or female?"  # the name itself is •••
    assert not [label for label in labels.values() if "${" in label]
    assert not [label for label in labels.values() if "Fiifi" in label or "Kwasi" in label]
