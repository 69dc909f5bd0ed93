"""The instrument file as written: pydantic input models, validated before compiling.

These models check shape only (keys, value types). Cross-references, expressions and
survey rules are the compiler's job, where every node's YAML position is known.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fieldkit.instrument.kinds import InstrumentKind

__all__ = [
    "CheckModel",
    "ChoiceModel",
    "DisaggregationRole",
    "InstrumentKind",
    "InstrumentModel",
    "Label",
    "QuestionModel",
    "QuestionType",
    "SampleDesignModel",
    "SectionModel",
]

Label = str | dict[str, str]
Scalar = str | int
Expression = str | bool | int


class QuestionType(StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    GEOPOINT = "geopoint"
    NOTE = "note"
    CALCULATE = "calculate"
    REPEAT = "repeat"


class DisaggregationRole(StrEnum):
    SEX = "sex"
    AGE = "age"
    ORIGIN = "origin"
    ETHNICITY = "ethnicity"
    DISABILITY = "disability"
    FAMILY = "family"
    DISTRICT = "district"


class Respondent(StrEnum):
    ADULT = "adult"
    CHILD = "child"


class ScreenMode(StrEnum):
    """How a graphical front end lays a section out: a screen per question, or the whole
    section (per roster member) on one screen. Layout only: it changes nothing asked."""

    QUESTION = "question"
    SECTION = "section"


class ConsentMode(StrEnum):
    PROTOCOL = "protocol"
    NONE = "none"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ChoiceModel(_Strict):
    value: Scalar
    label: Label
    filter: dict[str, Scalar] = Field(default_factory=dict)


class CheckModel(_Strict):
    """A roster consistency check: ``rule`` must hold for every member (where ``when`` does);
    evaluated whenever an answer it reads changes, and reported like a constraint."""

    name: str
    when: Expression | None = None
    rule: Expression
    message: Label


class QuestionModel(_Strict):
    name: str
    type: QuestionType
    label: Label | None = None
    hint: Label | None = None
    required: Expression = False
    relevant: Expression | None = None
    constraint: str | None = None
    constraint_message: Label | None = None
    calculation: str | int | float | None = None
    choices: str | list[ChoiceModel] | None = None
    choice_filter: str | None = None
    pii: bool = False
    disaggregation: DisaggregationRole | None = None
    allow_dont_know: bool = False
    allow_refused: bool = False
    count: str | int | None = None
    questions: list[QuestionModel] | None = None
    member_label: Label | None = None
    checks: list[CheckModel] | None = None


class SectionModel(_Strict):
    name: str
    label: Label | None = None
    relevant: Expression | None = None
    screen: ScreenMode = ScreenMode.QUESTION
    questions: Annotated[list[QuestionModel], Field(min_length=1)]


class SampleDesignModel(_Strict):
    stratum: str | None = None
    psu: str
    weight: str


class InstrumentModel(_Strict):
    id: str
    title: Label
    version: str | int | float = "1"
    kind: InstrumentKind
    protocol: str
    languages: Annotated[list[str], Field(min_length=1)]
    default_language: str | None = None
    respondents: list[Respondent] = Field(default_factory=list)
    consent: ConsentMode = ConsentMode.PROTOCOL
    unit_key: list[str] = Field(default_factory=list)
    sample_design: SampleDesignModel | None = None
    choices: dict[str, list[ChoiceModel]] = Field(default_factory=dict)
    sections: Annotated[list[SectionModel], Field(min_length=1)]
