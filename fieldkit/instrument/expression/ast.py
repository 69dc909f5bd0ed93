"""Expression syntax trees.

Nodes are frozen dataclasses. ``column`` is where the node's text starts (1-based offset in
the expression text) and takes no part in equality, so ``parse(unparse(e)) == e``.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field

__all__ = [
    "BINARY_OPERATORS",
    "Binary",
    "BinaryOp",
    "Call",
    "Current",
    "Expr",
    "Literal",
    "Property",
    "Ref",
    "Unary",
    "children",
]

BinaryOp = typing.Literal["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]
BINARY_OPERATORS: tuple[BinaryOp, ...] = typing.get_args(BinaryOp)


@dataclass(frozen=True, slots=True)
class Literal:
    """A number (``5``, ``2.5``) or a string (``'farm'``)."""

    value: str | int | float
    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Ref:
    """``${name}``: the answer to a question."""

    name: str
    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the answer being checked (in a constraint)."""

    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Property:
    """A bare name such as ``region``: a choice property, only in a choice_filter."""

    name: str
    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Unary:
    """``-x``."""

    op: typing.Literal["-"]
    operand: Expr
    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Binary:
    """``left op right``."""

    op: BinaryOp
    left: Expr
    right: Expr
    column: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """``function(arg, ...)``."""

    function: str
    args: tuple[Expr, ...] = ()
    column: int = field(default=1, compare=False)


Expr = Literal | Ref | Current | Property | Unary | Binary | Call


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``expr``, left to right."""
    if isinstance(expr, Binary):
        return (expr.left, expr.right)
    if isinstance(expr, Unary):
        return (expr.operand,)
    if isinstance(expr, Call):
        return expr.args
    return ()
