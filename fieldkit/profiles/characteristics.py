"""Household characteristics a vulnerability profile breaks children down by.

The ILO guidance's example profile (Book 2, 2.5) names children from large families who have
left school early. The household roster holds what that needs, so these are derived on the
roster from answers already captured:

- ``hh_children_band``: children under 18 listed in the child's household (1-2, 3-5, 6 or
  more: "families with more than five children");
- ``school_status``: attending now, left school (attended before, not now), never attended.

A table without the questions they need gets none of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from fieldkit.dataset.table import Cell, Table, Variable, VarType
from fieldkit.instrument.schema import DisaggregationRole

__all__ = ["DERIVED", "add_characteristics", "expand_by"]

_SOURCE = "ILO Book 2, 2.5 (vulnerability profiles); fieldkit"

CHILDREN_BANDS: Mapping[Cell, Mapping[str, str]] = {
    "1_2": {"en": "1-2 children", "fr": "1-2 enfants"},
    "3_5": {"en": "3-5 children", "fr": "3-5 enfants"},
    "6_plus": {"en": "6 or more children", "fr": "6 enfants ou plus"},
}
SCHOOL_STATUS: Mapping[Cell, Mapping[str, str]] = {
    "attending": {"en": "Attending school", "fr": "Scolarisé(e)"},
    "left": {"en": "Left school", "fr": "A quitté l'école"},
    "never": {"en": "Never attended", "fr": "Jamais scolarisé(e)"},
}
DERIVED = ("hh_children_band", "school_status")
SUMMARY_OF_ROLE = {"age": "age_band_ilo_cl", "disability": "disability_cfm"}
"""Roles whose own questions are too fine or too many to break down by: their summary."""
YES, NO = 1, 2


def add_characteristics(table: Table) -> list[str]:
    """Add the characteristics the table's answers allow; their names."""
    added = []
    if {"interview_id", "age"} <= set(table.names) and "hh_children_band" not in table:
        table.add_column(_children_variable(), _children_bands(table))
        added.append("hh_children_band")
    if {"ever_attended", "attending_now"} <= set(table.names) and "school_status" not in table:
        table.add_column(_school_variable(), _school_status(table))
        added.append("school_status")
    return added


def _children_variable() -> Variable:
    return Variable(
        name="hh_children_band",
        label={"en": "Children under 18 in the household", "fr": "Enfants de moins de 18 ans"},
        type=VarType.CODE,
        value_labels=CHILDREN_BANDS,
        origin="derived",
        definition="members of the same household aged under 18 (age), in bands 1-2, 3-5, 6+",
        source=_SOURCE,
        role=DisaggregationRole.FAMILY,
    )


def _children_bands(table: Table) -> list[Cell]:
    ages = table.column("age")
    households = table.column("interview_id")
    children = Counter(h for h, age in zip(households, ages, strict=True) if _child(age))
    return [_band(children[h]) for h in households]


def _child(age: Cell) -> bool:
    return isinstance(age, int) and not isinstance(age, bool) and 0 <= age < 18


def _band(children: int) -> Cell:
    if children <= 0:
        return None
    return "1_2" if children <= 2 else "3_5" if children <= 5 else "6_plus"


def _school_variable() -> Variable:
    return Variable(
        name="school_status",
        label={"en": "School attendance", "fr": "Scolarisation"},
        type=VarType.CODE,
        value_labels=SCHOOL_STATUS,
        origin="derived",
        definition="attending_now = yes: attending; ever_attended = yes and attending_now = "
        "no: left school; ever_attended = no: never attended",
        source=_SOURCE,
    )


def _school_status(table: Table) -> list[Cell]:
    found: list[Cell] = []
    for ever, now in zip(table.column("ever_attended"), table.column("attending_now"), strict=True):
        if now == YES:
            found.append("attending")
        elif ever == YES and now == NO:
            found.append("left")
        elif ever == NO:
            found.append("never")
        else:
            found.append(None)
    return found


def expand_by(table: Table, names: list[str]) -> list[str]:
    """Breakdown names with each disaggregation role (``origin``) replaced by the table's
    variables of that role; variable names stay as they are."""
    roles = {str(role) for role in DisaggregationRole}
    found: list[str] = []
    for name in names:
        if name in table or name not in roles:
            found.append(name)
            continue
        if SUMMARY_OF_ROLE.get(name, "") in table:
            found.append(SUMMARY_OF_ROLE[name])
            continue
        found += [v.name for v in table.variables if v.role is not None and v.role == name]
    return list(dict.fromkeys(found))
