"""Child labour by published, versioned rule sets, and work/school status, as table columns.

Every rule reads one child's record, built by a :class:`LabourInputs` mapping (which
question feeds which input), and answers 1, 0, or missing. Children outside 5-17 get no
value. Each output's codebook entry cites its source and states its don't-know treatment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fieldkit.dataset.table import Cell, Table, Variable, VarType
from fieldkit.indicators.labour_inputs import LabourInputs, child_record
from fieldkit.indicators.labour_rules import Child, Tri, work_school
from fieldkit.indicators.rulesets import RULE_SETS, Output, RuleSet, rule_set

__all__ = [
    "RULE_SETS",
    "YES_NO_LABELS",
    "Child",
    "LabourInputs",
    "RuleSet",
    "add_child_labour",
    "add_work_school",
    "child_record",
    "rule_set",
]

YES_NO_LABELS: Mapping[Cell, Mapping[str, str]] = {
    1: {"en": "Yes", "fr": "Oui"},
    0: {"en": "No", "fr": "Non"},
}


def add_child_labour(
    table: Table,
    rule_sets: Sequence[str | RuleSet] = ("ilo_icls18_sna",),
    inputs: LabourInputs | None = None,
) -> list[Variable]:
    """Add each rule set's indicators (0/1, missing when unknown) to a table of children."""
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
        f"Don't know: {output.dont_know}. {mapping.describe()}.",
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
