"""fieldkit demo: the whole journey on the embedded SQLite default, in under a minute."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fieldkit.cli.render import console

if TYPE_CHECKING:
    from fieldkit.demo.journey import DemoResult

__all__ = ["register"]


def demo(
    out: Annotated[
        Path,
        typer.Option(help="Folder for everything the demo writes (new, or an earlier demo's)."),
    ] = Path("demo-out"),
    root: Annotated[
        Path | None,
        typer.Option(
            help="Study folder holding instruments/ and protocols/ (default: the study "
            "folder holding the current one, or $FIELDKIT_PROJECT)."
        ),
    ] = None,
    households: Annotated[int, typer.Option(min=1, max=1000, help="Households per district.")] = 14,
) -> None:
    """Run the journey: interviews on laptops, bundles, merge, datasets, Excel."""
    from fieldkit.cli.bundles import show_merge
    from fieldkit.cli.datasets import print_published_table
    from fieldkit.demo.journey import run_demo
    from fieldkit.project import study_paths

    study = root if root is not None else study_paths()
    said: list[str] = []

    def say(stage: str) -> None:
        if not said:  # the title once the demo has started: a mistake stays one line
            console.print("[bold]fieldkit demo[/]")
        said.append(stage)
        console.print(f"[cyan]▸[/] {stage}")

    result = run_demo(out, study, per_district=households, say=say)
    _laptops(result)
    if result.merge is not None:
        show_merge(result.merge)
    if result.highlight is not None:
        print_published_table(result.highlight)
    for path in result.workbooks.values():
        console.print(f"[green]✓[/] workbook: {escape(str(path))}")
    console.print(f"[green]✓[/] coordinator store: {escape(str(result.store))}")
    if result.monitor is not None:
        console.print(f"[green]✓[/] monitoring report: {escape(str(result.monitor))}")
    console.print(f"done in {result.seconds:.1f} s; everything is under {escape(str(out))}/")


def _laptops(result: DemoResult) -> None:
    from rich.table import Table

    table = Table(title="Interviews entered on the laptops", title_justify="left")
    table.add_column("instrument")
    table.add_column("status")
    table.add_column("interviews", justify="right")
    for (form_id, status), count in sorted(result.interviews.items()):
        table.add_row(escape(form_id), status, str(count))
    table.add_row(
        "[dim]laptops / bundles[/]", "", f"[dim]{len(result.laptops)} / {len(result.bundles)}[/]"
    )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
