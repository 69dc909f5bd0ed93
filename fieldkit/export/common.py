"""What every writer shares: the progress hook and the release gate for public files."""

from __future__ import annotations

from collections.abc import Callable

from fieldkit.dataset.dataset import Dataset, StudyInfo
from fieldkit.release.microdata import check_release

__all__ = ["PROGRESS_EVERY", "Progress", "file_label", "require_release"]

PROGRESS_EVERY = 10_000

Progress = Callable[[str, int, int | None], None]
"""Called with (table being written, rows done, rows in all or None when unknown)."""


def require_release(dataset: Dataset) -> None:
    """Fail closed (FK-DATA-009) unless every table passes the public release check (P13)."""
    design = dataset.study.sample_design
    for table in dataset.tables.values():
        check_release(table, weight=design.weight if design else None).raise_if_failed()


def file_label(study: StudyInfo, name: str) -> str:
    """A file's own label: the table, then its release profile when it has one (a file
    carries what it is wherever it is copied)."""
    found = dict(study.release).get("Release profile")
    return f"{found} release: {name}" if found else name
