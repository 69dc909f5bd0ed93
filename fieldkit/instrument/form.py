"""The compiled form: frozen, self-contained, identified by the hash of its content.

A Form is what the engine asks, what the store ties answers to, and what datasets label.
Its hash covers everything that changes what is asked or how answers are read (questions,
choices, expressions, languages, the protocol's consent block), and nothing that does not
(file paths, YAML line numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from fieldkit.errors import Location
from fieldkit.instrument.expression import Expr, ValueType, unparse
from fieldkit.instrument.schema import (
    DisaggregationRole,
    InstrumentKind,
    QuestionType,
    ScreenMode,
)
from fieldkit.protocol.model import Protocol

__all__ = ["Choice", "Form", "Question", "RosterCheck", "SampleDesign", "Section", "Text"]

Text = Mapping[str, str]
"""A text per language code."""


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: Text
    properties: Mapping[str, str] = field(default_factory=lambda: _frozen({}))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"value": self.value, "label": dict(self.label)}
        if self.properties:
            data["filter"] = dict(self.properties)
        return data


@dataclass(frozen=True, slots=True)
class RosterCheck:
    """A consistency check across a roster's members (``checks:`` of a repeat)."""

    name: str
    rule: Expr
    message: Text
    when: Expr | None = None
    location: Location = field(default_factory=Location, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "rule": unparse(self.rule)}
        if self.when is not None:
            data["when"] = unparse(self.when)
        data["message"] = dict(self.message)
        return data


@dataclass(frozen=True, slots=True)
class Question:
    name: str
    type: QuestionType
    section: str
    label: Text
    hint: Text
    repeat: str | None = None
    """The roster this question is asked in, once per member (None: once per interview)."""
    required: bool = False
    required_if: Expr | None = None
    relevant: Expr | None = None
    constraint: Expr | None = None
    constraint_message: Text = field(default_factory=lambda: _frozen({}))
    calculation: Expr | None = None
    choices: tuple[Choice, ...] = ()
    choice_list: str | None = None
    choice_filter: Expr | None = None
    pii: bool = False
    disaggregation: DisaggregationRole | None = None
    allow_dont_know: bool = False
    allow_refused: bool = False
    count: Expr | None = None
    """Repeat only: the number of members (None: open-ended)."""
    members: tuple[str, ...] = ()
    """Repeat only: the names of the questions asked per member."""
    location: Location = field(default_factory=Location, compare=False)
    member_label: Text = field(default_factory=lambda: _frozen({}))
    """Repeat only: how to name a member on screen, e.g. ``${first_name}``."""
    checks: tuple[RosterCheck, ...] = ()
    """Repeat only: consistency checks across its members."""
    value_type: ValueType | None = field(default=None, compare=False)
    """Calculate only: the type the compiler found for the calculation (derived from it, so
    neither compared nor hashed)."""

    @property
    def is_repeat(self) -> bool:
        return self.type is QuestionType.REPEAT

    @property
    def is_answerable(self) -> bool:
        """Asked of the respondent (not a note, a calculation or a roster container)."""
        return self.type not in (QuestionType.NOTE, QuestionType.CALCULATE, QuestionType.REPEAT)

    def choice(self, value: str) -> Choice | None:
        for choice in self.choices:
            if choice.value == value:
                return choice
        return None

    def expressions(self) -> dict[str, Expr]:
        named = {
            "required_if": self.required_if,
            "relevant": self.relevant,
            "constraint": self.constraint,
            "calculation": self.calculation,
            "choice_filter": self.choice_filter,
            "count": self.count,
        }
        return {key: expr for key, expr in named.items() if expr is not None}

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": str(self.type),
            "section": self.section,
            "label": dict(self.label),
        }
        optional: dict[str, Any] = {
            "hint": dict(self.hint) or None,
            "repeat": self.repeat,
            "required": self.required or None,
            "constraint_message": dict(self.constraint_message) or None,
            "choices": [c.to_dict() for c in self.choices] or None,
            "choice_list": self.choice_list,
            "pii": self.pii or None,
            "disaggregation": str(self.disaggregation) if self.disaggregation else None,
            "allow_dont_know": self.allow_dont_know or None,
            "allow_refused": self.allow_refused or None,
            "members": list(self.members) or None,
            "member_label": dict(self.member_label) or None,
            "checks": [check.to_dict() for check in self.checks] or None,
        }
        optional.update({key: unparse(expr) for key, expr in self.expressions().items()})
        data.update({key: value for key, value in optional.items() if value is not None})
        return data


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    label: Text
    relevant: Expr | None
    items: tuple[str, ...]
    """Top-level question names in asking order (a roster appears once, by its name)."""
    screen: ScreenMode = ScreenMode.QUESTION
    """A graphical front end shows the section one question (or all of it) per screen.
    Layout only, so outside the hash: laying a section out anew forks no form."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "label": dict(self.label),
            "items": list(self.items),
        }
        if self.relevant is not None:
            data["relevant"] = unparse(self.relevant)
        return data


@dataclass(frozen=True, slots=True)
class SampleDesign:
    psu: str
    weight: str
    stratum: str | None = None


@dataclass(frozen=True)
class Form:
    id: str
    title: Text
    version: str
    kind: InstrumentKind
    languages: tuple[str, ...]
    default_language: str
    respondents: tuple[str, ...]
    consent_required: bool
    protocol: Protocol
    sections: tuple[Section, ...]
    questions: Mapping[str, Question]
    """Every question by name, in asking order (roster members right after their roster)."""
    unit_key: tuple[str, ...] = ()
    sample_design: SampleDesign | None = None
    dependents: Mapping[str, frozenset[str]] = field(default_factory=lambda: _frozen({}))
    """For each name, the questions whose expressions read it (directly)."""
    source: str | None = field(default=None, compare=False)
    hash: str = field(default="", compare=False)

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(self.questions)

    def question(self, name: str) -> Question:
        return self.questions[name]

    def section(self, name: str) -> Section:
        for section in self.sections:
            if section.name == name:
                return section
        raise KeyError(name)

    def pii_fields(self) -> tuple[str, ...]:
        return tuple(name for name, q in self.questions.items() if q.pii)

    def by_role(self, role: DisaggregationRole) -> tuple[Question, ...]:
        return tuple(q for q in self.questions.values() if q.disaggregation is role)

    def repeats(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions.values() if q.is_repeat)

    def content(self) -> dict[str, Any]:
        """Everything the hash covers, as JSON-ready data."""
        return {
            "id": self.id,
            "title": dict(self.title),
            "version": self.version,
            "kind": str(self.kind),
            "languages": list(self.languages),
            "default_language": self.default_language,
            "respondents": list(self.respondents),
            "consent_required": self.consent_required,
            "protocol": {"id": self.protocol.id, "hash": self.protocol.hash},
            "unit_key": list(self.unit_key),
            "sample_design": None
            if self.sample_design is None
            else {
                "stratum": self.sample_design.stratum,
                "psu": self.sample_design.psu,
                "weight": self.sample_design.weight,
            },
            "sections": [s.to_dict() for s in self.sections],
            "questions": [q.to_dict() for q in self.questions.values()],
        }

    def to_dict(self) -> dict[str, Any]:
        return {"hash": self.hash, **self.content()}
