"""Reports: what a check, merge or export found, as data. The CLI decides the exit code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from fieldkit.errors import FieldkitError, Location

__all__ = ["Issue", "Report", "Severity"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    message: str
    location: Location = field(default_factory=Location)
    hint: str | None = None
    severity: Severity = Severity.ERROR

    @classmethod
    def from_error(cls, error: FieldkitError, severity: Severity = Severity.ERROR) -> Issue:
        return cls(error.code, error.message, error.location, error.hint, severity)

    def one_line(self) -> str:
        return FieldkitError(
            self.message, code=self.code, location=self.location, hint=self.hint
        ).one_line()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "record": self.location.record,
            "hint": self.hint,
        }


@dataclass
class Report:
    """Issues found, in the order found. Never stops at the first."""

    issues: list[Issue] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def error(
        self,
        code: str,
        message: str,
        location: Location | None = None,
        hint: str | None = None,
    ) -> None:
        self.issues.append(Issue(code, message, location or Location(), hint))

    def warning(
        self,
        code: str,
        message: str,
        location: Location | None = None,
        hint: str | None = None,
    ) -> None:
        self.issues.append(Issue(code, message, location or Location(), hint, Severity.WARNING))

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self) -> list[str]:
        return [i.code for i in self.issues]

    def flatten(self, keys: Sequence[str]) -> list[list[Any]]:
        """``report.flatten(["line", "code"]) == [[12, "FK-EXPR-001"]]``, for tests."""
        return [[issue.to_dict()[key] for key in keys] for issue in self.issues]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "issues": [i.to_dict() for i in self.issues],
        }
