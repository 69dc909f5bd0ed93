"""Which questions feed the child labour rules, and one child's record built from them.

The defaults are the household instrument's roster; the establishment, street and school
instruments have their own mappings (:mod:`fieldkit.indicators.mappings`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Special, Table
from fieldkit.indicators.codes import DEFAULT_HAZARDOUS, HazardousList
from fieldkit.indicators.labour_rules import Child, Tri, any_of

__all__ = ["HOUSEHOLD_CHORES", "LabourInputs", "child_record"]

HOUSEHOLD_CHORES = (
    ("chores_water", "hours_water_7d"),
    ("chores_firewood", "hours_firewood_7d"),
    ("chores_other", "hours_chores_other_7d"),
)
"""MICS6 CL7/CL8 (fetching water), CL9/CL10 (firewood), CL11/CL13 (other household tasks)."""

HOUSEHOLD_CHORES_HAZARDS = (
    "chores_heavy_loads",
    "chores_dangerous_equipment",
    "chores_unhealthy",
    "chores_unsafe_place",
    "chores_night",
)
"""18th ICLS hazardous unpaid household services: heavy loads, unsafe equipment, an
unhealthy environment, dangerous locations, and night (as for hazardous work)."""


@dataclass(frozen=True)
class LabourInputs:
    """Which questions feed the rules (defaults: the household roster).

    - employed: any choice of ``activities`` other than ``none_choice`` (or ``activities``
      answered yes, for a yes/no question), or ``temp_absent`` = yes; with
      ``activities=None`` every record is a working child (a workplace roster);
    - hours: ``hours`` of economic activity in the reference week (MICS6 CL3);
    - hazardous conditions: any ``hazard_yes_no`` answered yes, any ``hazard_multi`` choice
      other than ``none_choice`` (MICS6 CL4-CL6);
    - night work: ``night_work`` = yes;
    - hazardous industry and occupation: the coded ``industry`` (ISIC Rev.4 class) and
      ``occupation`` (ISCO-08 unit group) on the ``hazardous`` list; free text is never read;
    - chores: per part of ``chores`` (did it: a yes/no question or None; hours), 0 when not
      done; ``chores_hazards`` answered yes make chores hazardous;
    - school: ``attending`` = yes (True for every record with ``attending_always``).
    """

    age: str = "age"
    activities: str | None = "econ_any_7d"
    temp_absent: str | None = "temp_absent_job"
    hours: str | None = "hours_econ_7d"
    hazard_yes_no: tuple[str, ...] = ("hazard_loads", "hazard_tools")
    hazard_multi: tuple[str, ...] = ("hazard_exposures",)
    night_work: str | None = "night_work"
    industry: str | None = "industry_code"
    industry_sections: Mapping[str, str] | None = None
    """When the industry is a coarse choice, not a code: choice -> ISIC section letter."""
    occupation: str | None = "occupation_code"
    hazardous: HazardousList = field(default=DEFAULT_HAZARDOUS)
    chores: tuple[tuple[str | None, str], ...] = HOUSEHOLD_CHORES
    chores_hazards: tuple[str, ...] = HOUSEHOLD_CHORES_HAZARDS
    attending: str | None = "attending_now"
    ever_attended: str | None = "ever_attended"
    attending_always: bool = False
    none_choice: str = "none"
    yes: Cell = 1
    no: Cell = 2

    def names(self) -> list[str]:
        single = (self.age, self.activities, self.temp_absent, self.hours, self.night_work)
        codes = (self.industry, self.occupation, self.attending, self.ever_attended)
        chores = [name for part in self.chores for name in part]
        named = [*single, *codes, *self.hazard_yes_no, *self.hazard_multi, *chores]
        return [n for n in (*named, *self.chores_hazards) if n is not None]

    def check(self, table: Table) -> None:
        missing = [name for name in self.names() if name not in table]
        if missing:
            raise DatasetError(
                f"table '{table.name}' lacks {', '.join(missing)} needed for child labour",
                code="FK-DATA-006",
                hint="map the instrument's questions with LabourInputs(...)",
            )

    def fitted(self, table: Table) -> LabourInputs | None:
        """These inputs with the optional questions the table lacks left out (an instrument
        adapted without, say, the occupation code); None when age, activity or hours are
        missing. The codebook definition lists the inputs actually used."""
        required = [n for n in (self.age, self.activities, self.hours) if n is not None]
        if any(name not in table for name in required):
            return None

        def kept(name: str | None) -> str | None:
            return name if name is not None and name in table else None

        return replace(
            self,
            temp_absent=kept(self.temp_absent),
            hazard_yes_no=tuple(n for n in self.hazard_yes_no if n in table),
            hazard_multi=tuple(n for n in self.hazard_multi if n in table),
            night_work=kept(self.night_work),
            industry=kept(self.industry),
            occupation=kept(self.occupation),
            chores=tuple(
                (did, hours)
                for did, hours in self.chores
                if hours in table and (did is None or did in table)
            ),
            chores_hazards=tuple(n for n in self.chores_hazards if n in table),
            attending=kept(self.attending),
            ever_attended=kept(self.ever_attended),
        )

    @property
    def has_chores(self) -> bool:
        return bool(self.chores)

    def describe(self) -> str:
        hazards = ", ".join((*self.hazard_yes_no, *self.hazard_multi)) or "none"
        employed = (
            "every record (a workplace roster)"
            if self.activities is None
            else f"{self.activities} (any but '{self.none_choice}') or {self.temp_absent}=yes"
        )
        chores = " + ".join(hours for _, hours in self.chores) or "not asked"
        return (
            f"inputs: age={self.age}; employed={employed}; hours={self.hours}; hazardous "
            f"conditions={hazards}; night work={self.night_work}; industry={self.industry}, "
            f"occupation={self.occupation} against the {self.hazardous.describe()}; chores "
            f"hours={chores} (0 for a task not done); hazardous chores="
            f"{', '.join(self.chores_hazards) or 'not asked'}; attending={self.attending}"
        )


def child_record(row: Mapping[str, Cell], inputs: LabourInputs) -> Child:
    employed = _employed(row, inputs)
    chores, chores_mics, chores_unknown = _chores(row, inputs)
    return Child(
        age=_int(row.get(inputs.age)),
        employed=employed,
        hours=_hours(row, inputs, employed),
        hazard_conditions=_hazard_conditions(row, inputs, employed),
        night_work=_worker_yes(row, inputs.night_work, inputs, employed),
        hazardous_industry=_industry(row, inputs, employed),
        hazardous_occupation=_coded(row, inputs.occupation, inputs.hazardous.occupation, employed),
        chores_hours=chores,
        chores_hazard=_chores_hazard(row, inputs),
        attending=_attending(row, inputs),
        active=_active(row, inputs),
        chores_hours_mics=chores_mics if inputs.chores else None,
        chores_unknown=chores_unknown,
    )


def _int(value: Cell) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _number(value: Cell) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _known(value: Cell) -> bool:
    return value is not None and not isinstance(value, Special)


def _active(row: Mapping[str, Cell], inputs: LabourInputs) -> Tri:
    """An economic activity in the reference week (not counting temporary absence)."""
    if inputs.activities is None:
        return True
    value = row.get(inputs.activities)
    if value == inputs.yes:
        return True
    if value == inputs.no:
        return False
    if not _known(value):
        return None
    return any(c != inputs.none_choice for c in str(value).split())


def _employed(row: Mapping[str, Cell], inputs: LabourInputs) -> Tri:
    active = _active(row, inputs)
    if active is not False or inputs.temp_absent is None:
        return active
    absent = row.get(inputs.temp_absent)
    if absent == inputs.yes:
        return True
    return None if isinstance(absent, Special) else False


def _hours(row: Mapping[str, Cell], inputs: LabourInputs, employed: Tri) -> float | None:
    if employed is False:
        return 0.0
    return None if inputs.hours is None else _number(row.get(inputs.hours))


def _yes(row: Mapping[str, Cell], name: str | None, inputs: LabourInputs) -> Tri:
    if name is None:
        return False
    value = row.get(name)
    if value == inputs.yes:
        return True
    if value == inputs.no:
        return False
    return None


def _worker_yes(
    row: Mapping[str, Cell], name: str | None, inputs: LabourInputs, employed: Tri
) -> Tri:
    if employed is False:
        return False
    return _yes(row, name, inputs)


def _hazard_conditions(row: Mapping[str, Cell], inputs: LabourInputs, employed: Tri) -> Tri:
    if employed is False:
        return False
    answers = [_yes(row, name, inputs) for name in inputs.hazard_yes_no]
    for name in inputs.hazard_multi:
        value = row.get(name)
        if not _known(value):
            answers.append(None)
        else:
            answers.append(any(c != inputs.none_choice for c in str(value).split()))
    return any_of(*answers)


def _coded(
    row: Mapping[str, Cell], name: str | None, listed: Callable[[Cell], Tri], employed: Tri
) -> Tri:
    if employed is False or name is None:
        return False
    return listed(row.get(name))


def _industry(row: Mapping[str, Cell], inputs: LabourInputs, employed: Tri) -> Tri:
    if inputs.industry_sections is None:
        return _coded(row, inputs.industry, inputs.hazardous.industry, employed)
    if employed is False or inputs.industry is None:
        return False
    value = row.get(inputs.industry)
    section = inputs.industry_sections.get(str(value)) if _known(value) else None
    return None if section is None else inputs.hazardous.section(section)


def _chores(row: Mapping[str, Cell], inputs: LabourInputs) -> tuple[float | None, float, bool]:
    """(hours in the parts known; hours as MICS6 adds them, a don't-know part 0; whether a
    part is unknown)."""
    if not inputs.chores:
        return None, 0.0, True
    known = mics = 0.0
    unknown = False
    for did, hours in inputs.chores:
        done = True if did is None else _yes(row, did, inputs)
        if done is False:
            continue
        value = _number(row.get(hours))
        if done is True and value is not None:
            known += value
            mics += value
        else:
            unknown = True
    return known, mics, unknown


def _chores_hazard(row: Mapping[str, Cell], inputs: LabourInputs) -> Tri:
    if not inputs.chores_hazards:
        return False
    done = any_of(*(True if did is None else _yes(row, did, inputs) for did, _ in inputs.chores))
    if done is False:
        return False  # no chores: the conditions were not asked and cannot apply
    return any_of(*(_yes(row, name, inputs) for name in inputs.chores_hazards))


def _attending(row: Mapping[str, Cell], inputs: LabourInputs) -> Tri:
    if inputs.attending_always:
        return True
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
