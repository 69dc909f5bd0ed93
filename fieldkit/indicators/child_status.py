"""Disability status (Washington Group Short Set; UNICEF/WG Child Functioning Module) and
birth registration (MICS6 BR), each after its published cut-off.

- WG-SS: disability when at least one of the six domains is answered "a lot of difficulty"
  or "cannot do at all" (the Washington Group's recommended cut-off, "disability 3").
- CFM (UNICEF/Washington Group Module on Child Functioning, 2016), ages 2-4 and 5-17: a
  functional difficulty when at least one domain is "a lot of difficulty" or "cannot do at
  all", or, for the domains with other scales, anxiety or depression "daily" (5-17) and
  kicking, biting or hitting "a lot more" than children of the same age (2-4).
- Birth registration (MICS6 indicator PR.1): a birth certificate (seen or not), or the
  birth registered with the civil authorities.

Don't know and refused make a status unknown unless another answer already decides it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fieldkit.dataset.table import Cell, Special, Table, Variable, VarType
from fieldkit.indicators.childlabour import YES_NO_LABELS
from fieldkit.indicators.labour_rules import Tri, any_of
from fieldkit.instrument.schema import DisaggregationRole

__all__ = ["CFM_2_4", "CFM_5_17", "WG_SS", "add_birth_registration", "add_disability"]

WG_SS = ("wg_see", "wg_hear", "wg_walk", "wg_cognition", "wg_selfcare", "wg_communicate")
A_LOT = (3, 4)
"""'A lot of difficulty' and 'cannot do at all' on the WG difficulty scale (1-4)."""


@dataclass(frozen=True)
class Item:
    name: str
    positive: tuple[int, ...] = A_LOT


CFM_2_4 = (
    Item("cfm_see"),
    Item("cfm_hear"),
    Item("cfm_walk"),
    Item("cfm_fine_motor"),
    Item("cfm_understand_you"),
    Item("cfm_be_understood"),
    Item("cfm_learning"),
    Item("cfm_playing"),
    Item("cfm_kicking", (4,)),  # 'a lot more' than children of the same age
)
CFM_5_17 = (
    Item("cfm_see"),
    Item("cfm_hear"),
    Item("cfm_walk"),
    Item("cfm_selfcare"),
    Item("cfm_understood_inside"),
    Item("cfm_understood_outside"),
    Item("cfm_learning"),
    Item("cfm_remembering"),
    Item("cfm_concentrating"),
    Item("cfm_accepting_change"),
    Item("cfm_behaviour"),
    Item("cfm_friends"),
    Item("cfm_anxiety", (1,)),  # 'daily'
    Item("cfm_depression", (1,)),  # 'daily'
)

_WG = "Washington Group on Disability Statistics, Short Set (WG-SS), cut-off 'disability 3'"
_CFM = (
    "UNICEF/Washington Group Module on Child Functioning (2016), 2-4 and 5-17 versions; "
    "cut-offs as in UNICEF MICS6 (functional difficulty in at least one domain)"
)


def _positive(items: Sequence[Item], row: Mapping[str, Cell]) -> Tri:
    """1 when an item meets its cut-off, 0 when all are answered and none does."""
    answers: list[Tri] = []
    for item in items:
        value = row.get(item.name)
        if value is None or isinstance(value, Special):
            answers.append(None)
        else:
            answers.append(value in item.positive)
    return any_of(*answers)


def _flag(value: Tri) -> Cell:
    return None if value is None else int(value)


def _wg_status(row: Mapping[str, Cell]) -> Cell:
    if all(row.get(name) is None for name in WG_SS):
        return None  # not asked
    return _flag(_positive([Item(name) for name in WG_SS], row))


def _cfm_status(row: Mapping[str, Cell], age: str) -> Cell:
    value = row.get(age)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if 2 <= value <= 4:
        return _flag(_positive(CFM_2_4, row))
    if 5 <= value <= 17:
        return _flag(_positive(CFM_5_17, row))
    return None


def _variable(name: str, label: str, definition: str, source: str, universe: str) -> Variable:
    return Variable(
        name=name,
        label={"en": label},
        type=VarType.FLAG,
        value_labels=YES_NO_LABELS,
        role=DisaggregationRole.DISABILITY,
        origin="derived",
        definition=definition,
        source=source,
        universe=universe,
    )


def add_disability(table: Table, age: str = "age") -> list[Variable]:
    """Add ``disability_wg_ss`` and ``disability_cfm`` for the items the table holds."""
    added: list[Variable] = []
    rows = list(table.records())
    if all(name in table for name in WG_SS):
        variable = _variable(
            "disability_wg_ss",
            "Disability (Washington Group Short Set)",
            "at least one of " + ", ".join(WG_SS) + " = 3 (a lot of difficulty) or 4 (cannot "
            "do at all); missing when no domain meets it and one is not known",
            _WG,
            "members asked the Short Set",
        )
        table.add_column(variable, [_wg_status(r) for r in rows])
        added.append(variable)
    names = {item.name for item in (*CFM_2_4, *CFM_5_17)}
    if all(name in table for name in names):
        variable = _variable(
            "disability_cfm",
            "Functional difficulty (Child Functioning Module)",
            "2-4: at least one of seeing, hearing, walking, fine motor, communication "
            "(understanding, being understood), learning, playing at 3 or 4, or kicking/"
            "biting/hitting 'a lot more'; 5-17: at least one of seeing, hearing, walking, "
            "self-care, being understood (inside or outside the household), learning, "
            "remembering, concentrating, accepting change, controlling behaviour, making "
            "friends at 3 or 4, or anxiety or depression 'daily'",
            _CFM,
            "children aged 2-17",
        )
        table.add_column(variable, [_cfm_status(r, age) for r in rows])
        added.append(variable)
    return added


def _registered(row: Mapping[str, Cell], age: str) -> Cell:
    value = row.get(age)
    if isinstance(value, bool) or not isinstance(value, int | float) or value >= 18:
        return None
    certificate = row.get("birth_certificate")
    registered = row.get("birth_registered")
    if certificate in (1, 2) or registered == 1:
        return 1
    if certificate == 3 and registered == 2:
        return 0
    return None


def add_birth_registration(table: Table, age: str = "age") -> Variable | None:
    if "birth_certificate" not in table or "birth_registered" not in table:
        return None
    variable = Variable(
        name="birth_registration",
        label={"en": "Birth registered", "fr": "Naissance enregistrée"},
        type=VarType.FLAG,
        value_labels=YES_NO_LABELS,
        origin="derived",
        definition="birth_certificate = 1 or 2 (has a certificate, seen or not), or "
        "birth_registered = 1; 0 when neither; missing when not known",
        source="UNICEF MICS6 indicator PR.1 (SDG 16.9.1), questions BR1-BR2",
        universe="children under 18",
    )
    table.add_column(variable, [_registered(r, age) for r in table.records()])
    return variable
