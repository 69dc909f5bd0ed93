"""Text to syntax tree, with errors that say where and what was expected."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path
from typing import Final, cast

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from fieldkit.errors import ExpressionError, Location

from .ast import Binary, Call, Current, Expr, Literal, Property, Ref, Unary, children

__all__ = ["MAX_DEPTH", "locate", "parse"]

SYNTAX_ERROR = "FK-EXPR-001"
MAX_DEPTH: Final = 100  # deeper trees would strain Python's recursion limit downstream
_MAX_DIGITS: Final = 400


def locate(location: Location | None, column: int, line_offset: int = 0) -> Location:
    """The file position of ``column`` (1-based) in an expression that starts at ``location``
    (on its ``line_offset``-th line after the first)."""
    if location is None:
        return Location(line=line_offset + 1 if line_offset else None, column=column)
    return location.shifted(line_offset, column)


def _column(token: Token) -> int:
    return (token.start_pos or 0) + 1


def _number(token: Token) -> Literal:
    text = str(token)
    if len(text) > _MAX_DIGITS:
        raise _NumberTooLong(_column(token))
    value: int | float = float(text) if "." in text else int(text)
    return Literal(value, _column(token))


class _TooDeep(Exception):
    pass


class _NumberTooLong(Exception):
    def __init__(self, column: int) -> None:
        super().__init__(column)
        self.column = column


@v_args(inline=True)
class _Build(Transformer[Token, Expr]):
    """Builds the tree while parsing (no intermediate parse tree)."""

    def ref(self, token: Token) -> Ref:
        return Ref(str(token)[2:-1], _column(token))

    def current(self, token: Token) -> Current:
        return Current(_column(token))

    def number(self, token: Token) -> Literal:
        return _number(token)

    def string(self, token: Token) -> Literal:
        text = str(token)
        quote = text[0]
        return Literal(text[1:-1].replace(quote * 2, quote), _column(token))

    def property(self, token: Token) -> Property:
        return Property(str(token), _column(token))

    def call(self, name: Token, *args: Expr) -> Call:
        return Call(str(name), args, _column(name))

    def unary(self, op: Token, operand: Expr) -> Unary:
        return Unary("-", operand, _column(op))

    def binary(self, left: Expr, op: Token, right: Expr) -> Binary:
        return Binary(str(op), left, right, left.column)  # type: ignore[arg-type]


def _load() -> Lark:
    grammar = Path(__file__).with_name("grammar.lark").read_text("utf-8")  # a package file
    return Lark(grammar, parser="lalr", lexer="basic", transformer=_Build(), cache=_cache_file())


def _cache_file() -> str | bool:
    """Where lark keeps the analysed grammar, as Python keeps bytecode: in ``__pycache__``
    beside this module (lark checks the grammar's hash and its own version before using it,
    and silently builds the tables when the folder cannot be written). Building them is a
    sizeable part of every command's start-up."""
    if sys.dont_write_bytecode:
        return False
    return str(Path(__file__).with_name("__pycache__") / "expression-grammar.lark-cache")


_PARSER: Final = _load()


def parse(text: str, location: Location | None = None) -> Expr:
    """Parse an expression; `ExpressionError` FK-EXPR-001 if it is not valid.

    ``location`` is where the expression's first character is in its file: errors point at
    the bad character there.
    """
    try:
        return _parse_text(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, text, location) from None
    except _NumberTooLong as error:
        where = locate(location, error.column)
        message = "number has too many digits"
        raise ExpressionError(message, code=SYNTAX_ERROR, location=where) from None
    except _TooDeep:
        raise ExpressionError(
            f"expression nested more than {MAX_DEPTH} levels deep",
            code=SYNTAX_ERROR,
            location=locate(location, 1),
            hint="split it into calculate questions",
        ) from None


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> Expr:
    """Trees are immutable, so a form that repeats an expression parses it once."""
    expr = cast(Expr, _PARSER.parse(text))
    if len(text) > MAX_DEPTH and _depth(expr) > MAX_DEPTH:
        raise _TooDeep
    return expr


def _depth(expr: Expr) -> int:
    deepest, stack = 0, [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children(node))
    return deepest


# -- syntax errors --------------------------------------------------------------------------

_VALUES: Final = frozenset({"REF", "NUMBER", "STRING", "NAME", "DOT"})
_OPERATORS: Final = frozenset(
    {"OR", "AND", "EQ", "NE", "LT", "LE", "GT", "GE", "PLUS", "STAR", "DIV", "MOD"}
)
_PUNCTUATION: Final = {"_RPAR": "')'", "_COMMA": "','", "_LPAR": "'('"}
_TOKENS: Final = {"$END": "the end of the expression", "REF": "reference", "NAME": "name"}


def _syntax_error(error: UnexpectedInput, text: str, location: Location | None) -> ExpressionError:
    offset, found, expected = _what_went_wrong(error, text)
    message = f"{found} at character {offset + 1}"
    if expected:
        message += f": expected {expected}"
    line_offset = text.count("\n", 0, offset)
    column = offset - text.rfind("\n", 0, offset)
    return ExpressionError(
        message,
        code=SYNTAX_ERROR,
        location=locate(location, column, line_offset),
        hint=_hint(text, offset),
    )


def _what_went_wrong(error: UnexpectedInput, text: str) -> tuple[int, str, str]:
    """(0-based offset, what was found, what was expected) for a lark error."""
    if isinstance(error, UnexpectedCharacters):
        offset = error.pos_in_stream or 0
        return offset, f"unexpected character {text[offset]!r}", ""
    expected = _expected(_accepted(error))
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token: Token = error.token
        return token.start_pos or 0, f"unexpected {_token_text(token)}", expected
    return len(text.rstrip()), "unexpected end of expression", expected


def _accepted(error: UnexpectedInput) -> set[str]:
    """The terminals that could have come next (lark's exact set where it has one)."""
    try:
        accepts = getattr(error, "accepts", None)
    except _NumberTooLong:
        accepts = None
    return set(accepts or getattr(error, "expected", None) or ())


def _token_text(token: Token) -> str:
    kind = _TOKENS.get(token.type, "")
    return f"{kind} {str(token)!r}".strip() if kind else repr(str(token))


def _expected(names: set[str]) -> str:
    parts = []
    if names & _VALUES:
        parts.append("a value")
    if names & _OPERATORS:
        parts.append("an operator")
    if parts:
        names = names - {"_LPAR"}  # '(' opens a value, or a function's arguments
    parts.extend(text for name, text in _PUNCTUATION.items() if name in names)
    if "$END" in names and not parts:
        parts.append("the end of the expression")
    return " or ".join(parts)


def _hint_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    ref = "write ${name} to refer to a question"
    pairs = (
        (r"\$\{[^}]*\s[^}]*\}", "write ${name} with no spaces inside the braces"),
        (r"\$(?!\{)", ref),
        (r"(?<!\$)\{", ref),
        (r"==", "use = not =="),
        (r"=<|=>", "write <= or >="),
        (r"&&?", "use 'and' not &&"),
        (r"\|\|?", "use 'or' not ||"),
        (r"<>", "use != not <>"),
        (r"!(?!=)", "write not(...) to negate"),
        (r"/", "use div to divide"),
        (r"%", "use mod for the remainder"),
        (r"\b(?:AND|OR|And|Or|NOT|Not|DIV|MOD)\b", "operators are lower case: and, or, div, mod"),
        (r"\bnot\s+(?!\()", "not is a function: write not(...)"),
        (r"[‘’“”]", "use straight quotes ' or \""),
        (r"['\"]", "close the text with the same quote it opens with"),
    )
    return tuple((re.compile(pattern), hint) for pattern, hint in pairs)


_HINTS: Final = _hint_patterns()
_COMPLETE_STRING: Final = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")


def _hint(text: str, offset: int) -> str | None:
    """The likeliest fix: a mistake at the error first, else the first mistake anywhere."""
    masked = _COMPLETE_STRING.sub(lambda m: "_" * len(m.group()), text)
    first: str | None = None
    for pattern, hint in _HINTS:
        for match in pattern.finditer(masked):
            if match.start() <= offset <= match.end():
                return hint
            first = first or hint
    return first
