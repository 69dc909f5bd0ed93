"""The named, versioned and cited child labour rule sets.

A name says whose rule it is: ``ilo_icls18_*`` is the ILO's (18th ICLS, the rule of the
ILO global estimates), ``unicef_mics6*`` is UNICEF's (the MICS6 standard syntax, used for
UNICEF's SDG 8.7.1 reporting). Each output's codebook entry states its don't-know treatment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldkit.dataset.errors import DatasetError
from fieldkit.indicators.labour_rules import (
    Child,
    Tri,
    hazardous_chores,
    ilo_gpb,
    ilo_haz,
    ilo_sna,
    mics6,
    mics6_dk_missing,
    mics6_hazard,
    mics6_legacy,
)

__all__ = ["RENAMED", "RULE_SETS", "Output", "RuleSet", "rule_set"]


@dataclass(frozen=True)
class Output:
    name: str
    label: str
    rule: Callable[[Child], Tri]
    definition: str
    dont_know: str
    """How don't-know and refused answers are treated, in words (for the codebook)."""


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: str
    source: str
    outputs: tuple[Output, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)


ICLS18 = (
    "18th ICLS (2008), Resolution II concerning statistics of child labour, paras 15-37: "
    "worst forms including hazardous work (designated hazardous industries and occupations, "
    "long hours, night work, hazardous conditions), employment below the minimum age with "
    "permitted light work at 12-14 (ILO C138 art. 7); hour thresholds of the ILO global "
    "estimates (14 h light work, 43 h long hours)"
)
MICS6_SYNTAX = (
    "UNICEF MICS6 standard syntax 'MICS6 - 09 - PR.sps' (2019 revision) and tabulation "
    "plan table PR.3 (SDG 8.7.1): economicActivity = any(1, CL1A, CL1B, CL1C, CL1X); "
    "eaMore = CL3 >= 1/14/43 and CL3 < 97; hhcMore = CL8 + CL10 + CL13 >= 21 at 5-14 with "
    "codes 97-99 recoded 0; childLabor = maximum(eaMore, hhcMore); hazardConditions = "
    "any(1, CL4, CL5, CL6A-X) reported apart (includeHaz)"
)
_THREE_VALUED = (
    "don't know and refused are unknown: missing when the answer depends on them (the "
    "resolution publishes no don't-know treatment)"
)
_MICS_DK = (
    "as the MICS6 syntax: don't-know work hours (97-99) are below every threshold, a "
    "don't-know chores part counts 0 hours, an activity or hazard not answered yes is no"
)

_SNA = (
    "5-11: employed; 12-14: employed and (hours >= 14 or hazardous work); 15-17: hazardous "
    "work; hazardous work = hazardous conditions (loads, tools, exposures), night work, an "
    "industry or occupation on the national hazardous work list, or hours >= 43"
)


def _ilo_sna_set() -> RuleSet:
    return RuleSet(
        "ilo_icls18_sna",
        "2008",
        ICLS18 + "; SDG 8.7.1 series on the SNA production boundary",
        (
            Output(
                "cl_ilo_sna",
                "Child labour, SNA production boundary (ILO, 18th ICLS)",
                ilo_sna,
                _SNA,
                _THREE_VALUED,
            ),
            Output(
                "cl_ilo_haz",
                "Hazardous work (ILO, 18th ICLS)",
                ilo_haz,
                "employed and (hazardous conditions, night work, hazardous industry or "
                "occupation, or hours >= 43)",
                _THREE_VALUED,
            ),
        ),
    )


def _mics6_set() -> RuleSet:
    return RuleSet(
        "unicef_mics6",
        "2019",
        MICS6_SYNTAX,
        (
            Output(
                "cl_unicef_mics6",
                "Child labour (UNICEF MICS6, SDG 8.7.1 hour thresholds)",
                mics6,
                "economic activity 5-11 >= 1 h, 12-14 >= 14 h, 15-17 >= 43 h in the last 7 "
                "days; or household chores (water + firewood + other) 5-14 >= 21 h; "
                "hazardous conditions not counted",
                _MICS_DK,
            ),
            Output(
                "cl_unicef_mics6_haz",
                "Working under hazardous conditions (UNICEF MICS6, reported apart)",
                mics6_hazard,
                "5-17, an economic activity and any hazardous condition (loads, tools, exposures)",
                _MICS_DK,
            ),
        ),
    )


def _registry() -> dict[str, RuleSet]:
    sets = [
        _ilo_sna_set(),
        _mics6_set(),
        RuleSet(
            "unicef_mics6_legacy",
            "2017",
            "UNICEF MICS6 standard syntax before the 2019 revision (chores 28 h at 5-14 and "
            "43 h at 15-17; hazardous conditions counted). Its don't-know codes compared as "
            "hours; fieldkit applies the 2019 treatment instead",
            (
                Output(
                    "cl_unicef_mics6_legacy",
                    "Child labour (UNICEF MICS6, pre-2019 rule)",
                    mics6_legacy,
                    "economic activity 1/14/43 h; chores 5-14 >= 28 h, 15-17 >= 43 h; or "
                    "working under hazardous conditions",
                    _MICS_DK,
                ),
            ),
        ),
        RuleSet(
            "unicef_mics6_dk_missing",
            "2019",
            MICS6_SYNTAX + "; don't-know treatment changed by fieldkit (not UNICEF's)",
            (
                Output(
                    "cl_unicef_mics6_dkmiss",
                    "Child labour, MICS6 thresholds, don't know as missing (fieldkit variant)",
                    mics6_dk_missing,
                    "the MICS6 hour thresholds (1/14/43 h; chores 5-14 >= 21 h)",
                    "don't know and refused are unknown: missing when the answer depends on "
                    "them (unlike UNICEF's published syntax)",
                ),
            ),
        ),
    ]
    return {s.name: s for s in sets}


RULE_SETS: dict[str, RuleSet] = _registry()

RENAMED = {
    "sdg_8_7_1_icls_2008": "ilo_icls18_sna",
    "mics6": "unicef_mics6",
    "mics6_legacy": "unicef_mics6_legacy",
    "general_production_boundary": "ilo_icls18_gpb",
}
"""Names used before the rule sets said whose rule they are."""


def _gpb(hours_5_14: float, hours_15_17: float | None) -> RuleSet:
    chores = f"household chores 5-14 >= {hours_5_14:g} h" + (
        "" if hours_15_17 is None else f", 15-17 >= {hours_15_17:g} h"
    )
    hazardous = (
        f"hazardous unpaid household services = {chores}, or chores with heavy loads, "
        "dangerous equipment, in an unhealthy setting, an unsafe place, or at night"
    )
    outputs = (
        Output(
            "cl_ilo_gpb",
            "Child labour, general production boundary (ILO, 18th ICLS)",
            ilo_gpb(hours_5_14, hours_15_17),
            f"SNA child labour ({_SNA}); or {hazardous}",
            _THREE_VALUED,
        ),
        Output(
            "cl_ilo_haz_chores",
            "Hazardous unpaid household services (ILO, 18th ICLS)",
            lambda child: hazardous_chores(child, hours_5_14, hours_15_17),
            hazardous,
            _THREE_VALUED,
        ),
    )
    source = (
        ICLS18 + "; para 36 (hazardous unpaid household services); SDG 8.7.1 series on "
        "the general production boundary; 21 h threshold as in UNICEF MICS6 (28 h before 2019)"
    )
    params = {"chores_5_14": hours_5_14, "chores_15_17": hours_15_17}
    return RuleSet("ilo_icls18_gpb", "2008", source, outputs, params)


def rule_set(name: str, *, chores_5_14: float = 21, chores_15_17: float | None = None) -> RuleSet:
    """A rule set by name; the general production boundary takes its chores thresholds."""
    if name == "ilo_icls18_gpb":
        return _gpb(chores_5_14, chores_15_17)
    found = RULE_SETS.get(name)
    if found is not None:
        return found
    known = ", ".join([*RULE_SETS, "ilo_icls18_gpb"])
    hint = f"known: {known}"
    if name in RENAMED:
        hint = f"renamed '{RENAMED[name]}' (names say whose rule it is); {hint}"
    raise DatasetError(f"unknown child labour rule set '{name}'", code="FK-DATA-007", hint=hint)
