"""Parsing and printing expressions: the XLSForm/ODK syntax, and syntax errors that point
at the bad character with a hint."""

from __future__ import annotations

import pytest

from fieldkit.errors import ExpressionError, Location
from fieldkit.instrument import expression
from fieldkit.instrument.expression import (
    Binary,
    Call,
    Current,
    Literal,
    Property,
    Ref,
    Unary,
    aggregated_references,
    parse,
    references,
    unparse,
    uses_current,
)

WHERE = Location("f.yaml", 10, 5)  # the expression's first character in its YAML file


def syntax_error(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(text, WHERE)
    assert caught.value.code == "FK-EXPR-001"
    return caught.value


def test_the_documented_example_parses_to_a_tree() -> None:
    assert parse("${age} >= 5 and selected(${work}, 'farm')") == Binary(
        "and",
        Binary(">=", Ref("age"), Literal(5)),
        Call("selected", (Ref("work"), Literal("farm"))),
    )


def test_leaves() -> None:
    assert parse(".") == Current()
    assert parse("region") == Property("region")
    assert parse("'a b'") == Literal("a b")
    assert parse('"it\'s"') == Literal("it's")
    assert parse("2.5") == Literal(2.5)
    assert parse(".5") == Literal(0.5)
    assert parse("-3") == Unary("-", Literal(3))
    assert parse("count-selected(${x})") == Call("count-selected", (Ref("x"),))
    assert parse("today()") == Call("today")


def test_xpath_precedence() -> None:
    assert unparse(parse("1 + 2 * 3")) == "1 + 2 * 3"
    assert parse("1 + 2 * 3") == Binary("+", Literal(1), Binary("*", Literal(2), Literal(3)))
    assert parse("a or b and c") == Binary(
        "or", Property("a"), Binary("and", Property("b"), Property("c"))
    )
    assert parse("1 < 2 = 3 > 4") == Binary(
        "=", Binary("<", Literal(1), Literal(2)), Binary(">", Literal(3), Literal(4))
    )
    assert parse("10 - 4 - 3") == Binary("-", Binary("-", Literal(10), Literal(4)), Literal(3))
    assert parse("-2 * 3") == Binary("*", Unary("-", Literal(2)), Literal(3))
    assert parse("7 div 2 mod 3") == Binary(
        "mod", Binary("div", Literal(7), Literal(2)), Literal(3)
    )


def test_keywords_are_whole_words() -> None:
    assert parse("order = 1") == Binary("=", Property("order"), Literal(1))
    assert parse("${a} mod-1") == Binary("mod", Ref("a"), Unary("-", Literal(1)))
    syntax_error("${a} order")


def test_columns_point_at_where_each_node_starts() -> None:
    expr = parse("${age} >= 5 and selected(${work}, 'farm')")
    assert isinstance(expr, Binary) and isinstance(expr.right, Call)
    assert (expr.column, expr.left.column, expr.right.column) == (1, 1, 17)
    assert [arg.column for arg in expr.right.args] == [26, 35]


def test_unparse_is_canonical_and_keeps_needed_parentheses() -> None:
    assert unparse(parse("(${a}+1)*2")) == "(${a} + 1) * 2"
    assert unparse(parse("10 - (4 - 3)")) == "10 - (4 - 3)"
    assert unparse(parse("((${a}))")) == "${a}"
    assert unparse(parse("-(1 + 2)")) == "-(1 + 2)"
    assert unparse(parse("not( . )")) == "not(.)"
    assert unparse(Literal('it\'s "quoted"')) == "'it''s \"quoted\"'"
    assert parse(unparse(Literal('it\'s "quoted"'))) == Literal('it\'s "quoted"')
    assert unparse(Literal(1e-05)) == "0.00001"
    assert unparse(Literal(-5)) == "-5"


def test_equality_ignores_columns() -> None:
    assert parse("  ${a} = 1") == parse("${a}=1")
    assert hash(parse("  ${a} = 1")) == hash(parse("${a}=1"))


def test_queries() -> None:
    expr = parse("count(${members}) > 0 and sum(${age}) > ${total} and . != ''")
    assert references(expr) == {"members", "age", "total"}
    assert aggregated_references(expr) == {"members", "age"}
    assert uses_current(expr)
    assert not uses_current(parse("${a} = 1"))


@pytest.mark.parametrize(
    ("text", "column", "hint"),
    [
        ("${age} == 1", 13, "use = not =="),
        ("$age > 5", 5, "write ${name} to refer to a question"),
        ("{age} > 5", 5, "write ${name} to refer to a question"),
        ("${a} && ${b}", 10, "use 'and' not &&"),
        ("${a} || ${b}", 10, "use 'or' not ||"),
        ("${a} <> 1", 11, "use != not <>"),
        ("${a} / 2", 10, "use div to divide"),
        ("not ${a}", 9, "not is a function: write not(...)"),
        ("${a} = 'yes", 12, "close the text with the same quote it opens with"),
        ("${ a } = 1", 5, "write ${name} with no spaces inside the braces"),
    ],
)
def test_syntax_errors_point_at_the_bad_character_with_a_hint(
    text: str, column: int, hint: str
) -> None:
    error = syntax_error(text)
    assert error.location == Location("f.yaml", 10, column)
    assert error.hint == hint


def test_syntax_error_says_what_was_expected_near_which_character() -> None:
    assert syntax_error("${a} >").message == (
        "unexpected end of expression at character 7: expected a value"
    )
    assert syntax_error("(${a} + 1").message == (
        "unexpected end of expression at character 10: expected an operator or ')'"
    )
    assert syntax_error("if(${a} 1, 2)").message == (
        "unexpected '1' at character 9: expected an operator or ')' or ','"
    )
    assert str(syntax_error("${a} >")) == (
        "f.yaml:10:11: FK-EXPR-001 unexpected end of expression at character 7: expected a value"
    )


def test_syntax_error_on_a_later_line_of_a_block_text() -> None:
    error = syntax_error("${a} = 1\nand == 2")
    assert error.location == Location("f.yaml", 11, 5)


def test_syntax_error_without_a_location_has_the_column_in_the_expression() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("1 +")
    assert caught.value.location == Location(column=4)


def test_limits() -> None:
    assert "too many digits" in syntax_error("1" * 500).message
    deep = "(" * 200 + "1" + ")" * 200
    assert parse(deep) == Literal(1)  # parentheses alone add no depth
    assert parse("-" * 99 + "1") is not None  # 100 levels: the limit
    assert "nested" in syntax_error("-" * 100 + "1").message


def test_public_api_is_pinned() -> None:
    assert sorted(expression.__all__) == sorted(
        [
            "DONT_KNOW",
            "FUNCTIONS",
            "MISSING",
            "REFUSED",
            "Binary",
            "Call",
            "Current",
            "DictScope",
            "Environment",
            "Evaluator",
            "Expr",
            "Function",
            "Literal",
            "Missing",
            "Property",
            "Ref",
            "Scope",
            "Symbol",
            "Unary",
            "ValueType",
            "aggregated_references",
            "compile_evaluator",
            "evaluate",
            "parse",
            "references",
            "truthy",
            "typecheck",
            "unparse",
            "uses_current",
        ]
    )
