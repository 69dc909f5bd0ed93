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


def assign(
    store: Store,
    sample: Annotated[
        Path, typer.Option("--sample", help="The sample: a CSV row per unit to visit.")
    ],
    instrument: Annotated[str, typer.Option("--instrument", "-i", help="Instrument id.")],
    enumerators: Annotated[
        str | None,
        typer.Option(
            "--enumerators",
            help="Comma-separated codes for units without an enumerator in the file "
            "(whole clusters in turn).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write one assignment file per enumerator into this folder."),
    ] = None,
    project: Project = None,
) -> None:
    """Assign the sample's units to enumerators; --out writes the files for their laptops."""
    from fieldkit.cli.users import acting_user
    from fieldkit.export.atomic import prepare_folder
    from fieldkit.monitor.assignments import assign_sample, write_assignment_files
    from fieldkit.monitor.sample import read_sample
    from fieldkit.project import load_study
    from fieldkit.store.coordinator import require_store

    require_store(store)
    form = load_study(project).form(instrument)
    units = read_sample(sample, form)
    codes = [c.strip() for c in (enumerators or "").split(",") if c.strip()]
    if out is not None:
        prepare_folder(out)  # a folder that cannot be: refused before anything is stored
    actor = acting_user() or "coordinator"
    counts = assign_sample(store, form, units, enumerators=codes, actor=actor)
    for who, count in counts.items():
        console.print(f"{escape(who)}: {plural(count, 'unit')}")
    console.print(f"[green]✓[/] {plural(len(units), 'unit')} of {escape(form.id)} assigned")
    if out is not None:
        for path in write_assignment_files(store, form, out):
            console.print(f"[green]✓[/] assignment file: {escape(str(path))}")


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor)
    app.command("assign")(assign)
