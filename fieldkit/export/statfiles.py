"""Stata .dta and SPSS .sav files with variable and value labels (optional: pyreadstat).

Names are made valid for the target (Stata: 28 characters, as pyreadstat names a variable's
value-label set after it plus a counter and Stata allows 32; letters, digits, underscore);
the codebook keeps the dataset's own names. Codes that are not whole numbers (district
'north_1') are numbered 1, 2, ... in their list's order, labelled ``north_1: North 1``.

Every column has one storage type, decided by its variable and never by the values that
happen to be in it: numbers are doubles (a column with no answer at all is an empty numeric
column, not a text one); dates are real dates (Stata ``%td``, days since 1 January 1960;
SPSS ``DATE11``, seconds since 14 October 1582), so they sort, subtract and tabulate by
month without a conversion; everything else is text written exactly as in the CSV files.
Don't know and refused become Stata's extended missing ``.d`` and ``.r``, and SPSS
user-missing -98 and -99 (labelled), in date columns too. The whole table is held in memory
for these formats.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Cell, Rows, Special, Variable, VarType
from fieldkit.export.atomic import atomic_path, prepare_folder
from fieldkit.export.codebook import text_cell
from fieldkit.export.common import file_label, require_release
from fieldkit.export.errors import missing_extra

__all__ = ["require_pyreadstat", "stata_names", "write_dta", "write_sav"]

_NUMERIC = (VarType.INTEGER, VarType.DECIMAL, VarType.FLAG, VarType.CODE)
LABEL_LENGTH = 80
"""Stata's limit for a variable label; value labels are cut to the same length."""
DATE_EPOCHS = {"dta": dt.date(1960, 1, 1), "sav": dt.date(1582, 10, 14)}
"""Day 0 of a date: Stata counts days from it, SPSS seconds."""
DATE_FORMATS = {"dta": "%td", "sav": "DATE11"}


def _libraries() -> tuple[Any, Any]:
    try:
        return import_module("pandas"), import_module("pyreadstat")
    except ImportError:
        raise missing_extra("pyreadstat", "Stata and SPSS export") from None


def require_pyreadstat() -> None:
    """FK-EXPORT-001 unless pyreadstat (and pandas) can be imported."""
    _libraries()


def stata_names(names: list[str], limit: int = 32) -> dict[str, str]:
    """Valid, unique names of at most ``limit`` characters, by original name."""
    result: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not re.match(r"[A-Za-z_]", clean):
            clean = f"v_{clean}"
        candidate = clean[:limit]
        number = 1
        while candidate.lower() in taken:
            number += 1
            suffix = f"_{number}"
            candidate = clean[: limit - len(suffix)] + suffix
        taken.add(candidate.lower())
        result[name] = candidate
    return result


def write_dta(
    dataset: Dataset, folder: Path | str, *, language: str | None = None, public: bool = False
) -> list[Path]:
    """Write ``<table>.dta`` (Stata 15) for every table; return the paths."""
    return _write_all(dataset, folder, "dta", language, public)


def write_sav(
    dataset: Dataset, folder: Path | str, *, language: str | None = None, public: bool = False
) -> list[Path]:
    """Write ``<table>.sav`` (SPSS) for every table; return the paths."""
    return _write_all(dataset, folder, "sav", language, public)


def _write_all(
    dataset: Dataset, folder: Path | str, kind: str, language: str | None, public: bool
) -> list[Path]:
    pandas, pyreadstat = _libraries()
    if public:
        require_release(dataset)
    out = prepare_folder(Path(folder))
    lang = language or dataset.language
    written = []
    for name, table in dataset.tables.items():
        target = out / f"{name}.{kind}"
        frame, meta = _frame(pandas, table, kind, lang)
        label = file_label(dataset.study, name)
        with atomic_path(target) as temporary:
            if kind == "dta":
                pyreadstat.write_dta(frame, str(temporary), file_label=label[:80], **meta)
            else:
                pyreadstat.write_sav(frame, str(temporary), file_label=label[:64], **meta)
        written.append(target)
    return written


@dataclass(frozen=True)
class _Column:
    variable: Variable
    name: str
    """The name in the file (see ``stata_names``)."""
    numeric: bool
    numbering: Mapping[Cell, int] | None
    """Codes that are not whole numbers, by their number in the file."""


def _columns(table: Rows, kind: str) -> list[_Column]:
    variables = list(table.variables)
    names = stata_names([v.name for v in variables], 28 if kind == "dta" else 64)
    return [_Column(v, names[v.name], _is_numeric(v), _numbering(v)) for v in variables]


def _is_numeric(variable: Variable) -> bool:
    return variable.type in (*_NUMERIC, VarType.DATE) or (
        variable.type is VarType.KEY and variable.name == "member"
    )


def _numbering(variable: Variable) -> dict[Cell, int] | None:
    """Whole-number codes stay; other codes are numbered in their list's order."""
    if variable.type is not VarType.CODE or variable.numeric_codes:
        return None
    return {code: i for i, code in enumerate(variable.value_labels, start=1)}


def _frame(pandas: Any, table: Rows, kind: str, language: str) -> tuple[Any, dict[str, Any]]:
    columns = _columns(table, kind)
    cells: list[list[object]] = [[] for _ in columns]
    for row in table.rows():
        for i, value in enumerate(row):
            cells[i].append(_cell(value, columns[i], kind))
    frame = pandas.DataFrame(
        {c.name: _series(pandas, c, values) for c, values in zip(columns, cells, strict=True)}
    )
    meta: dict[str, Any] = {
        "column_labels": {c.name: c.variable.text(language)[:LABEL_LENGTH] for c in columns},
        "variable_value_labels": _value_labels(columns, kind, language),
        "variable_format": {
            c.name: DATE_FORMATS[kind] for c in columns if c.variable.type is VarType.DATE
        },
    }
    if kind == "dta":
        letters = {
            c.name: _letters(values) for c, values in zip(columns, cells, strict=True) if c.numeric
        }
        meta["missing_user_values"] = {name: found for name, found in letters.items() if found}
    else:
        meta["missing_ranges"] = {
            c.name: [float(s.spss_code) for s in c.variable.missing]
            for c in columns
            if c.numeric and c.variable.missing
        }
    return frame, meta


def _cell(value: Cell, column: _Column, kind: str) -> object:
    if not column.numeric:
        return text_cell(value)  # exactly as the CSV files have it
    if isinstance(value, Special):
        return value.value[1] if kind == "dta" else float(value.spss_code)
    if value is None:
        return None
    if column.numbering is not None:
        return float(column.numbering.get(value, len(column.numbering) + 1))
    if column.variable.type is VarType.DATE:
        return _date_number(value, kind)
    return _number(value)


def _date_number(value: int | float | str, kind: str) -> float | None:
    """An ISO date as the target's number: Stata days, SPSS seconds from its epoch."""
    try:
        days = (dt.date.fromisoformat(str(value)) - DATE_EPOCHS[kind]).days
    except ValueError:
        return None  # not a date: the CSV keeps the text, a date column cannot
    return float(days if kind == "dta" else days * 86400)


def _number(value: int | float | str) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except ValueError:
        return None  # text in a numeric variable: the CSV keeps it, a numeric file cannot


def _series(pandas: Any, column: _Column, values: list[object]) -> Any:
    if not column.numeric:
        return pandas.Series(values, dtype=object)
    if any(isinstance(value, str) for value in values):  # Stata's .d / .r among the numbers
        return pandas.Series(values, dtype=object)
    return pandas.Series(values, dtype="float64")


def _letters(values: list[object]) -> list[str]:
    return sorted({value for value in values if isinstance(value, str) and len(value) == 1})


def _value_labels(columns: list[_Column], kind: str, language: str) -> dict[str, dict[float, str]]:
    labels: dict[str, dict[float, str]] = {}
    for column in columns:
        variable = column.variable
        found: dict[float, str] = {}
        for code in variable.value_labels:
            text = variable.value_text(code, language) or str(code)
            if column.numbering is not None:
                found[float(column.numbering[code])] = f"{code}: {text}"[:LABEL_LENGTH]
            elif isinstance(code, int | float):
                found[float(code)] = text[:LABEL_LENGTH]
        if kind == "sav" and column.numeric:
            found.update({float(s.spss_code): s.meaning for s in variable.missing})
        if found:
            labels[column.name] = found
    return labels
