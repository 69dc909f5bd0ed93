"""One reading of what is typed: a choice by the key shown beside it, a number by one
decimal mark, a location by one kind of separator."""

from __future__ import annotations

import pytest

from fieldkit.capture import Coded
from fieldkit.store.records import AnswerStatus
from tests.test_engine_helpers import interview

CODED = """
choices:
  level:
    - {value: 0, label: {en: Pre-primary, fr: Préscolaire}}
    - {value: 1, label: {en: Primary, fr: Primaire}}
    - {value: 2, label: {en: Secondary, fr: Secondaire}}
    - {value: 96, label: {en: Other, fr: Autre}}
  work:
    - {value: farm, label: {en: Farm, fr: Ferme}}
    - {value: shop, label: {en: Shop, fr: Boutique}}
    - {value: "2", label: {en: Two, fr: Deux}}
sections:
  - name: main
    label: {en: Main, fr: Principal}
    questions:
      - {name: level, type: select_one, choices: level, label: {en: Level, fr: Niveau},
         allow_dont_know: true}
      - {name: work, type: select_multiple, choices: work, label: {en: Work, fr: Travail}}
      - {name: weight, type: decimal, label: {en: Weight, fr: Poids}}
      - {name: spot, type: geopoint, pii: true, label: {en: Spot, fr: Lieu}}
"""


def _stored(raw: object, question: str = "level", *, skip: int = 0) -> object:
    session = interview(CODED)
    for _ in range(skip):
        assert session.answer("").ok
    step = session.answer(raw)
    assert step.ok, step.message
    (record,) = [a for a in step.answers if a.question == question]
    return record.value if record.status is AnswerStatus.ANSWERED else record.status


def test_small_codes_are_shown_and_typed_as_themselves() -> None:
    session = interview(CODED)
    prompt = session.current()
    assert prompt is not None
    assert [(c.key, c.label) for c in prompt.choices] == [
        ("0", "Pre-primary"),
        ("1", "Primary"),
        ("2", "Secondary"),
        ("96", "Other"),
    ]
    assert [(s.key, s.value) for s in prompt.specials] == [("dk", "dont_know")]
    assert _stored("0") == "0"  # the key beside pre-primary, not the first place
    assert _stored("1") == "1"  # primary, whatever its place
    assert _stored("96") == "96"
    assert _stored("01") == "1"
    assert _stored("dk") is AnswerStatus.DONT_KNOW


def test_a_place_is_never_read_as_a_code() -> None:
    session = interview(CODED)
    assert session.answer("4").code == "FK-ANS-004"  # the 4th choice is typed 96
    assert session.answer("primary").code == "FK-ANS-004"


def test_other_lists_are_typed_by_place_and_a_digit_is_always_a_place() -> None:
    session = interview(CODED)
    assert session.answer("").ok
    prompt = session.current()
    assert prompt is not None and [c.key for c in prompt.choices] == ["1", "2", "3"]
    assert _stored("2", "work", skip=1) == ["shop"]  # place 2, though a choice's value is "2"
    assert _stored("3 1", "work", skip=1) == ["farm", "2"]
    assert _stored("farm", "work", skip=1) == ["farm"]  # a word may name a choice's value


def test_a_coded_answer_is_read_as_values_only() -> None:
    """What an answers file or a web form's radio buttons give: values, never places."""
    assert _stored(Coded("2"), "work", skip=1) == ["2"]
    assert _stored(Coded(["shop", "farm"]), "work", skip=1) == ["farm", "shop"]
    assert _stored(Coded("96")) == "96"
    session = interview(CODED)
    assert session.answer(Coded("4")).code == "FK-ANS-004"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1.532", 1.532), ("1532", 1532.0), ("0,532", 0.532), ("12,5", 12.5), ("1,5320", 1.532)],
)
def test_a_decimal_comma_is_read_one_way(typed: str, stored: float) -> None:
    assert _stored(typed, "weight", skip=2) == stored


@pytest.mark.parametrize("typed", ["1,532", "-12,500", "153,200"])
def test_a_comma_that_may_group_thousands_is_refused(typed: str) -> None:
    session = interview(CODED)
    for _ in range(2):
        assert session.answer("").ok
    step = session.answer(typed)
    assert step.code == "FK-ANS-001"
    assert step.message == (
        f"'{typed}' could be a number in thousands or one with decimals: type it without the"
        " comma, or with a point before the decimals."
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("5.6 -1.2", "5.6 -1.2"),
        ("5.6, -1.2", "5.6 -1.2"),
        ("5.6,-1.2", "5.6 -1.2"),
        ("5.6; -1.2; 120; 5", "5.6 -1.2 120 5"),
        ("5,6,-1,2", "5 6 -1 2"),
    ],
)
def test_a_location_is_read_one_way(typed: str, stored: str) -> None:
    assert _stored(typed, "spot", skip=3) == stored


def test_a_location_with_decimal_commas_and_spaces_is_refused() -> None:
    """5,6 -1,2 was read as four numbers (5, 6, -1, 2) where two with decimal commas were
    meant: refused, the enumerator types points."""
    session = interview(CODED)
    for _ in range(3):
        assert session.answer("").ok
    assert session.answer("5,6 -1,2").code == "FK-ANS-001"
