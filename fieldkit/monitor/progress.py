"""Fieldwork progress per district, enumerator and day: what was assigned, visited and how
each visit ended, with response and consent-refusal rates and interview times."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fieldkit.monitor.facts import InterviewFacts
from fieldkit.monitor.quality import REFUSALS

__all__ = ["Tally", "tally"]


@dataclass
class Tally:
    """One row of a progress table."""

    key: str
    assigned: int | None = None
    """Units assigned (None: no assignment for this instrument, or a per-day row)."""
    visited: int = 0
    """Interviews merged, content duplicates left out (the same visit keyed twice)."""
    assigned_visited: int | None = None
    complete: int = 0
    refused: int = 0
    """Consent or assent refused (only the refusal is kept)."""
    stopped: int = 0
    """A screening stop rule ended the interview."""
    quarantined: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0
    duplicates: int = 0
    consented: int = 0
    """Visits with a consent record."""
    refusals: int = 0
    minutes: list[float] = field(default_factory=list, repr=False)
    flags: int = 0

    def add(self, item: InterviewFacts) -> None:
        if item.duplicate:
            self.duplicates += 1
            return
        self.visited += 1
        self.complete += item.status == "complete"
        self.refused += item.status == "refused"
        self.stopped += item.status == "stopped"
        self.quarantined.update(item.quarantine)
        self.conflicts += item.in_conflict
        if item.consent_outcome is not None:
            self.consented += 1
            self.refusals += item.consent_outcome in REFUSALS
        if item.status == "complete" and item.active_seconds:
            self.minutes.append(item.active_seconds / 60)

    @property
    def response_rate(self) -> float | None:
        """Complete interviews over the units visited (over the units assigned, if any)."""
        base = self.assigned if self.assigned else self.visited
        return self.complete / base if base else None

    @property
    def refusal_rate(self) -> float | None:
        return self.refusals / self.consented if self.consented else None

    @property
    def median_minutes(self) -> float | None:
        return statistics.median(self.minutes) if self.minutes else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "assigned": self.assigned,
            "visited": self.visited,
            "assigned_visited": self.assigned_visited,
            "complete": self.complete,
            "refused": self.refused,
            "stopped": self.stopped,
            "quarantined": dict(sorted(self.quarantined.items())),
            "conflicts": self.conflicts,
            "duplicates": self.duplicates,
            "response_rate": _rate(self.response_rate),
            "consent_refusal_rate": _rate(self.refusal_rate),
            "median_minutes": None
            if self.median_minutes is None
            else round(self.median_minutes, 1),
            "timed": len(self.minutes),
            "flags": self.flags,
        }


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def tally(items: Iterable[InterviewFacts], key: str) -> dict[str, Tally]:
    """Tallies by ``key`` (``enumerator``, ``district`` or ``day``), in key order."""
    rows: dict[str, Tally] = {}
    for item in items:
        value = item.day.isoformat() if key == "day" else getattr(item, key)
        name = str(value) if value is not None else "-"
        rows.setdefault(name, Tally(name)).add(item)
    return dict(sorted(rows.items()))
