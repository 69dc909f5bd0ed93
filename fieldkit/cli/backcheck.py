"""fieldkit backcheck draw / compare: re-interviews of a random share of completed interviews."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fieldkit.cli.datasets import Project
from fieldkit.cli.render import console, plural, print_json

__all__ = ["backcheck_app", "register"]

backcheck_app = typer.Typer(
    name="backcheck",
    help="Back-checks: draw completed interviews to re-interview, compare the answers.",
    no_args_is_help=True,
)
Store = Annotated[str, typer.Option("--store", help="Coordinator store: a SQLite path or a URL.")]


@backcheck_app.command("draw")
def draw(
    store: Store,
    rate: Annotated[float, typer.Option("--rate", help="Share of each enumerator's interviews.")],
    seed: Annotated[str, typer.Option("--seed", help="Any text; the same seed, the same draw.")],
    instrument: Annotated[
        str, typer.Option("--instrument", "-i", help="The instrument back-checked.")
    ] = "household_cl",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the drawn units as a sample CSV for fieldkit assign."),
    ] = None,
    project: Project = None,
) -> None:
    """Draw a reproducible random share of each enumerator's completed interviews."""
    from fieldkit.cli.users import acting_user
    from fieldkit.export.atomic import atomic_path
    from fieldkit.project import load_study
    from fieldkit.review.backcheck import draw as draw_sample
    from fieldkit.store.coordinator import require_store

    require_store(store)
    form = load_study(project).form(instrument)
    if out is not None:
        with atomic_path(out):
            pass  # a path that cannot be written: refused before anything is drawn
        out.unlink()
    drawn = draw_sample(
        store, rate=rate, seed=seed, form_id=form.id, actor=acting_user() or "supervisor"
    )
    per: dict[str, int] = {}
    for item in drawn:
        per[item.enumerator] = per.get(item.enumerator, 0) + 1
    for who, count in sorted(per.items()):
        console.print(f"{escape(who)}: {plural(count, 'interview')}")
    console.print(f"[green]✓[/] {plural(len(drawn), 'interview')} drawn for a back-check")
    if out is not None:
        lines = [",".join(form.unit_key)]
        lines += [",".join(str(v) for v in item.unit) for item in drawn]
        with atomic_path(out) as partial:
            partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
        console.print(f"[green]✓[/] back-check sample: {escape(str(out))}")


@backcheck_app.command("compare")
def compare(
    store: Store,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rates as JSON.")] = False,
) -> None:
    """Discrepancy rates between back-checks and first interviews, per question and enumerator."""
    from rich.table import Table

    from fieldkit.review.backcheck import compare as compare_store
    from fieldkit.store.coordinator import require_store

    require_store(store)
    report = compare_store(store)
    if as_json:
        print_json(report.to_dict())
        return
    console.print(f"{report.backchecked:,} of {report.drawn:,} drawn interviews back-checked")
    for title, rows in (("question", report.by_question), ("enumerator", report.by_enumerator)):
        table = Table(title=f"Discrepancies by {title}", title_justify="left")
        for column in (title, "compared", "differing", "rate"):
            table.add_column(column)
        for name, rate in rows.items():
            shown = "–" if rate.rate is None else f"{rate.rate:.1%}"
            table.add_row(escape(name), str(rate.compared), str(rate.differing), shown)
        console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(backcheck_app, name="backcheck")
