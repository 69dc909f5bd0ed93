"""Weighted estimates for every row of a breakdown (cells, subtotals, age-scheme totals and
the total) against a record-by-record computation of the same formulas, on made-up surveys
with unknown answers, don't-know and refused codes, unweighted records without an answer,
PSUs written as 3 and 3.0 (one PSU), and domains that miss whole PSUs or strata."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import replace

import pytest

from fieldkit.dataset import DatasetError, StudyInfo
from fieldkit.dataset.table import Cell, Special, Table, Variable, VarType
from fieldkit.indicators.agebands import add_age_band
from fieldkit.instrument.form import SampleDesign
from fieldkit.stats import estimate_proportion
from fieldkit.stats.breakdown import MISSING, Row, breakdown
from fieldkit.stats.estimate import EstimateTable
from fieldkit.stats.student import t_quantile
from tests.data.handmade import compile_form

YES_NO: dict[Cell, dict[str, str]] = {1: {"en": "Yes"}, 2: {"en": "No"}}
ANSWERS: list[Cell] = [1, 1, 2, 2, 2, None, Special.DONT_KNOW, Special.REFUSED]


def _study(stratum: str | None = "district") -> StudyInfo:
    design = SampleDesign(psu="cluster", weight="weight", stratum=stratum)
    return replace(StudyInfo.from_form(compile_form()), sample_design=design)


def _survey(seed: int) -> Table:
    """Strata of 2 to 4 PSUs; the answer is unknown for some, who may have no weight."""
    rng = random.Random(seed)
    table = Table(
        "people",
        [
            Variable("district", {"en": "District"}, VarType.CODE, {"n": {"en": "North"}}),
            Variable("cluster", {"en": "Cluster"}, VarType.INTEGER),
            Variable("weight", {"en": "Weight"}, VarType.DECIMAL),
            Variable("sex", {"en": "Sex"}, VarType.CODE, {1: {"en": "M"}, 2: {"en": "F"}}),
            Variable("age", {"en": "Age"}, VarType.INTEGER),
            Variable("works", {"en": "Works"}, VarType.CODE, YES_NO),
        ],
    )
    cluster = 0
    for district in ("n", "s", "e"):
        for _ in range(rng.randint(2, 4)):
            cluster += 1
            # the same PSU number written as an int and as a float: one PSU
            psu: Cell = float(cluster) if rng.random() < 0.2 else cluster
            for _ in range(rng.randint(1, 6)):
                answer = rng.choice(ANSWERS)
                weight: Cell = round(rng.uniform(0.5, 300), 2)
                sex = rng.choice([1, 2, 2, None, Special.DONT_KNOW])
                if answer is None or isinstance(answer, Special):
                    weight = rng.choice([weight, 0.0, None])
                    sex = rng.choice([sex, 3])  # 3: a category with no known answer, no row
                table.append([district, psu, weight, sex, rng.randint(5, 17), answer])
    add_age_band(table, "ilo_cl")
    return table


def _by_hand(
    table: Table, variable: str, by: list[str], study: StudyInfo, row: Row
) -> tuple[int, int, float | None, float | None, float | None, float | None]:
    """n, hits, p, se, ci_low, ci_high of one row, from the formulas record by record."""
    design = study.sample_design
    assert design is not None
    n_records = table.n_rows
    stratum = table.column(design.stratum) if design.stratum else [None] * n_records
    units = [(_id(s), _id(p)) for s, p in zip(stratum, table.column(design.psu), strict=True)]
    strata: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for unit in units:
        strata[unit[0]].add(unit)
    df = sum(len(found) for found in strata.values()) - len(strata)
    y = table.column(variable)
    weight = [
        float(w) if isinstance(w, int | float) else math.nan for w in table.column(design.weight)
    ]

    def stated(value: Cell) -> Cell:
        return MISSING if value is None or isinstance(value, Special) else value

    inside = [
        i
        for i in range(n_records)
        if y[i] is not None
        and not isinstance(y[i], Special)
        and row.covers([stated(table.column(name)[i]) for name in by])
    ]
    if not inside:
        return (0, 0, None, None, None, None)
    total = sum(weight[i] for i in inside)
    hits = [i for i in inside if y[i] == 1]
    p = sum(weight[i] for i in hits) / total
    score = dict.fromkeys(units, 0.0)
    for i in inside:
        score[units[i]] += weight[i] * ((1.0 if y[i] == 1 else 0.0) - p) / total
    variance = 0.0
    for found in strata.values():
        mean = sum(score[u] for u in found) / len(found)
        spread = sum((score[u] - mean) ** 2 for u in found)
        variance += len(found) / (len(found) - 1) * spread
    se = math.sqrt(variance)
    if p in (0.0, 1.0):  # Korn-Graubard with the domain's records as effective size
        n = len(inside)
        size = n * (t_quantile(0.975, n - 1) / t_quantile(0.975, df)) ** 2 if n > 1 else n
        edge = 0.025 ** (1 / size)
        return (n, len(hits), p, se, *((0.0, 1 - edge) if p == 0 else (edge, 1.0)))
    half = t_quantile(0.975, df) * se / (p * (1 - p))
    centre = math.log(p / (1 - p))
    low, high = (1 / (1 + math.exp(-(centre + d))) for d in (-half, half))
    return (len(inside), len(hits), p, se, low, high)


def _id(cell: Cell) -> str:
    """A unit id as text, whole numbers without a decimal part (3 and 3.0 are one PSU)."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _assert_by_hand(result: EstimateTable, table: Table, by: list[str], study: StudyInfo) -> None:
    for row, estimate in zip(result.rows, result.estimates, strict=True):
        n, hits, *rest = _by_hand(table, "works", by, study, row)
        assert (estimate.n, estimate.hits) == (n, hits), row.labels
        found = (estimate.proportion, estimate.se, estimate.ci_low, estimate.ci_high)
        for got, want in zip(found, rest, strict=True):
            assert (got is None) == (want is None), row.labels
            if want is not None:
                assert got == pytest.approx(want, rel=1e-12, abs=1e-15), row.labels


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    "by", [[], ["sex"], ["district", "sex"], ["sex", "age_band_ilo_cl"], ["district"]]
)
def test_every_row_matches_the_formulas_record_by_record(seed: int, by: list[str]) -> None:
    table = _survey(seed)
    study = _study()
    result = estimate_proportion(table, "works", by, study=study, threshold=0)
    known = [v is not None and not isinstance(v, Special) for v in table.column("works")]
    scanned = breakdown(table, by, "en", known)  # categories read from the table itself
    assert [r.key for r in result.rows] == [r.key for r in scanned.rows]
    _assert_by_hand(result, table, by, study)


def test_without_strata_all_psus_are_one_stratum() -> None:
    table = _survey(3)
    study = _study(stratum=None)
    result = estimate_proportion(table, "works", ["sex"], study=study, threshold=0)
    assert result.n_strata == 1
    _assert_by_hand(result, table, ["sex"], study)


def test_psu_3_and_3_0_are_one_psu() -> None:
    table = _survey(0)
    cluster = [int(c) for c in table.column("cluster")]  # type: ignore[arg-type]
    assert len({c for c, d in zip(cluster, table.column("district"), strict=True) if d == "n"}) > 2
    table.add_column(table.variable("cluster"), cluster)
    apart = estimate_proportion(table, "works", study=_study(), threshold=0)
    table.add_column(table.variable("cluster"), [2.0 if c == 2 else c for c in cluster])
    written_apart = estimate_proportion(table, "works", study=_study(), threshold=0)
    _assert_by_hand(written_apart, table, [], _study())
    assert written_apart.n_psu == apart.n_psu  # 2 and 2.0: the same PSU
    assert written_apart.estimates[0].se == apart.estimates[0].se
    table.add_column(table.variable("cluster"), ["1" if c in (1, 2) else c for c in cluster])
    together = estimate_proportion(table, "works", study=_study(), threshold=0)
    assert apart.n_psu == together.n_psu + 1  # 1 and "1": one PSU


def test_a_known_answer_needs_a_positive_weight() -> None:
    table = _survey(1)
    works, weight = table.column("works"), list(table.column("weight"))
    first_known = next(i for i, v in enumerate(works) if v in (1, 2))
    weight[first_known] = 0.0
    table.add_column(table.variable("weight"), weight)
    with pytest.raises(DatasetError, match=f"record {first_known + 1} has no positive") as caught:
        estimate_proportion(table, "works", study=_study())
    assert caught.value.code == "FK-DATA-008"
