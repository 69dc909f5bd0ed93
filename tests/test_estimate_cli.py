"""fieldkit estimate on a CSV survey file: the same engine as tables --weighted, checked
against reference numbers computed independently (samplics, and plain NumPy formulas) by
tests/data/make_estimate_reference.py, to 1e-9."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fieldkit.cli import app, main
from fieldkit.instrument.form import SampleDesign
from fieldkit.stats.csvfile import estimate_csv
from fieldkit.stats.estimate import korn_graubard_bound
from tests.data import make_estimate_reference as ref

REFERENCE = json.loads(ref.REFERENCE.read_text(encoding="utf-8"))
DESIGN = ["--strata", "stratum", "--psu", "psu", "--weight", "weight"]


def _estimate(*args: str) -> list[list[Any]]:
    result = CliRunner().invoke(app, ["estimate", str(ref.CSV), *args, *DESIGN, "--json"])
    assert result.exit_code == 0, result.output
    lines: list[list[Any]] = json.loads(result.output)
    return lines


def _rows(lines: list[list[Any]], depth: int) -> dict[tuple[str, ...] | None, list[Any]]:
    """Published rows by domain key: ("1", "All") is sex 1, ("Total", "Total") the total."""
    found: dict[tuple[str, ...] | None, list[Any]] = {}
    for line in lines[2:]:
        if len(line) != max(depth, 1) + 5:
            continue  # a note
        labels = tuple(str(v) for v in line[: max(depth, 1)])
        if labels[0] == "Total":
            found[None] = line[max(depth, 1) :]
        else:
            found[tuple(v for v in labels if v != "All")] = line[max(depth, 1) :]
    return found


def _close(got: float, want: float) -> bool:
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)


def _computed(case: dict[str, Any]) -> dict[tuple[str, ...] | None, list[Any]]:
    """The library's estimates before a release protects them (nothing withheld)."""
    design = SampleDesign(psu="psu", weight="weight", stratum="stratum")
    total = case["statistic"] == "total"
    _, tables = estimate_csv(ref.CSV, [case["variable"]], case["by"], design, total=total)
    scale = tables[0].scale
    found: dict[tuple[str, ...] | None, list[Any]] = {}
    for row, e in zip(tables[0].rows, tables[0].estimates, strict=True):
        key = None if row.kind == "total" else tuple(str(k) for k in row.key if k is not None)
        found[key] = [e.n, *(scale * v for v in (e.value, e.se, e.ci_low, e.ci_high))]
    return found


@pytest.mark.parametrize(
    "case",
    REFERENCE["cases"],
    ids=[
        f"{c['statistic']}-{c['variable']}-{'x'.join(c['by']) or 'all'}" for c in REFERENCE["cases"]
    ],
)
def test_estimates_equal_the_reference_to_1e9(case: dict[str, Any]) -> None:
    by = [arg for name in case["by"] for arg in ("--by", name)]
    total = ["--total"] if case["statistic"] == "total" else []
    lines = _estimate("--var", case["variable"], *by, *total, "--threshold", "0")
    scale = 100.0 if case["statistic"] == "proportion" else 1.0
    published = _rows(lines, len(case["by"]))
    computed = _computed(case)
    assert len(published) == len(computed) == len(case["results"])
    for result in case["results"]:
        key = None if result["domain"] is None else tuple(result["domain"])
        if published[key][1] == "x":
            # with no threshold a release still hides a share of 0% or 100% (and a total
            # of 0): it tells every child's answer in the group; the library has it
            assert result["numpy"]["estimate"] in (0.0, 1.0) and computed[key][1] in (0, scale)
        else:
            assert published[key] == computed[key]
        n, value, se, low, high = computed[key]
        assert n == result["n"], key
        for source in ("numpy", "samplics"):
            want = result[source]
            if want is None:
                continue  # samplics cannot take a domain whose total is 0
            assert _close(value / scale, want["estimate"]), (key, source)
            assert _close(se / scale, want["se"]), (key, source)
        sampled = result["samplics"]
        if sampled is not None and sampled["ci_low"] is not None and 0 < value < 100 * scale:
            assert _close(low / scale, sampled["ci_low"]), key
            assert _close(high / scale, sampled["ci_high"]), key


def test_a_proportion_of_0_gets_an_informative_interval() -> None:
    case = REFERENCE["cases"][3]
    zero = next(r for r in case["results"] if r["domain"] == ["2", "5_11"])
    _n, value, se, low, high = _computed(case)[("2", "5_11")]
    assert (value, se, low) == (0.0, 0.0, 0.0)
    expected = korn_graubard_bound(0.0, zero["n"], REFERENCE["df"], 0.05)[1]
    assert _close(high / 100, expected) and high > 5  # not the zero-width [0, 0]
    # published, the 0% would tell that no girl aged 5-11 works: the release hides it
    published = _rows(_estimate("--var", "cl", "--by", "sex", "--by", "age_band"), 2)
    assert published[("2", "5_11")][1:] == ["x", "x", "x", "x"]


def test_estimate_and_tables_weighted_share_their_shape() -> None:
    lines = _estimate("--var", "cl", "--by", "sex")
    assert lines[0] == ["Table 1. cl"]
    assert lines[1] == ["sex", "n", "%", "SE (% points)", "95% CI low (%)", "95% CI high (%)"]
    notes = [line[0] for line in lines if len(line) == 1]
    assert any("df = #PSU - #strata = 12 of the full design" in str(n) for n in notes)
    totals = _estimate("--var", "cl", "--var", "hours", "--total")
    assert totals[0] == ["Table 1. cl: weighted total"]
    assert ["Table 2. hours: weighted total"] in totals
    notes = [str(line[0]) for line in totals if len(line) == 1]
    assert any(
        "a total resting on fewer than 5 records (in the domain, or with or" in n for n in notes
    )
    assert any("(in the domain, or with a non-zero amount)" in n for n in notes)  # hours


def test_small_domains_are_withheld_as_in_published_tables() -> None:
    lines = _estimate("--var", "cl", "--by", "sex", "--by", "age_band", "--threshold", "20")
    published = _rows(lines, 2)
    assert published[("2", "5_11")][1:] == ["x", "x", "x", "x"]  # 18 records < 20
    assert all(v != "x" for v in published[None])


def _fieldkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from fieldkit.cli import main; main()", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def _survey(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = "stratum,psu,weight,cl\n1,1,10,1\n1,2,5,0\n2,3,7,1\n2,4,9,0\n"


MISTAKES = [
    (None, [], "FK-DATA-033", "cannot read"),
    ("", [], "FK-DATA-033", "is empty"),
    ("stratum,psu,weight,cl\n1,1,10\n", [], "FK-DATA-033", "line 2 has 3 fields"),
    (GOOD, ["--by", "sexe"], "FK-DATA-034", "no column 'sexe'"),
    (GOOD.replace("1,2,5,0", "1,2,nan,0"), [], "FK-DATA-031", "line 3 has weight nan"),
    (GOOD.replace("2,3,7,1", "2,3,inf,1"), [], "FK-DATA-031", "line 4 has weight inf"),
    (GOOD.replace("2,4,9,0", "2,4,9,yes"), ["--total"], "FK-DATA-032", "'yes' is not a number"),
    (
        "stratum,psu,weight,cl,cl\n1,1,10,1,0\n1,2,5,0,0\n2,3,7,1,1\n2,4,9,0,1\n",
        [],
        "FK-DATA-034",
        "2 columns named 'cl'",
    ),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m[2] + "-" + m[3] for m in MISTAKES])
def test_mistakes_give_one_line_and_a_code(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mistake: tuple[str | None, list[str], str, str],
) -> None:
    text, args, code, says = mistake
    path = tmp_path / "absent.csv" if text is None else _survey(tmp_path, text)
    monkeypatch.setattr(sys, "argv", ["fieldkit", "estimate", str(path), "--var", "cl"])
    monkeypatch.setattr(sys, "argv", [*sys.argv, *DESIGN, *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and code in lines[0] and says in lines[0], lines


def test_a_nan_weight_stops_the_real_command_with_one_line(tmp_path: Path) -> None:
    path = _survey(tmp_path, GOOD.replace("1,2,5,0", "1,2,NaN,0"))
    result = _fieldkit("estimate", str(path), "--var", "cl", *DESIGN)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"error: {path}: FK-DATA-031 line 3 has weight nan: not a finite number (fix weight "
        "for that record; NaN and infinite weights would publish 'nan')"
    ]


def test_psu_101_and_101_0_are_one_psu(tmp_path: Path) -> None:
    text = "stratum,psu,weight,cl\n1,101,10,1\n1,101.0,5,0\n1,102,7,1\n1,102,9,0\n"
    lines = json.loads(
        CliRunner()
        .invoke(app, ["estimate", str(_survey(tmp_path, text)), "--var", "cl", *DESIGN, "--json"])
        .output
    )
    assert any("df = #PSU - #strata = 1 " in str(line[0]) for line in lines if len(line) == 1)


def test_a_total_of_amounts_is_not_withheld_for_few_zeros(tmp_path: Path) -> None:
    rows = "".join(f"{1 + i // 4},{i // 2},10,{0 if i == 0 else 5 + i}\n" for i in range(8))
    path = _survey(tmp_path, "stratum,psu,weight,hours\n" + rows)
    args = ["estimate", str(path), "--var", "hours", *DESIGN, "--total", "--threshold", "3"]
    lines = json.loads(CliRunner().invoke(app, [*args, "--json"]).output)
    total = next(line for line in lines if line and line[0] == "Total")
    assert total[1:3] == [8, 10.0 * sum(5 + i for i in range(1, 8))]  # one zero among 8: shown


def test_a_total_of_0_hours_is_hidden_and_cannot_be_worked_out(tmp_path: Path) -> None:
    # no child in the south worked: a total of 0 would say so, and so would Total - north
    rows = [f"{1 + i % 2},{i % 4},{10 + i},north,{3 + i}\n" for i in range(12)]
    rows += [f"{1 + i % 2},{i % 4},{10 + i},south,0\n" for i in range(12)]
    path = _survey(tmp_path, "stratum,psu,weight,region,hours\n" + "".join(rows))
    args = ["estimate", str(path), "--var", "hours", "--by", "region", *DESIGN, "--total"]
    published = _rows(json.loads(CliRunner().invoke(app, [*args, "--json"]).output), 1)
    assert published[("south",)][1] == "x"
    assert "x" in (published[("north",)][1], published[None][1])
    assert published[("south",)][0] == 12  # how many answered is no secret
