"""Child trafficking indicators after the Palermo Protocol, each element its own flag.

The rules are in :mod:`fieldkit.indicators.tip_rules`; this module adds them to a table as
0/1 columns, with the means of control named after HTCDS v2.0 ``vic_MethodsOfControl``
(and the CTDC ``meansOfControl*`` column each one maps to).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fieldkit.dataset.table import Cell, Table, Variable, VarType
from fieldkit.indicators.childlabour import YES_NO_LABELS
from fieldkit.indicators.labour_rules import Tri
from fieldkit.indicators.tip_rules import (
    TipInputs,
    act,
    below_minimum_age,
    codes,
    exploitation,
    hazardous_work,
    movement,
    tip_child,
    worst_form,
)

__all__ = ["MOVEMENT_LABELS", "TipInputs", "add_trafficking", "ctdc_name", "htcds_name"]

_PALERMO = "UN Palermo Protocol (2000) art. 3(a)-(d)"
_C182 = "ILO Worst Forms of Child Labour Convention, 1999 (No. 182), art. 3(a)-(d)"
_C138 = "ILO Minimum Age Convention, 1973 (No. 138), art. 2 and 7 (light work at 12-14)"
_ILO_OPS = "ILO/EC Operational indicators of trafficking in human beings (2009), children"
_HTCDS = "HTCDS v2.0 (IOM) vic_MethodsOfControl"
_CTDC = "CTDC global dataset codebook (v6)"

MOVEMENT_LABELS: Mapping[Cell, Mapping[str, str]] = {
    0: {"en": "No movement", "fr": "Aucun déplacement"},
    1: {"en": "Internal", "fr": "Interne"},
    2: {"en": "Cross-border", "fr": "Transfrontalier"},
}

_NO_HTCDS = ("restricts_movement", "not_specified", "uses_children", "threats")
"""CTDC flags with no HTCDS v2.0 value (threats and uses_children: older choice names)."""
_CTDC_NAMES = {
    "physical_threats": "Threats",
    "threatens_children_family": "UsesChildren",
    "threats_law_enforcement": "ThreatOfLawEnforcement",
    "threat_of_law_enforcement": "ThreatOfLawEnforcement",
    "psychoactive_substance": "PsychoactiveSubstances",
    "psychoactive_substances": "PsychoactiveSubstances",
}
_HTCDS_NAMES = {
    "threats_law_enforcement": "ThreatsLawEnforcement",
    "threat_of_law_enforcement": "ThreatsLawEnforcement",
    "psychoactive_substances": "PsychoactiveSubstance",
}


def _camel(choice: str) -> str:
    return "".join(part.capitalize() for part in choice.split("_"))


def ctdc_name(choice: str) -> str:
    """``debt_bondage`` -> ``meansOfControlDebtBondage`` (CTDC codebook v6)."""
    return "meansOfControl" + _CTDC_NAMES.get(choice, _camel(choice))


def htcds_name(choice: str) -> str | None:
    """``physical_threats`` -> ``PhysicalThreats`` (HTCDS v2.0); None when v2.0 has none."""
    if choice in _NO_HTCDS:
        return None
    return _HTCDS_NAMES.get(choice, _camel(choice))


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


Rule = Callable[[Mapping[str, Cell], TipInputs], Tri]


def _elements(m: TipInputs) -> list[tuple[Variable, Rule]]:
    hours = m.hours or "(hours not asked)"
    return [
        (
            _variable(
                "tip_act",
                "Trafficking act (recruited, taken or sent by anyone, parents included)",
                f"{m.recruited} = yes (the question asks about anyone; who: {m.recruiter})",
                _PALERMO + "; a parent can be the trafficker",
            ),
            act,
        ),
        (
            _variable(
                "tip_worst_form",
                "Exploited in a worst form of child labour other than hazardous work",
                f"{m.exploitation or '(exploitation not asked)'} in "
                f"{', '.join(m.worst_forms)}; or {m.sector or '(sector not asked)'} in "
                f"{', '.join(m.illicit_sectors)}; or debt bondage among {m.control}",
                _C182
                + " (a)-(c); removal of organs: "
                + _PALERMO
                + "; forced adoption: UN Optional Protocol on the sale of children, art. 3(1)",
            ),
            worst_form,
        ),
        (
            _variable(
                "tip_hazardous",
                "Recruited into hazardous work (a worst form of child labour)",
                f"{m.sector} in {', '.join(m.hazardous_sectors)}; or {hours} >= 43; or "
                f"{m.hazardous_flag} = 1 (hazardous work by the child labour rules)",
                _C182 + " (d)",
            ),
            hazardous_work,
        ),
        (
            _variable(
                "tip_below_min_age",
                "Work below the minimum age (ILO child labour rule, not age alone)",
                f"age when it began ({m.age_at_start}, else {m.age}) under "
                f"{m.light_work_age}; or {m.light_work_age}-{m.minimum_age - 1} and not light "
                f"work ({hours} >= 14, or hazardous)",
                _C138,
            ),
            below_minimum_age,
        ),
        (
            _variable(
                "tip_exploit",
                "Exploitation (worst form, hazardous work, or below the minimum age)",
                "tip_worst_form or tip_hazardous or tip_below_min_age",
                f"{_PALERMO}; {_C182}; {_C138}",
            ),
            exploitation,
        ),
        (
            _variable(
                "tip_child",
                "Child victim of trafficking (act and exploitation; means not required)",
                f"tip_act and tip_exploit, age at exploitation ({m.age_at_start}, else "
                f"{m.age}) under {m.majority}",
                f"{_PALERMO}, art. 3(c); {_ILO_OPS}",
            ),
            tip_child,
        ),
    ]


def add_trafficking(table: Table, inputs: TipInputs | None = None) -> list[Variable]:
    """Add act, exploitation (and its parts), TIP_child, movement and the means of control."""
    m = inputs or TipInputs()
    m.check(table)
    rows = list(table.records())
    added = []
    for variable, rule in _elements(m):
        table.add_column(variable, [_flag(rule(r, m)) for r in rows])
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
        definition=f"{m.movement}; when not answered, cross-border if {m.country} differs "
        f"from {m.citizenship}, else internal; missing when either names no single country "
        "(other country, stateless)",
        source=f"{_CTDC} (cross-border = citizenship differs from CountryOfExploitation)",
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
        htcds = htcds_name(choice)
        cited = f"{_HTCDS} {htcds}" if htcds else "no HTCDS v2.0 value"
        variable = _variable(
            f"moc_{choice}",
            f"Means of control: {choice.replace('_', ' ')}",
            f"'{choice}' selected in {m.control}"
            + (
                f", or documents held by {', '.join(m.docs_holders)}"
                if choice == "withholds_documents"
                else ""
            ),
            f"{cited}; {_CTDC} {ctdc_name(choice)}",
        )
        table.add_column(variable, [_means(r, m, choice) for r in rows])
        added.append(variable)
    return added


def _means(row: Mapping[str, Cell], m: TipInputs, choice: str) -> Cell:
    chosen = codes(row.get(m.control))
    docs = row.get(m.docs_holder) if m.docs_holder else None
    if choice == "withholds_documents" and docs in m.docs_holders:
        return 1
    if chosen is None:
        return None
    return int(choice in chosen)
