"""The child labour rules as pure functions of one child's record.

Two families of rules, named after whose rule they are:

- **ILO, 18th ICLS** (resolution II concerning statistics of child labour, 2008; the rule of
  the ILO global estimates and SDG 8.7.1 series on the SNA and general production
  boundaries): employment below the minimum age (5-11 any work; 12-14 unless light work,
  i.e. under 14 hours and not hazardous) or hazardous work (designated hazardous industries
  and occupations, long hours, night work, hazardous conditions) at 5-17; and, on the
  general production boundary, hazardous unpaid household services (long hours, unhealthy
  setting, unsafe location, dangerous equipment or heavy loads, night). These rules are
  three-valued: ``None`` when an input the answer depends on was not known (don't know,
  refused); the resolution publishes no treatment of don't-know answers.
- **UNICEF MICS6** (UNICEF's SDG 8.7.1 reporting): hour thresholds only, as the standard
  syntax ``MICS6 - 09 - PR.sps`` computes them: economic activity (CL1 A-X) for at least
  1 / 14 / 43 hours (CL3) at 5-11 / 12-14 / 15-17, or household chores (CL8 water + CL10
  firewood + CL13 other) of 21 hours or more at 5-14. Don't know as the syntax treats it:
  hours coded 97-99 are below every threshold (``CL3 >= t and CL3 < 97``), and a
  don't-know chores component counts 0 (``recode CL8 (97,98,99=0)``); an activity or a
  hazard not answered yes is no (``any(1, ...)``). ``mics6_dk_missing`` is the same rule
  with don't know kept unknown (a fieldkit variant, named as such).
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
    "chores_at_least",
    "hazardous_chores",
    "ilo_gpb",
    "ilo_haz",
    "ilo_sna",
    "mics6",
    "mics6_dk_missing",
    "mics6_hazard",
    "mics6_legacy",
    "work_school",
]

Tri = bool | None


@dataclass(frozen=True, slots=True)
class Child:
    """One child's inputs to the rules, each known (a value) or unknown (None)."""

    age: int | None
    employed: Tri
    """Any economic activity in the reference week, or temporarily absent from a job."""
    hours: float | None
    """Hours of economic activity in the reference week (0 when not employed)."""
    hazard_conditions: Tri
    """Loads, dangerous tools or machinery, hazardous exposures (MICS6 CL4-CL6)."""
    night_work: Tri
    hazardous_industry: Tri
    hazardous_occupation: Tri
    chores_hours: float | None
    """Hours of household chores in the parts known; None when chores were not asked."""
    chores_hazard: Tri
    """Chores in an unhealthy setting, an unsafe place, with dangerous equipment or heavy
    loads, or at night (18th ICLS, hazardous unpaid household services)."""
    attending: Tri
    active: Tri = None
    """Did an economic activity in the reference week (MICS6 CL1 A-X; not temporary
    absence). None: same as ``employed``."""
    chores_hours_mics: float | None = None
    """Chores hours as the MICS6 syntax adds them: a don't-know part counts 0."""
    chores_unknown: bool = False
    """A part of the chores hours is unknown (the known parts may already reach a
    threshold: hours are never negative)."""


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


def chores_at_least(child: Child, threshold: float) -> Tri:
    """Three-valued: true once the known parts reach the threshold."""
    hours = child.chores_hours
    if hours is None:
        return None
    if hours >= threshold:
        return True
    return None if child.chores_unknown else False


def _band(age: int | None) -> str | None:
    if age is None:
        return None
    if 5 <= age <= 11:
        return "5_11"
    if 12 <= age <= 14:
        return "12_14"
    if 15 <= age <= 17:
        return "15_17"
    return None


# --- ILO, 18th ICLS --------------------------------------------------------------------


def ilo_haz(child: Child) -> Tri:
    """Hazardous work: hazardous conditions, night work, a hazardous industry or occupation
    on the national list, or long hours (43 or more a week)."""
    if _band(child.age) is None:
        return None
    if child.employed is False:
        return False
    return all_of(
        child.employed,
        any_of(
            child.hazard_conditions,
            child.night_work,
            child.hazardous_industry,
            child.hazardous_occupation,
            at_least(child.hours, 43),
        ),
    )


def ilo_sna(child: Child) -> Tri:
    """Child labour on the SNA production boundary: 5-11 employed; 12-14 employed and not
    in permitted light work (14 hours or more, or hazardous); 15-17 in hazardous work."""
    band = _band(child.age)
    if band == "5_11":
        return child.employed
    if band == "12_14":
        return all_of(child.employed, any_of(at_least(child.hours, 14), ilo_haz(child)))
    if band == "15_17":
        return ilo_haz(child)
    return None


def hazardous_chores(child: Child, hours_5_14: float, hours_15_17: float | None) -> Tri:
    """Hazardous unpaid household services: long hours (a threshold per age group; none for
    15-17 unless given) or chores done under hazardous conditions."""
    band = _band(child.age)
    if band is None:
        return None
    threshold = hours_5_14 if band != "15_17" else hours_15_17
    long_hours = False if threshold is None else chores_at_least(child, threshold)
    return any_of(long_hours, child.chores_hazard)


def ilo_gpb(hours_5_14: float = 21, hours_15_17: float | None = None) -> Callable[[Child], Tri]:
    """Child labour on the general production boundary: SNA child labour or hazardous
    unpaid household services."""

    def rule(child: Child) -> Tri:
        if _band(child.age) is None:
            return None
        return any_of(ilo_sna(child), hazardous_chores(child, hours_5_14, hours_15_17))

    return rule


# --- UNICEF MICS6 ----------------------------------------------------------------------

_MICS_HOURS = {"5_11": 1.0, "12_14": 14.0, "15_17": 43.0}


def _active(child: Child) -> Tri:
    return child.employed if child.active is None else child.active


def _mics_economic(child: Child, band: str) -> bool:
    # eaMore: economicActivity = 1 and CL3 >= t and CL3 < 97; DK hours never reach t.
    hours = child.hours
    return _active(child) is True and hours is not None and hours >= _MICS_HOURS[band]


def _mics_chores(child: Child, band: str, hours_5_14: float, hours_15_17: float | None) -> bool:
    threshold = hours_15_17 if band == "15_17" else hours_5_14
    hours = child.chores_hours_mics
    return threshold is not None and hours is not None and hours >= threshold


def mics6(child: Child) -> Tri:
    """MICS6 (2019) ``childLabor = maximum(eaMore, hhcMore)``; hazards not counted."""
    band = _band(child.age)
    if band is None:
        return None
    return _mics_economic(child, band) or _mics_chores(child, band, 21, None)


def mics6_hazard(child: Child) -> Tri:
    """MICS6 hazardous working conditions (``hazardConditions``), reported apart."""
    if _band(child.age) is None:
        return None
    return _active(child) is True and child.hazard_conditions is True


def mics6_legacy(child: Child) -> Tri:
    """The MICS6 syntax before the 2019 revision: chores 28 h (5-14) and 43 h (15-17), and
    hazardous conditions counted (``childLabor = maximum(eaMore, hhcMore, hazard)``)."""
    band = _band(child.age)
    if band is None:
        return None
    return (
        _mics_economic(child, band)
        or _mics_chores(child, band, 28, 43)
        or bool(mics6_hazard(child))
    )


def mics6_dk_missing(child: Child) -> Tri:
    """The MICS6 thresholds with don't know kept unknown (fieldkit variant, not UNICEF's)."""
    band = _band(child.age)
    if band is None:
        return None
    economic = all_of(_active(child), at_least(child.hours, _MICS_HOURS[band]))
    chores = False if band == "15_17" else chores_at_least(child, 21)
    return any_of(economic, chores)


def work_school(child: Child) -> Cell:
    if _band(child.age) is None:
        return None
    if child.employed is None or child.attending is None:
        return None
    return {(False, True): 1, (True, False): 2, (True, True): 3, (False, False): 4}[
        (child.employed, child.attending)
    ]
