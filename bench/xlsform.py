"""The 1,000-question bench instrument (``engine_step.instrument``) as an XLSForm, for pyxform.

Same questions, types, relevance, constraints, calculations, choice filters, groups and the
roster (a repeat with ``repeat_count``); fieldkit-only keys (``allow_dont_know``,
``disaggregation``) have no XLSForm column and are dropped. It is written as an ODK author
would (no ``fieldkit::`` columns), so the ``xlsform import`` stage measures a real import:
roles proposed, ``position()`` read, every expression translated and compiled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import engine_step
import xlsxwriter
import yaml

SURVEY = (
    "type",
    "name",
    "label",
    "relevant",
    "required",
    "constraint",
    "constraint_message",
    "calculation",
    "choice_filter",
    "repeat_count",
)


def _label(value: Any) -> str:
    return str(value.get("en", "")) if isinstance(value, dict) else str(value or "")


def _rows(questions: list[dict[str, Any]]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for q in questions:
        kind = q["type"]
        if kind == "repeat":
            rows.append(
                {
                    "type": "begin_repeat",
                    "name": q["name"],
                    "label": _label(q.get("label")),
                    "repeat_count": str(q.get("count", "")),
                }
            )
            rows += _rows(q["questions"])
            rows.append({"type": "end_repeat", "name": q["name"]})
            continue
        if kind in ("select_one", "select_multiple"):
            kind = f"{kind} {q['choices']}"
        row = {
            "type": kind,
            "name": q["name"],
            "label": _label(q.get("label")),
            "relevant": q.get("relevant", ""),
            "required": "yes" if q.get("required") else "",
            "constraint": q.get("constraint", ""),
            "constraint_message": q.get("constraint_message", ""),
            "calculation": q.get("calculation", ""),
            "choice_filter": q.get("choice_filter", ""),
        }
        rows.append({k: str(v) for k, v in row.items() if v})
    return rows


def write(path: Path, questions: int) -> int:
    """Write the XLSForm; returns how many questions it has (groups and repeats not counted)."""
    source = yaml.safe_load(engine_step.instrument(questions))
    survey: list[dict[str, str]] = []
    for section in source["sections"]:
        survey.append(
            {
                "type": "begin_group",
                "name": section["name"],
                "label": _label(section.get("label")),
                **({"relevant": section["relevant"]} if section.get("relevant") else {}),
            }
        )
        survey += _rows(section["questions"])
        survey.append({"type": "end_group", "name": section["name"]})
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("survey")
    sheet.write_row(0, 0, SURVEY)
    for r, row in enumerate(survey, start=1):
        sheet.write_row(r, 0, [row.get(c, "") for c in SURVEY])
    filters = sorted(
        {k for items in source["choices"].values() for c in items for k in c.get("filter", {})}
    )
    sheet = workbook.add_worksheet("choices")
    sheet.write_row(0, 0, ["list_name", "name", "label", *filters])
    r = 1
    for name, items in source["choices"].items():
        for choice in items:
            extra = [str(choice.get("filter", {}).get(f, "")) for f in filters]
            sheet.write_row(r, 0, [name, str(choice["value"]), _label(choice["label"]), *extra])
            r += 1
    sheet = workbook.add_worksheet("settings")
    sheet.write_row(0, 0, ["form_title", "form_id", "version"])
    sheet.write_row(1, 0, [str(source["title"]), source["id"], "1"])
    workbook.close()
    return sum(1 for row in survey if not row["type"].startswith(("begin_", "end_")))
