"""A compiled research protocol: the validated file, its texts per language, and its hash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldkit.hashing import content_hash
from fieldkit.protocol.schema import (
    WEEKDAYS,
    ExceptionModel,
    ExceptionReasonModel,
    ProtocolModel,
    RoleModel,
    WindowModel,
)

__all__ = ["ConsentBlock", "Protocol", "ScreeningQuestion"]

Text = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ScreeningQuestion:
    name: str
    label: Text
    stop_when: frozenset[str]


@dataclass(frozen=True, slots=True)
class ConsentBlock:
    """What the engine asks before anything else (ILO Book 2, 2.6.5)."""

    screening: tuple[ScreeningQuestion, ...]
    adult: Text
    guardian: Text
    child_assent: Text
    age_of_majority: int
    exceptions: tuple[ExceptionModel, ...]
    distress_protocol: Text
    referral: Text
    exception_reasons: tuple[ExceptionReasonModel, ...] = ()


@dataclass(frozen=True)
class Protocol:
    model: ProtocolModel
    consent: ConsentBlock
    hash: str
    source: str | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.model.languages)

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def consent_sha256(self) -> str:
        """The consent statements a respondent hears (every language), as one hash."""
        return content_hash(self.model.ethics.consent.model_dump(mode="json"))

    @property
    def data_use_sha256(self) -> str:
        """The data-use statement (every language), as one hash."""
        return content_hash({"data_use_statement": self.model.data_use_statement})

    @property
    def small_cell_threshold(self) -> int:
        return self.model.small_cell_threshold

    @property
    def representative(self) -> bool:
        return self.model.representative

    @property
    def roles(self) -> Mapping[str, RoleModel]:
        return self.model.roles

    def text(self, label: Any, language: str) -> str:
        """A protocol text in ``language`` (falling back to the first language)."""
        if isinstance(label, str):
            return label
        if isinstance(label, Mapping):
            return str(label.get(language) or next(iter(label.values()), ""))
        return ""

    def collection_window(self, moment: dt.datetime) -> WindowModel | None:
        """The collection window ``moment`` (local time at the interview) falls in, if any.

        The protocol says when data may be gathered (ILO Book 2, 2.6.2); an interview
        outside every window is not refused (clocks on laptops drift) but flagged.
        """
        for window in self.model.collection.windows:
            if _inside(window, moment):
                return window
        return None

    def exception(self, exception_id: str) -> ExceptionModel | None:
        for item in self.consent.exceptions:
            if item.id == exception_id:
                return item
        return None

    def exception_reason(self, reason_id: str) -> ExceptionReasonModel | None:
        return next((r for r in self.consent.exception_reasons if r.id == reason_id), None)


def _inside(window: WindowModel, moment: dt.datetime) -> bool:
    if not window.start <= moment.date() <= window.end:
        return False
    if WEEKDAYS[moment.weekday()] not in window.days:
        return False
    if window.hours is None:
        return True
    clock = moment.strftime("%H:%M")
    return window.hours.from_ <= clock < window.hours.to or (
        window.hours.to == "24:00" and clock >= window.hours.from_
    )
