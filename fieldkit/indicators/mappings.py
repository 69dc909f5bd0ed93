"""Which questions of each shipped instrument feed the derived indicators.

Each instrument kind says which of its tables holds the children (the household and
establishment rosters; the street and school wide tables), which questions feed the child
labour rules and the trafficking elements, which rule sets apply (no chores asked: no
general production boundary) and which interview-level answers a roster row needs (the
establishment's industry code).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fieldkit.indicators.codes import HazardousList
from fieldkit.indicators.labour_inputs import LabourInputs
from fieldkit.indicators.tip_rules import TipInputs

__all__ = ["MAPPINGS", "InstrumentMapping", "coded_questions", "mapping_for"]

SNA_ONLY = ("ilo_icls18_sna",)
ALL_SETS = ("ilo_icls18_sna", "ilo_icls18_gpb", "unicef_mics6")


@dataclass(frozen=True)
class InstrumentMapping:
    roster: bool
    """The children are a roster's rows (else the interview's wide table)."""
    labour: LabourInputs | None
    trafficking: TipInputs | None
    rule_sets: tuple[str, ...] = ALL_SETS
    from_interview: tuple[str, ...] = ()
    """Interview-level answers copied to each roster row before deriving."""

    def with_hazardous(self, listed: HazardousList | None) -> InstrumentMapping:
        if listed is None or self.labour is None:
            return self
        return replace(self, labour=replace(self.labour, hazardous=listed))


HOUSEHOLD = InstrumentMapping(roster=True, labour=LabourInputs(), trafficking=TipInputs())

ESTABLISHMENT = InstrumentMapping(
    roster=True,
    labour=LabourInputs(
        activities=None,  # every child interviewed at the workplace works there
        temp_absent=None,
        hours="cw_hours_7d",
        hazard_yes_no=(),
        hazard_multi=("cw_hazards",),
        night_work="cw_night_work",
        industry="isic_code",
        occupation="cw_occupation_code",
        chores=(),
        chores_hazards=(),
        attending="cw_in_school",
        ever_attended=None,
    ),
    trafficking=TipInputs(
        age_at_start="cw_age_started",
        recruited="cw_recruited",
        recruiter="cw_recruiter_relation",
        hours="cw_hours_7d",
        movement="cw_movement",
        country=None,
        exploitation=None,
        sector=None,
        control="cw_control",
        docs_holder="cw_docs_holder",
    ),
    rule_sets=SNA_ONLY,
    from_interview=("isic_code",),
)

STREET = InstrumentMapping(
    roster=False,
    labour=LabourInputs(
        activities="activity",
        temp_absent=None,
        hours="hours_7d",
        hazard_yes_no=(),
        hazard_multi=("street_hazards",),
        night_work="street_night_work",
        industry=None,
        occupation=None,
        chores=(),
        chores_hazards=(),
        attending="in_school",
        ever_attended=None,
    ),
    trafficking=TipInputs(
        sector="activity",
        illicit_sectors=("sex_work", "illicit"),  # C182 art. 3(b) and (c)
        hazardous_sectors=(),
        hours="hours_7d",
    ),
    rule_sets=SNA_ONLY,
)

SCHOOL_SECTIONS = {
    "a_agriculture": "A",
    "b_mining": "B",
    "c_manufacturing": "C",
    "f_construction": "F",
    "g_trade": "G",
    "h_transport": "H",
    "i_accommodation_food": "I",
    "t_households": "T",
    "other": "",
}
"""The school survey's work types as ISIC Rev.4 sections ('other': none of these)."""

SCHOOL = InstrumentMapping(
    roster=False,
    labour=LabourInputs(
        activities="work_7d",
        temp_absent=None,
        hours="hours_work_7d",
        hazard_yes_no=(),
        hazard_multi=("hazard_exposures",),
        night_work=None,
        industry="work_type",
        industry_sections=SCHOOL_SECTIONS,
        occupation=None,
        chores=((None, "chores_hours_7d"),),
        chores_hazards=(),
        attending=None,
        ever_attended=None,
        attending_always=True,  # every pupil interviewed attends school
    ),
    trafficking=None,  # no act is asked of pupils: the risk section asks about offers only
)

MAPPINGS: dict[str, InstrumentMapping] = {
    "household": HOUSEHOLD,
    "establishment": ESTABLISHMENT,
    "street": STREET,
    "school": SCHOOL,
}
"""Rapid assessments record tool uses (interviews, observations), not children: none."""


def mapping_for(kind: str) -> InstrumentMapping | None:
    return MAPPINGS.get(kind)


def coded_questions(kind: str) -> frozenset[str]:
    """The questions of an instrument of ``kind`` whose answers are ISIC Rev.4 or ISCO-08
    codes (asked as text, so 0510 keeps its zero): codes, not free text, when data leave."""
    mapping = mapping_for(kind)
    labour = mapping.labour if mapping is not None else None
    if labour is None:
        return frozenset()
    names = [labour.occupation, None if labour.industry_sections else labour.industry]
    return frozenset(name for name in names if name is not None)
