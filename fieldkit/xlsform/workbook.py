"""Write the survey, choices and settings sheets with xlsxwriter, atomically.

Columns come in the order XLSForm authors expect (type, name, labels, hints, logic), then
choice properties, then fieldkit's own columns last, where they are out of the way.
Every cell is written as text: a label starting with '=' stays a label, not a formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Final

from fieldkit.export.atomic import atomic_path
from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.errors import XlsformError

__all__ = ["write_sheets"]

FIRST: Final = (
    "type",
    "list_name",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "choice_filter",
    "repeat_count",
    "form_title",
    "form_id",
    "version",
    "default_language",
)


def _order(rows: Iterable[dict[str, str]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))

    def rank(header: str) -> tuple[int, int]:
        base = header.split("::", maxsplit=1)[0]
        if header.startswith("fieldkit::"):
            return (len(FIRST) + 1, 0)
        if base in FIRST:
            return (FIRST.index(base), 0)
        return (len(FIRST), 0)

    return sorted(seen, key=rank)


def write_sheets(
    out: Path,
    survey: list[dict[str, str]],
    choices: list[dict[str, str]],
    settings: list[dict[str, str]],
) -> None:
    import xlsxwriter  # noqa: PLC0415 - the CLI imports this module lazily
    import xlsxwriter.exceptions  # noqa: PLC0415

    with atomic_path(out) as temporary:
        book = xlsxwriter.Workbook(
            str(temporary),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        bold = book.add_format({"bold": True})
        for name, rows, required in (
            ("survey", survey, ["type", "name"]),
            ("choices", choices, ["list_name", "name"]),
            ("settings", settings, ["form_title"]),
        ):
            columns = _order([dict.fromkeys(required, ""), *rows])
            sheet = book.add_worksheet(name)
            sheet.freeze_panes(1, 0)
            for index, header in enumerate(columns):
                sheet.write_string(0, index, header, bold)
                sheet.set_column(index, index, 40 if header.startswith(("label", "hint")) else 18)
            for number, row in enumerate(rows, start=1):
                for index, header in enumerate(columns):
                    value = row.get(header, "")
                    if value:
                        sheet.write_string(number, index, value)
        try:
            book.close()
        except xlsxwriter.exceptions.FileCreateError as error:
            raise XlsformError(
                f"cannot write {out}: {error}", code=codes.BAD_OUT, hint="check the folder"
            ) from None
