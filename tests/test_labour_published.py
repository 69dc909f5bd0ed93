"""Hand-made children at every threshold and age edge, classified under every rule set.

Each child is a row of household-roster answers; the expected classification is written by
hand, with the rule that decides it. Sources:

    ICLS  18th ICLS (2008) resolution II: 5-11 any employment; 12-14 employment unless light
          work (< 14 h and not hazardous); 15-17 hazardous work; hazardous work = hazardous
          industry or occupation on the national list, 43 h or more, night work, hazardous
          conditions; hazardous unpaid household services: long hours (21 h at 5-14 as the
          ILO-UNICEF estimates) or hazardous conditions. Unknown inputs stay unknown.
    MICS  UNICEF 'MICS6 - 09 - PR.sps' (2019): eaMore = CL3 >= 1/14/43 and CL3 < 97;
          economicActivity = any(1, CL1A-X) (temporary absence is not CL1); hhcMore =
          CL8 + CL10 + CL13 >= 21 at CB3 <= 14 with codes 97-99 recoded 0; childLabor =
          maximum(eaMore, hhcMore); hazardConditions = any(1, CL4, CL5, CL6A-X).
    LEG   the pre-2019 MICS6 syntax: hhc 28 h at <= 14 and 43 h at 15-17; childLabor =
          maximum(eaMore, hhcMore, hazardConditions).
    DKM   fieldkit's MICS6 variant keeping don't know unknown.

Columns: SNA = cl_ilo_sna, HAZ = cl_ilo_haz, GPB = cl_ilo_gpb, MICS = cl_unicef_mics6,
MHAZ = cl_unicef_mics6_haz, LEG = cl_unicef_mics6_legacy, DKM = cl_unicef_mics6_dkmiss.
National hazardous list used here: industries B (mining) and F (construction), occupations
9311 (mining and quarrying labourers) and 8111 (miners and quarriers).
"""

from __future__ import annotations

from typing import Any

import pytest

from fieldkit.dataset.table import Special, Table, Variable, VarType
from fieldkit.indicators import HazardousList, LabourInputs, add_child_labour, add_work_school

DK = Special.DONT_KNOW
REF = Special.REFUSED
_ = None

LIST = HazardousList(industries=("B", "F"), occupations=("9311", "8111"), source="test list")
INPUTS = LabourInputs(hazardous=LIST)
RULE_SETS = ("ilo_icls18_sna", "ilo_icls18_gpb", "unicef_mics6", "unicef_mics6_legacy")
RULE_SETS += ("unicef_mics6_dk_missing",)
COLUMNS = (
    "cl_ilo_sna",
    "cl_ilo_haz",
    "cl_ilo_gpb",
    "cl_unicef_mics6",
    "cl_unicef_mics6_haz",
    "cl_unicef_mics6_legacy",
    "cl_unicef_mics6_dkmiss",
)


def work(
    activity: str, hours: Any, industry: Any = "0111", occupation: Any = "9211", **more: Any
) -> dict[str, Any]:
    """A working child: activity, hours, coded industry and occupation, no hazard unless said."""
    answers = {
        "econ_any_7d": activity,
        "hours_econ_7d": hours,
        "industry_code": industry,
        "occupation_code": occupation,
        "hazard_loads": 2,
        "hazard_tools": 2,
        "hazard_exposures": "none",
        "night_work": 2,
        **chores(),
    }
    answers.update(more)
    return answers


def idle(**more: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {"econ_any_7d": "none", "temp_absent_job": 2, **chores()}
    answers.update(more)
    return answers


def chores(
    water: Any = None, firewood: Any = None, other: Any = None, **hazards: Any
) -> dict[str, Any]:
    """Chores hours per MICS6 part (None: not done); hazards default to no when chores done."""
    answers: dict[str, Any] = {}
    for did, hours, value in (
        ("chores_water", "hours_water_7d", water),
        ("chores_firewood", "hours_firewood_7d", firewood),
        ("chores_other", "hours_chores_other_7d", other),
    ):
        answers[did] = 2 if value is None else 1
        if value is not None:
            answers[hours] = value
    if any(v is not None for v in (water, firewood, other)):
        for name in INPUTS.chores_hazards:
            answers[name] = hazards.get(name.removeprefix("chores_"), 2)
    return answers


# fmt: off
# (id, age, answers, (SNA, HAZ, GPB, MICS, MHAZ, LEG, DKM), why)
CHILDREN: list[tuple[str, Any, dict[str, Any], tuple[Any, ...], str]] = [
    ("c01", 4,  work("farm_livestock", 10),             (_, _, _, _, _, _, _), "ICLS/MICS universe 5-17: 4 is out"),
    ("c02", 5,  work("farm_livestock", 1),              (1, 0, 1, 1, 0, 1, 1), "ICLS 5-11 any work; MICS CL3 >= 1 at 5-11"),
    ("c03", 5,  idle(**chores()),                       (0, 0, 0, 0, 0, 0, 0), "no work, no chores"),
    ("c04", 11, work("farm_livestock", DK),             (1, _, 1, 0, 0, 0, _), "ICLS 5-11 employed, hours irrelevant (HAZ needs them); MICS DK hours below 1"),
    ("c05", 11, work("wage", 2, night_work=1),          (1, 1, 1, 1, 0, 1, 1), "ICLS night work is hazardous; MICS hazards are CL4-CL6 only"),
    ("c06", 12, work("farm_livestock", 13),             (0, 0, 0, 0, 0, 0, 0), "ICLS light work at 12-14: < 14 h, not hazardous; MICS 13 < 14"),
    ("c07", 12, work("farm_livestock", 14),             (1, 0, 1, 1, 0, 1, 1), "ICLS and MICS: 14 h at 12-14"),
    ("c08", 14, work("farm_livestock", 13, hazard_tools=1), (1, 1, 1, 0, 1, 1, 0), "ICLS dangerous tools: HAZ; MICS hours only, hazard apart; LEG counts it"),
    ("c09", 14, work("farm_livestock", DK),             (_, _, _, 0, 0, 0, _), "ICLS light work or not depends on the DK hours; MICS DK below 14"),
    ("c10", 13, work("wage", REF, industry="0510"),     (1, 1, 1, 0, 0, 0, _), "ICLS mining (ISIC 0510, section B) is hazardous; MICS refused hours below 14"),
    ("c11", 15, work("farm_livestock", 42),             (0, 0, 0, 0, 0, 0, 0), "ICLS 15-17 only hazardous work; 42 < 43"),
    ("c12", 15, work("farm_livestock", 43),             (1, 1, 1, 1, 0, 1, 1), "ICLS 43 h long hours; MICS CL3 >= 43 at 15-17"),
    ("c13", 17, work("wage", 20, industry="4100"),      (1, 1, 1, 0, 0, 0, 0), "ICLS construction (ISIC 4100, section F)"),
    ("c14", 16, work("wage", 20, industry="0127", occupation="9311"), (1, 1, 1, 0, 0, 0, 0), "ICLS hazardous occupation (ISCO-08 9311 on the list)"),
    ("c15", 16, work("wage", 20, industry="1071", occupation="7512"), (0, 0, 0, 0, 0, 0, 0), "a bakery (1071, section C) is not mining: codes, not free text"),
    ("c16", 17, work("wage", 20, industry=DK, occupation="5223"), (_, _, _, 0, 0, 0, 0), "ICLS hazardous industry unknown; MICS ignores industry"),
    ("c17", 17, work("wage", 20, industry="08.10"),     (1, 1, 1, 0, 0, 0, 0), "ICLS quarrying (08.10 is class 0810, section B)"),
    ("c18", 18, work("farm_livestock", 50),             (_, _, _, _, _, _, _), "universe 5-17: 18 is out"),
    ("c19", DK, work("farm_livestock", 50),             (_, _, _, _, _, _, _), "age unknown: no band, no rule"),
    ("c20", 9,  idle(temp_absent_job=1, hours_econ_7d=0, hazard_loads=2, hazard_tools=2, hazard_exposures="none", night_work=2, industry_code="0111", occupation_code="9211"),
                                                        (1, 0, 1, 0, 0, 0, 0), "ICLS employed incl. temporary absence; MICS economicActivity is CL1 only"),
    ("c21", 10, idle(**chores(10, 6, 5)),               (0, 0, 1, 1, 0, 0, 1), "chores 10 + 6 + 5 = 21 h at 5-14 (ICLS GPB, MICS); LEG needs 28"),
    ("c22", 10, idle(**chores(10, None, 10)),           (0, 0, 0, 0, 0, 0, 0), "chores 20 h: below 21"),
    ("c23", 14, idle(**chores(DK, None, 21)),           (0, 0, 1, 1, 0, 0, 1), "known parts already 21 h; MICS recodes the DK part 0"),
    ("c24", 14, idle(**chores(DK, None, 15)),           (0, 0, _, 0, 0, 0, _), "ICLS 15 h + unknown; MICS DK part 0: 15 h"),
    ("c25", 15, idle(**chores(None, None, 30)),         (0, 0, 0, 0, 0, 0, 0), "no chores hours threshold at 15-17 (ICLS default, MICS 2019); LEG 43"),
    ("c26", 16, idle(**chores(20, None, 23)),           (0, 0, 0, 0, 0, 1, 0), "LEG: chores 43 h at 15-17"),
    ("c27", 13, idle(**chores(None, 8, 20)),            (0, 0, 1, 1, 0, 1, 1), "chores 28 h at 5-14: every chores threshold"),
    ("c28", 8,  idle(**chores(5, unsafe_place=1)),      (0, 0, 1, 0, 0, 0, 0), "ICLS hazardous chores: an unsafe place; MICS hours only"),
    ("c29", 16, idle(**chores(None, None, 4, night=1)), (0, 0, 1, 0, 0, 0, 0), "ICLS hazardous chores at 15-17: at night"),
    ("c30", 7,  idle(**chores(6, unhealthy=DK)),        (0, 0, _, 0, 0, 0, 0), "ICLS: is the setting unhealthy? unknown"),
    ("c31", 12, {"econ_any_7d": REF, **chores()},                   (_, _, _, 0, 0, 0, _), "refused whether working: ICLS unknown; MICS any(1, ...) is not 1"),
    ("c32", 12, work("farm_livestock", 10, hazard_exposures=DK), (_, _, _, 0, 0, 0, 0), "ICLS 10 h: light unless the DK exposures are hazardous"),
    ("c33", 14, work("farm_livestock", 30, hazard_exposures=DK), (1, _, 1, 1, 0, 1, 1), "30 h at 12-14 decides; HAZ itself unknown"),
    ("c34", 17, work("farm_livestock", 43, hazard_exposures=DK), (1, 1, 1, 1, 0, 1, 1), "43 h decides HAZ whatever the exposures"),
    ("c35", 5,  work("farm_livestock", 0),              (1, 0, 1, 0, 0, 0, 0), "ICLS any employment at 5-11; MICS CL3 = 0 < 1"),
    ("c36", 14, work("wage", 14, industry=DK),          (1, _, 1, 1, 0, 1, 1), "14 h at 12-14 decides; HAZ unknown (industry)"),
    ("c37", 12, idle(**chores(21)),                     (0, 0, 1, 1, 0, 0, 1), "chores 21 h at 12 (MICS CB3 <= 14)"),
    ("c38", 15, work("wage", 10, industry="4520", hazard_loads=1), (1, 1, 1, 0, 1, 1, 0), "heavy loads: ICLS HAZ at 15-17; MICS hazard apart; LEG counts it"),
    ("c39", 17, work("wage", 20, occupation="9999"),    (_, _, _, 0, 0, 0, 0), "9999 is no ISCO-08 unit group: occupation unknown"),
    ("c40", 11, work("own_business", 1, industry="4711", occupation="5223"), (1, 0, 1, 1, 0, 1, 1), "1 h at 11: the 5-11 edge"),
]
# fmt: on


def _table() -> Table:
    names = sorted({name for child in CHILDREN for name in child[2]} | set(INPUTS.names()))
    numeric = {"age", "hours_econ_7d", "hours_water_7d", "hours_firewood_7d"}
    numeric.add("hours_chores_other_7d")
    variables = [Variable("child", {"en": "Child"}, VarType.KEY)]
    variables.append(Variable("age", {"en": "Age"}, VarType.INTEGER))
    variables += [
        Variable(n, {"en": n}, VarType.DECIMAL if n in numeric else VarType.TEXT)
        for n in names
        if n != "age"
    ]
    table = Table("children", variables)
    for child, age, answers, _expected, _why in CHILDREN:
        table.append([child, age, *(answers.get(v.name) for v in variables[2:])])
    return table


@pytest.fixture(scope="module")
def classified() -> dict[str, dict[str, Any]]:
    table = _table()
    add_child_labour(table, RULE_SETS, INPUTS)
    add_work_school(table, INPUTS)
    return {r["child"]: r for r in table.records()}


def test_at_least_thirty_children_cover_every_edge() -> None:
    ages = {age for _, age, *_ in CHILDREN}
    assert len(CHILDREN) >= 30
    assert {4, 5, 11, 12, 14, 15, 17, 18, DK} <= ages


@pytest.mark.parametrize("case", CHILDREN, ids=[c[0] for c in CHILDREN])
def test_published_classification(
    classified: dict[str, dict[str, Any]], case: tuple[Any, ...]
) -> None:
    child, _age, _answers, expected, why = case
    found = tuple(classified[child][column] for column in COLUMNS)
    assert found == expected, f"{child} ({why}): {dict(zip(COLUMNS, found, strict=True))}"


def test_work_school_counts_temporary_absence_as_work(classified: dict[str, Any]) -> None:
    assert classified["c20"]["work_school"] is None  # attendance not asked here
    assert classified["c31"]["work_school"] is None  # work refused


def test_codebook_states_each_dont_know_treatment() -> None:
    table = _table()
    added = {v.name: v for v in add_child_labour(table, RULE_SETS, INPUTS)}
    assert "97-99" in (added["cl_unicef_mics6"].definition or "")
    assert "counts 0 hours" in (added["cl_unicef_mics6"].definition or "")
    assert "unknown" in (added["cl_ilo_sna"].definition or "")
    assert "not UNICEF" in (added["cl_unicef_mics6_dkmiss"].source or "")
    assert "MICS6 - 09 - PR.sps" in (added["cl_unicef_mics6"].source or "")
    assert "18th ICLS" in (added["cl_ilo_gpb"].source or "")
    assert "9311" in (added["cl_ilo_sna"].definition or "")  # the list used is stated
