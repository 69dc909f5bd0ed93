"""The Excel workbook, written with xlsxwriter in constant-memory mode.

Sheets, in order: About (study, protocol, data-use statement, methodology, dates, counts),
Codebook (every variable), Tables (published tables, hidden cells marked), then a data
sheet per table, split into parts when a table has more rows than a sheet holds. Rows are
written as they are read, so memory stays flat however long the tables are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Rows, Special
from fieldkit.export.atomic import atomic_path
from fieldkit.export.codebook import CODEBOOK_HEADER, about_rows, codebook_rows
from fieldkit.export.common import PROGRESS_EVERY, Progress, require_release
from fieldkit.export.errors import ExportError
from fieldkit.export.layout import PublishedTable, lines

__all__ = ["EXCEL_ROWS", "Progress", "sheet_names", "write_xlsx"]

EXCEL_ROWS = 1_048_576
"""Rows in an Excel sheet, header included."""

_FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 12},
    "note": {"italic": True, "font_color": "#555555"},
    "header": {"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"},
    "label": {},
    "count": {"num_format": "#,##0"},
    "percent": {"num_format": "0.0"},
    "estimate": {"num_format": "0.0"},
    "hidden": {"align": "right", "bg_color": "#D9D9D9", "font_color": "#444444"},
    "key": {"bold": True, "valign": "top"},
    "wrap": {"text_wrap": True, "valign": "top"},
}


def write_xlsx(
    dataset: Dataset,
    tables: Sequence[PublishedTable],
    path: Path | str,
    *,
    counts: Mapping[str, int | str] | None = None,
    language: str | None = None,
    row_limit: int = EXCEL_ROWS,
    progress: Progress | None = None,
    microdata: bool = True,
    public: bool = False,
) -> Path:
    """Write the workbook atomically; return its path.

    ``public=True`` checks every data table against the release rule first (k >= 11,
    global risk < 3%) and writes nothing when one fails; ``microdata=False`` writes the
    About, Codebook and Tables sheets only.
    """
    if row_limit < 2:
        raise ExportError(f"row limit {row_limit} leaves no room for data", code="FK-EXPORT-003")
    if public and microdata:
        require_release(dataset)
    lang = language or dataset.language
    target = Path(path)
    with atomic_path(target) as temporary:
        workbook = xlsxwriter.Workbook(
            str(temporary), {"constant_memory": True, "strings_to_numbers": False}
        )
        try:
            formats = {name: workbook.add_format(spec) for name, spec in _FORMATS.items()}
            _about(workbook, dataset, lang, counts, formats)
            _codebook(workbook, dataset, lang, formats)
            _tables(workbook, tables, formats)
            if microdata:
                writer = _DataWriter(workbook, row_limit, formats["header"], progress)
                for name, table in dataset.tables.items():
                    writer.write(name, table)
        finally:
            workbook.close()
    return target


def _about(
    workbook: Any,
    dataset: Dataset,
    language: str,
    counts: Mapping[str, int | str] | None,
    formats: Mapping[str, Any],
) -> None:
    sheet = workbook.add_worksheet("About")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 100)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    for r, (key, value) in enumerate(about_rows(dataset.study, language, counts, now)):
        sheet.write_string(r, 0, key, formats["key"])
        sheet.write_string(r, 1, value, formats["wrap"])


def _codebook(workbook: Any, dataset: Dataset, language: str, formats: Mapping[str, Any]) -> None:
    sheet = workbook.add_worksheet("Codebook")
    for c, width in enumerate((22, 30, 50, 9, 9, 50, 30, 30, 60, 50)):
        sheet.set_column(c, c, width)
    sheet.write_row(0, 0, CODEBOOK_HEADER, formats["header"])
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(codebook_rows(dataset, language), start=1):
        for c, value in enumerate(row):
            if value:
                sheet.write_string(r, c, value)


def _tables(workbook: Any, tables: Sequence[PublishedTable], formats: Mapping[str, Any]) -> None:
    sheet = workbook.add_worksheet("Tables")
    sheet.set_column(0, 3, 18)
    sheet.set_column(4, 30, 12)
    for r, line in enumerate(lines(tables)):
        for c, (value, style) in enumerate(line):
            fmt = formats.get(style)
            if value is None:
                continue
            if isinstance(value, int | float):
                sheet.write_number(r, c, value, fmt)
            else:
                sheet.write_string(r, c, str(value), fmt)


def sheet_names(name: str, n_rows: int, row_limit: int) -> list[str]:
    """The sheets a table of ``n_rows`` fills: its name, then "name (2)", "name (3)"..."""
    parts = max(1, -(-n_rows // (row_limit - 1)))
    return [_sheet_name(name, part) for part in range(1, parts + 1)]


def _sheet_name(name: str, part: int) -> str:
    return name[:31] if part == 1 else f"{name[:25]} ({part})"


class _DataWriter:
    """Writes tables to data sheets, starting a new sheet each time one is full."""

    def __init__(
        self, workbook: Any, row_limit: int, header_format: Any, progress: Progress | None
    ) -> None:
        self.workbook = workbook
        self.per_sheet = row_limit - 1
        self.header_format = header_format
        self.progress = progress

    def write(self, name: str, table: Rows) -> None:
        header = [v.name for v in table.variables]
        part, r, written, total = 0, self.per_sheet, 0, table.n_rows
        sheet: Any = None
        for row in table.rows():
            if r == self.per_sheet:
                part += 1
                sheet = self._sheet(name, part, header)
                r = 0
            r += 1
            _write_row(sheet, r, row)
            written += 1
            if self.progress is not None and written % PROGRESS_EVERY == 0:
                self.progress(name, written, total)
        if sheet is None:
            self._sheet(name, 1, header)
        if self.progress is not None:
            self.progress(name, written, total)

    def _sheet(self, name: str, part: int, header: list[str]) -> Any:
        sheet = self.workbook.add_worksheet(_sheet_name(name, part))
        sheet.write_row(0, 0, header, self.header_format)
        sheet.freeze_panes(1, 0)
        return sheet


def _write_row(sheet: Any, r: int, row: Sequence[object]) -> None:
    write_number = sheet.write_number
    write_string = sheet.write_string
    for c, value in enumerate(row):
        kind = type(value)
        if kind is int or kind is float:
            write_number(r, c, value)
        elif kind is str:
            write_string(r, c, value)
        elif value is None:
            continue
        elif isinstance(value, Special):
            write_string(r, c, value.value)
        else:
            write_string(r, c, str(value))
