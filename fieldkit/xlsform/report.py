"""What an import or export found, cell by cell: problems and notes, as data.

A *problem* is a construct fieldkit cannot carry over (it is reported and left out): a
warning, or an error under ``--strict``. A *note* is a translation the importer made on its
own (a renamed question, a copied translation): never an error, always listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fieldkit.errors import Location
from fieldkit.instrument.form import Form
from fieldkit.report import Issue, Report, Severity

__all__ = ["ExportResult", "Findings", "ImportResult"]


class Findings:
    """Collects problems and notes located at ``file sheet!A1`` cells."""

    def __init__(self, file: str, *, strict: bool = False) -> None:
        self.file = file
        self.strict = strict
        self.report = Report()
        self.notes: list[Issue] = []

    def where(self, cell: str | None) -> Location:
        return Location(self.file, record=cell)

    def problem(self, code: str, cell: str | None, message: str, hint: str | None = None) -> None:
        severity = Severity.ERROR if self.strict else Severity.WARNING
        self.report.add(Issue(code, message, self.where(cell), hint, severity))

    def left_to_author(self, issue: Issue, cell: str | None, code: str) -> None:
        """A problem the compiler still sees in the written instrument: always a warning,
        because the author finishes the instrument in YAML (consent, roles, protocol)."""
        message = f"{issue.code} {issue.message}"
        self.report.add(Issue(code, message, self.where(cell), issue.hint, Severity.WARNING))

    def note(self, code: str, cell: str | None, message: str, hint: str | None = None) -> None:
        self.notes.append(Issue(code, message, self.where(cell), hint, Severity.WARNING))


@dataclass
class ImportResult:
    """The instrument written as YAML text, what it compiled to, and what was found."""

    text: str
    instrument_id: str
    report: Report
    notes: list[Issue] = field(default_factory=list)
    form: Form | None = None
    questions: int = 0

    @property
    def ok(self) -> bool:
        """Nothing stops the import (only ``--strict`` turns problems into errors)."""
        return self.report.ok


@dataclass
class ExportResult:
    path: Path
    notes: list[Issue] = field(default_factory=list)
    rows: int = 0
    """Survey rows written (the consent block and groups included)."""
