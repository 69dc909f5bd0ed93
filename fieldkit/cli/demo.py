"""fieldkit demo: the whole journey on the embedded SQLite default."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fieldkit.cli.render import console, print_report
from fieldkit.project import load_project

__all__ = ["register"]


def demo(
    out: Annotated[Path, typer.Option(help="Folder for everything the demo writes.")] = Path(
        "demo-out"
    ),
    root: Annotated[
        Path, typer.Option(help="Study folder holding instruments/ and protocols/.")
    ] = Path("."),
) -> None:
    """Check the shipped instruments and protocols, and summarise each compiled form."""
    project = load_project([root / "protocols", root / "instruments"])
    print_report(project.report, subject="instruments and protocols")
    if not project.report.ok:
        raise typer.Exit(1)
    out.mkdir(parents=True, exist_ok=True)
    table = Table(title="Compiled instruments")
    for column in ("instrument", "kind", "protocol", "questions", "rosters", "pii", "hash"):
        table.add_column(column)
    for form in project.forms.values():
        (out / f"{form.id}.form.json").write_text(_json(form.to_dict()), encoding="utf-8")
        table.add_row(
            form.id,
            str(form.kind),
            form.protocol.id,
            str(len(form.questions)),
            ", ".join(q.name for q in form.repeats()) or "-",
            str(len(form.pii_fields())),
            form.hash[7:19],
        )
    console.print(table)
    console.print(f"compiled forms written to {out}/")


def _json(data: object) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
