"""A compiled research protocol: the validated file, its texts per language, and its hash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldkit.protocol.schema import ExceptionModel, ProtocolModel, RoleModel

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

    def exception(self, exception_id: str) -> ExceptionModel | None:
        for item in self.consent.exceptions:
            if item.id == exception_id:
                return item
        return None
