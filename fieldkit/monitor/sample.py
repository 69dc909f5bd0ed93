"""The sample a coordinator assigns: one CSV row per unit to visit.

Columns: the instrument's unit key questions (required), ``enumerator`` (or enumerators
given on the command line), and any other top-level question of the instrument to preload
from the listing (the district, the household head's line number...). Identifying questions
are never preloaded: a sample file that carries names travels on USB sticks. Values are typed
as the question is (an integer cluster number is ``101``, not ``"101"``), so a unit's key is
the same canonical JSON the merge records for the interview that visits it.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.errors import Location
from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import QuestionType
from fieldkit.instrument.validation import did_you_mean
from fieldkit.monitor.errors import MonitorError

__all__ = ["ENUMERATOR", "SampleUnit", "read_sample", "unit_json"]

ENUMERATOR = "enumerator"
_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SampleUnit:
    line: int
    unit: dict[str, Any]
    """Unit key question → typed value, in the form's unit key order."""
    enumerator: str | None
    preload: dict[str, Any]
    """Every typed value of the row but the enumerator (unit key included)."""

    @property
    def unit_values(self) -> str:
        return unit_json(list(self.unit.values()))


def unit_json(values: list[Any]) -> str:
    """As the merge writes ``merged_interviews.unit_values``."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def read_sample(path: Path, form: Form) -> list[SampleUnit]:
    header, rows = _rows(path)
    _check_header(path, header, form)
    units: list[SampleUnit] = []
    seen: dict[str, int] = {}
    for line, record in rows:
        if len(record) != len(header):
            raise _error(path, line, f"{len(record)} fields for {len(header)} columns", "052")
        cells = dict(zip(header, record, strict=True))
        who = cells.pop(ENUMERATOR, "").strip() or None
        typed = {name: _typed(path, line, form, name, text) for name, text in cells.items()}
        typed = {name: value for name, value in typed.items() if value is not None}
        unit = {name: typed.get(name) for name in form.unit_key}
        missing = [name for name, value in unit.items() if value is None]
        if missing:
            raise _error(path, line, f"no {', '.join(missing)} for this unit", "052")
        item = SampleUnit(line, unit, who, typed)
        if item.unit_values in seen:
            raise _error(
                path,
                line,
                f"unit {item.unit_values} is already on line {seen[item.unit_values]}",
                "053",
            )
        seen[item.unit_values] = line
        units.append(item)
    if not units:
        raise _error(path, None, "the sample has no units", "050")
    return units


def _rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        if path.is_dir() or path.stat().st_size > _MAX_BYTES:
            raise _error(path, None, "not a CSV file of at most 64 MiB", "050")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise _error(path, None, f"cannot read the sample: {reason}", "050") from None
    reader = csv.reader(text.splitlines())
    header = [name.strip() for name in next(reader, [])]
    if not any(header):
        raise _error(path, 1, "the sample is empty (no header line)", "050")
    return header, [(i, row) for i, row in enumerate(reader, 2) if any(c.strip() for c in row)]


def _check_header(path: Path, header: list[str], form: Form) -> None:
    for name in header:
        if name == ENUMERATOR:
            continue
        question = form.questions.get(name)
        if question is None or question.repeat is not None or not question.is_answerable:
            hint = did_you_mean(name, [q for q in form.questions if q not in header]) or (
                "use the instrument's unit key and top-level question names"
            )
            raise _error(
                path, 1, f"column '{name}' is not a top-level question of {form.id}", "051", hint
            )
        if question.pii:
            raise _error(
                path,
                1,
                f"column '{name}' is identifying (pii): never preloaded",
                "051",
                "leave names and contacts out of the sample file",
            )
    absent = [name for name in form.unit_key if name not in header]
    if absent:
        raise _error(
            path,
            1,
            f"no column for the unit key {', '.join(absent)}",
            "051",
            f"{form.id}'s units are keyed by {', '.join(form.unit_key)}",
        )


def _typed(path: Path, line: int, form: Form, name: str, text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    question = form.question(name)
    try:
        if question.type is QuestionType.INTEGER:
            return int(text)
        if question.type is QuestionType.DECIMAL:
            return float(text)
    except ValueError:
        raise _error(
            path, line, f"{name}: '{text}' is not a {question.type.value}", "052"
        ) from None
    if question.type is QuestionType.SELECT_ONE and question.choices:
        if question.choice(text) is None:
            raise _error(path, line, f"{name}: '{text}' is not one of its choices", "052")
    return text


def _error(
    path: Path, line: int | None, message: str, number: str, hint: str | None = None
) -> MonitorError:
    return MonitorError(
        message,
        code=f"FK-MON-{number}",
        location=Location(file=str(path), line=line),
        hint=hint or "fix the sample file and assign again; nothing was assigned",
    )
