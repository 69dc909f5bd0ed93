"""The function table: one row per function drives both the type checker and the evaluator."""

from __future__ import annotations

import decimal
import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

from fieldkit.errors import ExpressionError

from .types import ValueType
from .values import (
    DONT_KNOW,
    MISSING,
    REFUSED,
    Environment,
    Missing,
    clamp,
    normalize,
    to_date,
    to_number,
    to_string,
    truthy,
)

__all__ = [
    "AGGREGATES",
    "CROSS_MEMBER",
    "FUNCTIONS",
    "Convention",
    "Function",
    "Param",
    "ParamKind",
    "compile_pattern",
]

BAD_PATTERN = "FK-EXPR-010"

T = ValueType


class ParamKind(Enum):
    VALUE = "value"  # any expression, evaluated to its (empty-normalised) value
    ANSWER = "answer"  # ${name} or `.`: the raw answer, so "don't know" stays visible
    AGGREGATE = "aggregate"  # ${name} of a roster or a roster question: every member's answer
    PATTERN = "pattern"  # a quoted regular expression
    NAME = "name"  # ${name} of a roster or a roster question, named, not read here


class Convention(Enum):
    EAGER = "eager"  # implementation(*arguments)
    LAZY = "lazy"  # implementation(env, *argument_evaluators): only what it needs is evaluated
    ENVIRONMENT = "environment"  # implementation(env)


@dataclass(frozen=True, slots=True)
class Param:
    types: frozenset[ValueType]
    kind: ParamKind = ParamKind.VALUE

    def accepts(self, found: ValueType) -> bool:
        """ANY fits everywhere; a select_one answer may stand for a number or a text."""
        if found is T.ANY or T.ANY in self.types or found in self.types:
            return True
        return found is T.CHOICE and bool(self.types & {T.NUMBER, T.STRING})


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    params: tuple[Param, ...]
    result: ValueType
    implementation: Callable[..., object]
    convention: Convention = Convention.EAGER
    optional: int = 0  # how many trailing parameters may be left out
    variadic: bool = False  # the last parameter may repeat
    result_from: tuple[int, ...] = ()  # the result has the type of these arguments (if())
    needs_roster: bool = False  # position(): only inside a roster

    @property
    def min_args(self) -> int:
        return len(self.params) - self.optional

    @property
    def max_args(self) -> int | None:
        return None if self.variadic else len(self.params)

    def param(self, index: int) -> Param:
        return self.params[min(index, len(self.params) - 1)]

    def arity_text(self) -> str:
        low, high = self.min_args, self.max_args
        if high is None:
            return f"at least {low} argument{'s' if low != 1 else ''}"
        if low == high:
            return f"{low} argument{'s' if low != 1 else ''}"
        return f"{low} to {high} arguments"


# -- implementations ------------------------------------------------------------------------


def _items(answer: object) -> tuple[str, ...]:
    if isinstance(answer, tuple):
        return answer
    return tuple(to_string(answer).split())


def _selected(answer: object, value: object) -> bool:
    return to_string(value) in _items(answer)


def _count_selected(answer: object) -> int:
    return len(_items(answer))


def _selected_at(answer: object, index: object) -> object:
    """The choice at 0-based ``index``; empty when there is none."""
    number = to_number(index)
    if isinstance(number, Missing) or not math.isfinite(number) or number != int(number):
        return MISSING
    items = _items(answer)
    return items[int(number)] if 0 <= number < len(items) else MISSING


def _if(env: Environment, condition: Evaluator, then: Evaluator, otherwise: Evaluator) -> object:
    return then(env) if truthy(condition(env)) else otherwise(env)


def _coalesce(env: Environment, first: Evaluator, second: Evaluator) -> object:
    value = first(env)
    return second(env) if value is MISSING or value == "" else value


def _int(value: object) -> object:
    """Truncates toward zero: ``int(-2.7) = -2``."""
    number = to_number(value)
    if isinstance(number, float) and math.isfinite(number):
        return clamp(math.trunc(number))
    return number


def _round(value: object, digits: object = 0) -> object:
    """Half away from zero: ``round(2.5) = 3``, ``round(1234, -2) = 1200``."""
    number, places = to_number(value), to_number(digits)
    if isinstance(number, Missing) or isinstance(places, Missing):
        return MISSING
    if not math.isfinite(number) or not math.isfinite(places):
        return number
    places = max(-400, min(400, int(places)))
    context = decimal.Context(prec=1000, rounding=decimal.ROUND_HALF_UP)
    exact = decimal.Decimal(repr(number) if isinstance(number, float) else number)
    rounded = exact.quantize(decimal.Decimal(1).scaleb(-places), context=context)
    return clamp(int(rounded)) if places <= 0 else float(rounded)


def _abs(value: object) -> object:
    number = to_number(value)
    return number if isinstance(number, Missing) else abs(number)


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A regular expression, compiled once; `ExpressionError` FK-EXPR-010 if it is invalid."""
    try:
        return re.compile(pattern)
    except (re.error, OverflowError, RecursionError, ValueError) as error:
        raise ExpressionError(
            f"invalid regular expression {pattern!r}: {error}",
            code=BAD_PATTERN,
            hint="regex() takes a pattern such as '[0-9]{10}', matched against the whole text",
        ) from None


def _regex(value: object, pattern: object) -> bool:
    """Whole-text match, like XPath ``matches()`` in ODK."""
    return compile_pattern(to_string(pattern)).fullmatch(to_string(value)) is not None


def _numbers(answers: Sequence[object]) -> list[int | float]:
    numbers = (to_number(normalize(answer)) for answer in answers)
    return [n for n in numbers if not isinstance(n, Missing)]


def _sum(answers: Sequence[object]) -> object:
    total = sum(_numbers(answers))
    if isinstance(total, float) and math.isnan(total):
        return MISSING
    return clamp(total) if isinstance(total, int) else total


def _min(answers: Sequence[object]) -> object:
    numbers = _numbers(answers)
    return min(numbers) if numbers else MISSING


def _max(answers: Sequence[object]) -> object:
    numbers = _numbers(answers)
    return max(numbers) if numbers else MISSING


def _position(env: Environment) -> object:
    return normalize(env.position())


def _indexed_repeat(
    env: Environment, name: Evaluator, roster: Evaluator, number: Evaluator
) -> object:
    """indexed-repeat(${q}, ${roster}, n): member n's answer to q (XLSForm); n is the member's
    number (what position() gives it), so a line number written in an answer finds it."""
    found = to_number(number(env))
    if isinstance(found, Missing) or not math.isfinite(found) or found != int(found):
        return MISSING
    return normalize(env.value_at(str(name(env)), int(found)))


Evaluator = Callable[[Environment], object]


# -- the table ------------------------------------------------------------------------------


def _p(*types: ValueType, kind: ParamKind = ParamKind.VALUE) -> Param:
    return Param(frozenset(types), kind)


_ANY = _p(T.ANY)
_NUMBER = _p(T.NUMBER)
_CHOICES = _p(T.CHOICES)
_ANSWER = _p(T.ANY, kind=ParamKind.ANSWER)

_TABLE: Final = (
    Function("selected", (_p(T.CHOICES, T.CHOICE), _p(T.STRING, T.NUMBER)), T.BOOLEAN, _selected),
    Function("count-selected", (_CHOICES,), T.NUMBER, _count_selected),
    Function("selected-at", (_CHOICES, _NUMBER), T.STRING, _selected_at),
    Function("if", (_ANY, _ANY, _ANY), T.ANY, _if, Convention.LAZY, result_from=(1, 2)),
    Function("coalesce", (_ANY, _ANY), T.ANY, _coalesce, Convention.LAZY, result_from=(0, 1)),
    Function("not", (_ANY,), T.BOOLEAN, lambda value: not truthy(value)),
    Function("true", (), T.BOOLEAN, lambda: True),
    Function("false", (), T.BOOLEAN, lambda: False),
    Function("today", (), T.DATE, lambda env: normalize(env.today()), Convention.ENVIRONMENT),
    Function("now", (), T.DATETIME, lambda env: normalize(env.now()), Convention.ENVIRONMENT),
    Function("date", (_p(T.STRING, T.DATE, T.DATETIME, T.NUMBER),), T.DATE, to_date),
    Function("int", (_ANY,), T.NUMBER, _int),
    Function("number", (_ANY,), T.NUMBER, to_number),
    Function("string", (_ANY,), T.STRING, to_string),
    Function("round", (_NUMBER, _NUMBER), T.NUMBER, _round, optional=1),
    Function("abs", (_NUMBER,), T.NUMBER, _abs),
    Function("string-length", (_ANY,), T.NUMBER, lambda value: len(to_string(value))),
    Function(
        "concat",
        (_ANY,),
        T.STRING,
        lambda *v: "".join(map(to_string, v)),
        optional=1,
        variadic=True,
    ),
    Function("regex", (_ANY, _p(T.STRING, kind=ParamKind.PATTERN)), T.BOOLEAN, _regex),
    Function("is-dont-know", (_ANSWER,), T.BOOLEAN, lambda answer: answer is DONT_KNOW),
    Function("is-refused", (_ANSWER,), T.BOOLEAN, lambda answer: answer is REFUSED),
    Function("count", (_p(T.ROSTER, T.ANY, kind=ParamKind.AGGREGATE),), T.NUMBER, len),
    Function("sum", (_p(T.NUMBER, kind=ParamKind.AGGREGATE),), T.NUMBER, _sum),
    Function("min", (_p(T.NUMBER, kind=ParamKind.AGGREGATE),), T.NUMBER, _min),
    Function("max", (_p(T.NUMBER, kind=ParamKind.AGGREGATE),), T.NUMBER, _max),
    Function("position", (), T.NUMBER, _position, Convention.ENVIRONMENT, needs_roster=True),
    Function(
        "indexed-repeat",
        (_p(T.ANY, kind=ParamKind.NAME), _p(T.ROSTER, kind=ParamKind.NAME), _NUMBER),
        T.ANY,
        _indexed_repeat,
        Convention.LAZY,
    ),
)

FUNCTIONS: Final[dict[str, Function]] = {function.name: function for function in _TABLE}
AGGREGATES: Final = frozenset(
    f.name for f in _TABLE if any(p.kind is ParamKind.AGGREGATE for p in f.params)
)
CROSS_MEMBER: Final = AGGREGATES | {"indexed-repeat"}
"""Functions that read other roster members' answers than the one being evaluated."""
