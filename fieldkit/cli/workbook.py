"""The workbook of ``fieldkit profile --xlsx`` and ``fieldkit routes --xlsx``: the tables
just published (through the ledger, as ``fieldkit tables`` publishes), written by the
export's workbook writer with its About sheet (release profile, protected interview counts,
which results are descriptive only) and codebook, and no microdata."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from fieldkit.dataset.dataset import Dataset
from fieldkit.export.layout import PublishedTable
from fieldkit.instrument.form import Form
from fieldkit.protocol.profile import Profile

__all__ = ["check_targets", "write_tables_workbook"]


def check_targets(*paths: Path | None) -> None:
    """Refuse a file that could not be written before anything is read or published: what
    a command prints or writes is recorded in the ledger as published."""
    from fieldkit.errors import Location
    from fieldkit.export.errors import ExportError

    for path in paths:
        if path is None:
            continue
        if path.is_dir():
            raise ExportError(
                f"{path} is a folder, not a file",
                code="FK-EXPORT-050",
                location=Location(str(path)),
                hint="give the file's name (e.g. routes.xlsx)",
            )
        if not path.parent.is_dir():
            raise ExportError(
                f"cannot write {path}: folder {path.parent} does not exist",
                code="FK-EXPORT-002",
                location=Location(str(path)),
                hint="create the folder first; nothing was published",
            )


def write_tables_workbook(
    path: Path,
    dataset: Dataset,
    form: Form,
    profile: Profile,
    published: Sequence[PublishedTable],
    counts: Mapping[str, int],
    user: str | None,
) -> Path:
    from fieldkit.export.xlsx import write_xlsx
    from fieldkit.profiles.about import with_descriptive_note
    from fieldkit.release.about import protect_counts
    from fieldkit.release.profiles import apply_profile

    released = apply_profile(dataset, form, profile)  # the codebook lists what may leave
    study = replace(released.dataset.study, release=released.about(user))
    sheet = with_descriptive_note(
        replace(released.dataset, study=study), form.protocol.model.caution
    )
    shown = protect_counts(counts, dataset.study.small_cell_threshold)
    return write_xlsx(sheet, published, path, counts=shown, microdata=False)
