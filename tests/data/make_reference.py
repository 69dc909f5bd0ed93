"""Compute the weighted reference numbers with samplics (run once; the output is committed).

    python -m venv /tmp/ref && /tmp/ref/bin/pip install samplics==0.6.1 -e '.[dev]'
    /tmp/ref/bin/python tests/data/make_reference.py

samplics is the reference implementation only: fieldkit does not import it. The cases are
the hand-made survey of ``tests/data/handmade.py``; each case is a 0/1 indicator and a
breakdown, estimated over the whole roster with each domain (children of the breakdown cell
with a known value) as a subpopulation, so every PSU counts in the variance.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CASES = [
    {"variable": "cl_ilo_sna", "by": []},
    {"variable": "cl_ilo_sna", "by": ["sex"]},
    {"variable": "cl_unicef_mics6", "by": ["district"]},
    {"variable": "cl_ilo_gpb", "by": ["age_band_ilo_cl"]},
]


def members_table() -> Any:
    from tests.data.handmade import build_members

    return build_members()


def reference(table: Any, variable: str, by: list[str]) -> list[dict[str, Any]]:
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

    from fieldkit.dataset.table import Special

    y_raw = table.column(variable)
    known = [v is not None and not isinstance(v, Special) for v in y_raw]
    cells = [tuple(table.column(name)[i] for name in by) for i in range(len(y_raw))]
    domains = sorted({cells[i] for i in range(len(y_raw)) if known[i] and cells[i]}, key=str)
    results = []
    for domain in [None, *domains]:
        inside = [known[i] and (domain is None or cells[i] == domain) for i in range(len(y_raw))]
        estimator = TaylorEstimator(PopParam.prop)
        estimator.estimate(
            y=[int(y_raw[i]) if inside[i] else 0 for i in range(len(y_raw))],
            samp_weight=table.column("hh_weight"),
            stratum=table.column("stratum"),
            psu=table.column("cluster"),
            domain=["in" if flag else "out" for flag in inside],
        )
        key = "in"
        results.append(
            {
                "domain": None if domain is None else [str(v) for v in domain],
                "n": sum(inside),
                "proportion": float(estimator.point_est[key][1]),
                "se": float(estimator.stderror[key][1]),
                "ci_low": float(estimator.lower_ci[key][1]),
                "ci_high": float(estimator.upper_ci[key][1]),
                "df": int(estimator.degree_of_freedom),
            }
        )
    return results


def main() -> None:
    import samplics

    table = members_table()
    out = {
        "generated_by": f"samplics {samplics.__version__} TaylorEstimator(PopParam.prop)",
        "design": "stratum=stratum, psu=cluster, weight=hh_weight; domains as subpopulations",
        "cases": [
            {**case, "results": reference(table, case["variable"], case["by"])} for case in CASES
        ],
    }
    target = Path(__file__).resolve().parent / "weighted_reference.json"
    target.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
