"""One export of several formats at once: every file asked for, or none of them.

    targets = ExportTargets(xlsx=Path("hh.xlsx"), csv=Path("csv"), dta=Path("stata"))
    targets.check()                      # wrong kinds of target, before any work
    written = write_exports(dataset, tables, targets, counts=counts)

Targets are checked and the optional packages looked for before anything is written; the
files are then written under temporary names and renamed together at the end
(``atomic.all_or_nothing``), so a failure in the Stata writer leaves no workbook and no CSV
behind, and no folder the export created.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from fieldkit.dataset.dataset import Dataset
from fieldkit.errors import Location
from fieldkit.export.atomic import all_or_nothing
from fieldkit.export.columnar import require_pyarrow, write_parquet
from fieldkit.export.common import Progress
from fieldkit.export.delimited import write_csv
from fieldkit.export.errors import ExportError
from fieldkit.export.layout import PublishedTable
from fieldkit.export.statfiles import require_pyreadstat, write_dta, write_sav
from fieldkit.export.xlsx import write_xlsx

__all__ = ["ExportTargets", "write_exports"]


@dataclass(frozen=True)
class ExportTargets:
    """Where each format goes: a file for Excel, a folder for the others."""

    xlsx: Path | None = None
    csv: Path | None = None
    parquet: Path | None = None
    dta: Path | None = None
    sav: Path | None = None

    def given(self) -> dict[str, Path]:
        found = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: Path(path) for name, path in found.items() if path is not None}

    def check(self) -> None:
        """FK-EXPORT-051 when nothing is asked for, FK-EXPORT-050 for a target of the wrong
        kind, FK-EXPORT-001 when a format's optional package is missing."""
        given = self.given()
        if not given:
            raise ExportError(
                "nothing to write",
                code="FK-EXPORT-051",
                hint="give --xlsx FILE, --csv FOLDER, --parquet FOLDER, --dta FOLDER or "
                "--sav FOLDER",
            )
        for name, path in given.items():
            if name == "xlsx" and path.is_dir():
                raise _wrong_kind(path, "is a folder; --xlsx names the workbook file")
            if name != "xlsx" and path.exists() and not path.is_dir():
                raise _wrong_kind(path, f"is a file; --{name} names a folder for its files")
        if "parquet" in given:
            require_pyarrow()
        if "dta" in given or "sav" in given:
            require_pyreadstat()


def _wrong_kind(path: Path, why: str) -> ExportError:
    return ExportError(
        f"{path} {why}",
        code="FK-EXPORT-050",
        location=Location(str(path)),
        hint="nothing was written",
    )


def write_exports(
    dataset: Dataset,
    tables: Sequence[PublishedTable],
    targets: ExportTargets,
    *,
    counts: Mapping[str, int | str] | None = None,
    language: str | None = None,
    progress: Progress | None = None,
    public: bool = False,
    microdata: bool = True,
) -> list[Path]:
    """Write every target; return the files written (all of them, or raise and leave none).

    ``microdata=False`` writes the published tables only (the workbook's and the CSV's);
    Parquet, Stata and SPSS hold microdata alone, so they are skipped."""
    targets.check()
    written: list[Path] = []
    with all_or_nothing():
        if targets.xlsx is not None:
            written.append(
                write_xlsx(
                    dataset,
                    tables,
                    targets.xlsx,
                    counts=counts,
                    language=language,
                    progress=progress,
                    microdata=microdata,
                    public=public,
                )
            )
        if targets.csv is not None:
            written += write_csv(
                dataset,
                tables,
                targets.csv,
                counts=counts,
                language=language,
                progress=progress,
                microdata=microdata,
                public=public,
            )
        if microdata:
            written += _columnar(dataset, targets, language, progress, public)
    return written


def _columnar(
    dataset: Dataset,
    targets: ExportTargets,
    language: str | None,
    progress: Progress | None,
    public: bool,
) -> list[Path]:
    written: list[Path] = []
    if targets.parquet is not None:
        written += write_parquet(
            dataset, targets.parquet, language=language, progress=progress, public=public
        )
    if targets.dta is not None:
        written += write_dta(dataset, targets.dta, language=language, public=public)
    if targets.sav is not None:
        written += write_sav(dataset, targets.sav, language=language, public=public)
    return written
