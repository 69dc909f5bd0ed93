"""The elements of child trafficking as pure functions of one child's record.

For anyone under 18 the means are irrelevant (Palermo Protocol art. 3(c)): a child is a
presumed victim when there is an act (recruited, transported, transferred, harboured or
received, by anyone: a parent can be the trafficker) for the purpose of exploitation.
Exploitation (Palermo art. 3(a); ILO C182 art. 3) is met by:

- a worst form other than hazardous work (C182 art. 3(a)-(c)): forced labour, servitude,
  debt bondage, forced begging, sexual exploitation, forced marriage, use by armed groups,
  sale of the child (forced adoption: UN OPSC art. 3(1)(a)(ii)), illicit activities, and
  the removal of organs (Palermo art. 3(a));
- hazardous work (C182 art. 3(d)): a hazardous sector (mining, construction), 43 hours or
  more a week in that work, or hazardous work found by the child labour rules;
- work below the minimum age by the ILO child labour rule, not age alone: any work begun
  under 12; work begun at 12-14 only when it is not light work (C138 art. 7: 14 hours or
  more a week, or hazardous); at 15-17 only hazardous work counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Special, Table
from fieldkit.indicators.labour_rules import Tri, all_of, any_of, at_least

__all__ = [
    "TipInputs",
    "act",
    "below_minimum_age",
    "exploitation",
    "hazardous_work",
    "movement",
    "tip_child",
    "worst_form",
]

UNNAMED_COUNTRIES = ("other_country", "stateless")
"""Answers that name no single country: two of them may be different countries."""


@dataclass(frozen=True)
class TipInputs:
    """Which questions feed the trafficking flags (defaults: the household roster).

    Optional inputs the table lacks are left out by :meth:`fitted`; ``hazardous_flag`` is
    a derived column (the child labour rules' hazardous work, ``cl_ilo_haz``).
    """

    age: str = "age"
    age_at_start: str | None = "tip_age_at_start"
    recruited: str = "tip_recruited"
    recruiter: str | None = "tip_recruiter_relation"
    hours: str | None = "tip_hours_week"
    movement: str | None = "tip_movement"
    country: str | None = "tip_country"
    citizenship: str | None = "citizenship"
    exploitation: str | None = "tip_exploitation"
    sector: str | None = "tip_sector"
    control: str = "tip_control"
    docs_holder: str | None = "tip_docs_holder"
    hazardous_flag: str | None = "cl_ilo_haz"
    worst_forms: tuple[str, ...] = (
        "forced_labour",
        "servitude",
        "forced_begging",
        "sexual_exploitation",
        "forced_marriage",
        "forced_military_by_non_state_actors",
        "organ_removal",
        "forced_adoption",
    )
    illicit_sectors: tuple[str, ...] = ("illicit_activities",)
    hazardous_sectors: tuple[str, ...] = ("mining_or_drilling", "construction")
    docs_holders: tuple[str, ...] = ("employer", "recruiter_handler")
    light_work_age: int = 12
    minimum_age: int = 15
    majority: int = 18
    yes: Cell = 1
    no: Cell = 2

    def optional(self) -> tuple[str | None, ...]:
        return (
            self.age_at_start,
            self.recruiter,
            self.hours,
            self.movement,
            self.country,
            self.citizenship,
            self.exploitation,
            self.sector,
            self.docs_holder,
            self.hazardous_flag,
        )

    def fitted(self, table: Table) -> TipInputs | None:
        """These inputs with optional questions the table lacks left out (None: can't map)."""
        required = (self.age, self.recruited, self.control)
        if any(name not in table for name in required):
            return None

        def kept(name: str | None) -> str | None:
            return name if name is not None and name in table else None

        return replace(
            self,
            age_at_start=kept(self.age_at_start),
            recruiter=kept(self.recruiter),
            hours=kept(self.hours),
            movement=kept(self.movement),
            country=kept(self.country),
            citizenship=kept(self.citizenship),
            exploitation=kept(self.exploitation),
            sector=kept(self.sector),
            docs_holder=kept(self.docs_holder),
            hazardous_flag=kept(self.hazardous_flag),
        )

    def check(self, table: Table) -> None:
        named = (self.age, self.recruited, self.control, *self.optional())
        missing = [n for n in named if n is not None and n not in table]
        if missing:
            raise DatasetError(
                f"table '{table.name}' lacks {', '.join(missing)} needed for trafficking flags",
                code="FK-DATA-006",
                hint="map the instrument's questions with TipInputs(...)",
            )


def codes(value: Cell) -> list[str] | None:
    if value is None or isinstance(value, Special):
        return None
    return str(value).split()


def _number(value: Cell) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def act(row: Mapping[str, Cell], inputs: TipInputs) -> Tri:
    """Recruited, taken or sent by anyone, parents included (asked of anyone, then who)."""
    value = row.get(inputs.recruited)
    if value == inputs.yes:
        return True
    return False if value == inputs.no else None


def movement(row: Mapping[str, Cell], inputs: TipInputs) -> Cell:
    """0 none, 1 internal, 2 cross-border; when not answered, cross-border when the
    country of work differs from the citizenship (CTDC), unknown when either names no
    single country (two 'other country' answers may be two countries)."""
    known = {"none": 0, "internal": 1, "cross_border": 2}
    value = row.get(inputs.movement) if inputs.movement else None
    if isinstance(value, str) and value in known:
        return known[value]
    country = row.get(inputs.country) if inputs.country else None
    home = row.get(inputs.citizenship) if inputs.citizenship else None
    if not (isinstance(country, str) and isinstance(home, str)):
        return None
    if home == "stateless" or (country in UNNAMED_COUNTRIES and home in UNNAMED_COUNTRIES):
        return None
    return 2 if country != home else 1


def worst_form(row: Mapping[str, Cell], inputs: TipInputs) -> Tri:
    """A worst form of child labour other than hazardous work (C182 art. 3(a)-(c)), or the
    removal of organs (Palermo art. 3(a)), from the questions the instrument asks."""
    control = codes(row.get(inputs.control))
    parts: list[Tri] = [None if control is None else "debt_bondage" in control]
    if inputs.exploitation:
        forms = codes(row.get(inputs.exploitation))
        parts.append(None if forms is None else any(f in inputs.worst_forms for f in forms))
    if inputs.sector:
        sectors = codes(row.get(inputs.sector))
        parts.append(None if sectors is None else any(s in inputs.illicit_sectors for s in sectors))
    return any_of(*parts)


def hazardous_work(row: Mapping[str, Cell], inputs: TipInputs) -> Tri:
    """Hazardous work (C182 art. 3(d)): a hazardous sector, long hours (43+ a week) in that
    work, or hazardous work found by the child labour rules; unknown when none is asked."""
    parts: list[Tri] = []
    if inputs.sector:
        sectors = codes(row.get(inputs.sector))
        parts.append(
            None if sectors is None else any(s in inputs.hazardous_sectors for s in sectors)
        )
    if inputs.hazardous_flag:
        flag = row.get(inputs.hazardous_flag)
        parts.append(flag == 1 if isinstance(flag, int) else None)
    if inputs.hours:
        parts.append(at_least(_number(row.get(inputs.hours)), 43))
    return any_of(*parts) if parts else None


def age_at_exploitation(row: Mapping[str, Cell], inputs: TipInputs) -> int | None:
    for name in (inputs.age_at_start, inputs.age):
        value = row.get(name) if name else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


def below_minimum_age(row: Mapping[str, Cell], inputs: TipInputs) -> Tri:
    """Child labour by age under the ILO rule: any work begun under the light-work age;
    at light-work ages only work that is not light (14 hours or more, or hazardous)."""
    start = age_at_exploitation(row, inputs)
    if start is None:
        return None
    if start < inputs.light_work_age:
        return True
    if start >= inputs.minimum_age:
        return False
    hours = _number(row.get(inputs.hours)) if inputs.hours else None
    return any_of(at_least(hours, 14), hazardous_work(row, inputs))


def exploitation(row: Mapping[str, Cell], inputs: TipInputs) -> Tri:
    return any_of(
        worst_form(row, inputs), hazardous_work(row, inputs), below_minimum_age(row, inputs)
    )


def tip_child(row: Mapping[str, Cell], inputs: TipInputs) -> Tri:
    age = age_at_exploitation(row, inputs)
    if age is None or age >= inputs.majority:
        return None
    return all_of(act(row, inputs), exploitation(row, inputs))
