"""fieldkit demo: the whole journey on the embedded SQLite default, in under a minute."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fieldkit.cli.bundles import show_merge
from fieldkit.cli.datasets import print_published_table
from fieldkit.cli.render import console
from fieldkit.demo.journey import DemoResult, run_demo

__all__ = ["register"]


def demo(
    out: Annotated[Path, typer.Option(help="Folder for everything the demo writes.")] = Path(
        "demo-out"
    ),
    root: Annotated[
        Path, typer.Option(help="Study folder holding instruments/ and protocols/.")
    ] = Path("."),
    households: Annotated[int, typer.Option(help="Households per district.")] = 14,
) -> None:
    """Run the journey: interviews on laptops, bundles, merge, datasets, Excel."""
    console.rule("[bold]fieldkit demo")
    result = run_demo(
        out, root, per_district=households, say=lambda stage: console.print(f"[cyan]▸[/] {stage}")
    )
    _laptops(result)
    if result.merge is not None:
        show_merge(result.merge)
    if result.highlight is not None:
        print_published_table(result.highlight)
    console.print(f"[green]✓[/] workbook: {escape(str(result.workbook))}")
    console.print(f"[green]✓[/] coordinator store: {escape(str(result.store))}")
    console.print(f"done in {result.seconds:.1f} s; everything is under {escape(str(out))}/")


def _laptops(result: DemoResult) -> None:
    table = Table(title="Interviews entered on the laptops", title_justify="left")
    table.add_column("status")
    table.add_column("interviews", justify="right")
    for status, count in sorted(result.interviews.items()):
        table.add_row(status, str(count))
    table.add_row(
        "[dim]laptops / bundles[/]", f"[dim]{len(result.laptops)} / {len(result.bundles)}[/]"
    )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
