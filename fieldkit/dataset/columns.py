"""From a form's questions to analysis variables, and from stored answers to cells."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fieldkit.dataset.table import Cell, Special, Variable, VarType
from fieldkit.dataset.universe import calculated_label, calculated_type, plain_label, universe
from fieldkit.instrument.expression import unparse
from fieldkit.instrument.form import Form, Question
from fieldkit.instrument.schema import QuestionType
from fieldkit.store.records import AnswerStatus

__all__ = ["ColumnSpec", "decode_answer", "question_columns"]

Text = Mapping[str, str]
Extract = Callable[[Any], Cell]

_TYPES: dict[QuestionType, VarType] = {
    QuestionType.INTEGER: VarType.INTEGER,
    QuestionType.DECIMAL: VarType.DECIMAL,
    QuestionType.TEXT: VarType.TEXT,
    QuestionType.SELECT_ONE: VarType.CODE,
    QuestionType.DATE: VarType.DATE,
    QuestionType.TIME: VarType.TIME,
    QuestionType.DATETIME: VarType.DATETIME,
    QuestionType.GEOPOINT: VarType.TEXT,
}
_SKIPPED = (QuestionType.NOTE, QuestionType.REPEAT)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One output column: its variable, the question it reads, and how a value becomes a cell."""

    variable: Variable
    question: str
    extract: Extract


def decode_answer(value: Any, status: str) -> Any:
    """A stored answer as a Python value (or a Special); ``None`` when cleared."""
    if status == AnswerStatus.DONT_KNOW:
        return Special.DONT_KNOW
    if status == AnswerStatus.REFUSED:
        return Special.REFUSED
    if status == AnswerStatus.CLEARED:
        return None
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def question_columns(form: Form, question: Question, language: str) -> list[ColumnSpec]:
    """The columns one question gives: none for identifying fields, notes and rosters."""
    del language  # labels are kept in every language; writers pick one
    if question.pii or question.type in _SKIPPED:
        return []
    base = _base_variable(form, question)
    if question.type is QuestionType.SELECT_MULTIPLE:
        return [ColumnSpec(base, question.name, _joined), *_dummies(question, base)]
    if question.type is QuestionType.SELECT_ONE:
        numeric = _numeric_codes(question)
        labels = {(_as_int(c.value) if numeric else c.value): c.label for c in question.choices}
        variable = Variable(**{**_fields(base), "value_labels": labels})
        return [ColumnSpec(variable, question.name, _code_int if numeric else _text)]
    if question.type is QuestionType.CALCULATE:
        typed = _EXTRACT.get(base.type, _integer)  # a flag: True/False as 1/0
        return [
            ColumnSpec(base, question.name, _calculated if base.type is VarType.TEXT else typed)
        ]
    return [ColumnSpec(base, question.name, _EXTRACT.get(base.type, _scalar))]


def _base_variable(form: Form, question: Question) -> Variable:
    missing: list[Special] = []
    if question.allow_dont_know:
        missing.append(Special.DONT_KNOW)
    if question.allow_refused:
        missing.append(Special.REFUSED)
    calculated = question.type is QuestionType.CALCULATE
    if calculated:
        var_type = calculated_type(form, question)
    elif question.type is QuestionType.SELECT_MULTIPLE:
        var_type = VarType.TEXT
    else:
        var_type = _TYPES.get(question.type, VarType.TEXT)
    asked_when = universe(form, question)
    return Variable(
        name=question.name,
        label=calculated_label(form, question) if calculated else plain_label(question.label),
        type=var_type,
        value_labels=_YES_NO if var_type is VarType.FLAG else {},
        role=question.disaggregation,
        question=question.name,
        universe=asked_when.get(form.default_language),
        universe_text=asked_when,
        missing=tuple(missing),
        definition=(
            f"calculated in the form: {unparse(question.calculation)}"
            if question.calculation is not None
            else None
        ),
    )


def _fields(variable: Variable) -> dict[str, Any]:
    return {name: getattr(variable, name) for name in variable.__dataclass_fields__}


def _dummies(question: Question, base: Variable) -> list[ColumnSpec]:
    specs = []
    for choice in question.choices:
        label = {
            lang: f"{text}: {choice.label.get(lang, choice.value)}"
            for lang, text in base.label.items()
        }
        variable = Variable(
            name=f"{question.name}__{choice.value}",
            label=label,
            type=VarType.FLAG,
            value_labels=_YES_NO,
            role=question.disaggregation,
            question=question.name,
            universe=base.universe,
            missing=base.missing,
        )
        specs.append(ColumnSpec(variable, question.name, _selected(choice.value)))
    return specs


_YES_NO: Mapping[Cell, Text] = {1: {"en": "Yes", "fr": "Oui"}, 0: {"en": "No", "fr": "Non"}}


def _numeric_codes(question: Question) -> bool:
    return bool(question.choices) and all(_as_int(c.value) is not None for c in question.choices)


def _as_int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if str(number) == str(value).strip() else None


def _code_int(value: Any) -> Cell:
    number = _as_int(value)
    return number if number is not None else str(value)


def _text(value: Any) -> Cell:
    return str(value)


def _integer(value: Any) -> Cell:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return int(number) if number.is_integer() else number


def _decimal(value: Any) -> Cell:
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _scalar(value: Any) -> Cell:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _calculated(value: Any) -> Cell:
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return _scalar(value)


def _joined(value: Any) -> Cell:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _selected(choice: str) -> Extract:
    def extract(value: Any) -> Cell:
        chosen = value if isinstance(value, list) else str(value).split()
        return 1 if choice in [str(v) for v in chosen] else 0

    return extract


_EXTRACT: dict[VarType, Extract] = {
    VarType.INTEGER: _integer,
    VarType.DECIMAL: _decimal,
    VarType.TEXT: _scalar,
    VarType.DATE: _text,
    VarType.TIME: _text,
    VarType.DATETIME: _text,
}
