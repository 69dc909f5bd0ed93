"""Data-quality flags: per interview (speeders, windows, late changes, assignment) and per
enumerator (robust outliers among the enumerators of one instrument). See ``rules.py``."""

from __future__ import annotations

import statistics
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from fieldkit.instrument.form import Form
from fieldkit.monitor.facts import InterviewFacts
from fieldkit.monitor.rules import Flag

__all__ = [
    "REFUSALS",
    "Assigned",
    "EnumeratorRates",
    "enumerator_flags",
    "interview_flags",
    "modified_z",
]

REFUSALS = frozenset({"refused", "guardian_refused", "assent_refused"})
"""Consent outcomes that are a refusal (a screening stop is not)."""
_IGLEWICZ = 0.6745  # the 0.75 quantile of the standard normal: makes MAD comparable to a SD
_MEAN_AD = 1.253314  # sqrt(pi/2): the same for the mean absolute deviation, when MAD is 0

Assigned = Mapping[tuple[str, str], str]
"""(form id, unit values as canonical JSON) → the enumerator it is assigned to."""


def modified_z(values: Mapping[str, float]) -> dict[str, float]:
    """Iglewicz and Hoaglin's modified z-scores; all 0 when there is no spread (or < 3)."""
    if len(values) < 3:
        return dict.fromkeys(values, 0.0)
    centre = statistics.median(values.values())
    deviations = [abs(v - centre) for v in values.values()]
    mad = statistics.median(deviations)
    if mad > 0:
        return {k: _IGLEWICZ * (v - centre) / mad for k, v in values.items()}
    mean_ad = statistics.fmean(deviations)
    if mean_ad == 0:
        return dict.fromkeys(values, 0.0)
    return {k: (v - centre) / (_MEAN_AD * mean_ad) for k, v in values.items()}


def interview_flags(
    item: InterviewFacts, form: Form | None, assigned: Assigned | None
) -> list[Flag]:
    """The interview-level rules (MON-001 to MON-004) raised on one merged interview."""
    flags: list[Flag] = []

    def flag(rule: str, **detail: object) -> None:
        flags.append(Flag(rule, item.form_id, item.enumerator, item.id, detail))

    if form is not None:
        settings = form.protocol.model.monitoring
        minimum = settings.min_minutes.get(form.kind)
        seconds = item.active_seconds
        if minimum is not None and item.status == "complete" and seconds is not None:
            if seconds < minimum * 60:
                flag("MON-001", minutes=round(seconds / 60, 1), minimum=minimum)
        local = item.started_at.astimezone(zoneinfo.ZoneInfo(settings.timezone))
        if form.protocol.collection_window(local.replace(tzinfo=None)) is None:
            flag("MON-002", started=local.isoformat(timespec="minutes"))
    if item.changes_after_complete:
        flag("MON-003", changes=item.changes_after_complete)
    # A refusal keeps no answers, so no unit key: it cannot be matched, and is not flagged.
    if assigned is not None and item.unit_values is not None:
        owner = assigned.get((item.form_id, item.unit_values))
        if owner != item.enumerator:
            flag("MON-004", unit=item.unit_values, assigned_to=owner)
    return flags


@dataclass(frozen=True, slots=True)
class EnumeratorRates:
    """What one enumerator's interviews of one instrument add up to."""

    answers: int
    dk_rf: float | None
    straight: float | None
    median_minutes: float | None
    refusal: float | None

    @classmethod
    def of(cls, items: list[InterviewFacts]) -> EnumeratorRates:
        dk_rf = sum(i.dont_know + i.refused_answers for i in items)
        answers = sum(i.answered for i in items) + dk_rf
        grids = sum(i.grids for i in items)
        timed = [i.active_seconds / 60 for i in items if i.active_seconds and _done(i)]
        consented = [i for i in items if i.consent_outcome is not None]
        refusals = sum(i.consent_outcome in REFUSALS for i in consented)
        return cls(
            answers=answers,
            dk_rf=dk_rf / answers if answers else None,
            straight=sum(i.straight_grids for i in items) / grids if grids else None,
            median_minutes=statistics.median(timed) if timed else None,
            refusal=refusals / len(consented) if consented else None,
        )


def _done(item: InterviewFacts) -> bool:
    return item.status == "complete"


_OUTLIER_RULES: tuple[tuple[str, Callable[[EnumeratorRates], float | None], int], ...] = (
    ("MON-010", lambda r: r.dk_rf, 1),
    ("MON-011", lambda r: r.straight, 1),
    ("MON-012", lambda r: r.median_minutes, -1),
    ("MON-013", lambda r: r.refusal, 1),
)


def enumerator_flags(
    form_id: str, rates: Mapping[str, EnumeratorRates], form: Form | None
) -> Iterable[Flag]:
    """MON-010 to MON-013: enumerators whose rate stands out among this instrument's."""
    settings = form.protocol.model.monitoring if form is not None else None
    threshold = settings.outlier_z if settings is not None else 3.5
    min_answers = settings.min_answers if settings is not None else 50
    for rule, measure, direction in _OUTLIER_RULES:
        values = {
            name: value
            for name, r in rates.items()
            if (value := measure(r)) is not None and (rule != "MON-010" or r.answers >= min_answers)
        }
        for name, z in sorted(modified_z(values).items()):
            if direction * z > threshold:
                detail = {"value": round(values[name], 4), "z": round(z, 2), "threshold": threshold}
                yield Flag(rule, form_id, name, None, detail)
