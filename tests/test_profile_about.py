"""The About sheet of a workbook with profiles or routes says which results are descriptive
only, with the protocol's caution (fieldkit export, profile --xlsx, routes --xlsx)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from fieldkit.cli import app
from fieldkit.demo.journey import DemoResult
from tests.conftest import REPO


def _caution(protocol: str) -> str:
    data = yaml.safe_load((REPO / "protocols" / protocol).read_text(encoding="utf-8"))
    text: str = data["caution"]["en"]
    return text


def _about(demo: DemoResult, tmp_path: Path, *args: str) -> tuple[dict[str, str], list[str]]:
    assert demo.store is not None
    store = tmp_path / "hq.sqlite"
    shutil.copyfile(demo.store, store)
    book = tmp_path / "out.xlsx"
    base = ["--store", str(store), "--project", str(REPO), "--xlsx", str(book)]
    result = CliRunner().invoke(app, [*args, *base])
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(book, read_only=True)
    about = {str(k): str(v) for k, v, *_ in workbook["About"].iter_rows(values_only=True)}
    titles = [str(row[0]) for row in workbook["Tables"].iter_rows(values_only=True) if row[0]]
    sheets = list(workbook.sheetnames)
    workbook.close()
    assert sheets == ["About", "Codebook", "Tables"] or args[0] == "export"
    return about, titles


@pytest.mark.parametrize(
    ("args", "protocol", "results"),
    [
        (("routes", "-i", "street_cl"), "rapid_assessment.yaml", "routes"),
        (("profile", "-i", "street_cl"), "rapid_assessment.yaml", "vulnerability profiles"),
        (("export", "-i", "rapid_assessment_cl"), "rapid_assessment.yaml", "points of vuln"),
        (("export", "-i", "establishment_cl"), "workplace_school_surveys.yaml", "routes"),
    ],
)
def test_non_representative_results_are_marked_descriptive_only(
    demo: DemoResult, tmp_path: Path, args: tuple[str, ...], protocol: str, results: str
) -> None:
    about, titles = _about(demo, tmp_path, *args)
    note = about["Descriptive only"]
    assert results in note and _caution(protocol) in note
    assert about["Representative"].startswith("no")
    if args[0] == "routes":
        assert any("Routes: children by origin" in title for title in titles)


def test_a_representative_survey_says_which_results_are_counts(
    demo: DemoResult, tmp_path: Path
) -> None:
    about, titles = _about(demo, tmp_path, "profile", "-i", "household_cl", "--by", "sex")
    assert "Descriptive only" not in about
    assert about["Vulnerability profiles"] == "weighted shares and ratios, 95% CIs"
    assert "routes" in about["Counts, not estimates"]
    assert about["Release profile"] == "restricted"
    assert titles  # the published tables are in the workbook


def test_a_bad_xlsx_target_is_refused_before_anything_is_published(
    demo: DemoResult, tmp_path: Path
) -> None:
    assert demo.store is not None
    store = tmp_path / "hq.sqlite"
    shutil.copyfile(demo.store, store)

    def ledger() -> int:
        with sqlite3.connect(store) as db:
            (count,) = db.execute("select count(*) from release_ledger").fetchone()
        return int(count)

    before = ledger()
    target = tmp_path / "missing-folder" / "out.xlsx"
    args = ["routes", "-i", "household_cl", "--store", str(store), "--project", str(REPO)]
    result = CliRunner().invoke(app, [*args, "--xlsx", str(target)])
    assert result.exit_code != 0 and not target.exists()
    assert ledger() == before  # nothing published for a workbook that could not be written
