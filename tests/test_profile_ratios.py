"""Ratios of weighted shares (vulnerability profiles) against an independent reference.

There is no R here, so the reference is the textbook linearisation written again in NumPy
below (dense per-record influence values, PSU totals by a sort, scipy's t quantile), on the
committed survey file of ``tests/data/make_estimate_reference.py``. In R the same numbers
come from::

    library(survey)
    x <- read.csv("tests/data/estimate_survey.csv")          # psu 101.0 reads as 101
    d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = x)
    m <- svyby(~cl, ~sex, d, svymean, na.rm = TRUE, covmat = TRUE)
    r <- svycontrast(m, quote(log(`2` / `1`)))
    exp(coef(r)); exp(confint(r, df = degf(d)))               # ratio and its 95% interval
    SE(r) * exp(coef(r))                                      # the ratio's SE

``svyby(..., na.rm = TRUE)`` keeps every PSU in the variance (a domain is a subpopulation),
as the NumPy reference does by summing z over all PSUs of the file.
"""

from __future__ import annotations

import csv
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Variable, VarType
from fieldkit.instrument.form import SampleDesign
from fieldkit.stats.csvfile import csv_study, read_survey
from fieldkit.stats.ratios import RatioTable, estimate_ratios
from tests.data import make_estimate_reference as ref

DESIGN = SampleDesign(psu="psu", weight="weight", stratum="stratum")


def _file() -> dict[str, np.ndarray[Any, Any]]:
    with ref.CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cl = [row["cl"] for row in rows]
    return {
        "stratum": np.array([row["stratum"] for row in rows]),
        "psu": np.array([str(int(float(row["psu"]))) for row in rows]),
        "weight": np.array([float(row["weight"]) for row in rows]),
        "known": np.array([v != "NA" for v in cl]),
        "y": np.array([0.0 if v == "NA" else float(v) for v in cl]),
        "sex": np.array([row["sex"] for row in rows]),
        "age_band": np.array([row["age_band"] for row in rows]),
        "region": np.array([row["region"] for row in rows]),
    }


def numpy_ratio(by: str, group: str, reference: str) -> dict[str, float]:
    """RR of cl = 1 in ``group`` over ``reference`` with its log-scale 95% interval."""
    x = _file()
    w, y = x["weight"], x["y"]

    def share_and_influence(name: str) -> tuple[float, np.ndarray[Any, Any]]:
        inside = (x[by] == name) & x["known"]
        total = float(np.sum(w * inside))
        p = float(np.sum(w * y * inside)) / total
        return p, w * inside * (y - p) / total

    p_g, s_g = share_and_influence(group)
    p_r, s_r = share_and_influence(reference)
    z = s_g / p_g - s_r / p_r
    variance = 0.0
    n_psu = 0
    for stratum in np.unique(x["stratum"]):
        in_stratum = x["stratum"] == stratum
        psus = np.unique(x["psu"][in_stratum])
        totals = np.array([np.sum(z[in_stratum & (x["psu"] == psu)]) for psu in psus])
        n = len(psus)
        n_psu += n
        variance += n / (n - 1) * float(np.sum((totals - totals.mean()) ** 2))
    df = n_psu - len(np.unique(x["stratum"]))
    se_log = math.sqrt(variance)
    ratio = p_g / p_r
    t = float(scipy_stats.t.ppf(0.975, df))
    return {
        "ratio": ratio,
        "se": ratio * se_log,
        "low": math.exp(math.log(ratio) - t * se_log),
        "high": math.exp(math.log(ratio) + t * se_log),
    }


def _ratios(by: str, reference: str | None) -> RatioTable:
    table = read_survey(ref.CSV, ["cl", by, "stratum", "psu", "weight"])
    study = csv_study(ref.CSV, DESIGN)
    return estimate_ratios(table, "cl", by, study=study, reference=_code(reference))


def _code(text: str | None) -> int | str | None:
    return int(text) if text is not None and text.isdigit() else text


CASES = [("sex", "2", "1"), ("region", "south", "north"), ("age_band", "15_17", "12_14")]


@pytest.mark.parametrize(("by", "group", "reference"), CASES)
def test_ratio_and_interval_equal_the_numpy_linearisation(
    by: str, group: str, reference: str
) -> None:
    result = _ratios(by, reference)
    want = numpy_ratio(by, group, reference)
    rows = {str(row.key[0]): i for i, row in enumerate(result.rows) if row.kind == "cell"}
    got = result.ratios[rows[group]]
    assert got is not None
    for name, value in (("ratio", got.value), ("se", got.se), ("low", got.ci_low)):
        assert math.isclose(value, want[name], rel_tol=1e-9), name
    assert math.isclose(got.ci_high, want["high"], rel_tol=1e-9)
    assert result.ratios[rows[reference]] is None  # the reference itself
    assert result.reference == rows[reference]
    assert result.ratios[-1] is None  # the total row has no ratio


def test_a_group_whose_share_is_zero_has_no_ratio() -> None:
    """5-11 girls never have the outcome in this file: log 0 has no interval."""
    table = read_survey(ref.CSV, ["cl", "sex", "age_band", "stratum", "psu", "weight"])
    groups = [
        f"{s}_{a}" for s, a in zip(table.column("sex"), table.column("age_band"), strict=True)
    ]
    table.add_column(Variable("group", {"en": "sex and band"}, VarType.TEXT), groups)
    result = estimate_ratios(
        table, "cl", "group", study=csv_study(ref.CSV, DESIGN), reference="1_5_11"
    )
    rows = {str(row.key[0]): i for i, row in enumerate(result.rows) if row.kind == "cell"}
    assert result.estimates[rows["2_5_11"]].proportion == 0.0
    assert result.ratios[rows["2_5_11"]] is None
    assert result.ratios[rows["2_15_17"]] is not None


def test_the_default_reference_is_the_largest_group() -> None:
    result = _ratios("age_band", None)
    cells = [i for i, row in enumerate(result.rows) if row.kind == "cell"]
    largest = max(cells, key=lambda i: result.estimates[i].n)
    assert result.reference == largest


def test_an_unknown_reference_group_names_the_groups() -> None:
    with pytest.raises(DatasetError) as caught:
        _ratios("sex", "3")
    assert caught.value.code == "FK-DATA-060"
    assert "1, 2" in (caught.value.hint or "")
