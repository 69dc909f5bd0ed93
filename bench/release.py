"""A generated release for the ``release`` stage: children over districts, so that many
cells are small, tabulated as a statistician publishes them (child labour and trafficking
by sex x age band and by district), with the record-level layout the tables need."""

from __future__ import annotations

import random

from fieldkit.dataset import Dataset, StudyInfo, Table, Variable, VarType
from fieldkit.dataset.table import Cell, Text
from fieldkit.instrument.schema import DisaggregationRole
from fieldkit.stats import Crosstab, EstimateTable, crosstab

SIZES = {"tiny": (300, 10), "small": (1_200, 30), "national": (6_000, 150)}
"""children, districts"""

_YES_NO = {1: {"en": "Yes"}, 0: {"en": "No"}}


def _variables(districts: int) -> list[Variable]:
    def code(
        name: str, labels: dict[Cell, Text], role: DisaggregationRole | None = None
    ) -> Variable:
        return Variable(name, {"en": name}, VarType.CODE, labels, role=role)

    return [
        code("sex", {1: {"en": "Male"}, 2: {"en": "Female"}}, DisaggregationRole.SEX),
        code(
            "age_band",
            {"5_11": {"en": "5-11"}, "12_14": {"en": "12-14"}, "15_17": {"en": "15-17"}},
            DisaggregationRole.AGE,
        ),
        code("district", {f"d{i:03}": {"en": f"District {i}"} for i in range(districts)}),
        code("child_labour", _YES_NO),
        code("trafficked", _YES_NO),
    ]


def generated(size: str, seed: int = 2027) -> Dataset:
    children, districts = SIZES[size]
    rng = random.Random(seed)
    table = Table("members", _variables(districts))
    names = [f"d{i:03}" for i in range(districts)]
    for _ in range(children):
        table.append(
            (
                rng.choice([1, 2]),
                rng.choice(["5_11", "12_14", "15_17"]),
                rng.choice(names),
                int(rng.random() < 0.4),
                int(rng.random() < 0.2),
            )
        )
    study = StudyInfo(
        title={"en": "bench"},
        protocol_id="bench",
        form_id="bench",
        form_title={"en": "bench"},
        form_version="1",
        form_hash="0" * 64,
        kind="household",
        data_use_statement={"en": "bench"},
        methodology={"en": "bench"},
    )
    return Dataset(study, "en", {table.name: table}, main=table.name)


def tables(dataset: Dataset) -> list[Crosstab | EstimateTable]:
    rows = dataset.table(dataset.main)
    study = dataset.study
    return [
        crosstab(rows, "child_labour", ["sex", "age_band"], study=study),
        crosstab(rows, "child_labour", ["district", "sex"], study=study),
        crosstab(rows, "trafficked", ["sex", "age_band"], study=study),
        crosstab(rows, "trafficked", ["district"], study=study),
    ]
