"""Questions about a syntax tree that the compiler asks: what does it refer to?"""

from __future__ import annotations

from collections.abc import Iterator

from .ast import Call, Current, Expr, Ref, children
from .functions import CROSS_MEMBER

__all__ = ["aggregated_references", "references", "uses_current", "walk"]


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of ``expr``, parents before children, left to right."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def references(expr: Expr) -> frozenset[str]:
    """The names of every ``${name}`` in ``expr``."""
    return frozenset(node.name for node in walk(expr) if isinstance(node, Ref))


def uses_current(expr: Expr) -> bool:
    """Whether ``expr`` contains ``.``."""
    return any(isinstance(node, Current) for node in walk(expr))


def aggregated_references(expr: Expr) -> frozenset[str]:
    """Names whose every member's answer the expression may read: the argument of count(),
    sum(), min() or max(), and the question of indexed-repeat()."""
    found: set[str] = set()
    for node in walk(expr):
        if isinstance(node, Call) and node.function in CROSS_MEMBER:
            read = node.args[:1] if node.function == "indexed-repeat" else node.args
            found.update(arg.name for arg in read if isinstance(arg, Ref))
    return frozenset(found)
