"""fieldkit monitor: fieldwork progress and data-quality flags from the coordinator store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fieldkit.cli.datasets import Project
from fieldkit.cli.render import console, plural, print_json

__all__ = ["register"]

Store = Annotated[str, typer.Option("--store", help="Coordinator store: a SQLite path or a URL.")]


def monitor(
    store: Store,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the report as one offline HTML page.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report's numbers as JSON.")
    ] = False,
    share: Annotated[
        bool,
        typer.Option(
            "--share",
            help="For readers outside the field team: small counts hidden by the protocol's "
            "threshold, enumerators numbered, no interview ids.",
        ),
    ] = False,
    project: Project = None,
) -> None:
    """Progress per district, enumerator and day, and data-quality flags citing their rules."""
    from fieldkit.export.atomic import atomic_path
    from fieldkit.monitor import build_monitor
    from fieldkit.monitor.html import render_html
    from fieldkit.project import load_study

    report = build_monitor(store, load_study(project), share=share)
    if html is not None:
        with atomic_path(html) as partial:  # whole or not at all
            partial.write_text(render_html(report), encoding="utf-8")
    if as_json:
        print_json(report.to_dict())
        return
    for form in report.forms:
        total = form.total
        rate = "–" if total.response_rate is None else f"{total.response_rate:.0%}"
        console.print(
            f"{escape(form.form_id)}: {plural(total.visited, 'visit')}, "
            f"{total.complete:,} complete, {total.refused:,} refused, response {rate}, "
            f"{plural(len(form.flags), 'flag')}"
        )
    if html is not None:
        console.print(f"[green]✓[/] report: {escape(str(html))}")


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor)
