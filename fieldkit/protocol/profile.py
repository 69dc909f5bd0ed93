"""Release profiles: a module of its own, so a command can offer them as choices without
loading the protocol schema's pydantic models (start-up time)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Profile"]


class Profile(StrEnum):
    """What may leave the tool, and to whom (issue 12)."""

    INTERNAL = "internal"
    """Coordinators: everything but identities."""
    RESTRICTED = "restricted"
    """Named researchers under agreement: no free text, staff or device ids; dates by month."""
    PUBLIC = "public"
    """Anyone: also no unit numbers, dates or exact ages; k-anonymous microdata."""
