"""The settings and choices sheets, and the languages the workbook is written in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.languages import code_of
from fieldkit.xlsform.reader import Row, Sheet, Workbook
from fieldkit.xlsform.report import Findings

__all__ = ["ChoiceRow", "Languages", "Settings", "read_choices", "read_languages", "read_settings"]

TEXT_KEYS: Final = ("label", "hint", "constraint_message")
SETTINGS_READ: Final = frozenset({"form_title", "form_id", "version", "default_language"})
_SETTING_WHY: Final = {
    "instance_name": "fieldkit names interviews by a random reference number",
    "public_key": "fieldkit seals identifying answers to the project key itself",
    "submission_url": "fieldkit moves interviews in signed bundles, not by upload",
    "style": "fieldkit's front ends lay questions out themselves",
}
MEDIA: Final = frozenset({"image", "big-image", "audio", "video"})
CHOICE_COLUMNS: Final = frozenset({"list_name", "name", "label"})
_PROPERTY: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class Languages:
    codes: list[str]
    default: str
    of: dict[str | None, str]
    """XLSForm language (None: a column without one) → fieldkit code."""


@dataclass
class Settings:
    row: Row | None
    values: dict[str, str] = field(default_factory=dict)
    titles: dict[str | None, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def cell(self, key: str) -> str | None:
        return self.row.cell(key) if self.row is not None else None


@dataclass
class ChoiceRow:
    row: Row
    value: str
    labels: dict[str | None, str]
    filter: dict[str, str]


def read_settings(workbook: Workbook, findings: Findings) -> Settings:
    sheet = workbook.sheet("settings")
    if sheet is None or not sheet.rows:
        return Settings(None)
    row = sheet.rows[0]
    settings = Settings(row)
    for column in row.filled():
        value = row.values[column.index]
        if column.key == "fieldkit::title":
            settings.titles[column.language] = value
        elif column.key == "form_title":
            settings.titles.setdefault(None, value)
        elif column.key in SETTINGS_READ or column.key.startswith("fieldkit::"):
            settings.values[column.key] = value
        else:
            findings.problem(
                codes.UNSUPPORTED_SETTING,
                row.cell(column.key, column.language),
                f"setting {column.header} = {value!r} is not read",
                _SETTING_WHY.get(column.key, "fieldkit has no such setting"),
            )
    return settings


def read_languages(workbook: Workbook, settings: Settings, findings: Findings) -> Languages:
    """Every language of the texts, in the order their columns first appear."""
    found: list[str | None] = []
    for sheet_name, keys in (("survey", TEXT_KEYS), ("choices", ("label",))):
        sheet = workbook.sheet(sheet_name)
        for column in sheet.columns if sheet else []:
            if column.key in keys and column.language not in found:
                found.append(column.language)
    found += [lang for lang in settings.titles if lang is not None and lang not in found]
    named = {lang: code_of(lang) for lang in found if lang is not None}
    mapping: dict[str | None, str] = {lang: code for lang, (code, _) in named.items()}
    for lang, (code, written) in named.items():
        if not written:
            findings.note(
                codes.LANGUAGE_ASSUMED,
                _first_cell(workbook, lang),
                f"language '{lang}' has no code in its column name: read as '{code}'",
                f"name the columns label::{lang} (xx) with its two-letter code",
            )
    if None in found or not found:
        mapping[None] = _plain_language(settings, mapping, findings, workbook)
    codes_in_order = list(dict.fromkeys(mapping[lang] for lang in found or [None]))
    default = settings.get("default_language")
    default_code = mapping.get(default) or (code_of(default)[0] if default else codes_in_order[0])
    if default_code not in codes_in_order:
        default_code = codes_in_order[0]
    return Languages(codes_in_order, default_code, mapping)


def _plain_language(
    settings: Settings, mapping: dict[str | None, str], findings: Findings, workbook: Workbook
) -> str:
    default = settings.get("default_language")
    if default:
        return mapping.get(default) or code_of(default)[0]
    code = "en" if "en" not in mapping.values() else "default"
    findings.note(
        codes.LANGUAGE_ASSUMED,
        _first_cell(workbook, None),
        f"column 'label' names no language: read as '{code}'",
        "name it label::English (en), or set default_language in the settings sheet",
    )
    return code


def _first_cell(workbook: Workbook, language: str | None) -> str:
    survey = workbook.sheets["survey"]
    for column in survey.columns:
        if column.language == language and column.key in TEXT_KEYS:
            return f"survey!{column.letter}1"
    return "survey!A1"


def read_choices(workbook: Workbook, findings: Findings) -> dict[str, list[ChoiceRow]]:
    """Choice lists by name, each choice with its labels and filter properties."""
    sheet = workbook.sheet("choices")
    if sheet is None:
        return {}
    properties = _property_columns(sheet, findings)
    lists: dict[str, list[ChoiceRow]] = {}
    seen: dict[tuple[str, str], str] = {}
    for row in sheet.rows:
        list_name, value = row.get("list_name"), row.get("name")
        if not list_name or not value:
            missing = "list_name" if not list_name else "name"
            findings.problem(
                codes.ROW_SKIPPED,
                row.cell(missing),
                f"choice row has no {missing}: not imported",
                "every choice needs list_name and name",
            )
            continue
        if (list_name, value) in seen:
            findings.problem(
                codes.ROW_SKIPPED,
                row.cell("name"),
                f"choice '{value}' appears twice in list '{list_name}' (first at"
                f" {seen[list_name, value]}): not imported",
                "give every choice of a list its own name",
            )
            continue
        seen[list_name, value] = row.cell("name")
        _media(row, findings)
        filters = {key: row.values[i] for key, i in properties.items() if i in row.values}
        lists.setdefault(list_name, []).append(ChoiceRow(row, value, row.texts("label"), filters))
    return lists


def _property_columns(sheet: Sheet, findings: Findings) -> dict[str, int]:
    """Columns beyond list_name, name and labels: the choices' filter properties."""
    found: dict[str, int] = {}
    for column in sheet.columns:
        if column.key in CHOICE_COLUMNS or column.key in MEDIA:
            continue
        if column.key.startswith("fieldkit::"):
            continue
        if column.key.startswith("$"):
            findings.note(
                codes.BOOKKEEPING,
                f"choices!{column.letter}1",
                f"column {column.header} is KoboToolbox's bookkeeping: not read",
            )
        elif _PROPERTY.match(column.key) and column.language is None:
            found[column.key] = column.index
        else:
            findings.problem(
                codes.UNSUPPORTED_COLUMN,
                f"choices!{column.letter}1",
                f"column {column.header} cannot be a choice property (choice_filter reads"
                " names of letters, digits and _): not imported",
                "rename the column",
            )
    return found


def _media(row: Row, findings: Findings) -> None:
    for column in row.filled():
        if column.key in MEDIA:
            findings.problem(
                codes.UNSUPPORTED_COLUMN,
                row.cell(column.key, column.language),
                f"{column.header}: fieldkit shows no media: not imported",
            )
