"""Read an XLSForm workbook into sheets of rows, every cell with its sheet, row and column.

openpyxl reads the file in read-only mode (a 1,000-question form in a fraction of a second).
Headers are normalised once: case and spaces do not matter, pyxform's aliases are resolved
(``list name``, ``caption``, ``jr:constraintMsg``...), and ``label::English (en)`` splits into
the column ``label`` and the language ``English (en)``.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from fieldkit.errors import Location
from fieldkit.instrument.validation import did_you_mean
from fieldkit.localfiles import require_regular
from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.errors import XlsformError

__all__ = ["Column", "Row", "Sheet", "Workbook", "read_workbook"]

ALIASES: Final = {
    "list name": "list_name",
    "caption": "label",
    "constraint message": "constraint_message",
    "constraining_message": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "required message": "required_message",
    "jr:requiredmsg": "required_message",
    "relevance": "relevant",
    "calculate": "calculation",
    "choice filter": "choice_filter",
    "repeat count": "repeat_count",
    "jr:count": "repeat_count",
    "count": "repeat_count",
    "read only": "read_only",
    "readonly": "read_only",
    "media::image": "image",
    "media::audio": "audio",
    "media::video": "video",
    "media::big-image": "big-image",
    "guidance hint": "guidance_hint",
}
CHOICE_ALIASES: Final = {"value": "name"}
TRANSLATABLE: Final = frozenset(
    {
        "label",
        "hint",
        "constraint_message",
        "required_message",
        "guidance_hint",
        "image",
        "big-image",
        "audio",
        "video",
        "fieldkit::title",
        "fieldkit::member_label",
        "fieldkit::constraint_message",
    }
)
NAMESPACES: Final = ("fieldkit", "bind", "instance", "body", "media")


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    """As written in the sheet."""
    key: str
    """Normalised: ``label``, ``relevant``, ``fieldkit::pii``..."""
    language: str | None
    """``English (en)`` for ``label::English (en)``; None for a column without one."""
    index: int

    @property
    def letter(self) -> str:
        number, letters = self.index + 1, ""
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return letters


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    by_key: dict[tuple[str, str | None], Column] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for column in self.columns:
            self.by_key.setdefault((column.key, column.language), column)

    def has(self, key: str) -> bool:
        return any(column.key == key for column in self.columns)

    def languages(self, key: str) -> list[str | None]:
        """The languages of ``key``'s columns, in sheet order (None: no language given)."""
        return [column.language for column in self.columns if column.key == key]


@dataclass(frozen=True, slots=True)
class Row:
    sheet: Sheet
    number: int
    """1-based, as Excel shows it."""
    values: dict[int, str]
    """Column index → text, for non-empty cells only."""

    def get(self, key: str, language: str | None = None) -> str:
        column = self.sheet.by_key.get((key, language))
        return self.values.get(column.index, "") if column is not None else ""

    def texts(self, key: str) -> dict[str | None, str]:
        """Every non-empty ``key`` cell of this row, by language."""
        return {
            column.language: self.values[column.index]
            for column in self.sheet.columns
            if column.key == key and column.index in self.values
        }

    def cell(self, key: str | None = None, language: str | None = None) -> str:
        """``survey!E12``: where to look (the row's first cell when the column is unknown; a
        text's first language when none is given)."""
        column = self.sheet.by_key.get((key, language)) if key else None
        if column is None and key and language is None:
            column = next((c for c in self.sheet.columns if c.key == key), None)
        return f"{self.sheet.name}!{column.letter if column else 'A'}{self.number}"

    def filled(self) -> list[Column]:
        return [c for c in self.sheet.columns if c.index in self.values]


@dataclass
class Workbook:
    path: Path
    sheets: dict[str, Sheet]
    """By lower-cased sheet name."""
    names: list[str]
    """Every sheet's name as written, in workbook order."""

    def sheet(self, name: str) -> Sheet | None:
        return self.sheets.get(name)

    def location(self, cell: str) -> Location:
        return Location(self.path.name, record=cell)


def read_workbook(path: Path) -> Workbook:
    """The workbook's survey, choices and settings sheets (and the names of the others)."""
    import openpyxl  # noqa: PLC0415 - the CLI imports this module lazily; keep start-up fast

    if not path.exists():
        raise XlsformError(
            f"{path}: no such file", code=codes.NO_FILE, hint="check the path to the XLSForm"
        )
    if path.is_dir():
        raise XlsformError(
            f"{path} is a folder", code=codes.NO_FILE, hint="give the path of an .xlsx file"
        )
    try:
        require_regular(path)  # /dev/zero or a FIFO would be read forever
        with path.open("rb") as handle:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            try:
                return _sheets(path, book)
            finally:
                book.close()
    except PermissionError:
        raise XlsformError(
            f"{path}: permission denied", code=codes.NO_FILE, hint="check the file's permissions"
        ) from None
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError):
        hint = (
            "open it in a spreadsheet program and save it as .xlsx (Excel Workbook)"
            if path.suffix.lower() in (".xls", ".ods", ".csv")
            else "an XLSForm is an Excel .xlsx workbook with survey, choices and settings sheets"
        )
        raise XlsformError(
            f"{path.name} is not an .xlsx workbook", code=codes.NOT_XLSX, hint=hint
        ) from None


def _sheets(path: Path, book: object) -> Workbook:
    names: list[str] = list(book.sheetnames)  # type: ignore[attr-defined]
    lowered = {name.strip().lower(): name for name in names}
    if "survey" not in lowered:
        raise XlsformError(
            f"{path.name} has no 'survey' sheet (it has: {', '.join(names) or 'none'})",
            code=codes.NO_SURVEY,
            hint=_nearest_sheet(lowered) or "an XLSForm's questions are in a sheet 'survey'",
        )
    sheets: dict[str, Sheet] = {}
    for wanted in ("survey", "choices", "settings"):
        if wanted in lowered:
            worksheet = book[lowered[wanted]]  # type: ignore[index]
            sheets[wanted] = _read_sheet(wanted, worksheet.iter_rows(values_only=True))
    survey = sheets["survey"]
    if not survey.has("type"):
        raise XlsformError(
            f"{path.name}: the survey sheet has no 'type' column in its first row",
            code=codes.NO_TYPE_COLUMN,
            location=Location(path.name, record="survey!1"),
            hint="the first row names the columns: type, name, label, ...",
        )
    return Workbook(path, sheets, names)


def _nearest_sheet(lowered: dict[str, str]) -> str | None:
    """ "did you mean 'Survey1'?", naming the sheet as written."""
    found = did_you_mean("survey", lowered)
    if found is None:
        return None
    return f"did you mean '{lowered[found.split(chr(39))[1]]}'?"


def _read_sheet(name: str, rows: object) -> Sheet:
    iterator = iter(rows)  # type: ignore[call-overload]
    header = next(iterator, None) or ()
    columns = [
        _column(str(text), index, name)
        for index, text in enumerate(header)
        if text is not None and str(text).strip()
    ]
    sheet = Sheet(name, columns)
    wanted = [c.index for c in columns]
    for number, values in enumerate(iterator, start=2):
        cells = {}
        for index in wanted:
            if index < len(values):
                text = _text(values[index])
                if text:
                    cells[index] = text
        if cells:
            sheet.rows.append(Row(sheet, number, cells))
    return sheet


def _column(header: str, index: int, sheet: str) -> Column:
    text = " ".join(header.split())
    parts = [p.strip() for p in text.split("::")]
    base = parts[0].lower()
    if base in NAMESPACES and len(parts) > 1:
        base = f"{base}::{parts[1].lower()}"
        parts = [base, *parts[2:]]
    if sheet == "choices":
        base = CHOICE_ALIASES.get(base, base)
    base = ALIASES.get(base, base)
    if base not in TRANSLATABLE:
        return Column(text, base.replace(" ", "_") if "::" not in base else base, None, index)
    language = "::".join(parts[1:]) or None
    return Column(text, base, language, index)


def _text(value: object) -> str:
    """A cell as text: whole numbers without '.0', dates as ISO, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()
