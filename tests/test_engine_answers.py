"""Typed input: what the enumerator types is parsed per question type, or refused with a
message in the session language, and then nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit.capture import DONT_KNOW, REFUSED, Session
from fieldkit.store.records import AnswerStatus
from tests.test_engine_helpers import NO_CONSENT_HEADER, form, interview, start

TYPES = """
choices:
  work:
    - {value: farm, label: {en: Farm work, fr: Travail agricole}}
    - {value: shop, label: {en: Shop, fr: Boutique}}
    - {value: mine, label: {en: Mining, fr: Mine}}
sections:
  - name: main
    label: {en: Main, fr: Principal}
    questions:
      - {name: q, type: QTYPE, label: {en: Q, fr: Q}, CHOICES}
"""


def one_question(qtype: str, extra: str = "", language: str = "en") -> Session:
    choices = "choices: work" if qtype.startswith("select") else "hint: {en: h, fr: h}"
    if qtype == "geopoint":
        extra += ", pii: true"  # a location identifies: the compiler insists
    body = TYPES.replace("QTYPE", qtype).replace("CHOICES", choices + extra)
    return start(form(body, NO_CONSENT_HEADER), language)


@pytest.mark.parametrize(
    ("qtype", "raw", "value"),
    [
        ("integer", " 42 ", 42),
        ("integer", "-3", -3),
        ("decimal", "2.5", 2.5),
        ("decimal", "2,5", 2.5),
        ("decimal", "7", 7.0),
        ("date", "2027-02-01", "2027-02-01"),
        ("time", "7:05", "07:05:00"),
        ("time", "14:30:15", "14:30:15"),
        ("datetime", "2027-02-01 14:30", "2027-02-01T14:30:00"),
        ("datetime", "2027-02-01T14:30:05", "2027-02-01T14:30:05"),
        ("geopoint", "12.5 -1.25", "12.5 -1.25"),
        ("geopoint", "12.5 -1.25 300 5", "12.5 -1.25 300 5"),
        ("text", "  Ouagadougou ", "Ouagadougou"),
        ("select_one", "shop", "shop"),
        ("select_one", "3", "mine"),
        ("select_multiple", "farm, 3", ["farm", "mine"]),
        ("select_multiple", "3 1 1", ["farm", "mine"]),
    ],
)
def test_input_is_parsed_per_type(qtype: str, raw: str, value: object) -> None:
    session = one_question(qtype)
    step = session.answer(raw)
    assert step.ok, step.message
    (change,) = step.answers
    assert (change.question, change.member, change.value) == ("q", 0, value)
    assert change.status is AnswerStatus.ANSWERED
    assert change.pii is (qtype == "geopoint")


@pytest.mark.parametrize(
    ("qtype", "raw", "message"),
    [
        ("integer", "4.5", "Enter a whole number."),
        ("integer", "12abc", "Enter a whole number."),
        ("integer", "99999999999999999999", "Enter a whole number."),
        ("decimal", "1e3", "Enter a number."),
        ("date", "01/02/2027", "Enter a date as YYYY-MM-DD."),
        ("date", "2027-02-30", "Enter a date as YYYY-MM-DD."),
        ("time", "25:00", "Enter a time as HH:MM."),
        ("datetime", "2027-02-01", "Enter a date and time as YYYY-MM-DD HH:MM."),
        ("geopoint", "95 10", "Enter a location as 'latitude longitude [altitude accuracy]'."),
        ("geopoint", "12", "Enter a location as 'latitude longitude [altitude accuracy]'."),
        (
            "select_one",
            "4",
            "'4' is not one of the choices: type the number shown beside a choice.",
        ),
        (
            "select_one",
            "fishing",
            "'fishing' is not one of the choices: type the number shown beside a choice.",
        ),
        (
            "select_multiple",
            "farm 9",
            "'9' is not one of the choices: type the number shown beside a choice.",
        ),
    ],
)
def test_wrong_input_is_refused_and_changes_nothing(qtype: str, raw: str, message: str) -> None:
    session = one_question(qtype)
    step = session.answer(raw)
    assert not step.ok and step.message == message
    assert step.code in ("FK-ANS-001", "FK-ANS-004")
    assert step.answers == ()
    assert session.answers() == {}
    assert session.current().name == "q"


def test_messages_follow_the_session_language() -> None:
    session = one_question("integer", language="fr")
    assert session.answer("beaucoup").message == "Saisissez un nombre entier."


def test_typed_python_values_are_accepted_when_they_fit() -> None:
    date_session = one_question("date")
    assert date_session.answer(dt.date(2027, 1, 5)).answers[0].value == "2027-01-05"
    integer_session = one_question("integer")
    assert integer_session.answer(7).answers[0].value == 7
    assert not one_question("integer").answer(dt.date(2027, 1, 5)).ok
    multiple = one_question("select_multiple")
    assert multiple.answer(["mine", "shop"]).answers[0].value == ["shop", "mine"]


def test_dont_know_and_refused_are_answers_where_allowed() -> None:
    session = interview(
        """
        sections:
          - name: main
            label: {en: Main, fr: Principal}
            questions:
              - {name: income, type: integer, label: {en: Income, fr: Revenu}, required: true,
                 allow_dont_know: true, allow_refused: true}
              - {name: debt, type: integer, label: {en: Debt, fr: Dette}, allow_refused: true}
              - {name: worried, type: select_one, choices: yes_no, label: {en: W, fr: W},
                 relevant: "is-dont-know(${income})"}
        """
    )
    prompt = session.current()
    assert prompt is not None and prompt.allow_dont_know and prompt.allow_refused
    step = session.answer("dk")
    assert [(a.value, a.status) for a in step.answers] == [(None, AnswerStatus.DONT_KNOW)]
    assert session.current().name == "debt"
    refused = session.answer("dk")
    assert refused.message == "'Don't know' is not accepted for this question."
    assert refused.code == "FK-ANS-005"
    assert session.answer("Refused").answers[0].status is AnswerStatus.REFUSED
    assert session.current().name == "worried"  # is-dont-know() sees it
    summary = {row.question: row.value for row in session.summary()}
    assert summary == {"income": "Don't know", "debt": "Refused"}
    session.goto("income")
    assert session.answer(REFUSED).ok and session.current().name == "debt"
    assert not session.applies("worried")
    assert session.goto("income").ok and session.answer(DONT_KNOW).ok


def test_dont_know_words_in_french() -> None:
    session = interview(
        """
        sections:
          - name: main
            label: {en: Main, fr: Principal}
            questions:
              - {name: income, type: integer, label: {en: Income, fr: Revenu},
                 allow_dont_know: true, allow_refused: true}
              - {name: other, type: text, label: {en: Other, fr: Autre}}
        """,
        language="fr",
    )
    assert session.answer("NSP").answers[0].status is AnswerStatus.DONT_KNOW
    assert session.summary()[0].value == "Ne sait pas"
    session.goto("income")
    assert session.answer("refus").answers[0].status is AnswerStatus.REFUSED


def test_select_by_number_counts_the_shown_choices_only() -> None:
    session = interview(
        """
        choices:
          district:
            - {value: n1, label: {en: North 1, fr: Nord 1}, filter: {region: north}}
            - {value: s1, label: {en: South 1, fr: Sud 1}, filter: {region: south}}
            - {value: s2, label: {en: South 2, fr: Sud 2}, filter: {region: south}}
          region:
            - {value: north, label: {en: North, fr: Nord}}
            - {value: south, label: {en: South, fr: Sud}}
        sections:
          - name: main
            label: {en: Main, fr: Principal}
            questions:
              - {name: region, type: select_one, choices: region, label: {en: Region, fr: Région}}
              - {name: district, type: select_one, choices: district,
                 label: {en: District, fr: District}, choice_filter: "region = ${region}"}
        """
    )
    session.answer("south")
    prompt = session.current()
    assert prompt is not None
    assert [(c.number, c.value, c.label) for c in prompt.choices] == [
        (1, "s1", "South 1"),
        (2, "s2", "South 2"),
    ]
    step = session.answer("n1")
    assert step.message == "'n1' does not apply given the earlier answers."
    assert session.answer("2").answers[0].value == "s2"
