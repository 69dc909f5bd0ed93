"""Syntax tree to canonical text: ``parse(unparse(e)) == e``."""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable
from typing import Any, Final

from .ast import Binary, Call, Current, Expr, Literal, Property, Ref, Unary

__all__ = ["PRECEDENCE", "unparse"]

PRECEDENCE: Final = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}
_UNARY: Final = 7
_ATOM: Final = 8


def unparse(expr: Expr) -> str:
    """Canonical text: single spaces around operators, parentheses only where needed."""
    return _PRINTERS[type(expr)](expr)


def _call(expr: Call) -> str:
    return f"{expr.function}({', '.join(unparse(arg) for arg in expr.args)})"


def _unary(expr: Unary) -> str:
    return "-" + _operand(expr.operand, _UNARY)


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return PRECEDENCE[expr.op]
    if isinstance(expr, Unary):
        return _UNARY
    if isinstance(expr, Literal) and not isinstance(expr.value, str):
        return _UNARY if math.copysign(1, expr.value) < 0 else _ATOM
    return _ATOM


def _operand(expr: Expr, minimum: int) -> str:
    text = unparse(expr)
    return text if _precedence(expr) >= minimum else f"({text})"


def _binary(expr: Binary) -> str:
    """Operators are left-associative: ``a - (b - c)`` keeps its parentheses."""
    level = PRECEDENCE[expr.op]
    return f"{_operand(expr.left, level)} {expr.op} {_operand(expr.right, level + 1)}"


def _literal(value: str | int | float) -> str:
    if isinstance(value, str):
        if "'" not in value:
            return f"'{value}'"
        if '"' not in value:
            return f'"{value}"'
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, float):
        return _decimal(value)
    return str(value)


def _decimal(value: float) -> str:
    """Digits and a point (the grammar has no exponents): ``1e-05`` is ``0.00001``.

    A negative number prints as ``-5``, which parses back as ``Unary('-', Literal(5))``.
    """
    if not math.isfinite(value):
        raise ValueError(f"{value!r} cannot be written as a number")
    text = format(decimal.Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


_PRINTERS: Final[dict[type[Any], Callable[[Any], str]]] = {
    Binary: _binary,
    Unary: _unary,
    Call: _call,
    Ref: lambda expr: f"${{{expr.name}}}",
    Current: lambda expr: ".",
    Property: lambda expr: expr.name,
    Literal: lambda expr: _literal(expr.value),
}
