"""fieldkit profile on the demo study: vulnerability profiles through the release."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fieldkit.cli import app, run
from fieldkit.demo.journey import DemoResult
from fieldkit.profiles import CAUTION
from fieldkit.stats.ratios import Ratio, RatioTable
from tests.conftest import REPO


def _store(demo: DemoResult, tmp_path: Path) -> str:
    assert demo.store is not None
    copy = tmp_path / "hq.sqlite"
    shutil.copyfile(demo.store, copy)  # the ledger records what is printed: not the shared one
    return str(copy)


def _profile(store: str, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["profile", "--store", store, "--project", str(REPO), *args, "--json"]
    )
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.output)
    return found


def test_household_profile_gives_weighted_shares_and_ratios(
    demo: DemoResult, tmp_path: Path
) -> None:
    store = _store(demo, tmp_path)
    found = _profile(
        store, "-i", "household_cl", "--outcome", "cl_ilo_sna", "--by", "sex", "--reference",
        "sex=1",
    )  # fmt: skip
    [table] = found["tables"]
    header = table[1]
    assert header[:2] == ["sex", "n"]
    assert header[6:] == ["Ratio to Male", "Ratio 95% CI low", "Ratio 95% CI high"]
    rows = {line[0]: line for line in table[2:] if len(line) == len(header)}
    male, female = rows["Male"], rows["Female"]
    assert male[6] == 1.0  # the reference
    if "x" in (male[2], female[2]):  # a ratio rests on both shares: withheld with either
        assert female[6:] == ["x", "x", "x"]
    else:
        assert abs(female[6] - female[2] / male[2]) < 1e-9
        assert female[7] < female[6] < female[8]
    for item in found["ranking"]:
        assert item["characteristic"] == "sex" and item["reference"] == "Male"


def test_the_default_characteristics_are_those_the_instrument_has(
    demo: DemoResult, tmp_path: Path
) -> None:
    found = _profile(_store(demo, tmp_path), "-i", "household_cl", "--outcome", "cl_ilo_sna")
    titles = [table[0][0] for table in found["tables"]]
    for name in ("sex", "age_band_ilo_cl", "birthplace", "hh_children_band", "school_status"):
        assert any(title.endswith(f"by {name}: weighted share and ratio") for title in titles)


def test_a_street_survey_gets_counts_and_the_caution(demo: DemoResult, tmp_path: Path) -> None:
    found = _profile(_store(demo, tmp_path), "-i", "street_cl", "--outcome", "cl_ilo_sna")
    assert found["tables"]
    for table in found["tables"]:
        assert table[1][-1].endswith("(%)")  # counts with row percentages, no ratio
        notes = [line[0] for line in table if len(line) == 1]
        assert CAUTION in notes
    for item in found["ranking"]:
        assert item["ci_low"] is None  # no interval where nothing is estimated


def test_a_ratio_is_withheld_with_either_share(demo: DemoResult, tmp_path: Path) -> None:
    table = RatioTable(
        title="t", variable="y", by=("sex",), rows=[], estimates=[], df=1, n_psu=2,
        n_strata=1, threshold=5, method="", reference=0,
        ratios=[None, Ratio(2.0, 0.1, 1.5, 2.5)],
    )  # fmt: skip
    from fieldkit.stats.estimate import Estimate

    table.estimates = [Estimate(10, 5, 0.5, 0.1, 0.3, 0.7), Estimate(10, 8, 0.8, 0.1, 0.5, 0.9)]
    assert isinstance(table.shown_ratio(1), Ratio)
    table.estimates[0].hidden = True  # the reference's share
    assert table.shown_ratio(1) == "x"
    table.estimates[0].hidden = False
    table.estimates[1].hidden = True
    assert table.shown_ratio(1) == "x"


def test_a_reference_group_that_does_not_exist_is_one_line(
    demo: DemoResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _store(demo, tmp_path)
    args = ["profile", "--store", store, "--project", str(REPO), "-i", "household_cl"]
    assert run([*args, "--by", "sex", "--reference", "sex=7"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "FK-DATA-060" in line
    assert "1, 2" in line
