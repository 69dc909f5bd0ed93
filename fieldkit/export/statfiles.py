"""Stata .dta and SPSS .sav files with variable and value labels (optional: pyreadstat).

Names are made valid for the target (Stata: 28 characters, as pyreadstat names a variable's
value-label set after it plus a counter and Stata allows 32; letters, digits, underscore);
the codebook keeps the dataset's own names. Codes that are not whole numbers (district
'north_1') are numbered 1, 2, ... in their list's order, labelled with their text. Don't
know and refused become Stata's extended missing ``.d`` and ``.r``, and SPSS user-missing
-98 and -99. The whole table is held in memory for these formats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Any

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Cell, Rows, Special, Variable, VarType
from fieldkit.export.atomic import atomic_path
from fieldkit.export.common import file_label, require_release
from fieldkit.export.errors import missing_extra

__all__ = ["stata_names", "write_dta", "write_sav"]

_NUMERIC = (VarType.INTEGER, VarType.DECIMAL, VarType.FLAG, VarType.CODE)


def _libraries() -> tuple[Any, Any]:
    try:
        return import_module("pandas"), import_module("pyreadstat")
    except ImportError:
        raise missing_extra("pyreadstat", "Stata and SPSS export") from None


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
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
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


def _codes(variable: Variable) -> dict[Cell, int] | None:
    """Whole-number codes stay; other codes are numbered in their list's order."""
    if variable.type is not VarType.CODE or variable.numeric_codes:
        return None
    return {code: i for i, code in enumerate(variable.value_labels, start=1)}


def _frame(pandas: Any, table: Rows, kind: str, language: str) -> tuple[Any, dict[str, Any]]:
    variables = list(table.variables)
    names = stata_names([v.name for v in variables], 28 if kind == "dta" else 64)
    numbering = [_codes(v) for v in variables]
    numeric = [
        v.type in _NUMERIC or (v.type is VarType.KEY and v.name == "member") for v in variables
    ]
    columns: list[list[object]] = [[] for _ in variables]
    for row in table.rows():
        for i, value in enumerate(row):
            columns[i].append(_value(value, numeric[i], numbering[i], kind))
    data = {
        names[v.name]: pandas.Series(columns[i], dtype=object if numeric[i] else str)
        for i, v in enumerate(variables)
    }
    frame = pandas.DataFrame(data)
    meta: dict[str, Any] = {
        "column_labels": {names[v.name]: v.text(language)[:80] for v in variables},
        "variable_value_labels": _value_labels(variables, names, numbering, language),
    }
    missing = {names[v.name]: v for i, v in enumerate(variables) if numeric[i] and v.missing}
    if kind == "dta":
        meta["missing_user_values"] = {
            n: [s.value[1] for s in v.missing] for n, v in missing.items()
        }
    else:
        meta["missing_ranges"] = {n: [s.spss_code for s in v.missing] for n, v in missing.items()}
    return frame, meta


def _is_numeric(variable: Variable) -> bool:
    return variable.type in _NUMERIC or (variable.type is VarType.KEY and variable.name == "member")


def _letters(missing: Mapping[str, Variable]) -> dict[str, list[str]]:
    return {name: [s.value[1] for s in v.missing] for name, v in missing.items()}


def _spss_codes(missing: Mapping[str, Variable]) -> dict[str, list[int]]:
    return {name: [s.spss_code for s in v.missing] for name, v in missing.items()}


def _value(value: Cell, numeric: bool, numbering: Mapping[Cell, int] | None, kind: str) -> object:
    if isinstance(value, Special):
        if not numeric:
            return value.value
        return value.value[1] if kind == "dta" else float(value.spss_code)
    if value is None:
        return None if numeric else ""
    if numbering is not None:
        return float(numbering.get(value, len(numbering) + 1))
    if numeric:
        return float(value) if isinstance(value, int | float) else None
    return str(value)


def _value_labels(
    variables: list[Variable],
    names: Mapping[str, str],
    numbering: list[dict[Cell, int] | None],
    language: str,
) -> dict[str, dict[float, str]]:
    labels: dict[str, dict[float, str]] = {}
    for variable, numbers in zip(variables, numbering, strict=True):
        if not variable.value_labels:
            continue
        found: dict[float, str] = {}
        for code in variable.value_labels:
            text = variable.value_text(code, language) or str(code)
            if numbers is not None:
                found[float(numbers[code])] = f"{code}: {text}"[:80]
            elif isinstance(code, int | float):
                found[float(code)] = text[:80]
        labels[names[variable.name]] = found
    return labels
