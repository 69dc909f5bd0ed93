"""Make the survey CSV for `fieldkit estimate` and its reference numbers (run once; committed).

    python -m venv /tmp/ref && /tmp/ref/bin/pip install samplics==0.6.1 scipy numpy
    /tmp/ref/bin/python tests/data/make_estimate_reference.py

Writes ``estimate_survey.csv`` (a two-stage stratified survey of children: 4 strata, 3 to 5
PSUs each, PSU ids sometimes written 101.0 for 101, some answers missing as NA) and
``estimate_reference.json``: weighted proportions and totals with linearised standard
errors, by domain, computed twice and independently of fieldkit:

- samplics 0.6 ``TaylorEstimator(PopParam.prop)`` with ``domain=`` (each domain a
  subpopulation of the full design, as R's svyby) and ``TaylorEstimator(PopParam.total)`` of
  y times the domain indicator over the full design (the same linearisation; samplics
  cannot take a domain with a zero total, whose coefficient of variation it divides by), and
- a plain NumPy implementation of the textbook formulas (ultimate-cluster variance of the
  linearised scores, n_h / (n_h - 1) per stratum, no fpc).

A record with a missing value is outside every domain (R: na.rm = TRUE). PSU ids are read
as numbers, as R's read.csv does, so 101 and 101.0 are one PSU. fieldkit does not import
samplics, scipy or numpy: the numbers are stored here and the test compares to them.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CSV = HERE / "estimate_survey.csv"
REFERENCE = HERE / "estimate_reference.json"
BANDS = ("5_11", "12_14", "15_17")

# (variable, statistic, breakdown)
CASES: list[tuple[str, str, list[str]]] = [
    ("cl", "proportion", []),
    ("cl", "proportion", ["sex"]),
    ("cl", "proportion", ["age_band"]),
    ("cl", "proportion", ["sex", "age_band"]),
    ("cl", "total", []),
    ("cl", "total", ["sex"]),
    ("cl", "total", ["sex", "age_band"]),
    ("hours", "total", []),
    ("hours", "total", ["region"]),
]


def make_survey() -> None:
    rng = random.Random(20261120)
    rows = []
    for stratum in (1, 2, 3, 4):
        for number in range(rng.randint(3, 5)):
            psu = stratum * 100 + number + 1
            region = "north" if stratum <= 2 else "south"
            for _ in range(rng.randint(6, 14)):
                sex = rng.choice((1, 2))
                band = rng.choice(BANDS)
                weight = round(rng.uniform(40, 400), 3)
                risk = {"5_11": 0.1, "12_14": 0.25, "15_17": 0.4}[band]
                cl: Any = int(rng.random() < risk)
                if band == "5_11" and sex == 2:
                    cl = 0  # a domain with p = 0
                if rng.random() < 0.06:
                    cl = "NA"
                hours: Any = rng.choice((0, 0, 3, 8, 14, 21, 30, 45)) if cl != "NA" else "NA"
                written = f"{psu}.0" if rng.random() < 0.2 else str(psu)
                rows.append([stratum, written, weight, region, sex, band, cl, hours])
    with CSV.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["stratum", "psu", "weight", "region", "sex", "age_band", "cl", "hours"])
        out.writerows(rows)


def load() -> dict[str, list[Any]]:
    with CSV.open(encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    columns: dict[str, list[Any]] = {}
    for name in records[0]:
        columns[name] = [r[name] for r in records]
    columns["psu"] = [int(float(v)) for v in columns["psu"]]
    columns["weight"] = [float(v) for v in columns["weight"]]
    for name in ("cl", "hours"):
        columns[name] = [None if v == "NA" else float(v) for v in columns[name]]
    return columns


def domains(columns: dict[str, list[Any]], by: list[str]) -> list[tuple[str, ...] | None]:
    """The total (None), then every combination of every leading part of ``by``."""
    found: list[tuple[str, ...] | None] = [None]
    for depth in range(1, len(by) + 1):
        keys = {tuple(columns[b][i] for b in by[:depth]) for i in range(len(columns["psu"]))}
        found += sorted(keys)
    return found


def inside(columns: dict[str, list[Any]], variable: str, by: list[str], key: Any) -> list[bool]:
    n = len(columns["psu"])
    return [
        columns[variable][i] is not None
        and (key is None or tuple(columns[b][i] for b in by[: len(key)]) == key)
        for i in range(n)
    ]


def by_numpy(columns: dict[str, list[Any]], y: list[float], mask: list[bool], total: bool):
    import numpy as np

    w = np.array(columns["weight"])
    yy = np.array(y, dtype=float)
    d = np.array(mask, dtype=float)
    strata = np.array([int(s) for s in columns["stratum"]])
    psu = np.array(columns["psu"])
    if total:
        estimate = float(np.sum(w * yy * d))
        z = w * yy * d
    else:
        weight_sum = float(np.sum(w * d))
        estimate = float(np.sum(w * yy * d) / weight_sum)
        z = w * d * (yy - estimate) / weight_sum
    variance = 0.0
    for h in np.unique(strata):
        units = np.unique(psu[strata == h])
        sums = np.array([z[(strata == h) & (psu == u)].sum() for u in units])
        variance += len(units) / (len(units) - 1) * float(np.sum((sums - sums.mean()) ** 2))
    return estimate, float(np.sqrt(variance))


def by_samplics(columns: dict[str, list[Any]], y: list[float], mask: list[bool], total: bool):
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

    estimator = TaylorEstimator(PopParam.total if total else PopParam.prop)
    design = {
        "samp_weight": columns["weight"],
        "stratum": [int(s) for s in columns["stratum"]],
        "psu": columns["psu"],
    }
    try:
        if total:  # a domain total is the full-sample total of y times the domain indicator
            estimator.estimate(y=y, **design)
        else:
            domain = ["in" if m else "out" for m in mask]
            estimator.estimate(y=[int(v) for v in y], domain=domain, **design)
    except ZeroDivisionError:  # samplics divides by a zero total for its coefficient of variation
        return None, None, None, None
    if total:
        return (
            float(estimator.point_est),
            float(estimator.stderror),
            float(estimator.lower_ci),
            float(estimator.upper_ci),
        )
    if 1 not in estimator.point_est["in"]:  # no record counted: p = 0
        return 0.0, float(estimator.stderror["in"][0]), None, None
    return (
        float(estimator.point_est["in"][1]),
        float(estimator.stderror["in"][1]),
        float(estimator.lower_ci["in"][1]),
        float(estimator.upper_ci["in"][1]),
    )


def case(columns: dict[str, list[Any]], variable: str, statistic: str, by: list[str]):
    total = statistic == "total"
    results = []
    for key in domains(columns, by):
        mask = inside(columns, variable, by, key)
        y = [
            v if (v is not None and m) else 0.0
            for v, m in zip(columns[variable], mask, strict=False)
        ]
        estimate, se = by_numpy(columns, y, mask, total)
        found = by_samplics(columns, y, mask, total)
        results.append(
            {
                "domain": None if key is None else list(key),
                "n": sum(mask),
                "numpy": {"estimate": estimate, "se": se},
                "samplics": dict(zip(("estimate", "se", "ci_low", "ci_high"), found, strict=False))
                if found[0] is not None
                else None,
            }
        )
    return {"variable": variable, "statistic": statistic, "by": by, "results": results}


def main() -> None:
    import samplics

    make_survey()
    columns = load()
    out = {
        "generated_by": f"samplics {samplics.__version__} TaylorEstimator; NumPy textbook "
        "formulas (make_estimate_reference.py)",
        "design": "stratum=stratum, psu=psu, weight=weight; domains as subpopulations; "
        "records with NA outside every domain",
        "df": len({(s, p) for s, p in zip(columns["stratum"], columns["psu"], strict=False)})
        - len(set(columns["stratum"])),
        "cases": [case(columns, *c) for c in CASES],
    }
    REFERENCE.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
