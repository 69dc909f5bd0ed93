"""Validated input models: what the laptop store accepts before it builds a row.

Table models skip validation, so every row is built from one of these. The capture records
(``fieldkit.store.records``) are checked here: types, ranges, lengths, and a value only with
the ANSWERED status (``kept_value``: a refused or don't-know answer keeps no value).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fieldkit.errors import Location, StoreError
from fieldkit.store.records import STAFF_CODE, AnswerStatus, JsonValue

__all__ = [
    "AnswerInput",
    "ConsentCodes",
    "EventInput",
    "MemberInput",
    "NewInterview",
    "validated",
]

Name = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f]+$")]
StaffCode = Annotated[str, Field(pattern=STAFF_CODE.pattern)]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class _Input(BaseModel):
    model_config = ConfigDict(
        frozen=True, strict=True, extra="forbid", allow_inf_nan=False, from_attributes=True
    )


class NewInterview(_Input):
    enumerator: StaffCode
    """A staff code (``E07``): a name here would travel in every bundle and export."""
    language: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")]


class AnswerInput(_Input):
    question: Name
    member: Annotated[int, Field(ge=0)]
    value: JsonValue
    status: AnswerStatus
    pii: bool = False

    @property
    def kept_value(self) -> JsonValue:
        """The value to store: only an ANSWERED answer keeps one."""
        return self.value if self.status is AnswerStatus.ANSWERED else None


class ConsentCodes(_Input):
    """The coded parts of a consent record: a reason is a code, a supervisor is a staff code
    (a front end that passes free text or a name here is refused, nothing saved)."""

    exception: Code | None = None
    exception_reason: Code | None = None
    supervisor: StaffCode | None = None


class MemberInput(_Input):
    roster: Name
    member: Annotated[int, Field(ge=1)]
    present: bool


class EventInput(_Input):
    event: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")]
    question: Name | None = None
    member: Annotated[int, Field(ge=0)] = 0
    elapsed_ms: Annotated[int, Field(ge=0)] | None = None
    detail: Annotated[str, Field(max_length=500)] | None = None


M = TypeVar("M", bound="_Input")


def validated(model: type[M], record: Any, interview_id: str) -> M:
    """``record`` checked as ``model``, or StoreError FK-STORE-011 naming the field."""
    try:
        return model.model_validate(record)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or model.__name__
        raise StoreError(
            f"invalid {model.__name__} ({where}: {first['msg']})",
            code="FK-STORE-011",
            location=Location(record=interview_id),
            hint="this is a bug in the capture front end; the answer was not saved",
        ) from None
