"""The demo: the whole journey, from YAML to Excel, as a newcomer first sees it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from fieldkit.demo.journey import DemoResult, run_demo
from tests.conftest import REPO


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    out = tmp_path_factory.mktemp("demo") / "out"
    return run_demo(out, REPO, per_district=4)


def test_the_merge_catches_what_went_wrong_in_the_field(demo: DemoResult) -> None:
    merge = demo.merge
    assert merge is not None
    assert not merge.rejected
    assert [b.status for b in merge.bundles].count("already merged") == 1  # the re-sent bundle
    assert merge.duplicates["content"] == 1  # the household keyed twice
    assert merge.open_conflicts == 1  # the household visited twice
    assert dict(merge.quarantined) == {"no_child_assent": 1}
    assert demo.interviews["refused"] >= 1


def test_the_workbook_opens_with_its_sheets(demo: DemoResult) -> None:
    assert demo.workbook is not None
    book = openpyxl.load_workbook(demo.workbook, read_only=True)
    try:
        names = book.sheetnames
        about = [row for row in book["About"].iter_rows(values_only=True) if row and row[0]]
    finally:
        book.close()  # a read-only workbook keeps its file open until closed
    assert names[:2] == ["About", "Codebook"]
    assert "Tables" in names
    assert any(name.endswith("members") for name in names)
    assert any("quarantined" in str(row[0]).lower() for row in about)


def test_no_identifying_answer_leaves_the_tool(demo: DemoResult) -> None:
    """Respondent names are generated with the marker '(synthetic)'; none may be exported."""
    assert demo.workbook is not None and demo.store is not None
    with zipfile.ZipFile(demo.workbook) as book:
        for name in book.namelist():
            text = book.read(name).decode("utf-8", errors="ignore")
            assert "(synthetic)" not in text, name
            assert "respondent_name" not in text and "respondent_phone" not in text, name
    for laptop in demo.laptops.values():
        assert b"(synthetic)" not in Path(laptop).read_bytes()
    assert b"(synthetic)" not in Path(demo.store).read_bytes()


def test_refusals_are_rows_marked_as_such_not_silent_gaps(demo: DemoResult) -> None:
    assert demo.workbook is not None
    book = openpyxl.load_workbook(demo.workbook, read_only=True)
    try:
        rows = book["household_cl"].iter_rows(values_only=True)
        header = list(next(rows))
        status, consent = header.index("status"), header.index("consent_outcome")
        seen = {(row[status], row[consent]) for row in rows}
    finally:
        book.close()
    assert ("refused", "refused") in seen
    assert ("complete", "given") in seen


def test_the_summary_table_shows_child_labour_by_age_band(demo: DemoResult) -> None:
    table = demo.highlight
    assert table is not None
    assert table.variable == "cl_sdg_8_7_1" and table.by == ("age_band_ilo_cl",)
