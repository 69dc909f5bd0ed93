"""CSV, Parquet, Stata and SPSS files; optional dependencies fail with a clear error."""

from __future__ import annotations

import csv
import importlib
import warnings
from pathlib import Path
from typing import Any

import pytest

from fieldkit.dataset import flatten
from fieldkit.export import (
    CODEBOOK_HEADER,
    ExportError,
    columnar,
    stata_names,
    statfiles,
    write_csv,
    write_dta,
    write_parquet,
    write_sav,
)
from fieldkit.indicators import derive_all
from tests.data.handmade import ALL_RULE_SETS, LABOUR, PLANTED, compile_form, stream

ROSTER = "mini_household__members"


@pytest.fixture(scope="module")
def dataset() -> Any:
    data = flatten(compile_form(), *stream(), role="statistician")
    derive_all(data.table(ROSTER), rule_sets=ALL_RULE_SETS, labour=LABOUR)
    return data


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_files(dataset: Any, tmp_path: Path) -> None:
    written = write_csv(dataset, [], tmp_path)
    assert [p.name for p in written] == [
        "about.csv",
        "codebook.csv",
        "tables.csv",
        "mini_household.csv",
        f"{ROSTER}.csv",
    ]
    rows = _read(tmp_path / f"{ROSTER}.csv")
    header, body = rows[0], rows[1:]
    assert len(body) == 38
    by_key = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in body}
    assert by_key[("hh03", "7")]["age"] == ".d"
    assert by_key[("hh05", "5")]["tip_recruited"] == ".r"
    assert by_key[("hh01", "6")]["econ_any_7d"] == ""
    assert by_key[("hh01", "5")]["cl_ilo_sna"] == "1"
    assert tuple(_read(tmp_path / "codebook.csv")[0]) == CODEBOOK_HEADER
    text = " ".join(p.read_text(encoding="utf-8-sig") for p in written)
    assert not any(name in text for name in PLANTED)


def test_stata_names_are_valid_and_unique() -> None:
    long_names = ["tip_control__withholds_documents", "tip_control__withholds_documentation"]
    names = stata_names([*long_names, "1x"], 28)
    assert names["tip_control__withholds_documents"] == "tip_control__withholds_docum"
    assert names["tip_control__withholds_documentation"] == "tip_control__withholds_doc_2"
    assert names["1x"] == "v_1x"


def test_missing_optional_packages_give_a_clear_error(
    dataset: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def absent(name: str) -> Any:
        raise ImportError(name)

    monkeypatch.setattr(columnar, "import_module", absent)
    monkeypatch.setattr(statfiles, "import_module", absent)
    with pytest.raises(ExportError, match="needs the optional package 'pyarrow'") as caught:
        write_parquet(dataset, tmp_path)
    assert caught.value.code == "FK-EXPORT-001"
    with pytest.raises(ExportError, match="'pyreadstat'"):
        write_dta(dataset, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_parquet(dataset: Any, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    write_parquet(dataset, tmp_path)
    table = pq.read_table(tmp_path / f"{ROSTER}.parquet")
    ages = table.column("age").to_pylist()
    reasons = table.column("age__missing").to_pylist()
    assert ages[:3] == [40, 6, 9] and ages[reasons.index(".d")] is None
    assert table.schema.field("sex").metadata[b"label"] == b"Sex"


def _pyreadstat() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("pyreadstat")


def test_stata_and_spss_keep_labels_and_missing_codes(dataset: Any, tmp_path: Path) -> None:
    pyreadstat = _pyreadstat()
    write_dta(dataset, tmp_path)
    write_sav(dataset, tmp_path)
    frame, meta = pyreadstat.read_dta(str(tmp_path / f"{ROSTER}.dta"), user_missing=True)
    assert meta.variable_value_labels["sex"] == {1: "Male", 2: "Female"}
    assert meta.variable_value_labels["district"] == {1: "north: North", 2: "south: South"}
    assert "d" in set(frame["age"].astype(str))
    frame, meta = pyreadstat.read_sav(str(tmp_path / f"{ROSTER}.sav"), user_missing=True)
    assert -98.0 in set(frame["age"]) and meta.missing_ranges["age"][0]["lo"] == -98.0
    assert (
        meta.column_names_to_labels["cl_ilo_sna"]
        == "Child labour, SNA production boundary (ILO, 18th ICLS)"
    )


def test_optional_modules_import_without_their_packages() -> None:
    for name in ("fieldkit.export.columnar", "fieldkit.export.statfiles"):
        assert importlib.import_module(name)
