"""A compiled form as an XLSForm that ODK Collect and KoboToolbox can field.

Sections are groups, rosters are repeats (``repeat_count`` from ``count``), every language is
a ``label::English (en)`` column, choice filter properties are choices columns. What fieldkit
knows and ODK does not (``pii``, disaggregation roles, "don't know"/"refused", the
instrument's kind and protocol) goes into ``fieldkit::`` columns, which pyxform ignores and
`fieldkit xlsform import` reads back: import(export(form)) compiles to the same form hash.
Where an expression has to read differently on ODK (``position(..)``, an anchored regex, no
"don't know"), the ODK column has ODK's and ``fieldkit::<column>`` keeps fieldkit's. A
roster's member label is ``fieldkit::member_label`` (ODK has none); its checks join the
constraints of the questions they check (see `fieldkit.xlsform.checks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

from fieldkit.errors import FieldkitError
from fieldkit.instrument.expression import Expr, unparse
from fieldkit.instrument.form import Choice, Form, Question, RosterCheck, Text
from fieldkit.instrument.schema import QuestionType
from fieldkit.xlsform import checks as roster
from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.consent import consent_rows
from fieldkit.xlsform.errors import XlsformError
from fieldkit.xlsform.expressions import from_xlsform, to_odk
from fieldkit.xlsform.languages import header_name
from fieldkit.xlsform.report import ExportResult, Findings
from fieldkit.xlsform.workbook import write_sheets

__all__ = ["export_xlsform"]

ODK_TYPES: Final = {QuestionType.DATETIME: "dateTime"}
MAX_CELL: Final = 32_767
Row = dict[str, str]


def export_xlsform(form: Form, out: Path) -> ExportResult:
    """Write ``form`` to ``out`` (.xlsx) as an XLSForm; nothing is written on failure."""
    if out.suffix.lower() != ".xlsx":
        raise XlsformError(
            f"{out}: an XLSForm is written as .xlsx", code=codes.BAD_OUT, hint="end --out in .xlsx"
        )
    if out.is_dir():
        raise XlsformError(f"{out} is a folder", code=codes.BAD_OUT, hint="give a file name")
    exporter = _Exporter(form, out.name)
    survey, choices, settings = exporter.sheets()
    try:
        write_sheets(out, survey, choices, settings)
    except FieldkitError as error:
        raise XlsformError(error.message, code=codes.BAD_OUT, hint=error.hint) from None
    return ExportResult(out, exporter.findings.notes, len(survey))


class _Exporter:
    def __init__(self, form: Form, file: str) -> None:
        self.form = form
        self.findings = Findings(file)
        self.names = {name: name for name in form.questions}
        self.lists: dict[str, tuple[Choice, ...]] = {}
        self.inline: dict[str, str] = {}
        self.pending: list[tuple[Row, str, str]] = []
        """(row, code, message): notes placed once the row's number is known."""
        self.special: dict[str, list[str]] = {"allow_dont_know": [], "allow_refused": []}
        self.paths: dict[str, str] = {}
        """XForm path of every question (for expressions calling indexed-repeat())."""
        self.carried: dict[str, list[RosterCheck]] = {}
        """Member question → the roster checks its ODK constraint carries."""

    def sheets(self) -> tuple[list[Row], list[Row], list[Row]]:
        block = consent_rows(self.form)
        self._check_names(block.survey)
        self._paths("/data/fk_interview" if block.wrapper else "/data")
        survey = list(block.survey)
        if block.wrapper:
            survey.append(block.wrapper)
        for section in self.form.sections:
            survey += self._section(section.name)
        if block.wrapper:
            survey.append(
                {"type": "end group", "name": "fk_interview", "fieldkit::block": "consent"}
            )
        choices = block.choices + list(self._choices())
        numbers = {id(row): number for number, row in enumerate(survey, start=2)}
        for row, code, message in self.pending:
            self.findings.note(code, f"survey!{numbers[id(row)]}", message)
        self._special_answers()
        pii = self.form.pii_fields()
        if pii:
            self.findings.note(
                codes.PII_ON_ODK,
                "survey!A1",
                f"{len(pii)} identifying field(s) ({', '.join(pii)}) are marked in column"
                " fieldkit::pii; ODK stores them like any answer unless the form is encrypted"
                " (settings public_key)",
            )
        return survey, choices, [self._settings()]

    def _special_answers(self) -> None:
        for key, names in self.special.items():
            if names:
                what = "don't know" if key == "allow_dont_know" else "refused"
                self.findings.note(
                    codes.NO_DONT_KNOW_ON_ODK,
                    "survey!A1",
                    f"{len(names)} question(s) accept '{what}' ({', '.join(names)}): ODK has no"
                    f" such answer; column fieldkit::{key} keeps it for fieldkit",
                )

    def _paths(self, root: str) -> None:
        """pyxform names the XForm's root ``data`` (no settings ``name``)."""
        for section in self.form.sections:
            for item in section.items:
                self.paths[item] = f"{root}/{section.name}/{item}"
                members = self.form.questions[item].members
                self.paths |= {m: f"{self.paths[item]}/{m}" for m in members}

    def _check_names(self, block: list[Row]) -> None:
        generated = {row["name"] for row in block if "name" in row} | {"fk_interview"}
        clash = sorted(generated & {*self.form.questions, *(s.name for s in self.form.sections)})
        if clash:
            raise XlsformError(
                f"'{clash[0]}' is also a name the consent block uses on ODK",
                code=codes.CANNOT_EXPORT,
                hint="rename the question: names starting fk_ are fieldkit's on export",
            )

    # -- survey -----------------------------------------------------------------------------

    def _section(self, name: str) -> list[Row]:
        section = self.form.section(name)
        row: Row = {"type": "begin group", "name": name, **self._texts("label", section.label)}
        if section.relevant is not None:
            self._expression(row, "relevant", section.relevant, name)
        rows = [row]
        for item in section.items:
            rows += self._question(self.form.questions[item])
        rows.append({"type": "end group", "name": name})
        return rows

    def _question(self, q: Question) -> list[Row]:
        row: Row = {"type": self._type(q), "name": q.name}
        row |= self._texts("label", q.label) | self._texts("hint", q.hint)
        if q.required:
            row["required"] = "yes"
        expressions = q.expressions()
        carried = self.carried.get(q.name)
        for key, expr in expressions.items():
            if key == "constraint" and carried:
                continue
            column = {"required_if": "required", "count": "repeat_count"}.get(key, key)
            self._expression(row, column, expr, q.name)
        if carried:
            self._carry(row, q, carried)
        elif q.constraint is not None:
            row |= self._texts("constraint_message", q.constraint_message)
        self._marks(row, q)
        if not q.is_repeat:
            return [row]
        row["type"] = "begin repeat"
        self._roster(row, q)
        rows = [row]
        for member in q.members:
            rows += self._question(self.form.questions[member])
        rows.append({"type": "end repeat", "name": q.name})
        return rows

    def _roster(self, row: Row, q: Question) -> None:
        """The member label and the checks, in fieldkit columns; each check joins a member's
        constraint on ODK."""
        row |= self._texts("fieldkit::member_label", q.member_label)
        if not q.checks:
            return
        row[roster.CHECKS] = roster.checks_cell(q.checks)
        if len(row[roster.CHECKS]) > MAX_CELL:
            raise XlsformError(
                f"the checks of roster '{q.name}' are longer than a spreadsheet cell holds",
                code=codes.CANNOT_EXPORT,
                hint="shorten their messages, or split the roster's checks",
            )
        for carrier, checks in roster.carriers(self.form, q).items():
            names = ", ".join(check.name for check in checks)
            if carrier is None:
                self.pending.append(
                    (
                        row,
                        codes.CHECKS_ON_ODK,
                        f"roster {q.name} has no question ODK checks an answer of: its checks"
                        f" ({names}) are not applied on ODK",
                    )
                )
            else:
                self.carried[carrier] = checks

    def _carry(self, row: Row, q: Question, checks: list[RosterCheck]) -> None:
        """``q``'s ODK constraint with the roster checks it carries (module checks.py)."""
        own = q.constraint
        rules = [(check.when, check.rule) for check in checks]
        constraint = roster.carried_constraint(own, rules, q.name)
        row["constraint"] = to_odk(constraint, self.paths, q.repeat)
        names = " ".join(check.name for check in checks)
        row[roster.CARRIES] = names
        messages = [check.message for check in checks]
        if own is not None:
            row["fieldkit::constraint"] = unparse(own)
            row |= self._texts(roster.OWN_MESSAGE, q.constraint_message)
            messages.insert(0, q.constraint_message)
        joined = roster.joined_messages(messages, self.form.languages)
        row |= self._texts("constraint_message", joined)
        self.pending.append(
            (
                row,
                codes.CHECKS_ON_ODK,
                f"constraint of '{q.name}' on ODK also applies roster checks {names}; fieldkit's"
                " are kept in columns fieldkit::checks and fieldkit::roster_checks",
            )
        )

    def _type(self, q: Question) -> str:
        if q.type in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
            return f"{q.type} {self._list_name(q)}"
        return ODK_TYPES.get(q.type, str(q.type))

    def _marks(self, row: Row, q: Question) -> None:
        if q.pii:
            row["fieldkit::pii"] = "yes"
        if q.disaggregation is not None:
            row["fieldkit::disaggregation"] = str(q.disaggregation)
        for key, on in (("allow_dont_know", q.allow_dont_know), ("allow_refused", q.allow_refused)):
            if on:
                row[f"fieldkit::{key}"] = "yes"
                self.special[key].append(q.name)
        if q.choices and q.choice_list is None:
            row["fieldkit::choices"] = "inline"

    def _expression(self, row: Row, column: str, expr: Expr, name: str) -> None:
        found = self.form.questions.get(name)
        odk = to_odk(expr, self.paths, found.repeat if found is not None else None)
        row[column] = odk
        back = from_xlsform(odk, self.names, {}, {})
        if back.expr != expr:
            row[f"fieldkit::{column}"] = unparse(expr)
            self.pending.append(
                (
                    row,
                    codes.REWRITTEN_FOR_ODK,
                    f"{column} of '{name}' reads {odk} on ODK; fieldkit's {unparse(expr)} is"
                    f" kept in column fieldkit::{column}",
                )
            )

    def _texts(self, key: str, text: Text) -> Row:
        result: Row = {}
        for lang in self.form.languages:
            value = text.get(lang, "")
            if len(value) > MAX_CELL:
                raise XlsformError(
                    f"a {key} in {lang} is longer than a spreadsheet cell holds ({MAX_CELL})",
                    code=codes.CANNOT_EXPORT,
                    hint="shorten the text",
                )
            if value:
                result[f"{key}::{header_name(lang)}"] = value
        return result

    # -- choices and settings ---------------------------------------------------------------

    def _list_name(self, q: Question) -> str:
        if q.choice_list is not None:
            self.lists[q.choice_list] = q.choices
            name = q.choice_list
        else:
            name = self.inline.get(q.name) or self._free_name(q.name)
            self.inline[q.name] = name
            self.lists[name] = q.choices
        if any(ch.isspace() for ch in name):
            raise XlsformError(
                f"choice list name '{name}' has a space; XLSForm cannot name it in a type",
                code=codes.CANNOT_EXPORT,
                hint="rename the choice list without spaces",
            )
        if q.type is QuestionType.SELECT_MULTIPLE:
            for choice in q.choices:
                if any(ch.isspace() for ch in choice.value):
                    raise XlsformError(
                        f"choice value '{choice.value}' of '{q.name}' has a space; a"
                        " select_multiple answer lists values separated by spaces",
                        code=codes.CANNOT_EXPORT,
                        hint="use values without spaces",
                    )
        return name

    def _free_name(self, base: str) -> str:
        taken = {q.choice_list for q in self.form.questions.values()} | set(self.lists)
        name, number = base, 2
        while name in taken:
            name, number = f"{base}_{number}", number + 1
        return name

    def _choices(self) -> Iterator[Row]:
        for name, choices in self.lists.items():
            for choice in choices:
                row: Row = {"list_name": name, "name": choice.value}
                yield row | self._texts("label", choice.label) | dict(choice.properties)

    def _settings(self) -> Row:
        form = self.form
        row: Row = {
            "form_title": form.title.get(form.default_language, form.id),
            "form_id": form.id,
            "version": form.version,
            "default_language": header_name(form.default_language),
            **{f"fieldkit::title::{header_name(lang)}": form.title[lang] for lang in form.title},
            "fieldkit::kind": str(form.kind),
            "fieldkit::protocol": form.protocol.id,
            "fieldkit::respondents": " ".join(form.respondents) or "none",
            "fieldkit::consent": "protocol" if form.consent_required else "none",
            "fieldkit::unit_key": " ".join(form.unit_key),
        }
        if form.sample_design is not None:
            design = form.sample_design
            row |= {"fieldkit::psu": design.psu, "fieldkit::weight": design.weight}
            if design.stratum:
                row["fieldkit::stratum"] = design.stratum
        return row
