"""Evaluating expressions against answers, the ODK way: empty answers equal '' and make
arithmetic empty, comparisons with them are false, and nothing but ExpressionError escapes."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from fieldkit.errors import ExpressionError
from fieldkit.instrument.expression import (
    DONT_KNOW,
    MISSING,
    REFUSED,
    compile_evaluator,
    evaluate,
    parse,
    truthy,
)

TODAY = dt.date(2026, 3, 1)


@dataclass
class Answers:
    """An `Environment` over plain dictionaries."""

    answers: dict[str, object] = field(default_factory=dict)
    members: dict[str, list[object]] = field(default_factory=dict)
    answer: object = MISSING
    choice: dict[str, object] = field(default_factory=dict)
    member: int | None = None

    def value(self, name: str) -> object:
        return self.answers.get(name, MISSING)

    def values(self, name: str) -> Sequence[object]:
        return self.members.get(name, [])

    def current(self) -> object:
        return self.answer

    def property(self, name: str) -> object:
        return self.choice.get(name, MISSING)

    def position(self) -> int | None:
        return self.member

    def today(self) -> dt.date:
        return TODAY

    def now(self) -> dt.datetime:
        return dt.datetime.combine(TODAY, dt.time(9, 30))


def ev(text: str, **answers: object) -> object:
    return evaluate(parse(text), Answers(answers))


def test_the_documented_example() -> None:
    run = compile_evaluator(parse("${age} >= 5 and selected(${work}, 'farm')"))
    assert run(Answers({"age": 12, "work": ("farm", "mine")})) is True
    assert run(Answers({"age": 4, "work": ("farm",)})) is False
    assert run(Answers({"age": 12})) is False


def test_an_empty_answer_equals_empty_text_and_nothing_else() -> None:
    assert ev("${a} = ''") is True
    assert ev("${a} != ''") is False
    assert ev("${a} = 1") is False
    assert ev("${a} != 1") is False
    assert ev("${a} > 1") is False
    assert ev("${a} < 1") is False
    assert ev("${a} + 1") is MISSING
    assert ev("string-length(${a})") == 0
    assert ev("count-selected(${a})") == 0
    assert ev("selected(${a}, 'x')") is False
    assert ev("${a} = ${b}") is True


@pytest.mark.parametrize("marker", [DONT_KNOW, REFUSED])
def test_dont_know_and_refused_are_empty_except_to_their_functions(marker: object) -> None:
    assert ev("${age} = ''", age=marker) is True
    assert ev("${age} >= 5", age=marker) is False
    assert ev("${age} + 1", age=marker) is MISSING
    assert ev("is-dont-know(${age})", age=marker) is (marker is DONT_KNOW)
    assert ev("is-refused(${age})", age=marker) is (marker is REFUSED)
    assert evaluate(parse("is-dont-know(.)"), Answers(answer=marker)) is (marker is DONT_KNOW)


def test_choice_values_compare_with_numbers_and_texts() -> None:
    assert ev("${sex} = 1", sex="1") is True
    assert ev("${sex} = '1'", sex="1") is True
    assert ev("${sex} = 2", sex="1") is False
    assert ev("${sex} = 'male'", sex="male") is True
    assert ev("${sex} = 1", sex="male") is False
    assert ev("${grade} >= 3", grade="4") is True
    assert ev("'abc' < 'abd'") is True


def test_arithmetic() -> None:
    assert ev("1 + 2 * 3") == 7
    assert ev("7 div 2") == 3.5
    assert ev("7 div 0") is MISSING
    assert ev("7 mod 0") is MISSING
    assert ev("-5 mod 2") == -1
    assert ev("5 mod -2") == 1
    assert ev("5.5 mod 2") == 1.5
    assert ev("'3' + 1") == 4
    assert ev("'x' + 1") is MISSING


def test_number_functions() -> None:
    assert ev("int(-2.7)") == -2
    assert ev("int(2.7)") == 2
    assert ev("int('12.9')") == 12
    assert ev("round(2.5)") == 3
    assert ev("round(-2.5)") == -3
    assert ev("round(3.14159, 2)") == 3.14
    assert ev("round(1234, -2)") == 1200
    assert ev("abs(-4)") == 4
    assert ev("number('x')") is MISSING
    assert ev("number(' 42 ')") == 42


def test_dates_count_in_days() -> None:
    dob = dt.date(2016, 3, 1)
    assert ev("today() - ${dob}", dob=dob) == 3652
    assert ev("int((today() - ${dob}) div 365.25)", dob=dob) == 9
    assert ev("${dob} + 7", dob=dob) == dt.date(2016, 3, 8)
    assert ev("${dob} - 1", dob=dob) == dt.date(2016, 2, 29)
    assert ev("date('2020-01-31')") == dt.date(2020, 1, 31)
    assert ev("${dob} < '2020-01-01'", dob=dob) is True
    assert ev("${dob} = '2016-03-01'", dob=dob) is True
    assert ev("now() > today()") is True
    assert ev("date('')") is MISSING


def test_a_malformed_date_is_a_runtime_error() -> None:
    with pytest.raises(ExpressionError) as caught:
        ev("date('31/01/2020')")
    assert caught.value.code == "FK-EXPR-020"
    assert caught.value.hint == "write a date as 'YYYY-MM-DD'"
    with pytest.raises(ExpressionError, match="out of the range of dates"):
        ev("${d} + 1", d=dt.date.max)


def test_text_functions() -> None:
    assert ev("concat(${a}, '-', 5, '-', 2.0)", a="x") == "x-5-2"
    assert ev("string-length('héllo')") == 5
    assert ev("string(1 = 1)") == "true"
    assert ev("regex('0612345678', '[0-9]{10}')") is True
    assert ev("regex('x0612345678', '[0-9]{10}')") is False  # whole-text match
    assert ev("selected-at(${w}, 1)", w=("farm", "mine")) == "mine"
    assert ev("selected-at(${w}, 5)", w=("farm",)) is MISSING
    assert ev("count-selected(${w})", w=("farm", "mine")) == 2
    assert ev("selected(${w}, 'mine')", w="farm mine") is True


def test_an_invalid_pattern_built_at_run_time_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError) as caught:
        ev("regex('a', concat('[', ''))")
    assert caught.value.code == "FK-EXPR-010"


def test_if_and_coalesce_evaluate_only_what_they_need() -> None:
    assert ev("if(${a} > 1, 'big', date('bad'))", a=5) == "big"
    assert ev("coalesce(${a}, 0)") == 0
    assert ev("coalesce(${a}, 0)", a=3) == 3
    assert ev("false() and date('bad')") is False
    assert ev("not(${a})") is True


def test_roster_aggregates() -> None:
    env = Answers(members={"members": [1, 2, 3], "age": [12, MISSING, 7, "9"]})
    assert evaluate(parse("count(${members})"), env) == 3
    assert evaluate(parse("sum(${age})"), env) == 28
    assert evaluate(parse("min(${age})"), env) == 7
    assert evaluate(parse("max(${age})"), env) == 12
    assert evaluate(parse("max(${none})"), env) is MISSING
    assert evaluate(parse("sum(${none})"), env) == 0


def test_position_and_choice_properties() -> None:
    assert evaluate(parse("position()"), Answers(member=2)) == 2
    assert evaluate(parse("position()"), Answers()) is MISSING
    env = Answers({"region": "north"}, choice={"region": "north"})
    assert evaluate(parse("region = ${region}"), env) is True


def test_unusual_answers_are_normalised() -> None:
    assert ev("${a} = ''", a=None) is True
    assert ev("selected(${a}, 'x')", a=["x", "y"]) is True
    assert ev("${a} + 1", a=float("nan")) is MISSING
    assert ev("${a} * 2", a=2**70) == float(2**71)


def test_markers_survive_pickling_as_the_same_singletons() -> None:
    for marker in (MISSING, DONT_KNOW, REFUSED):
        assert pickle.loads(pickle.dumps(marker)) is marker


def test_truthiness() -> None:
    assert [truthy(v) for v in (MISSING, "", 0, 0.0, (), False)] == [False] * 6
    assert [truthy(v) for v in ("0", 1, ("a",), TODAY, True)] == [True] * 5
