"""CSV files: one per table, plus the codebook, the About rows and the published tables.

UTF-8 with a byte-order mark (so Excel reads accents right), comma-separated, every file
written atomically. Don't know and refused are written ``.d`` and ``.r``; not asked is empty.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from fieldkit.dataset.dataset import Dataset
from fieldkit.export.atomic import atomic_path, prepare_folder
from fieldkit.export.codebook import CODEBOOK_HEADER, about_rows, codebook_rows, text_cell
from fieldkit.export.common import PROGRESS_EVERY, Progress, require_release
from fieldkit.export.layout import PublishedTable, lines

__all__ = ["write_csv"]


def write_csv(
    dataset: Dataset,
    tables: Sequence[PublishedTable],
    folder: Path | str,
    *,
    counts: Mapping[str, int | str] | None = None,
    language: str | None = None,
    progress: Progress | None = None,
    microdata: bool = True,
    public: bool = False,
) -> list[Path]:
    """Write the CSV files into ``folder`` (created if needed); return their paths."""
    if public and microdata:
        require_release(dataset)
    out = prepare_folder(Path(folder))
    lang = language or dataset.language
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    written = [
        _write(
            out / "about.csv", [("field", "value"), *about_rows(dataset.study, lang, counts, now)]
        ),
        _write(out / "codebook.csv", [CODEBOOK_HEADER, *codebook_rows(dataset, lang)]),
        _write(out / "tables.csv", ([text_cell(v) for v, _ in line] for line in lines(tables))),
    ]
    if microdata:
        for name, table in dataset.tables.items():
            header = [v.name for v in table.variables]
            rows = _counted(name, table.rows(), table.n_rows, progress)
            written.append(_write(out / f"{name}.csv", [header], rows))
    return written


def _counted(
    name: str, rows: Iterable[Sequence[object]], total: int | None, progress: Progress | None
) -> Iterable[list[str]]:
    done = 0
    for row in rows:
        yield [text_cell(value) for value in row]
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(name, done, total)
    if progress is not None:
        progress(name, done, total)


def _write(path: Path, *parts: Iterable[Sequence[object]]) -> Path:
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        for part in parts:
            writer.writerows(part)
    return path
