"""Operators on runtime values: comparison and arithmetic, the ODK way.

An unanswered, "don't know" or "refused" answer is empty: it equals ``''``, arithmetic on it
is empty, other comparisons with it are false. ``${sex} = 1`` and ``${sex} = '1'`` both hold
when the answer is "1". Nothing here raises anything but `ExpressionError`.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable
from typing import Any, Final

from .values import (
    MISSING,
    Missing,
    Number,
    clamp,
    parse_number,
    parse_temporal,
    runtime_error,
    scale,
    to_number,
    to_string,
    truthy,
)

__all__ = ["arithmetic", "compare", "negate"]


# -- comparison -----------------------------------------------------------------------------

_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compare(op: str, left: object, right: object) -> bool:
    """``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` with ODK's conversions."""
    kind_l, kind_r = type(left), type(right)
    if (kind_l is int or kind_l is float) and (kind_r is int or kind_r is float):
        return _decide(op, left, right)
    if isinstance(left, Missing) or isinstance(right, Missing):
        other = right if isinstance(left, Missing) else left
        return op == "=" and to_string(other) == ""
    x, y = _pair(left, right, ordering=op not in ("=", "!="))
    return _decide(op, x, y)


def _decide(op: str, x: Any, y: Any) -> bool:
    if op == "=":
        return bool(x == y)
    if op == "!=":
        return bool(x != y)
    try:
        return _ORDER[op](x, y)
    except TypeError:
        return False


def _pair(left: object, right: object, *, ordering: bool) -> tuple[object, object]:
    """The two values converted to a common kind: numbers (days for dates) or texts."""
    if type(left) is bool or type(right) is bool:
        return truthy(left), truthy(right)
    if type(left) is str and type(right) is str:
        return _pair_texts(left, right, ordering=ordering)
    if type(left) is str:
        y_, x_ = _pair_with_text(right, left)
        return x_, y_
    if type(right) is str:
        return _pair_with_text(left, right)
    x, y = scale(left), scale(right)
    if x is None or y is None:
        return to_string(left), to_string(right)
    return x, y


def _pair_texts(left: str, right: str, *, ordering: bool) -> tuple[object, object]:
    """Texts are equal as texts; they are ordered as numbers when both are numbers."""
    if ordering:
        x, y = parse_number(left), parse_number(right)
        if x is not None and y is not None:
            return x, y
    return left, right


def _pair_with_text(value: object, text: str) -> tuple[object, object]:
    """``${sex} = 1`` with the answer '1': numbers; ``${dob} < '2010-01-01'``: days."""
    scaled = scale(value)
    if scaled is not None:
        other = (
            parse_number(text) if isinstance(value, int | float) else scale(parse_temporal(text))
        )
        if other is not None:
            return scaled, other
    return to_string(value), text


# -- arithmetic -----------------------------------------------------------------------------


def arithmetic(op: str, left: object, right: object) -> object:
    """``+ - * div mod``: empty in, empty out; ``div 0`` is empty; dates count in days."""
    kind_l, kind_r = type(left), type(right)
    if (kind_l is int or kind_l is float) and (kind_r is int or kind_r is float):
        return _numeric(op, left, right)  # type: ignore[arg-type]
    x, y = to_number(left), to_number(right)
    if isinstance(x, Missing) or isinstance(y, Missing):
        return MISSING
    dated = _date_operand(op, left, right)
    if dated is None:
        return _numeric(op, x, y)
    return _shift(dated, y if dated is left else x, -1 if op == "-" else 1)


def _date_operand(op: str, left: object, right: object) -> dt.date | None:
    """The date in ``date + n``, ``n + date`` or ``date - n`` (the result is a date)."""
    left_date = isinstance(left, dt.date)
    right_date = isinstance(right, dt.date)
    if op == "+" and left_date != right_date:
        return left if isinstance(left, dt.date) else right  # type: ignore[return-value]
    if op == "-" and left_date and not right_date and isinstance(left, dt.date):
        return left
    return None


def _shift(day: dt.date, days: Number, sign: int) -> dt.date:
    try:
        return day + sign * dt.timedelta(days=days)
    except (OverflowError, ValueError):
        message = f"{day} + {to_string(days)} days is out of the range of dates"
        raise runtime_error(message) from None


def _numeric(op: str, x: Number, y: Number) -> object:
    try:
        result = _NUMERIC_OPS[op](x, y)
    except (ArithmeticError, ValueError):
        return MISSING
    if type(result) is int:
        return clamp(result)
    if isinstance(result, float) and math.isnan(result):  # inf - inf
        return MISSING
    return result


def _div(x: Number, y: Number) -> Number | Missing:
    return MISSING if y == 0 else x / y


def _mod(x: Number, y: Number) -> Number | Missing:
    """XPath mod keeps the sign of the dividend: ``-5 mod 2 = -1``."""
    if y == 0:
        return MISSING
    if type(x) is int and type(y) is int:
        remainder = abs(x) % abs(y)
        return -remainder if x < 0 else remainder
    return math.fmod(x, y)


_NUMERIC_OPS: Final[dict[str, Callable[[Number, Number], Any]]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "div": _div,
    "mod": _mod,
}


def negate(value: object) -> object:
    number = to_number(value)
    if isinstance(number, Missing):
        return MISSING
    return clamp(-number) if type(number) is int else -number
