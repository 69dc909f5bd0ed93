"""What a codebook says about a question: who was asked it, and what a calculation is.

A universe is the conditions under which a question is asked (its section's relevance, its
roster's, its own), written for a reader of the codebook rather than for the engine:
questions by their label in the codebook's language, choice values by their labels, and the
engine's functions in words::

    ${age_r} >= 5 and selected(${work}, 'farm')
    age_r >= 5 and "Work in the last 7 days" includes "Farm work"

A calculated variable's type is the one the compiler found for its calculation; a number
that can only be whole (counts, positions, ``int()``, ``if(..., 1, 0)``) is an integer.
"""

from __future__ import annotations

from collections.abc import Mapping

from fieldkit.dataset.table import VarType
from fieldkit.instrument.expression import (
    Binary,
    Call,
    Current,
    Expr,
    Literal,
    Property,
    Ref,
    Unary,
    ValueType,
    references,
    unparse,
)
from fieldkit.instrument.form import Form, Question
from fieldkit.instrument.schema import QuestionType
from fieldkit.instrument.templates import TEMPLATE_REFERENCE

__all__ = ["calculated_label", "calculated_type", "plain_label", "readable", "universe"]

Text = Mapping[str, str]

_WORDS = {"en": ("includes", "is", "don't know", "refused", "number of answers to")}
_WORDS["fr"] = ("comprend", "est", "ne sait pas", "refus", "nombre de réponses à")
_CALCULATED = {"en": ("Calculated from", "Calculated"), "fr": ("Calculé à partir de", "Calculé")}
_WHOLE_FUNCTIONS = frozenset({"int", "position", "count", "count-selected", "string-length"})


def plain_label(label: Text) -> Text:
    """A label as a codebook prints it: ``Is ${first_name} male or female?`` (the interview
    shows the answer there) becomes ``Is (first_name) male or female?``."""
    return {
        language: TEMPLATE_REFERENCE.sub(lambda found: f"({found.group(1)})", text)
        for language, text in label.items()
    }


def universe(form: Form, question: Question) -> Text:
    """Who has a value, per language ({} when every interview or member does)."""
    conditions = [
        *_section_relevance(form, question),
        *_roster_relevance(form, question),
        *([question.relevant] if question.relevant is not None else []),
    ]
    if not conditions:
        return {}
    return {
        language: " and ".join(_grouped(readable(c, form, language)) for c in conditions)
        if len(conditions) > 1
        else readable(conditions[0], form, language)
        for language in form.languages
    }


def _grouped(text: str) -> str:
    return f"({text})" if " or " in text else text


def _section_relevance(form: Form, question: Question) -> list[Expr]:
    section = next((s for s in form.sections if s.name == question.section), None)
    return [section.relevant] if section is not None and section.relevant is not None else []


def _roster_relevance(form: Form, question: Question) -> list[Expr]:
    if question.repeat is None:
        return []
    roster = form.questions.get(question.repeat)
    return [roster.relevant] if roster is not None and roster.relevant is not None else []


def readable(expr: Expr, form: Form, language: str) -> str:
    """``expr`` for a reader: labels for questions and choices, words for functions."""
    return _Printer(form, language).text(expr)


class _Printer:
    def __init__(self, form: Form, language: str) -> None:
        self.form = form
        self.language = language
        self.words = _WORDS.get(language, _WORDS["en"])

    def text(self, expr: Expr, parent: int = 0) -> str:
        if isinstance(expr, Binary):
            return self._binary(expr, parent)
        if isinstance(expr, Call):
            return self._call(expr)
        if isinstance(expr, Ref):
            return self._question(expr.name)
        if isinstance(expr, Unary):
            return "-" + self.text(expr.operand, 9)
        if isinstance(expr, Literal):
            return repr(expr.value) if isinstance(expr.value, str) else str(expr.value)
        if isinstance(expr, Current | Property):
            return "." if isinstance(expr, Current) else expr.name
        raise TypeError(expr)  # pragma: no cover - every node type is handled above

    def _question(self, name: str) -> str:
        question = self.form.questions.get(name)
        label = plain_label(question.label).get(self.language) if question is not None else None
        return f'"{label}"' if label else name

    def _choice(self, ref: Expr, value: Expr) -> str:
        question = self.form.questions.get(ref.name) if isinstance(ref, Ref) else None
        choice = None
        if question is not None and isinstance(value, Literal):
            choice = question.choice(str(value.value))
        label = choice.label.get(self.language) if choice is not None else None
        return f'"{label}"' if label else self.text(value)

    def _binary(self, expr: Binary, parent: int) -> str:
        level = {"or": 1, "and": 2}.get(expr.op, 3)
        right = (
            self._choice(expr.left, expr.right)
            if expr.op in ("=", "!=")
            else self.text(expr.right, level + 1)
        )
        text = f"{self.text(expr.left, level)} {expr.op} {right}"
        return f"({text})" if level < parent else text

    def _call(self, expr: Call) -> str:
        includes, is_, dont_know, refused, how_many = self.words
        args = expr.args
        if expr.function == "selected" and len(args) == 2:
            return f"{self.text(args[0])} {includes} {self._choice(args[0], args[1])}"
        if expr.function in ("is-dont-know", "is-refused") and len(args) == 1:
            answer = dont_know if expr.function == "is-dont-know" else refused
            return f'{self.text(args[0])} {is_} "{answer}"'
        if expr.function == "count-selected" and len(args) == 1:
            return f"{how_many} {self.text(args[0])}"
        return f"{expr.function}({', '.join(self.text(arg) for arg in args)})"


def calculated_type(form: Form, question: Question) -> VarType:
    """The dataset type of a calculate question, from the type its calculation has."""
    found = question.value_type
    if found is ValueType.NUMBER:
        whole = question.calculation is not None and _whole(form, question.calculation, set())
        return VarType.INTEGER if whole else VarType.DECIMAL
    return {
        ValueType.BOOLEAN: VarType.FLAG,
        ValueType.DATE: VarType.DATE,
        ValueType.DATETIME: VarType.DATETIME,
        ValueType.TIME: VarType.TIME,
    }.get(found or ValueType.ANY, VarType.TEXT)


def _whole(form: Form, expr: Expr, seen: set[str]) -> bool:
    """True when ``expr`` can only be a whole number (or empty)."""
    if isinstance(expr, Literal):
        return expr.value == "" or isinstance(expr.value, int)
    if isinstance(expr, Ref):
        return _whole_question(form, expr.name, seen)
    parts = _parts_that_decide(expr)
    return parts is not None and all(_whole(form, part, seen) for part in parts)


_WHOLE_WHEN_ARGUMENTS_ARE = {
    "if": slice(1, None),  # the two branches, not the condition
    "coalesce": slice(None),
    "sum": slice(None),
    "min": slice(None),
    "max": slice(None),
}


def _parts_that_decide(expr: Expr) -> tuple[Expr, ...] | None:
    """The parts that must be whole for ``expr`` to be whole; None if it may not be."""
    if isinstance(expr, Unary):
        return (expr.operand,)
    if isinstance(expr, Binary):
        return (expr.left, expr.right) if expr.op in ("+", "-", "*", "mod") else None
    if isinstance(expr, Call):
        if expr.function in _WHOLE_FUNCTIONS:
            return ()
        chosen = _WHOLE_WHEN_ARGUMENTS_ARE.get(expr.function)
        return None if chosen is None else expr.args[chosen]
    return None


def _whole_question(form: Form, name: str, seen: set[str]) -> bool:
    question = form.questions.get(name)
    if question is None or name in seen:
        return False
    if question.type is QuestionType.INTEGER:
        return True
    if question.type is QuestionType.CALCULATE and question.calculation is not None:
        return _whole(form, question.calculation, {*seen, name})
    return False


def calculated_label(form: Form, question: Question) -> Text:
    """A calculation's own label, or "Calculated from a, b" naming what it reads (the
    formula itself when it reads no question, e.g. "Calculated: position()")."""
    if question.label:
        return question.label
    if question.calculation is None:
        return {}
    names = ", ".join(sorted(references(question.calculation)))
    labels = {}
    for language in form.languages:
        read_from, calculated = _CALCULATED.get(language, _CALCULATED["en"])
        labels[language] = (
            f"{read_from} {names}" if names else f"{calculated}: {unparse(question.calculation)}"
        )
    return labels
