"""Everything the CLI prints goes through here: one console, one error format.

Output to a terminal wraps at its width. Output piped or redirected (to ``less``, ``grep``,
a file) is never cropped or wrapped: a question label, a conflict's interview ids or a
rejection reason arrive whole, as a script or a pager expects them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleDimensions
from rich.markup import escape

from fieldkit.errors import FieldkitError

if TYPE_CHECKING:
    from fieldkit.report import Report

__all__ = [
    "console",
    "err_console",
    "plural",
    "print_error",
    "print_json",
    "print_report",
    "progress_bars",
]

UNWRAPPED = 100_000
"""The width given to output that is not a terminal: wide enough that nothing is cropped."""


class _Console(Console):
    """A console that only wraps on a terminal (rich would use the terminal's width, or 80,
    for a pipe too, and crop trees and table cells to it)."""

    @property
    def size(self) -> ConsoleDimensions:
        if self.is_terminal:
            return super().size
        return ConsoleDimensions(UNWRAPPED, 25)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


console = _Console(highlight=False, soft_wrap=True)
err_console = _Console(stderr=True, highlight=False, soft_wrap=True)


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``plural(1, "entry", "entries") == "1 entry"``; ``plural(2, "error") == "2 errors"``."""
    word = singular if count == 1 else (many or f"{singular}s")
    return f"{count:,} {word}"


def print_error(error: FieldkitError) -> None:
    err_console.print(f"[bold red]error[/]: {escape(error.one_line())}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def print_report(report: Report, *, subject: str) -> None:
    for issue in report.issues:
        colour = "red" if issue.severity == "error" else "yellow"
        console.print(f"[{colour}]{issue.severity}[/]: {escape(issue.one_line())}")
    errors, warnings = len(report.errors), len(report.warnings)
    counts = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
    if errors:
        console.print(f"[bold red]✗ {subject}: {counts}[/]")
    else:
        console.print(f"[bold green]✓ {subject}: no errors[/], {plural(warnings, 'warning')}")


ProgressUpdate = Callable[[str, int, int | None], None]
"""(task name, done, total): what a long library operation reports as it goes."""


@contextmanager
def progress_bars() -> Iterator[ProgressUpdate]:
    """Progress bars on stderr, one per named task, gone when the block ends."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

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
