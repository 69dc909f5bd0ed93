"""Invariants, checked on generated input: printing round-trips, parsing any text fails only
with ExpressionError, and well-typed expressions evaluate without any other exception."""

from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.errors import ExpressionError
from fieldkit.instrument.expression import (
    DONT_KNOW,
    MISSING,
    REFUSED,
    Binary,
    Call,
    Current,
    DictScope,
    Expr,
    Literal,
    Property,
    Ref,
    Symbol,
    Unary,
    ValueType,
    evaluate,
    parse,
    typecheck,
    unparse,
)
from tests.test_expression_evaluate import Answers

T = ValueType
OPERATORS = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]
KEYWORDS = {"or", "and", "div", "mod"}

# -- 1. parse(unparse(e)) == e ----------------------------------------------------------------

names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(lambda n: n not in KEYWORDS)
# operator words are not function names: `or(...)` is a syntax error in XLSForm as here
function_names = st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z][a-z0-9]{0,5})?", fullmatch=True).filter(
    lambda n: n not in KEYWORDS
)
literals = st.builds(
    Literal,
    st.integers(0, 10**30)
    | st.floats(0, 1e300, allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
)
leaves = st.one_of(literals, st.builds(Ref, names), st.just(Current()), st.builds(Property, names))


def _branches(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(Unary, st.just("-"), children),
        st.builds(Binary, st.sampled_from(OPERATORS), children, children),
        st.builds(Call, function_names, st.lists(children, max_size=3).map(tuple)),
    )


trees = st.recursive(leaves, _branches, max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_printing_then_parsing_gives_the_same_tree(expr: Expr) -> None:
    text = unparse(expr)
    assert parse(text) == expr
    assert unparse(parse(text)) == text


# -- 2. parsing any text: a tree or ExpressionError -------------------------------------------

PIECES = [*"${}()'\".,=<>!+-* abc123&|/", "and", "or", "div", "mod", "not(", "${a}"]
grammarish = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40) | grammarish)
def test_parsing_any_text_gives_a_tree_or_an_expression_error(text: str) -> None:
    try:
        expr = parse(text)
    except ExpressionError as error:
        assert error.code == "FK-EXPR-001"
        assert error.location.column is not None
    else:
        assert parse(unparse(expr)) == expr


# -- 3. well-typed expressions evaluate to a value or raise ExpressionError --------------------

SYMBOLS = {
    T.NUMBER: ("age", "income"),
    T.STRING: ("name",),
    T.CHOICE: ("sex",),
    T.CHOICES: ("work",),
    T.DATE: ("dob",),
}
SCOPE = DictScope.of(
    *(Symbol(n, t, "members") for t, ns in SYMBOLS.items() for n in ns),
    Symbol("members", T.ROSTER),
    current_repeat="members",
    current_type=T.NUMBER,
)


def _call(name: str, *args: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.tuples(*args).map(lambda a: Call(name, a))


def _refs(value_type: ValueType) -> st.SearchStrategy[Expr]:
    return st.sampled_from([Ref(n) for n in SYMBOLS.get(value_type, ())])


@functools.cache
def typed(value_type: ValueType, depth: int = 3) -> st.SearchStrategy[Expr]:
    """Expressions of ``value_type`` that type-check in SCOPE."""
    leaf = _LEAVES[value_type]
    if depth == 0:
        return leaf
    number, boolean = typed(T.NUMBER, depth - 1), typed(T.BOOLEAN, depth - 1)
    text, date = typed(T.STRING, depth - 1), typed(T.DATE, depth - 1)
    anything = st.one_of(number, text, boolean, date, _refs(T.CHOICE), _refs(T.CHOICES))
    composite = {
        T.NUMBER: st.one_of(
            st.builds(Binary, st.sampled_from(["+", "-", "*", "div", "mod"]), number, number),
            st.builds(Unary, st.just("-"), number),
            st.builds(Binary, st.just("-"), date, date),
            _call("if", boolean, number, number),
            _call("round", number, number),
            _call("int", anything),
            _call("string-length", anything),
            _call("coalesce", number, number),
        ),
        T.BOOLEAN: st.one_of(
            st.builds(Binary, st.sampled_from(["and", "or"]), anything, anything),
            st.builds(Binary, st.sampled_from(["=", "!=", "<", ">="]), number, number),
            st.builds(Binary, st.sampled_from(["=", "<="]), date, date),
            st.builds(Binary, st.just("="), text, anything),
            _call("not", anything),
            _call("selected", _refs(T.CHOICES), text),
            _call("regex", anything, st.sampled_from([Literal("[a-z]+"), Literal("1?")])),
        ),
        T.STRING: st.one_of(
            _call("concat", anything, anything, anything),
            _call("string", anything),
            _call("selected-at", _refs(T.CHOICES), number),
        ),
        T.DATE: st.one_of(
            st.builds(Binary, st.sampled_from(["+", "-"]), date, number),
            _call("date", st.one_of(text, number)),
        ),
    }
    return st.one_of(leaf, composite[value_type])


_LEAVES = {
    T.NUMBER: st.one_of(
        st.builds(Literal, st.integers(0, 10**20) | st.floats(0, 1e20)),
        _refs(T.NUMBER),
        st.just(Current()),
        st.sampled_from(
            [Call("position"), Call("count", (Ref("members"),)), Call("sum", (Ref("age"),))]
        ),
        _call("count-selected", _refs(T.CHOICES)),
    ),
    T.BOOLEAN: st.sampled_from(
        [
            Call("true"),
            Call("false"),
            Call("is-dont-know", (Ref("age"),)),
            Call("is-refused", (Current(),)),
        ]
    ),
    T.STRING: st.one_of(st.builds(Literal, st.text(max_size=6)), _refs(T.STRING)),
    T.DATE: st.one_of(_refs(T.DATE), st.just(Call("today"))),
}

junk = st.one_of(
    st.just(MISSING),
    st.just(DONT_KNOW),
    st.just(REFUSED),
    st.none(),
    st.integers(-(10**25), 10**25),
    st.floats(),
    st.text(max_size=6),
    st.sampled_from(["12", " 3.5 ", "2020-01-31", "farm", ""]),
    st.dates(),
    st.datetimes(),
    st.tuples(st.sampled_from(["farm", "mine", "1"])),
)
answers = st.builds(
    Answers,
    answers=st.dictionaries(
        st.sampled_from([n for ns in SYMBOLS.values() for n in ns]), junk, max_size=6
    ),
    members=st.dictionaries(st.sampled_from(["members", "age"]), st.lists(junk, max_size=4)),
    answer=junk,
    member=st.none() | st.integers(1, 20),
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([T.BOOLEAN, T.NUMBER, T.STRING, T.DATE]).flatmap(typed), answers)
def test_well_typed_expressions_evaluate_or_raise_expression_error(
    expr: Expr, env: Answers
) -> None:
    _, problems = typecheck(expr, SCOPE)
    assert problems == [], unparse(expr)
    try:
        evaluate(expr, env)
    except ExpressionError as error:
        assert error.code in ("FK-EXPR-010", "FK-EXPR-020")
