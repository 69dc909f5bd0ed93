"""The Excel workbook: sheets, codebook, tables with hidden cells, splitting, no identities."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fieldkit.dataset import DatasetError, StreamTable, Variable, VarType, flatten
from fieldkit.export import CODEBOOK_HEADER, ExportError, sheet_names, write_csv, write_xlsx
from fieldkit.indicators import derive_all
from fieldkit.release import publish
from fieldkit.stats import SUPPRESSED, crosstab, estimate_proportion
from tests.data.handmade import (
    ALL_RULE_SETS,
    LABOUR,
    PLANTED,
    compile_form,
    compile_street_form,
    stream,
)

ROSTER = "mini_household__members"
COUNTS = {"merged": 7, "duplicates": 1, "quarantined": 1}


@pytest.fixture(scope="module")
def dataset() -> Any:
    data = flatten(compile_form(), *stream(), role="statistician")
    derive_all(data.table(ROSTER), rule_sets=ALL_RULE_SETS, labour=LABOUR)
    return data


@pytest.fixture(scope="module")
def published(dataset: Any) -> list[Any]:
    children = dataset.table(ROSTER)
    tables, _ = publish(
        dataset,
        [
            crosstab(children, "cl_ilo_sna", ["age_band_ilo_cl"], study=dataset.study),
            estimate_proportion(children, "cl_ilo_sna", ["sex"], study=dataset.study),
        ],
    )
    return tables


@pytest.fixture(scope="module")
def workbook(dataset: Any, published: list[Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "survey.xlsx"
    write_xlsx(dataset, published, path, counts=COUNTS, row_limit=11)
    return path


def _rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def test_sheets_in_order_with_data_split_at_the_row_limit(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook, read_only=True)
    names = book.sheetnames
    book.close()
    # 38 roster rows, 10 data rows a sheet (11 with the header): 4 sheets
    assert names == [
        "About",
        "Codebook",
        "Tables",
        "mini_household",
        ROSTER,
        f"{ROSTER} (2)",
        f"{ROSTER} (3)",
        f"{ROSTER} (4)",
    ]
    parts = [_rows(workbook, name) for name in names[4:]]
    assert [len(p) - 1 for p in parts] == [10, 10, 10, 8]
    assert all(p[0] == parts[0][0] for p in parts)  # every part repeats the header
    assert parts[0][0][:3] == ("interview_id", "member", "cluster")
    assert [r[:2] for r in parts[1][1:3]] == [("hh02", 5), ("hh02", 6)]
    assert sheet_names(ROSTER, 38, 11) == names[4:]


def test_about_sheet(workbook: Path) -> None:
    about = dict(r[:2] for r in _rows(workbook, "About"))
    assert about["Study"] == "Test study"
    assert about["Protocol"] == "test_protocol"
    assert about["Data-use statement"] == "Used for statistics only"
    assert about["Collection window: main"] == "2027-01-01 to 2027-03-31"
    assert about["Interviews: merged"] == "7" and about["Interviews: quarantined"] == "1"
    assert about["Representative"] == "yes"


def test_codebook_has_every_variable_with_codes_and_definitions(
    workbook: Path, dataset: Any
) -> None:
    rows = _rows(workbook, "Codebook")
    assert rows[0] == CODEBOOK_HEADER
    listed = {(r[0], r[1]) for r in rows[1:]}
    for name, table in dataset.tables.items():
        for variable in table.variables:
            assert (name, variable.name) in listed
    by_name = {r[1]: r for r in rows[1:] if r[0] == ROSTER}
    assert by_name["sex"][5] == "1 = Male; 2 = Female"
    assert by_name["age"][6].startswith(".d don't know")
    assert "18th ICLS" in by_name["cl_ilo_sna"][9]
    assert "hours_econ_7d" in by_name["cl_ilo_sna"][8]
    assert by_name["tip_control__threats"][3] == "flag"


def test_tables_sheet_marks_hidden_cells(workbook: Path) -> None:
    rows = [tuple(v for v in r if v is not None) for r in _rows(workbook, "Tables")]
    assert rows[0] == ("Table 1. Child labour, SNA production boundary (ILO, 18th ICLS)",)
    assert rows[2][:3] == ("5-11", SUPPRESSED, SUPPRESSED)  # 4 in child labour: hidden
    assert rows[5][0] == "5-14" and rows[5][3] == 21  # the 5-14 total stays
    numbers = [v for r in rows for v in r if isinstance(v, int | float)]
    assert all(v == 0 or v >= 5 for v in numbers if float(v).is_integer())
    text = " ".join(str(v) for r in rows for v in r)
    assert "Taylor linearisation" in text and "Table 2." in text


def test_workbook_holds_no_identifying_field(workbook: Path, tmp_path: Path, dataset: Any) -> None:
    with zipfile.ZipFile(workbook) as archive:
        content = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    csv_files = write_csv(dataset, [], tmp_path / "csv")
    content += " ".join(p.read_text(encoding="utf-8-sig") for p in csv_files)
    for secret in [*PLANTED, "Head Planted", "respondent_name", "first_name", "REF-hh"]:
        assert secret not in content, secret


def test_public_release_fails_closed(dataset: Any, tmp_path: Path) -> None:
    target = tmp_path / "public.xlsx"
    with pytest.raises(DatasetError) as caught:
        write_xlsx(dataset, [], target, public=True)
    assert caught.value.code == "FK-DATA-009"
    assert not target.exists() and not list(tmp_path.iterdir())
    write_xlsx(dataset, [], target, public=True, microdata=False)
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames == ["About", "Codebook", "Tables"]
    book.close()


def test_a_failed_write_leaves_no_file(dataset: Any, tmp_path: Path) -> None:
    def explode() -> list[tuple[object, ...]]:
        raise RuntimeError("disk pulled out")

    broken = StreamTable("broken", [Variable("x", {"en": "x"}, VarType.INTEGER)], explode)
    dataset.tables["broken"] = broken
    target = tmp_path / "half.xlsx"
    try:
        with pytest.raises(RuntimeError):
            write_xlsx(dataset, [], target)
    finally:
        del dataset.tables["broken"]
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ExportError, match="does not exist") as caught:
        write_xlsx(dataset, [], tmp_path / "missing" / "x.xlsx")
    assert caught.value.code == "FK-EXPORT-002"


def test_row_limit_and_progress(dataset: Any, tmp_path: Path) -> None:
    with pytest.raises(ExportError) as caught:
        write_xlsx(dataset, [], tmp_path / "x.xlsx", row_limit=1)
    assert caught.value.code == "FK-EXPORT-003"
    seen: list[tuple[str, int, int | None]] = []
    write_xlsx(dataset, [], tmp_path / "y.xlsx", progress=lambda *a: seen.append(a))
    assert ("mini_household", 6, 6) in seen and (ROSTER, 38, 38) in seen


def test_streamed_tables_are_written_without_a_row_count(dataset: Any, tmp_path: Path) -> None:
    variables = [Variable("n", {"en": "n"}, VarType.INTEGER)]
    streamed = StreamTable("streamed", variables, lambda: ((i,) for i in range(25)))
    data = type(dataset)(dataset.study, "en", {"streamed": streamed}, main="streamed")
    write_xlsx(data, [], tmp_path / "s.xlsx", row_limit=11)
    book = openpyxl.load_workbook(tmp_path / "s.xlsx", read_only=True)
    assert book.sheetnames[3:] == ["streamed", "streamed (2)", "streamed (3)"]
    book.close()


def test_street_survey_workbook_says_do_not_extrapolate(tmp_path: Path) -> None:
    data = flatten(compile_street_form(), *stream(), role="statistician")
    derive_all(data.table(ROSTER), labour=LABOUR)
    table = crosstab(data.table(ROSTER), "cl_ilo_sna", ["sex"], study=data.study)
    write_xlsx(data, [table], tmp_path / "street.xlsx")
    text = " ".join(str(v) for r in _rows(tmp_path / "street.xlsx", "Tables") for v in r if v)
    assert "do not extrapolate beyond the sample" in text
    about = dict(r[:2] for r in _rows(tmp_path / "street.xlsx", "About"))
    assert about["Representative"].startswith("no")
