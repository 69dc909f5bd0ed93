"""Everything the CLI prints goes through here: one console, one error format."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

from fieldkit.errors import FieldkitError
from fieldkit.report import Report, Severity

__all__ = ["console", "err_console", "print_error", "print_json", "print_report"]

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_error(error: FieldkitError) -> None:
    err_console.print(f"[bold red]error[/]: {escape(error.one_line())}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def print_report(report: Report, *, subject: str) -> None:
    for issue in report.issues:
        colour = "red" if issue.severity is Severity.ERROR else "yellow"
        console.print(f"[{colour}]{issue.severity}[/]: {escape(issue.one_line())}")
    errors, warnings = len(report.errors), len(report.warnings)
    if errors:
        console.print(f"[bold red]✗ {subject}: {errors} error(s), {warnings} warning(s)[/]")
    else:
        console.print(f"[bold green]✓ {subject}: no errors[/], {warnings} warning(s)")
