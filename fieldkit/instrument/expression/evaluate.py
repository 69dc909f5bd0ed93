"""Evaluation: a syntax tree turned once into nested closures, then run per answer set.

``compile_evaluator(expr)`` does the tree walk once, so the engine's hot path only calls
closures. Evaluation raises nothing but `ExpressionError` (FK-EXPR-020 for a runtime failure
such as ``date('31/01/2020')``), whatever the answers.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, Final

from fieldkit.errors import ExpressionError

from .ast import BINARY_OPERATORS, Binary, Call, Current, Expr, Literal, Property, Ref, Unary
from .functions import FUNCTIONS, Convention, Function, ParamKind
from .operators import arithmetic, compare, negate
from .types import ValueType
from .values import Environment, clamp, normalize, runtime_error, truthy

__all__ = ["Evaluator", "compile_evaluator", "evaluate"]

Evaluator = Callable[[Environment], object]

_NUMBERS: Final = frozenset({int, float})
_BOOLEAN_OPERATORS: Final = frozenset({"and", "or", "=", "!=", "<", "<=", ">", ">="})
_SMALL_INT: Final = range(-(2**63) + 1, 2**63).__contains__
_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def evaluate(expr: Expr, env: Environment) -> object:
    """The value of ``expr`` against ``env`` (compiles it first: prefer `compile_evaluator`
    for an expression evaluated many times)."""
    return compile_evaluator(expr)(env)


def compile_evaluator(expr: Expr) -> Evaluator:
    """A function of an environment that evaluates ``expr``."""
    try:
        compiled = _compile(expr)
    except RecursionError:
        raise runtime_error("expression too deeply nested to evaluate") from None

    def run(env: Environment) -> object:
        try:
            return compiled(env)
        except RecursionError:
            raise runtime_error("expression too deeply nested to evaluate") from None

    return run


def _compile(expr: Expr) -> Evaluator:
    compiler = _COMPILERS.get(type(expr))
    if compiler is None:
        raise ExpressionError(f"not an expression: {expr!r}")
    return compiler(expr)


def _literal(expr: Literal) -> Evaluator:
    value = clamp(expr.value) if type(expr.value) is int else expr.value
    return lambda env: value


def _ref(expr: Ref) -> Evaluator:
    name = expr.name

    def ref(env: Environment) -> object:
        value = env.value(name)
        kind = type(value)
        if kind is str or kind is bool or (kind is int and _SMALL_INT(value)):
            return value
        return normalize(value)

    return ref


def _unary(expr: Unary) -> Evaluator:
    operand = _compile(expr.operand)
    return lambda env: negate(operand(env))


def _current(expr: Current) -> Evaluator:
    return lambda env: normalize(env.current())


def _property(expr: Property) -> Evaluator:
    name = expr.name
    return lambda env: normalize(env.property(name))


def _binary(expr: Binary) -> Evaluator:
    op = expr.op
    if op not in BINARY_OPERATORS:
        raise ExpressionError(f"unknown operator {op!r}")
    if op in ("and", "or"):
        return _logical(op, _condition(expr.left), _condition(expr.right))
    left, right = _compile(expr.left), _compile(expr.right)
    if op in _ORDER:
        return _ordering(op, left, right)
    if op in ("=", "!="):
        return lambda env: compare(op, left(env), right(env))
    return lambda env: arithmetic(op, left(env), right(env))


def _condition(expr: Expr) -> Callable[[Environment], bool]:
    """``expr`` as true/false: XPath boolean() unless it is already a true/false value."""
    compiled = _compile(expr)
    if _is_boolean(expr):
        return compiled  # type: ignore[return-value]
    return lambda env: truthy(compiled(env))


def _is_boolean(expr: Expr) -> bool:
    if isinstance(expr, Binary):
        return expr.op in _BOOLEAN_OPERATORS
    if isinstance(expr, Call):
        function = FUNCTIONS.get(expr.function)
        return function is not None and function.result is ValueType.BOOLEAN
    return False


def _logical(
    op: str, left: Callable[[Environment], bool], right: Callable[[Environment], bool]
) -> Evaluator:
    if op == "and":
        return lambda env: left(env) and right(env)
    return lambda env: left(env) or right(env)


def _ordering(op: str, left: Evaluator, right: Evaluator) -> Evaluator:
    order = _ORDER[op]

    def ordered(env: Environment) -> object:
        x, y = left(env), right(env)
        if type(x) in _NUMBERS and type(y) in _NUMBERS:
            return order(x, y)
        return compare(op, x, y)

    return ordered


def _call(call: Call) -> Evaluator:
    function = FUNCTIONS.get(call.function)
    if function is None:
        raise ExpressionError(f"unknown function {call.function}()", code="FK-EXPR-004")
    count, high = len(call.args), function.max_args
    if count < function.min_args or (high is not None and count > high):
        message = f"{function.name}() takes {function.arity_text()}, found {count}"
        raise ExpressionError(message, code="FK-EXPR-005")
    implementation = function.implementation
    if function.convention is Convention.ENVIRONMENT:
        return implementation
    args = tuple(_argument(function, i, arg) for i, arg in enumerate(call.args))
    if function.convention is Convention.LAZY:
        return lambda env: implementation(env, *args)
    return _eager(implementation, args)


def _eager(implementation: Callable[..., object], args: tuple[Evaluator, ...]) -> Evaluator:
    if not args:
        return lambda env: implementation()
    if len(args) == 1:
        (only,) = args
        return lambda env: implementation(only(env))
    if len(args) == 2:
        first, second = args
        return lambda env: implementation(first(env), second(env))
    return lambda env: implementation(*[arg(env) for arg in args])


def _argument(function: Function, index: int, arg: Expr) -> Evaluator:
    """How an argument reaches the implementation, by the kind of its parameter."""
    kind = function.param(index).kind
    if kind is ParamKind.ANSWER and isinstance(arg, Ref):
        name = arg.name
        return lambda env: env.value(name)
    if kind is ParamKind.ANSWER and isinstance(arg, Current):
        return lambda env: env.current()
    if kind is ParamKind.AGGREGATE:
        return _members(arg)
    if kind is ParamKind.NAME and isinstance(arg, Ref):
        name = arg.name
        return lambda env: name
    return _compile(arg)


def _members(arg: Expr) -> Evaluator:
    if isinstance(arg, Ref):
        name = arg.name

        def members(env: Environment) -> Sequence[object]:
            return env.values(name)

        return members
    single = _compile(arg)
    return lambda env: (single(env),)


_COMPILERS: Final[dict[type[Any], Callable[[Any], Evaluator]]] = {
    Binary: _binary,
    Call: _call,
    Ref: _ref,
    Literal: _literal,
    Unary: _unary,
    Current: _current,
    Property: _property,
}
