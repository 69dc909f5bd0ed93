"""All derived variables of a roster table in one call, as the export command adds them."""

from __future__ import annotations

from collections.abc import Sequence

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Table, Variable
from fieldkit.indicators.agebands import AgeScheme, add_age_band
from fieldkit.indicators.childlabour import LabourInputs, RuleSet, add_child_labour, add_work_school
from fieldkit.indicators.trafficking import TipInputs, add_trafficking
from fieldkit.instrument.schema import DisaggregationRole

__all__ = ["DEFAULT_RULE_SETS", "derive_all", "prepare"]

DEFAULT_RULE_SETS = ("ilo_icls18_sna", "ilo_icls18_gpb", "unicef_mics6")


def derive_all(
    table: Table,
    *,
    age: str = "age",
    schemes: Sequence[str | AgeScheme] = ("ilo_cl", "ctdc_broad"),
    rule_sets: Sequence[str | RuleSet] = DEFAULT_RULE_SETS,
    labour: LabourInputs | None = None,
    trafficking: TipInputs | None = None,
) -> list[Variable]:
    """Add age bands, child labour, work/school and trafficking flags; return what was added.

    The labour and trafficking parts are added when the table holds their inputs (a roster
    of the household instrument, or any table mapped with ``labour=``/``trafficking=``);
    optional trafficking inputs (sector, movement, documents...) the table lacks are skipped.
    """
    added = [add_age_band(table, scheme, age) for scheme in schemes]
    labour_inputs = labour or LabourInputs(age=age)
    if all(name in table for name in labour_inputs.names()):
        added += add_child_labour(table, rule_sets, labour_inputs)
        added.append(add_work_school(table, labour_inputs))
    tip_inputs = trafficking or TipInputs(age=age).fitted(table)
    if tip_inputs is not None:
        added += add_trafficking(table, tip_inputs)
    return added


def _age_variable(table: Table) -> Variable | None:
    for variable in table.variables:
        if variable.role is DisaggregationRole.AGE and variable.origin == "question":
            return variable
    return None


def prepare(
    dataset: Dataset, *, rule_sets: Sequence[str] = DEFAULT_RULE_SETS
) -> dict[str, list[Variable]]:
    """Add the derived variables to every in-memory table with an exact age."""
    added: dict[str, list[Variable]] = {}
    for name, rows in dataset.tables.items():
        if not isinstance(rows, Table):
            continue
        age = _age_variable(rows)
        if age is not None and age.type.numeric:
            added[name] = derive_all(rows, age=age.name, rule_sets=rule_sets)
    return added
