"""A survey file not collected with fieldkit, read from CSV for the same estimates.

``read_survey(path, columns)`` keeps the named columns: cells that read as whole numbers
become ints, other numbers floats (so ``nan`` and ``inf`` reach the weight check and are
refused there, naming the line), empty cells and ``NA`` or ``.`` are missing, anything else
is text. Each record remembers its CSV line, so an error names the line to fix.
``csv_study(path, design)`` describes the file as a representative study with that design.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Sequence
from pathlib import Path

from fieldkit.dataset.dataset import Dataset, StudyInfo
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Table, Variable, VarType
from fieldkit.errors import Location
from fieldkit.hashing import content_hash
from fieldkit.instrument.form import SampleDesign
from fieldkit.localfiles import read_regular
from fieldkit.stats.estimate import EstimateTable, estimate_proportion
from fieldkit.stats.totals import estimate_total

__all__ = ["LINE", "csv_study", "estimate_csv", "read_survey"]

LINE = "csv_line"
"""The key column holding each record's line in the file (the header is line 1)."""
MISSING = frozenset({"", "NA", "."})
WHOLE = re.compile(r"[+-]?\d+")
DECIMAL = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


def read_survey(path: Path, columns: Sequence[str]) -> Table:
    """The named columns of a CSV file as a table (one row per record)."""
    header, records = _read(path)
    _check_columns(path, header, columns)
    wanted = list(dict.fromkeys(columns))
    at = [header.index(name) for name in wanted]
    values: list[list[Cell]] = [[] for _ in wanted]
    lines: list[Cell] = []
    for line, record in records:
        if len(record) != len(header):
            raise DatasetError(
                f"line {line} has {len(record)} fields for {len(header)} columns",
                code="FK-DATA-033",
                location=Location(file=str(path), line=line),
                hint="quote fields that hold commas; every line needs one field per column",
            )
        lines.append(line)
        for column, i in zip(values, at, strict=True):
            column.append(_cell(record[i]))
    variables = [Variable(LINE, {"en": "Line in the CSV file"}, VarType.KEY)]
    variables += [_variable(name, column) for name, column in zip(wanted, values, strict=True)]
    table = Table(path.stem, variables)
    table.extend(zip(lines, *values, strict=True))
    return table


def estimate_csv(
    path: Path,
    variables: Sequence[str],
    by: Sequence[str],
    design: SampleDesign,
    *,
    total: bool = False,
    value: Cell = 1,
    threshold: int = 5,
) -> tuple[Dataset, list[EstimateTable]]:
    """Weighted proportions (of ``value``) or totals of each variable, by domain, with the
    same engine and table shape as the estimates of fieldkit's own data, and the file as a
    dataset to publish them from. Nothing is withheld yet: what leaves is decided by
    :func:`fieldkit.release.publish_csv`, as for every release. An error about a record
    names the file and the line."""
    design_columns = [c for c in (design.stratum, design.psu, design.weight) if c is not None]
    table = read_survey(path, [*variables, *by, *design_columns])
    study = csv_study(path, design, threshold=threshold)
    try:
        if total:
            found = [estimate_total(table, name, by, study=study) for name in variables]
        else:
            found = [estimate_proportion(table, v, by, study=study, value=value) for v in variables]
    except DatasetError as error:
        if not str(error.location):
            error.location = Location(file=str(path))
        raise
    return Dataset(study, "en", {table.name: table}, main=table.name), found


def csv_study(path: Path, design: SampleDesign, *, threshold: int = 5) -> StudyInfo:
    """A representative study described by its file and its sample design."""
    title = {"en": path.name}
    return StudyInfo(
        title=title,
        protocol_id="",
        form_id=path.stem,
        form_title=title,
        form_version="",
        form_hash=content_hash({"file": path.name, "size": path.stat().st_size}),
        kind="csv",
        data_use_statement={},
        methodology={},
        representative=True,
        small_cell_threshold=threshold,
        sample_design=design,
    )


def _read(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = read_regular(path).decode("utf-8-sig")  # never /dev/zero or a FIFO
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise DatasetError(
            f"cannot read {path}: {reason}",
            code="FK-DATA-033",
            location=Location(file=str(path)),
            hint="give a CSV file (UTF-8, a header line with the column names)",
        ) from None
    reader = csv.reader(text.splitlines())
    rows = [(i, row) for i, row in enumerate(reader, start=1) if any(f.strip() for f in row)]
    if not rows:
        raise DatasetError(
            f"{path} is empty",
            code="FK-DATA-033",
            location=Location(file=str(path)),
            hint="the first line names the columns; one record per line after it",
        )
    header = [name.strip() for name in rows[0][1]]
    return header, rows[1:]


def _check_columns(path: Path, header: list[str], columns: Sequence[str]) -> None:
    for name in columns:
        if header.count(name) > 1:  # which of them was meant? never guess
            raise DatasetError(
                f"{path.name} has {header.count(name)} columns named '{name}'",
                code="FK-DATA-034",
                location=Location(file=str(path), line=1),
                hint="give each column its own name in the header line",
            )
        if name not in header:
            close = difflib.get_close_matches(name, header, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "columns: " + ", ".join(header)
            raise DatasetError(
                f"{path.name} has no column '{name}'",
                code="FK-DATA-034",
                location=Location(file=str(path), line=1),
                hint=hint,
            )


def _cell(text: str) -> Cell:
    value = text.strip()
    if value in MISSING:
        return None
    if WHOLE.fullmatch(value):
        return int(value)
    if DECIMAL.fullmatch(value) or value.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return float(value)
    return value  # codes such as 5_11 stay text (Python would read 5_11 as 511)


def _variable(name: str, column: list[Cell]) -> Variable:
    kinds = {type(v) for v in column if v is not None}
    if kinds <= {int}:
        kind = VarType.INTEGER
    elif kinds <= {int, float}:
        kind = VarType.DECIMAL
    else:
        kind = VarType.CODE
    return Variable(name, {"en": name}, kind)
