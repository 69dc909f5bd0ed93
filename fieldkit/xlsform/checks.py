"""Roster checks on ODK, and back.

fieldkit checks a roster's consistency across its members (``checks:`` of a repeat). ODK has
no such rule, so each check joins the constraint of the member question whose answer it
checks: the last one, in asking order, that it reads (the roster's last question when it
reads none). ODK Collect applies it as that answer is entered, and applies every constraint
again when the form is finalised, so a later change to another member that breaks the check
is caught there (fieldkit refuses that change as it is made).

The rule is the check's, decided as fieldkit decides it: it fails only when the answers it
reads are given, its ``when`` holds and its ``rule`` does not (so a mother's line may be
entered before the mother's row). The carrying question's own answer is ``.``, the value
being entered (its ``${name}`` would be the value before). ODK asks for every answer the
check reads anywhere, fieldkit only for those it reads on the way through if(), and, or: ODK
may let pass what fieldkit refuses, never the reverse. The carrying question's constraint
message is its own message followed by the checks'.

fieldkit's own form goes in columns ODK ignores: ``fieldkit::checks`` on the begin repeat row
(the checks as JSON, as the instrument has them), ``fieldkit::roster_checks`` on each row
that carries some (their names), with ``fieldkit::constraint`` and
``fieldkit::constraint_message`` for that question's own constraint.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from functools import reduce
from typing import Any, Final

from fieldkit.instrument.expression import Binary, Call, Current, Expr, Literal, Ref, Unary
from fieldkit.instrument.expression.ast import children
from fieldkit.instrument.expression.functions import AGGREGATES
from fieldkit.instrument.form import Form, Question, RosterCheck, Text

__all__ = [
    "CARRIES",
    "CHECKS",
    "OWN_MESSAGE",
    "carried_constraint",
    "carriers",
    "checks_cell",
    "joined_messages",
    "read_checks",
]

CHECKS: Final = "fieldkit::checks"
CARRIES: Final = "fieldkit::roster_checks"
OWN_MESSAGE: Final = "fieldkit::constraint_message"
_CHECK_KEYS: Final = frozenset({"name", "when", "rule", "message"})

Rule = tuple[Expr | None, Expr]
"""A check's ``when`` (None: always) and ``rule``."""


def carriers(form: Form, roster: Question) -> dict[str | None, list[RosterCheck]]:
    """The member question each check of ``roster`` joins (None: the roster has no question
    ODK checks an answer of)."""
    answerable = [name for name in roster.members if form.questions[name].is_answerable]
    found: dict[str | None, list[RosterCheck]] = {}
    for check in roster.checks:
        read = {node.name for node in _reads(check.when, check.rule) if isinstance(node, Ref)}
        mine = [name for name in answerable if name in read] or answerable
        found.setdefault(mine[-1] if mine else None, []).append(check)
    return found


def carried_constraint(own: Expr | None, checks: Sequence[Rule], carrier: str) -> Expr:
    """The ODK constraint of ``carrier``: its own constraint and each check it carries."""
    parts = ([own] if own is not None else []) + [_odk_rule(w, r, carrier) for w, r in checks]
    return reduce(lambda left, right: Binary("and", left, right), parts)


def joined_messages(parts: Sequence[Text], languages: Sequence[str]) -> dict[str, str]:
    return {lang: "\n".join(p[lang] for p in parts if p.get(lang)) for lang in languages}


def checks_cell(checks: Sequence[RosterCheck]) -> str:
    return json.dumps([check.to_dict() for check in checks], ensure_ascii=False)


def read_checks(text: str) -> list[dict[str, Any]] | None:
    """The checks a ``fieldkit::checks`` cell holds, or None when it is not what export wrote."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, list) or not all(_is_check(item) for item in data):
        return None
    return data


def _is_check(item: object) -> bool:
    if not isinstance(item, dict) or not {"name", "rule", "message"} <= item.keys() <= _CHECK_KEYS:
        return False
    message = item["message"]
    texts = isinstance(message, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in message.items()
    )
    return texts and all(isinstance(item.get(key, ""), str) for key in ("name", "when", "rule"))


def _odk_rule(when: Expr | None, rule: Expr, carrier: str) -> Expr:
    """``if(every answer read is given and when, rule, true())``, the carrier's answer as ``.``."""
    given: list[Expr] = [
        Binary("!=", read, Literal("")) for read in _reads(when, rule) if read != Ref(carrier)
    ]
    conditions = given + ([when] if when is not None else [])
    if conditions:
        decided = reduce(lambda left, right: Binary("and", left, right), conditions)
        rule = Call("if", (decided, rule, Call("true", ())))
    return _current(rule, carrier)


def _reads(when: Expr | None, rule: Expr) -> list[Expr]:
    """The answers a check reads, once each: ``${name}`` (the member's or the interview's) and
    each indexed-repeat() (another member's); not the aggregates, which read every member."""
    found: list[Expr] = []

    def visit(node: Expr) -> None:
        if isinstance(node, Call) and node.function in AGGREGATES:
            return
        if isinstance(node, Call) and node.function == "indexed-repeat":
            visit(node.args[-1])
        elif not isinstance(node, Ref):
            for child in children(node):
                visit(child)
            return
        if node not in found:
            found.append(node)

    for expr in (when, rule):
        if expr is not None:
            visit(expr)
    return found


def _current(expr: Expr, carrier: str) -> Expr:
    """``expr`` with the carrier's ``${name}`` as ``.``, except where it names the question
    (the first argument of indexed-repeat() or of an aggregate)."""
    if isinstance(expr, Ref):
        return Current(expr.column) if expr.name == carrier else expr
    if isinstance(expr, Binary):
        left, right = _current(expr.left, carrier), _current(expr.right, carrier)
        return dataclasses.replace(expr, left=left, right=right)
    if isinstance(expr, Unary):
        return dataclasses.replace(expr, operand=_current(expr.operand, carrier))
    if isinstance(expr, Call) and expr.function not in AGGREGATES:
        kept = 2 if expr.function == "indexed-repeat" else 0
        args = expr.args[:kept] + tuple(_current(a, carrier) for a in expr.args[kept:])
        return dataclasses.replace(expr, args=args)
    return expr
