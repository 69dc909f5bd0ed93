"""Child labour by published, versioned rule sets, and work/school status.

Every rule reads one child's record, built from the roster by a :class:`LabourInputs`
mapping (which question feeds which input), and answers 1, 0, or missing when an input it
needs was not known (don't know, refused). Children outside 5-17 get no value.

Logic is three-valued: ``employed and (hours >= 14 or HAZ)`` is 1 as soon as HAZ is known
true, even when the hours are unknown, and missing only when the answer depends on them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Special, Table, Variable, VarType
from fieldkit.indicators.labour_rules import (
    Child,
    Tri,
    any_of,
    general_production_boundary,
    haz_sna,
    mics6,
    mics6_hazard,
    mics6_legacy,
    sdg_8_7_1,
    work_school,
)

__all__ = [
    "RULE_SETS",
    "Child",
    "LabourInputs",
    "RuleSet",
    "add_child_labour",
    "add_work_school",
    "child_record",
]


YES_NO_LABELS: Mapping[Cell, Mapping[str, str]] = {
    1: {"en": "Yes", "fr": "Oui"},
    0: {"en": "No", "fr": "Non"},
}


@dataclass(frozen=True)
class LabourInputs:
    """Which roster questions feed the child labour rules (defaults: the household instrument).

    - employed: any activity in ``activities`` other than ``none_choice`` in the last 7 days,
      or temporarily absent from a job (``temp_absent`` = yes) (ICLS employment, SIMPOC);
    - hours: ``hours`` of economic activity in the last 7 days (MICS6 CL3);
    - hazardous conditions: any ``hazard_yes_no`` answered yes (MICS6 CL4 loads, CL5 tools)
      or any ``hazard_multi`` choice other than ``none_choice`` (MICS6 CL6 exposures);
    - night work: ``night_work`` = yes;
    - hazardous industry: ``industry`` codes in ``hazardous_industries`` (ISIC B mining,
      F construction) when the industry is coded; free text is not read;
    - chores: ``hours_chores`` in the last 7 days, 0 when ``chores_any`` = no (MICS6 CL7-CL13);
    - school: ``attending`` = yes; not attending when ``ever_attended`` = no.
    """

    age: str = "age"
    activities: str = "econ_any_7d"
    temp_absent: str | None = "temp_absent_job"
    hours: str = "hours_econ_7d"
    hazard_yes_no: tuple[str, ...] = ("hazard_loads", "hazard_tools")
    hazard_multi: tuple[str, ...] = ("hazard_exposures",)
    night_work: str | None = "night_work"
    industry: str | None = None
    hazardous_industries: tuple[str, ...] = ("B", "F")
    chores_any: str | None = "chores_any"
    hours_chores: str | None = "hours_chores_7d"
    attending: str | None = "attending_now"
    ever_attended: str | None = "ever_attended"
    none_choice: str = "none"
    yes: Cell = 1
    no: Cell = 2

    def names(self) -> list[str]:
        optional = (self.temp_absent, self.night_work, self.industry, self.chores_any)
        more = (self.hours_chores, self.attending, self.ever_attended)
        named = [self.age, self.activities, self.hours, *self.hazard_yes_no, *self.hazard_multi]
        return named + [n for n in (*optional, *more) if n is not None]

    def check(self, table: Table) -> None:
        missing = [name for name in self.names() if name not in table]
        if missing:
            raise DatasetError(
                f"table '{table.name}' lacks {', '.join(missing)} needed for child labour",
                code="FK-DATA-006",
                hint="map the instrument's questions with LabourInputs(...)",
            )

    def describe(self) -> str:
        hazards = ", ".join((*self.hazard_yes_no, *self.hazard_multi))
        return (
            f"inputs: age={self.age}; employed={self.activities} (any but '{self.none_choice}') "
            f"or {self.temp_absent}=yes; hours={self.hours}; hazardous conditions={hazards}; "
            f"night work={self.night_work}; chores hours={self.hours_chores} "
            f"(0 if {self.chores_any}=no); attending={self.attending}"
        )


def child_record(row: Mapping[str, Cell], inputs: LabourInputs) -> Child:
    employed = _employed(row, inputs)
    return Child(
        age=_int(row.get(inputs.age)),
        employed=employed,
        hours=_hours(row.get(inputs.hours), employed),
        hazard_conditions=_hazard_conditions(row, inputs, employed),
        night_work=_yes(row, inputs.night_work, inputs, employed),
        hazardous_industry=_industry(row, inputs, employed),
        chores_hours=_chores(row, inputs),
        attending=_attending(row, inputs),
    )


def _int(value: Cell) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _employed(row: Mapping[str, Cell], inputs: LabourInputs) -> Tri:
    activities = row.get(inputs.activities)
    if activities is None or isinstance(activities, Special):
        return None
    chosen = [c for c in str(activities).split() if c != inputs.none_choice]
    if chosen:
        return True
    if inputs.temp_absent is None:
        return False
    absent = row.get(inputs.temp_absent)
    if absent == inputs.yes:
        return True
    return None if isinstance(absent, Special) else False


def _hours(value: Cell, employed: Tri) -> float | None:
    if employed is False:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _yes(row: Mapping[str, Cell], name: str | None, inputs: LabourInputs, employed: Tri) -> Tri:
    if employed is False or name is None:
        return False
    value = row.get(name)
    if value == inputs.yes:
        return True
    if value == inputs.no:
        return False
    return None


def _hazard_conditions(row: Mapping[str, Cell], inputs: LabourInputs, employed: Tri) -> Tri:
    if employed is False:
        return False
    answers = [_yes(row, name, inputs, employed) for name in inputs.hazard_yes_no]
    for name in inputs.hazard_multi:
        value = row.get(name)
        if value is None or isinstance(value, Special):
            answers.append(None)
        else:
            answers.append(any(c != inputs.none_choice for c in str(value).split()))
    return any_of(*answers)


def _industry(row: Mapping[str, Cell], inputs: LabourInputs, employed: Tri) -> Tri:
    if employed is False or inputs.industry is None:
        return False
    value = row.get(inputs.industry)
    if value is None or isinstance(value, Special):
        return None
    return str(value).strip().upper()[:1] in inputs.hazardous_industries


def _chores(row: Mapping[str, Cell], inputs: LabourInputs) -> float | None:
    if inputs.chores_any is not None and row.get(inputs.chores_any) == inputs.no:
        return 0.0
    if inputs.hours_chores is None:
        return None
    value = row.get(inputs.hours_chores)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _attending(row: Mapping[str, Cell], inputs: LabourInputs) -> Tri:
    if inputs.attending is None:
        return None
    value = row.get(inputs.attending)
    if value == inputs.yes:
        return True
    if value == inputs.no:
        return False
    if inputs.ever_attended is not None and row.get(inputs.ever_attended) == inputs.no:
        return False
    return None


@dataclass(frozen=True)
class Output:
    name: str
    label: str
    rule: Callable[[Child], Tri]
    definition: str


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: str
    source: str
    outputs: tuple[Output, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)


_SDG = (
    "5-11: employed; 12-14: employed and (hours >= 14 or HAZ); 15-17: employed and HAZ; "
    "HAZ = hazardous conditions (loads, tools, exposures) or night work or hazardous industry "
    "or hours >= 43"
)
_SDG_SOURCE = (
    "18th ICLS (2008) Resolution II concerning statistics of child labour, paras 15-37; "
    "SDG indicator 8.7.1 metadata (ILO/UNICEF), series 1: SNA production boundary"
)
_MICS = (
    "economic activity 5-11 >= 1 h, 12-14 >= 14 h, 15-17 >= 43 h in the last 7 days; "
    "or household chores 5-14 >= 21 h; hazardous conditions not counted"
)
_MICS_SOURCE = (
    "UNICEF MICS6 tabulation plan, indicator PR.3 / SDG 8.7.1, and standard syntax "
    "'MICS6 - 09 - PR.sps' (2019 revision: chores 21 h, hazards reported separately)"
)


def _registry() -> dict[str, RuleSet]:
    sdg = Output("cl_sdg_8_7_1", "Child labour (SDG 8.7.1, ICLS 2008)", sdg_8_7_1, _SDG)
    haz = Output("cl_haz_sna", "Hazardous work (HAZ)", haz_sna, "HAZ as in " + _SDG)
    sets = [
        RuleSet("sdg_8_7_1_icls_2008", "2008", _SDG_SOURCE, (sdg, haz)),
        RuleSet(
            "mics6",
            "2019",
            _MICS_SOURCE,
            (
                Output("cl_mics6", "Child labour (MICS6)", mics6, _MICS),
                Output(
                    "cl_mics6_hazard",
                    "Working under hazardous conditions (MICS6, reported separately)",
                    mics6_hazard,
                    "5-17, employed and any hazardous condition (loads, tools, exposures)",
                ),
            ),
        ),
        RuleSet(
            "mics6_legacy",
            "2017",
            "UNICEF MICS6 standard syntax before the 2019 revision (chores 28/43 h, hazards in)",
            (
                Output(
                    "cl_mics6_legacy",
                    "Child labour (MICS6, pre-2019 rule)",
                    mics6_legacy,
                    "economic activity 1/14/43 h; chores 5-14 >= 28 h, 15-17 >= 43 h; "
                    "or working under hazardous conditions",
                ),
            ),
        ),
    ]
    return {s.name: s for s in sets}


RULE_SETS: dict[str, RuleSet] = _registry()


def rule_set(name: str, *, chores_5_14: float = 21, chores_15_17: float | None = None) -> RuleSet:
    """A rule set by name; the general production boundary takes its chores thresholds."""
    if name == "general_production_boundary":
        text = f"SDG 8.7.1 (SNA) rule, or household chores 5-14 >= {chores_5_14:g} h" + (
            "" if chores_15_17 is None else f", 15-17 >= {chores_15_17:g} h"
        )
        rule = general_production_boundary(chores_5_14, chores_15_17)
        out = Output("cl_gpb", "Child labour (general production boundary)", rule, text)
        source = _SDG_SOURCE.replace("series 1: SNA", "series 2: general") + (
            "; 18th ICLS para 36 (hazardous unpaid household services); legacy threshold 28 h"
        )
        params = {"chores_5_14": chores_5_14, "chores_15_17": chores_15_17}
        return RuleSet(name, "2008", source, (out,), params)
    found = RULE_SETS.get(name)
    if found is None:
        known = ", ".join([*RULE_SETS, "general_production_boundary"])
        raise DatasetError(
            f"unknown child labour rule set '{name}'", code="FK-DATA-007", hint=f"known: {known}"
        )
    return found


def add_child_labour(
    table: Table,
    rule_sets: Sequence[str | RuleSet] = ("sdg_8_7_1_icls_2008",),
    inputs: LabourInputs | None = None,
) -> list[Variable]:
    """Add each rule set's indicators (0/1, missing when unknown) to a roster table."""
    mapping = inputs or LabourInputs()
    mapping.check(table)
    children = [child_record(row, mapping) for row in table.records()]
    added: list[Variable] = []
    for chosen in rule_sets:
        found = chosen if isinstance(chosen, RuleSet) else rule_set(chosen)
        for output in found.outputs:
            variable = _indicator(output, found, mapping)
            table.add_column(variable, [_flag(output.rule(c)) for c in children])
            added.append(variable)
    return added


def _indicator(output: Output, found: RuleSet, mapping: LabourInputs) -> Variable:
    params = "".join(f"; {k}={v}" for k, v in found.parameters.items())
    return Variable(
        name=output.name,
        label={"en": output.label},
        type=VarType.FLAG,
        value_labels=YES_NO_LABELS,
        origin="derived",
        definition=f"rule set {found.name} v{found.version}{params}: {output.definition}. "
        f"{mapping.describe()}. Missing when an input it needs is unknown.",
        source=found.source,
        universe="children aged 5-17 (age in the reference week)",
    )


def _flag(value: Tri) -> Cell:
    return None if value is None else int(value)


WORK_SCHOOL_LABELS: Mapping[Cell, Mapping[str, str]] = {
    1: {"en": "School only", "fr": "École seulement"},
    2: {"en": "Work only", "fr": "Travail seulement"},
    3: {"en": "Work and school", "fr": "Travail et école"},
    4: {"en": "Neither work nor school", "fr": "Ni travail ni école"},
}


def add_work_school(table: Table, inputs: LabourInputs | None = None) -> Variable:
    mapping = inputs or LabourInputs()
    mapping.check(table)
    variable = Variable(
        name="work_school",
        label={"en": "Work and school status", "fr": "Situation travail / école"},
        type=VarType.CODE,
        value_labels=WORK_SCHOOL_LABELS,
        origin="derived",
        definition="1 school only, 2 work only, 3 both, 4 neither; work = employed (any "
        "economic activity in the last 7 days, or temporarily absent from a job); school = "
        f"attending in the current school year. {mapping.describe()}",
        source="ILO SIMPOC / UCW 'Understanding Children's Work' activity status; MICS6 ED/CL",
        universe="children aged 5-17",
    )
    table.add_column(variable, [work_school(child_record(r, mapping)) for r in table.records()])
    return variable
