"""An XLSForm workbook in, a fieldkit instrument (YAML text) out, checked by the compiler.

    result = import_xlsform(Path("form.xlsx"), protocols, protocol="household_child_labour")
    result.text      # the instrument, with comments naming each part's sheet and row
    result.report    # what could not be carried over, cell by cell
    result.notes     # what the importer translated on its own

The YAML is compiled with the real compiler. An expression the compiler rejects (a reference
to a later question, a wrong type) is taken out and reported at its cell, so what is written
passes ``fieldkit check`` once the author has done what is left to them (the protocol, roles).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final

from fieldkit.instrument.compiler import CompileResult, compile_text
from fieldkit.instrument.schema import InstrumentKind
from fieldkit.protocol.model import Protocol
from fieldkit.report import Issue, Severity
from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.answers import SHOWN_TEXTS, unshow
from fieldkit.xlsform.build import Built, build_nodes, fieldkit_name
from fieldkit.xlsform.emitter import Emitted, Node, emit
from fieldkit.xlsform.errors import XlsformError
from fieldkit.xlsform.fields import HANDLED, Context
from fieldkit.xlsform.proposals import propose
from fieldkit.xlsform.reader import Workbook, read_workbook
from fieldkit.xlsform.report import Findings, ImportResult
from fieldkit.xlsform.sheets import (
    Languages,
    Settings,
    read_choices,
    read_languages,
    read_settings,
)
from fieldkit.xlsform.survey import read_structure

__all__ = ["import_xlsform"]

DROPPABLE: Final = frozenset({"relevant", "required", "constraint", "calculation", "choice_filter"})
MAX_PASSES: Final = 8
KNOWN_SHEETS: Final = frozenset({"survey", "choices", "settings"})
_OTHER_READ: Final = frozenset(
    {"default", "required_message", "read_only", "guidance_hint", "parameters", "trigger"}
    | {"image", "big-image", "audio", "video", "calculation", "repeat_count"}
)


def import_xlsform(
    path: Path,
    protocols: Mapping[str, Protocol],
    *,
    protocol: str | None = None,
    kind: str | None = None,
    instrument_id: str | None = None,
    strict: bool = False,
    file_name: str | None = None,
) -> ImportResult:
    """Read ``path`` and return the instrument; raises `XlsformError` only for a file that
    is not an XLSForm (or no protocol named). ``file_name``: where the YAML will be written,
    for the compiler's messages."""
    workbook = read_workbook(path)
    findings = Findings(path.name, strict=strict)
    _report_sheets(workbook, findings)
    settings = read_settings(workbook, findings)
    languages = read_languages(workbook, settings, findings)
    protocol_id = protocol or settings.get("fieldkit::protocol")
    if not protocol_id:
        raise XlsformError(
            f"{path.name}: which protocol does this instrument follow?",
            code=codes.NO_PROTOCOL,
            hint="pass --protocol ID_OR_FILE (see protocols/)",
        )
    structure = read_structure(workbook.sheets["survey"], findings)
    if structure.consent_block:
        findings.note(
            codes.CONSENT_BLOCK,
            "survey!A2",
            "the protocol's consent block written by fieldkit xlsform export was recognised:"
            " it is consent: protocol",
        )
    _report_unknown_columns(workbook, findings)
    lists = read_choices(workbook, findings)
    exported = workbook.sheets["survey"].has("fieldkit::pii")
    context = Context(
        findings, languages, {}, structure.metadata, structure.dropped, lists, exported
    )
    title, title_comment = _title(settings, languages, path, findings)
    built = build_nodes(structure, context, title)
    if not exported:
        propose(_levels(built), findings)
    header = _header(
        settings,
        languages,
        title,
        protocol_id=protocol_id,
        protocols=protocols,
        kind=kind,
        instrument_id=instrument_id,
        title_comment=title_comment,
    )
    head = _head_comments(path)
    emitted, compiled = _compile(
        header, head, built, protocols=protocols, findings=findings, file_name=file_name
    )
    _left_to_author(compiled, emitted, findings)
    return ImportResult(
        emitted.text,
        str(header[0][1]),
        findings.report,
        findings.notes,
        compiled.form,
        sum(1 for node in built.questions if not node.removed),
    )


# -- the workbook around the survey ------------------------------------------------------------


def _report_sheets(workbook: Workbook, findings: Findings) -> None:
    for name in workbook.names:
        if name.strip().lower() not in KNOWN_SHEETS:
            findings.problem(
                codes.UNREAD_SHEET,
                f"{name}!A1",
                f"sheet '{name}' is not read",
                "fieldkit reads the survey, choices and settings sheets"
                + (" (external choices need select_one_external)" if "external" in name else ""),
            )


def _report_unknown_columns(workbook: Workbook, findings: Findings) -> None:
    survey = workbook.sheets["survey"]
    for column in survey.columns:
        key = column.key
        if key in HANDLED or key in _OTHER_READ or key.startswith(("bind::", "instance::")):
            continue
        if key.startswith("body::") or key == "constraint_message":
            continue
        filled = sum(1 for row in survey.rows if column.index in row.values)
        if key.startswith("$"):
            findings.note(
                codes.BOOKKEEPING,
                f"survey!{column.letter}1",
                f"column {column.header} is KoboToolbox's bookkeeping: not read",
            )
        elif filled:
            findings.problem(
                codes.UNSUPPORTED_COLUMN,
                f"survey!{column.letter}1",
                f"column {column.header} is not an XLSForm column fieldkit reads: its {filled}"
                " value(s) were not imported",
                "rename it if it is a misspelt XLSForm column",
            )


def _title(
    settings: Settings, languages: Languages, path: Path, findings: Findings
) -> tuple[dict[str, str], str]:
    """The title in every language, and a comment naming the languages that were copied."""
    texts: dict[str, str] = {}
    for language, text in settings.titles.items():
        code = languages.of.get(language) if language is not None else None
        texts[code or languages.default] = text
    if not texts:
        texts[languages.default] = path.stem.replace("_", " ").strip().capitalize() or "Form"
        findings.note(
            codes.TEXT_COPIED, "settings!A1", f"no form_title: '{texts[languages.default]}' used"
        )
    source = texts.get(languages.default) or next(iter(texts.values()))
    missing = [code for code in languages.codes if code not in texts]
    if missing:
        findings.note(
            codes.TEXT_COPIED,
            settings.cell("form_title"),
            f"the title has no {', '.join(missing)} text: copied",
            "translate it in the YAML",
        )
    comment = f"{', '.join(missing)} copied: translate" if missing else ""
    return {code: texts.get(code, source) for code in languages.codes}, comment


def _header(
    settings: Settings,
    languages: Languages,
    title: dict[str, str],
    *,
    protocol_id: str,
    protocols: Mapping[str, Protocol],
    kind: str | None,
    instrument_id: str | None,
    title_comment: str,
) -> list[tuple[str, object, str, str | None]]:
    raw_id = instrument_id or settings.get("form_id") or "imported_form"
    form_id = fieldkit_name(raw_id, set())
    chosen_kind, why = _kind(settings, protocols.get(protocol_id), kind)
    written = settings.get("fieldkit::respondents").split()
    respondents = [] if written == ["none"] else written or ["adult", "child"]
    rows: list[tuple[str, object, str, str | None]] = [
        ("id", form_id, "" if form_id == raw_id else f"from '{raw_id}'", settings.cell("form_id")),
        ("title", title, title_comment, settings.cell("form_title")),
        ("version", settings.get("version") or "1", "", settings.cell("version")),
        ("kind", chosen_kind, why, None),
        ("protocol", protocol_id, "", None),
        ("languages", languages.codes, "", None),
        ("default_language", languages.default, "", None),
        (
            "respondents",
            respondents,
            ""
            if settings.get("fieldkit::respondents")
            else "who answers: keep child if children may answer (the consent block then asks"
            " their age)",
            None,
        ),
        ("consent", settings.get("fieldkit::consent") or "protocol", "", None),
    ]
    unit_key = settings.get("fieldkit::unit_key").split()
    if unit_key:
        rows.append(("unit_key", unit_key, "", None))
    design = {
        key: settings.get(f"fieldkit::{key}")
        for key in ("stratum", "psu", "weight")
        if settings.get(f"fieldkit::{key}")
    }
    if design:
        rows.append(("sample_design", design, "", None))
    return rows


def _kind(settings: Settings, protocol: Protocol | None, kind: str | None) -> tuple[str, str]:
    if kind:
        return kind, ""
    if settings.get("fieldkit::kind"):
        return settings.get("fieldkit::kind"), ""
    kinds = ", ".join(k.value for k in InstrumentKind)
    if protocol is not None and protocol.model.tools:
        return str(protocol.model.tools[0]), f"proposed from the protocol's tools; one of {kinds}"
    return InstrumentKind.HOUSEHOLD.value, f"proposed; one of {kinds}"


def _head_comments(path: Path) -> list[str]:
    return [
        f"Imported from {path.name} (XLSForm) by `fieldkit xlsform import`.",
        "Comments name the sheet cell each part came from (survey!A12: row 12 of the survey"
        " sheet).",
        "fieldkit asks the protocol's screening and consent block before these questions.",
        "Confirm every 'proposed' mark: pii (identifying answers are sealed and kept apart) and",
        "disaggregation roles (sex, age); then run `fieldkit check`.",
        "",
    ]


def _levels(built: Built) -> Iterator[list[Node]]:
    top = [node for section in built.sections for node in section.live()]
    yield top
    for node in top:
        if node.fields.get("type") == "repeat":
            yield node.live()


# -- compiling what was written ----------------------------------------------------------------


def _compile(
    header: list[tuple[str, object, str, str | None]],
    head: list[str],
    built: Built,
    *,
    protocols: Mapping[str, Protocol],
    findings: Findings,
    file_name: str | None,
) -> tuple[Emitted, CompileResult]:
    """Emit and compile; take out what the compiler rejects at an expression, and again."""
    name = file_name or "imported.yaml"
    for _ in range(MAX_PASSES):
        emitted = emit(header, head, built.choices, built.sections)
        compiled = compile_text(emitted.text, protocols, name)
        dropped = [
            _drop(issue, emitted, findings)
            for issue in compiled.report.issues
            if issue.severity is Severity.ERROR
        ]
        if not any(dropped):
            return emitted, compiled
    return emitted, compiled


def _drop(issue: Issue, emitted: Emitted, findings: Findings) -> bool:
    node, key, cell = emitted.lines.get(issue.location.line or 0, (None, None, None))
    if node is None or node.removed or key is None:
        return False
    if key in SHOWN_TEXTS:
        return unshow(issue, node, key, cell, findings)
    if key in ("choices", "check") or (
        key == "calculation" and node.fields.get("type") == "calculate"
    ):
        node.removed = True
        what = f"{'roster check' if key == 'check' else 'question'} '{node.name}' not imported"
    elif key in DROPPABLE or (key == "count" and node.fields.get("type") == "repeat"):
        if key not in node.fields:
            return False
        text = node.fields.pop(key)
        if key == "constraint":
            node.fields.pop("constraint_message", None)
        node.remarks.append(f"{key} not imported ({cell}): {text}")
        what = f"{key} not imported"
    else:
        return False
    findings.problem(
        codes.COMPILER_DROPPED, cell, f"{what}: {issue.code} {issue.message}", issue.hint
    )
    return True


def _left_to_author(compiled: CompileResult, emitted: Emitted, findings: Findings) -> None:
    for issue in compiled.report.issues:
        _, _, cell = emitted.lines.get(issue.location.line or 0, (None, None, None))
        findings.left_to_author(issue, cell, codes.LEFT_TO_AUTHOR)
