"""The kinds of instrument (ILO Book 2): a module of its own, so a command can offer them as
choices without loading the instrument schema's pydantic models (start-up time)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["InstrumentKind"]


class InstrumentKind(StrEnum):
    HOUSEHOLD = "household"
    ESTABLISHMENT = "establishment"
    STREET = "street"
    SCHOOL = "school"
    RAPID_ASSESSMENT = "rapid_assessment"
