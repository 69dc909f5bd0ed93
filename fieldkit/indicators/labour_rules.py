"""The child labour rules as pure functions of one child's record (three-valued logic).

``None`` means unknown: an input the rule needs was don't know or refused. ``any_of`` is
true as soon as one part is true; ``all_of`` false as soon as one part is false.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fieldkit.dataset.table import Cell

__all__ = [
    "Child",
    "all_of",
    "any_of",
    "at_least",
    "general_production_boundary",
    "haz_sna",
    "mics6",
    "mics6_hazard",
    "mics6_legacy",
    "sdg_8_7_1",
    "work_school",
]

Tri = bool | None


@dataclass(frozen=True, slots=True)
class Child:
    """One child's inputs to the rules, each known (a value) or unknown (None)."""

    age: int | None
    employed: Tri
    hours: float | None
    hazard_conditions: Tri
    night_work: Tri
    hazardous_industry: Tri
    chores_hours: float | None
    attending: Tri


def any_of(*values: Tri) -> Tri:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def all_of(*values: Tri) -> Tri:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def at_least(value: float | None, threshold: float) -> Tri:
    return None if value is None else value >= threshold


def _band(age: int) -> str | None:
    if 5 <= age <= 11:
        return "5_11"
    if 12 <= age <= 14:
        return "12_14"
    if 15 <= age <= 17:
        return "15_17"
    return None


def haz_sna(child: Child) -> Tri:
    """HAZ: hazardous conditions, night work, a hazardous industry, or 43+ hours."""
    return any_of(
        child.hazard_conditions,
        child.night_work,
        child.hazardous_industry,
        at_least(child.hours, 43),
    )


def sdg_8_7_1(child: Child) -> Tri:
    band = None if child.age is None else _band(child.age)
    if band == "5_11":
        return child.employed
    if band == "12_14":
        return all_of(child.employed, any_of(at_least(child.hours, 14), haz_sna(child)))
    if band == "15_17":
        return all_of(child.employed, haz_sna(child))
    return None


def _mics_economic(child: Child) -> Tri:
    band = None if child.age is None else _band(child.age)
    thresholds = {"5_11": 1, "12_14": 14, "15_17": 43}
    if band is None:
        return None
    return at_least(child.hours, thresholds[band])


def _chores_over(child: Child, young: float, older: float | None) -> Tri:
    if child.age is None or _band(child.age) is None:
        return None
    if child.age <= 14:
        return at_least(child.chores_hours, young)
    return False if older is None else at_least(child.chores_hours, older)


def mics6(child: Child) -> Tri:
    return any_of(_mics_economic(child), _chores_over(child, 21, None))


def mics6_hazard(child: Child) -> Tri:
    if child.age is None or _band(child.age) is None:
        return None
    return all_of(child.employed, child.hazard_conditions)


def mics6_legacy(child: Child) -> Tri:
    return any_of(_mics_economic(child), _chores_over(child, 28, 43), mics6_hazard(child))


def general_production_boundary(
    chores_5_14: float = 21, chores_15_17: float | None = None
) -> Callable[[Child], Tri]:
    def rule(child: Child) -> Tri:
        return any_of(sdg_8_7_1(child), _chores_over(child, chores_5_14, chores_15_17))

    return rule


def work_school(child: Child) -> Cell:
    if child.age is None or _band(child.age) is None:
        return None
    if child.employed is None or child.attending is None:
        return None
    return {(False, True): 1, (True, False): 2, (True, True): 3, (False, False): 4}[
        (child.employed, child.attending)
    ]
