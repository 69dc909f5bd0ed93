"""Static checks: every problem in an expression, each at the column of the node at fault."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any, Final

from fieldkit.errors import ExpressionError, Location
from fieldkit.report import Issue

from .ast import Binary, Call, Current, Expr, Literal, Property, Ref, Unary
from .functions import FUNCTIONS, Function, Param, ParamKind, compile_pattern
from .parser import locate
from .types import Scope, Symbol, ValueType, describe

__all__ = ["typecheck"]

T = ValueType
UNKNOWN_REFERENCE = "FK-EXPR-002"
WRONG_TYPE = "FK-EXPR-003"
UNKNOWN_FUNCTION = "FK-EXPR-004"
WRONG_ARITY = "FK-EXPR-005"
ROSTER_FROM_OUTSIDE = "FK-EXPR-006"
NO_CURRENT = "FK-EXPR-007"
BAD_PATTERN = "FK-EXPR-010"
WRONG_RESULT = "FK-EXPR-011"
BARE_NAME = "FK-EXPR-012"

_NUMERIC: Final = frozenset({T.NUMBER, T.CHOICE, T.ANY})  # a select_one value may be numeric
_TEMPORAL: Final = frozenset({T.DATE, T.DATETIME})
_EQUALS: Final = {
    T.BOOLEAN: {T.BOOLEAN},
    T.NUMBER: {T.NUMBER, T.CHOICE},
    T.CHOICE: {T.CHOICE, T.NUMBER},
    T.DATE: _TEMPORAL,
    T.DATETIME: _TEMPORAL,
    T.TIME: {T.TIME},
    T.GEOPOINT: {T.GEOPOINT},
    T.CHOICES: {T.CHOICES},
    T.ROSTER: set(),
}
_ORDER_GROUP: Final = {
    T.NUMBER: "number",
    T.DATE: "date",
    T.DATETIME: "date",
    T.TIME: "time",
    T.CHOICE: None,  # permissive: a choice value may be a number
    T.ANY: None,
}
_AGGREGATE_HINT: Final = "wrap it in count(), sum(), min() or max()"


def typecheck(
    expr: Expr,
    scope: Scope,
    location: Location | None = None,
    expected: ValueType | None = None,
    *,
    context: str | None = None,
) -> tuple[ValueType, list[Issue]]:
    """The expression's type and every problem found (an empty list when it is fine).

    ``expected`` is what the place needs (BOOLEAN for relevant, constraint, required and
    choice_filter; NUMBER for a repeat count); ``context`` names that place in the message.
    """
    checker = _Checker(scope, location)
    found = checker.value(expr)
    if expected is not None and not _fits(found, expected):
        checker.wrong_result(expr, found, expected, context)
    return found, checker.issues


def _fits(found: ValueType, expected: ValueType) -> bool:
    if T.ANY in (found, expected) or found is expected or expected is T.STRING:
        return True
    return (expected is T.NUMBER and found is T.CHOICE) or (
        expected in _TEMPORAL and found in _TEMPORAL
    )


class _Checker:
    def __init__(self, scope: Scope, location: Location | None) -> None:
        self.scope = scope
        self.location = location
        self.issues: list[Issue] = []
        self._dispatch: dict[type[Any], Callable[[Any], ValueType]] = {
            Literal: self._literal,
            Ref: self._ref,
            Current: self._current,
            Property: self._property,
            Unary: self._unary,
            Binary: self._binary,
            Call: self._call,
        }

    def report(self, code: str, node: Expr, message: str, hint: str | None = None) -> None:
        self.issues.append(Issue(code, message, locate(self.location, node.column), hint))

    def value(self, expr: Expr) -> ValueType:
        """The type of ``expr`` used as a value (a roster is not one: it can only be counted)."""
        found = self._dispatch[type(expr)](expr)
        if found is T.ROSTER:
            name = expr.name if isinstance(expr, Ref) else "roster"
            self.report(
                WRONG_TYPE,
                expr,
                f"${{{name}}} is a roster: it can only be counted",
                hint=f"write count(${{{name}}})",
            )
            return T.ANY
        return found

    def need(self, node: Expr, found: ValueType, accepted: Iterable[ValueType], what: str) -> None:
        """Report ``node`` unless its type ``found`` is one of ``accepted`` (or ANY)."""
        accepted = frozenset(accepted)
        if found is T.ANY or found in accepted:
            return
        shown = accepted - {T.ANY, T.CHOICE} or accepted
        self.report(WRONG_TYPE, node, f"{what} needs {describe(shown)}, found {describe([found])}")

    def wrong_result(
        self, expr: Expr, found: ValueType, expected: ValueType, context: str | None
    ) -> None:
        wanted = "a true/false expression" if expected is T.BOOLEAN else describe([expected])
        hint = None
        if expected is T.BOOLEAN and found is T.CHOICES:
            hint = "test a choice with selected(${name}, 'value')"
        elif expected is T.BOOLEAN:
            hint = "compare it, e.g. ${name} = 'value' or ${age} >= 5"
        message = f"{context} must be {wanted}" if context else f"expected {wanted}"
        message += f", found {describe([found])}"
        self.report(WRONG_RESULT, expr, message, hint)

    # -- leaves -----------------------------------------------------------------------------

    def _literal(self, node: Literal) -> ValueType:
        return T.STRING if isinstance(node.value, str) else T.NUMBER

    def resolve(self, ref: Ref) -> Symbol | None:
        symbol = self.scope.lookup(ref.name)
        if symbol is None:
            close = difflib.get_close_matches(ref.name, list(self.scope.names()), n=1)
            hint = f"did you mean ${{{close[0]}}}?" if close else None
            self.report(UNKNOWN_REFERENCE, ref, f"unknown question ${{{ref.name}}}", hint)
        return symbol

    def _ref(self, ref: Ref) -> ValueType:
        symbol = self.resolve(ref)
        if symbol is None:
            return T.ANY
        if symbol.type is not T.ROSTER and not self._visible(symbol):
            self.report(
                ROSTER_FROM_OUTSIDE,
                ref,
                f"${{{ref.name}}} is asked once per member of roster {symbol.repeat}:"
                " outside it, it has many answers",
                _AGGREGATE_HINT,
            )
        return symbol.type

    def _visible(self, symbol: Symbol) -> bool:
        """Top-level answers are visible everywhere; roster answers in the roster (and in
        rosters nested in it), where a plain ref is the same member's answer."""
        roster, seen = self.scope.current_repeat, set()
        while roster is not None and roster not in seen:
            if roster == symbol.repeat:
                return True
            seen.add(roster)
            enclosing = self.scope.lookup(roster)
            roster = enclosing.repeat if enclosing is not None else None
        return symbol.repeat is None

    def _current(self, node: Current) -> ValueType:
        if self.scope.current_type is None:
            self.report(
                NO_CURRENT,
                node,
                "'.' stands for the answer being checked, and there is none here",
                "write ${name} to refer to a question",
            )
            return T.ANY
        return self.scope.current_type

    def _property(self, node: Property) -> ValueType:
        allowed = self.scope.properties
        if allowed is None:
            message = f"bare name {node.name!r}: names only stand alone in a choice_filter"
            self.report(BARE_NAME, node, message, _bare_name_hint(node.name))
        elif node.name not in allowed:
            close = difflib.get_close_matches(node.name, sorted(allowed), n=1)
            hint = f"did you mean {close[0]}?" if close else _bare_name_hint(node.name)
            self.report(BARE_NAME, node, f"no choice has the property {node.name!r}", hint)
        return T.ANY

    # -- operators --------------------------------------------------------------------------

    def _unary(self, node: Unary) -> ValueType:
        self.need(node.operand, self.value(node.operand), _NUMERIC, "'-'")
        return T.NUMBER

    def _binary(self, node: Binary) -> ValueType:
        left, right = self.value(node.left), self.value(node.right)
        if node.op in ("or", "and"):
            return T.BOOLEAN
        if node.op in ("=", "!="):
            if not _comparable(left, right):
                message = f"'{node.op}' cannot compare {describe([left])} with {describe([right])}"
                self.report(WRONG_TYPE, node, message)
            return T.BOOLEAN
        if node.op in ("<", "<=", ">", ">="):
            self._ordering(node, left, right)
            return T.BOOLEAN
        return self._arithmetic(node, left, right)

    def _ordering(self, node: Binary, left: ValueType, right: ValueType) -> None:
        what = f"'{node.op}'"
        for side, found, other in ((node.left, left, right), (node.right, right, left)):
            text_date = found is T.STRING and other in {T.DATE, T.DATETIME, T.TIME}
            if found not in _ORDER_GROUP and not text_date:
                self.need(side, found, (T.NUMBER, T.DATE, T.DATETIME, T.TIME), what)
        groups = {_ORDER_GROUP.get(left), _ORDER_GROUP.get(right)}
        if None not in groups and len(groups) > 1:
            message = f"{what} cannot compare {describe([left])} with {describe([right])}"
            self.report(WRONG_TYPE, node, message)

    def _arithmetic(self, node: Binary, left: ValueType, right: ValueType) -> ValueType:
        dated = _date_arithmetic(node.op, left, right)
        if dated is not None:
            return dated
        self.need(node.left, left, _NUMERIC, f"'{node.op}'")
        self.need(node.right, right, _NUMERIC, f"'{node.op}'")
        return T.NUMBER

    # -- calls ------------------------------------------------------------------------------

    def _call(self, call: Call) -> ValueType:
        function = FUNCTIONS.get(call.function)
        if function is None:
            self._unknown_function(call)
            for arg in call.args:
                self.value(arg)
            return T.ANY
        self._arity(function, call)
        if function.name == "indexed-repeat":
            return self._indexed(call)
        found = [self._argument(function, index, arg) for index, arg in enumerate(call.args)]
        if function.needs_roster and self.scope.current_repeat is None:
            message = f"{function.name}() is a member's number in a roster: this is not in one"
            self.report(WRONG_TYPE, call, message)
        if function.result_from:
            return _join([(found[i], call.args[i]) for i in function.result_from if i < len(found)])
        return function.result

    def _indexed(self, call: Call) -> ValueType:
        """indexed-repeat(${question}, ${roster}, number): one member's answer, from anywhere."""
        if len(call.args) != 3:
            return T.ANY
        question, roster, number = call.args
        self.need(number, self.value(number), _NUMERIC, "indexed-repeat() argument 3")
        if not isinstance(question, Ref) or not isinstance(roster, Ref):
            self.report(
                WRONG_TYPE,
                call,
                "indexed-repeat() needs a roster question and its roster",
                "write indexed-repeat(${sex}, ${members}, ${mother_line})",
            )
            return T.ANY
        found, members = self.resolve(question), self.resolve(roster)
        if members is not None and members.type is not T.ROSTER:
            self.report(WRONG_TYPE, roster, f"${{{roster.name}}} is not a roster")
            members = None
        if found is None:
            return T.ANY
        if found.type is T.ROSTER or found.repeat is None:
            self.report(WRONG_TYPE, question, f"${{{question.name}}} is not asked in a roster")
        elif members is not None and found.repeat != members.name:
            message = f"${{{question.name}}} is asked in roster {found.repeat}, not {roster.name}"
            self.report(WRONG_TYPE, question, message)
        return found.type

    def _unknown_function(self, call: Call) -> None:
        name = call.function
        spelled = name.lower().replace("_", "-")
        close = [spelled] if spelled in FUNCTIONS else []
        close = close or difflib.get_close_matches(name, list(FUNCTIONS), n=1)
        hint = f"did you mean {close[0]}()?" if close else None
        self.report(UNKNOWN_FUNCTION, call, f"unknown function {name}()", hint)

    def _arity(self, function: Function, call: Call) -> None:
        count = len(call.args)
        high = function.max_args
        if function.min_args <= count and (high is None or count <= high):
            return
        message = f"{function.name}() takes {function.arity_text()}, found {count}"
        self.report(WRONG_ARITY, call, message)

    def _argument(self, function: Function, index: int, arg: Expr) -> ValueType:
        high = function.max_args
        if high is not None and index >= high:
            return self.value(arg)
        param = function.param(index)
        what = f"{function.name}() argument {index + 1}"
        if param.kind is ParamKind.AGGREGATE:
            return self._aggregated(function, param, arg)
        found = self.value(arg)
        if param.kind is ParamKind.ANSWER and not isinstance(arg, Ref | Current):
            self.report(WRONG_TYPE, arg, f"{what} must be a question, such as ${{name}}")
        elif param.kind is ParamKind.PATTERN:
            self._pattern(function, arg, what)
        elif not param.accepts(found):
            message = f"{what} must be {describe(param.types)}, found {describe([found])}"
            self.report(WRONG_TYPE, arg, message)
        return found

    def _pattern(self, function: Function, arg: Expr, what: str) -> None:
        if not isinstance(arg, Literal) or not isinstance(arg.value, str):
            self.report(WRONG_TYPE, arg, f"{what} must be a quoted pattern, such as '[0-9]+'")
            return
        try:
            compile_pattern(arg.value)
        except ExpressionError as error:
            self.report(BAD_PATTERN, arg, error.message, error.hint)

    def _aggregated(self, function: Function, param: Param, arg: Expr) -> ValueType:
        """count(${roster}) or count/sum/min/max(${question in a roster})."""
        name = function.name
        if not isinstance(arg, Ref):
            self.value(arg)
            message = f"{name}() needs a roster question, such as {name}(${{age}})"
            self.report(WRONG_TYPE, arg, message)
            return T.ANY
        symbol = self.resolve(arg)
        if symbol is None:
            return T.ANY
        if symbol.type is T.ROSTER and T.ROSTER not in param.types:
            message = f"{name}() needs a question in roster {arg.name}, not the roster itself"
            self.report(WRONG_TYPE, arg, message)
        elif symbol.type is not T.ROSTER and symbol.repeat is None:
            message = f"{name}() works over a roster's members: ${{{arg.name}}} is not in one"
            self.report(WRONG_TYPE, arg, message)
        elif not param.accepts(symbol.type):
            self.need(arg, symbol.type, param.types, f"{name}()")
        return symbol.type


def _bare_name_hint(name: str) -> str:
    if name.lower() in ("and", "or", "div", "mod"):
        return f"operators are lower case: {name.lower()}"
    if name in ("true", "false"):
        return f"write {name}()"
    if name in FUNCTIONS:
        return f"call it: {name}(...)"
    return f"write ${{{name}}} to refer to a question, or '{name}' for a text"


def _comparable(left: ValueType, right: ValueType) -> bool:
    if {T.ANY, T.STRING} & {left, right}:
        return True
    return right in _EQUALS[left]


def _date_arithmetic(op: str, left: ValueType, right: ValueType) -> ValueType | None:
    """date - date is days; date + days and date - days are dates; None: not date arithmetic."""
    left_date, right_date = left in _TEMPORAL, right in _TEMPORAL
    if op not in ("+", "-") or not (left_date or right_date):
        return None
    if op == "-" and right_date and (left_date or left is T.ANY):
        return T.NUMBER
    if left_date and right in _NUMERIC:
        return T.ANY if (op == "-" and right is T.ANY) else left
    if op == "+" and right_date and left in _NUMERIC:
        return right
    return None


def _join(branches: list[tuple[ValueType, Expr]]) -> ValueType:
    """if(c, a, b): the branches' common type; an empty text '' fits any branch."""
    kept = [found for found, arg in branches if arg != Literal("")]
    if not kept:
        return T.STRING
    return kept[0] if all(found is kept[0] for found in kept) else T.ANY
