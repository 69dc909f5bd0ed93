"""An export of several formats is all or nothing (issue 10, #13): a failure in the last
writer leaves no workbook, no CSV file and no folder behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.cli import run
from fieldkit.demo.journey import DemoResult
from fieldkit.export import ExportError, ExportTargets, write_exports
from fieldkit.export import batch as batch_module
from tests.conftest import REPO


def _leftovers(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_a_failing_last_writer_leaves_nothing(
    demo: DemoResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = demo.datasets["household_cl"]
    (tmp_path / "old.xlsx").write_bytes(b"last week's export")

    def fails(*_args: object, **_kwargs: object) -> list[Path]:
        raise RuntimeError("the SPSS writer broke")

    monkeypatch.setattr(batch_module, "write_sav", fails)
    targets = ExportTargets(
        xlsx=tmp_path / "old.xlsx",
        csv=tmp_path / "new" / "csv",
        parquet=tmp_path / "pq",
        dta=tmp_path / "dta",
        sav=tmp_path / "sav",
    )
    with pytest.raises(RuntimeError):
        write_exports(dataset, [], targets)
    assert _leftovers(tmp_path) == ["old.xlsx"]
    assert (tmp_path / "old.xlsx").read_bytes() == b"last week's export"


def test_all_files_appear_when_every_writer_succeeds(demo: DemoResult, tmp_path: Path) -> None:
    dataset = demo.datasets["street_cl"]
    targets = ExportTargets(xlsx=tmp_path / "street.xlsx", csv=tmp_path / "csv")
    written = write_exports(dataset, [], targets)
    assert sorted(p.name for p in written) == [
        "about.csv",
        "codebook.csv",
        "street.xlsx",
        "street_cl.csv",
        "tables.csv",
    ]
    assert not [p for p in tmp_path.rglob("*.partial")]


def test_the_command_writes_nothing_when_one_target_is_read_only(
    demo: DemoResult, tmp_path: Path, read_only_folder: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    status = run(
        [
            *("export", "--store", str(demo.store), "-i", "household_cl"),
            *("--project", str(REPO), "--xlsx", str(out / "hh.xlsx")),
            *("--csv", str(out / "csv"), "--dta", str(read_only_folder)),
        ]
    )
    assert status == 1
    assert _leftovers(out) == []


def test_wrong_targets_are_refused_before_the_store_is_read(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    for targets in (
        ExportTargets(),
        ExportTargets(csv=tmp_path / "notes.txt"),
        ExportTargets(xlsx=tmp_path),
    ):
        with pytest.raises(ExportError) as caught:
            targets.check()
        assert caught.value.code in ("FK-EXPORT-050", "FK-EXPORT-051")
