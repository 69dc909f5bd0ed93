"""All derived variables of a table in one call, as the export command adds them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Cell, Table, Variable
from fieldkit.indicators.agebands import AgeScheme, add_age_band
from fieldkit.indicators.child_status import add_birth_registration, add_disability
from fieldkit.indicators.childlabour import LabourInputs, RuleSet, add_child_labour, add_work_school
from fieldkit.indicators.codes import HazardousList
from fieldkit.indicators.mappings import InstrumentMapping, mapping_for
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
    children: bool = True,
) -> list[Variable]:
    """Add age bands, disability and birth registration, child labour, work/school and the
    trafficking elements; return what was added.

    The labour and trafficking parts are added when ``children`` is true and the table holds
    their inputs (the household roster by default, or the questions mapped with
    ``labour=``/``trafficking=``); optional trafficking inputs the table lacks are skipped.
    """
    added = [add_age_band(table, scheme, age) for scheme in schemes]
    added += add_disability(table, age)
    registered = add_birth_registration(table, age)
    if registered is not None:
        added.append(registered)
    if not children:
        return added
    labour_inputs = (labour or LabourInputs(age=age)).fitted(table)
    if labour_inputs is not None:
        chosen = rule_sets if labour_inputs.has_chores else [*_without_chores(rule_sets)]
        added += add_child_labour(table, chosen, labour_inputs)
        added.append(add_work_school(table, labour_inputs))
    tip_inputs = (trafficking or TipInputs(age=age)).fitted(table)
    if tip_inputs is not None:
        added += add_trafficking(table, tip_inputs)
    return added


def _without_chores(rule_sets: Sequence[str | RuleSet]) -> list[str | RuleSet]:
    """No chores asked: neither the general production boundary nor the MICS6 indicator
    (which counts chores) can be measured; the SNA-boundary rule can."""
    measured = []
    for chosen in rule_sets:
        name = chosen if isinstance(chosen, str) else chosen.name
        if name != "ilo_icls18_gpb" and not name.startswith("unicef_mics6"):
            measured.append(chosen)
    return measured


def _age_variable(table: Table) -> Variable | None:
    for variable in table.variables:
        if variable.role is DisaggregationRole.AGE and variable.origin == "question":
            return variable
    return None


def prepare(
    dataset: Dataset, *, rule_sets: Sequence[str] | None = None
) -> dict[str, list[Variable]]:
    """Add the derived variables to every in-memory table with an exact age, by the
    instrument kind's mapping and the protocol's national hazardous work list."""
    mapping = mapping_for(dataset.study.kind)
    listed = dataset.study.hazardous_work
    if mapping is not None and listed is not None:
        mapping = mapping.with_hazardous(HazardousList.from_mapping(listed))
    added: dict[str, list[Variable]] = {}
    for name, rows in dataset.tables.items():
        if not isinstance(rows, Table):
            continue
        age = _age_variable(rows)
        if age is None or not age.type.numeric:
            continue
        is_roster = name != dataset.main
        if mapping is None or mapping.roster != is_roster or mapping.labour is None:
            added[name] = derive_all(rows, age=age.name, children=mapping is None)
            continue
        if is_roster:
            _attach(dataset, rows, mapping)
        added[name] = derive_all(
            rows,
            age=age.name,
            rule_sets=rule_sets or mapping.rule_sets,
            labour=replace(mapping.labour, age=age.name),
            trafficking=None if mapping.trafficking is None else _tip(mapping, age.name),
            children=True,
        )
    return added


def _tip(mapping: InstrumentMapping, age: str) -> TipInputs:
    assert mapping.trafficking is not None
    return replace(mapping.trafficking, age=age)


def _attach(dataset: Dataset, roster: Table, mapping: InstrumentMapping) -> None:
    """Copy interview-level answers a roster row needs (the establishment's industry)."""
    main = dataset.tables.get(dataset.main)
    if not isinstance(main, Table):
        return
    for name in mapping.from_interview:
        if name in roster or name not in main:
            continue
        by_interview: dict[Cell, Cell] = dict(
            zip(main.column("interview_id"), main.column(name), strict=True)
        )
        values = [by_interview.get(key) for key in roster.column("interview_id")]
        roster.add_column(main.variable(name), values)
