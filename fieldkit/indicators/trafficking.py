"""Child trafficking indicators after the Palermo Protocol, each element its own flag.

For anyone under 18 the means are irrelevant (Palermo Protocol art. 3(c)): a child is a
presumed victim when there is an act (recruited, transported, transferred, harboured or
received by a third party) for the purpose of exploitation. The means of control are kept
as separate 0/1 flags named after CTDC's ``meansOfControl*`` columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Special, Table, Variable, VarType
from fieldkit.indicators.childlabour import YES_NO_LABELS
from fieldkit.indicators.labour_rules import Tri, all_of, any_of

__all__ = ["MOVEMENT_LABELS", "TipInputs", "add_trafficking", "ctdc_name"]

_PALERMO = "UN Palermo Protocol (2000) art. 3(a)-(d)"
_C182 = "ILO Worst Forms of Child Labour Convention, 1999 (No. 182), art. 3(a)-(d)"
_C138 = "ILO Minimum Age Convention, 1973 (No. 138), art. 2(3)"
_ILO_OPS = "ILO/EC Operational indicators of trafficking in human beings (2009), children"

MOVEMENT_LABELS: Mapping[Cell, Mapping[str, str]] = {
    0: {"en": "No movement", "fr": "Aucun déplacement"},
    1: {"en": "Internal", "fr": "Interne"},
    2: {"en": "Cross-border", "fr": "Transfrontalier"},
}


@dataclass(frozen=True)
class TipInputs:
    """Which roster questions feed the trafficking flags (defaults: the household instrument).

    - ACT: ``recruited`` = yes (recruited, taken or sent to work by someone outside the
      household: a third party);
    - MOVEMENT: ``movement`` (none / internal / cross_border); when unknown, cross-border if
      ``country`` of work differs from ``citizenship`` (CTDC rule);
    - EXPLOITATION: a worst form (``exploitation`` in ``worst_forms``, ``sector`` in
      ``worst_sectors``, or ``debt_bondage`` among the means of ``control``), or work that
      began below ``minimum_age`` (``age_at_start``) or coded ``child_labour``;
    - means of control: each choice of ``control``; documents held by ``docs_holders``
      (``docs_holder``) also count as withholding documents.
    """

    age: str = "age"
    age_at_start: str | None = "tip_age_at_start"
    recruited: str = "tip_recruited"
    movement: str | None = "tip_movement"
    country: str | None = "tip_country"
    citizenship: str | None = "citizenship"
    exploitation: str = "tip_exploitation"
    sector: str | None = "tip_sector"
    control: str = "tip_control"
    docs_holder: str | None = "tip_docs_holder"
    worst_forms: tuple[str, ...] = (
        "forced_labour",
        "servitude",
        "forced_begging",
        "sexual_exploitation",
        "forced_marriage",
        "forced_military_by_non_state_actors",
    )
    worst_sectors: tuple[str, ...] = ("illicit_activities", "mining_or_drilling", "construction")
    below_minimum_codes: tuple[str, ...] = ("child_labour",)
    docs_holders: tuple[str, ...] = ("employer", "recruiter_handler")
    minimum_age: int = 15
    majority: int = 18
    yes: Cell = 1
    no: Cell = 2

    def fitted(self, table: Table) -> TipInputs | None:
        """These inputs with optional questions the table lacks left out (None: can't map)."""
        if any(name not in table for name in (self.age, self.recruited, self.exploitation)):
            return None
        if self.control not in table:
            return None

        def kept(name: str | None) -> str | None:
            return name if name is not None and name in table else None

        return replace(
            self,
            age_at_start=kept(self.age_at_start),
            movement=kept(self.movement),
            country=kept(self.country),
            citizenship=kept(self.citizenship),
            sector=kept(self.sector),
            docs_holder=kept(self.docs_holder),
        )

    def check(self, table: Table) -> None:
        named = (self.age, self.age_at_start, self.recruited, self.movement, self.country)
        more = (self.citizenship, self.exploitation, self.sector, self.control, self.docs_holder)
        missing = [n for n in (*named, *more) if n is not None and n not in table]
        if missing:
            raise DatasetError(
                f"table '{table.name}' lacks {', '.join(missing)} needed for trafficking flags",
                code="FK-DATA-006",
                hint="map the instrument's questions with TipInputs(...)",
            )


def ctdc_name(choice: str) -> str:
    """``debt_bondage`` → ``meansOfControlDebtBondage`` (CTDC codebook v6)."""
    return "meansOfControl" + "".join(part.capitalize() for part in choice.split("_"))


def _codes(value: Cell) -> list[str] | None:
    if value is None or isinstance(value, Special):
        return None
    return str(value).split()


def act(row: Mapping[str, Cell], inputs: TipInputs) -> Tri:
    value = row.get(inputs.recruited)
    if value == inputs.yes:
        return True
    return False if value == inputs.no else None


def movement(row: Mapping[str, Cell], inputs: TipInputs) -> Cell:
    codes = {"none": 0, "internal": 1, "cross_border": 2}
    value = row.get(inputs.movement) if inputs.movement else None
    if isinstance(value, str) and value in codes:
        return codes[value]
    country = row.get(inputs.country) if inputs.country else None
    home = row.get(inputs.citizenship) if inputs.citizenship else None
    if isinstance(country, str) and isinstance(home, str):
        return 2 if country != home else 1
    return None


def worst_form(row: Mapping[str, Cell], inputs: TipInputs) -> Tri:
    forms = _codes(row.get(inputs.exploitation))
    sectors = _codes(row.get(inputs.sector)) if inputs.sector else []
    control = _codes(row.get(inputs.control))
    parts: list[Tri] = [
        None if forms is None else any(f in inputs.worst_forms for f in forms),
        None if sectors is None else any(s in inputs.worst_sectors for s in sectors),
        None if control is None else "debt_bondage" in control,
    ]
    return any_of(*parts)


def below_minimum_age(row: Mapping[str, Cell], inputs: TipInputs) -> Tri:
    forms = _codes(row.get(inputs.exploitation))
    start = row.get(inputs.age_at_start) if inputs.age_at_start else None
    coded = None if forms is None else any(f in inputs.below_minimum_codes for f in forms)
    young = start < inputs.minimum_age if isinstance(start, int | float) else None
    return any_of(coded, young)


def _age_at_exploitation(row: Mapping[str, Cell], inputs: TipInputs) -> int | None:
    for name in (inputs.age_at_start, inputs.age):
        value = row.get(name) if name else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


def tip_child(row: Mapping[str, Cell], inputs: TipInputs) -> Tri:
    age = _age_at_exploitation(row, inputs)
    if age is None or age >= inputs.majority:
        return None
    exploit = any_of(worst_form(row, inputs), below_minimum_age(row, inputs))
    return all_of(act(row, inputs), exploit)


def _flag(value: Tri) -> Cell:
    return None if value is None else int(value)


def _variable(name: str, label: str, definition: str, source: str) -> Variable:
    return Variable(
        name=name,
        label={"en": label},
        type=VarType.FLAG,
        value_labels=YES_NO_LABELS,
        origin="derived",
        definition=definition,
        source=source,
        universe="children under 18 at exploitation",
    )


def add_trafficking(table: Table, inputs: TipInputs | None = None) -> list[Variable]:
    """Add ACT, MOVEMENT, EXPLOITATION (and its parts), TIP_child and the means of control."""
    mapping = inputs or TipInputs()
    mapping.check(table)
    rows = list(table.records())
    m = mapping
    flags: list[tuple[Variable, Callable[[dict[str, Cell]], Cell]]] = [
        (
            _variable(
                "tip_act", "Trafficking act by a third party", f"{m.recruited} = yes", _PALERMO
            ),
            lambda r: _flag(act(r, m)),
        ),
        (
            _variable(
                "tip_worst_form",
                "Exploited in a worst form of child labour",
                f"{m.exploitation} in {', '.join(m.worst_forms)}; or {m.sector} in "
                f"{', '.join(m.worst_sectors)}; or debt bondage among {m.control}",
                _C182 + "; hazardous sectors as in national lists [to confirm per country]",
            ),
            lambda r: _flag(worst_form(r, m)),
        ),
        (
            _variable(
                "tip_below_min_age",
                "Work below the minimum age",
                f"{m.age_at_start} < {m.minimum_age} or {m.exploitation} coded child_labour",
                _C138,
            ),
            lambda r: _flag(below_minimum_age(r, m)),
        ),
        (
            _variable(
                "tip_exploit",
                "Exploitation (worst form or below the minimum age)",
                "tip_worst_form or tip_below_min_age",
                f"{_C182}; {_C138}",
            ),
            lambda r: _flag(any_of(worst_form(r, m), below_minimum_age(r, m))),
        ),
        (
            _variable(
                "tip_child",
                "Child victim of trafficking (act and exploitation; means not required)",
                f"tip_act and tip_exploit, age at exploitation ({m.age_at_start}, else "
                f"{m.age}) under {m.majority}",
                f"{_PALERMO}, art. 3(c); {_ILO_OPS}",
            ),
            lambda r: _flag(tip_child(r, m)),
        ),
    ]
    added = []
    for variable, compute in flags:
        table.add_column(variable, [compute(r) for r in rows])
        added.append(variable)
    added.append(_add_movement(table, rows, m))
    added.extend(_add_means(table, rows, m))
    return added


def _add_movement(table: Table, rows: list[dict[str, Cell]], m: TipInputs) -> Variable:
    variable = Variable(
        name="tip_movement_type",
        label={"en": "Movement (none, internal, cross-border)"},
        type=VarType.CODE,
        value_labels=MOVEMENT_LABELS,
        origin="derived",
        definition=f"{m.movement}; when unknown, cross-border if {m.country} differs from "
        f"{m.citizenship}, else internal",
        source="CTDC codebook v6 (cross-border = citizenship differs from CountryOfExploitation)",
        universe="children in the trafficking module",
    )
    table.add_column(variable, [movement(r, m) for r in rows])
    return variable


def _add_means(table: Table, rows: list[dict[str, Cell]], m: TipInputs) -> list[Variable]:
    control = table.variable(m.control)
    choices = [
        name.split("__", 1)[1]
        for name in table.names
        if name.startswith(f"{control.name}__") and not name.endswith("__none")
    ]
    added = []
    for choice in choices:
        variable = _variable(
            f"moc_{choice}",
            f"Means of control: {choice.replace('_', ' ')}",
            f"'{choice}' selected in {m.control}"
            + (
                f", or documents held by {', '.join(m.docs_holders)}"
                if choice == "withholds_documents"
                else ""
            ),
            f"CTDC codebook v6 {ctdc_name(choice)}; HTCDS v2.0 vic_MethodsOfControl",
        )
        table.add_column(variable, [_means(r, m, choice) for r in rows])
        added.append(variable)
    return added


def _means(row: Mapping[str, Cell], m: TipInputs, choice: str) -> Cell:
    chosen = _codes(row.get(m.control))
    docs = row.get(m.docs_holder) if m.docs_holder else None
    if choice == "withholds_documents" and docs in m.docs_holders:
        return 1
    if chosen is None:
        return None
    return int(choice in chosen)
