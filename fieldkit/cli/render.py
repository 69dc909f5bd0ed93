"""Everything the CLI prints goes through here: one console, one error format."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from fieldkit.errors import FieldkitError
from fieldkit.report import Report, Severity

__all__ = [
    "console",
    "err_console",
    "print_error",
    "print_json",
    "print_report",
    "progress_bars",
]

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


ProgressUpdate = Callable[[str, int, int | None], None]
"""(task name, done, total): what a long library operation reports as it goes."""


@contextmanager
def progress_bars() -> Iterator[ProgressUpdate]:
    """Progress bars on stderr, one per named task, gone when the block ends."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(name: str, done: int, total: int | None) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(name[-30:], total=total)
        bar.update(tasks[name], completed=done)

    with bar:
        yield update
