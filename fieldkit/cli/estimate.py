"""fieldkit estimate: weighted proportions or totals from any survey file in CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def estimate(
    file: Annotated[Path, typer.Argument(help="The survey file (CSV with a header line).")],
    *,
    var: Annotated[
        list[str], typer.Option("--var", help="Variable to estimate (repeat for several).")
    ],
    psu: Annotated[str, typer.Option("--psu", help="Column of the PSU (cluster) ids.")],
    weight: Annotated[str, typer.Option("--weight", help="Column of the survey weights.")],
    strata: Annotated[
        str | None, typer.Option("--strata", help="Column of the strata (none: one stratum).")
    ] = None,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="Break down by (repeat to cross).")
    ] = None,
    total: Annotated[
        bool, typer.Option("--total", help="Weighted totals (counts) instead of proportions.")
    ] = False,
    value: Annotated[str, typer.Option("--value", help="The value counted in a proportion.")] = "1",
    threshold: Annotated[
        int,
        typer.Option(
            "--threshold",
            min=0,  # 0: no small-count rule (checking against reference numbers); never less
            help="Hide counts below this and withhold estimates resting on fewer records.",
        ),
    ] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print rows as JSON.")] = False,
) -> None:
    """Weighted proportions (or totals) with linearised SEs and 95% CIs, protected as
    tables --weighted (small counts, and whatever would let them be worked out, hidden)."""
    from fieldkit.cli.datasets import print_published_table
    from fieldkit.cli.render import print_json
    from fieldkit.export.layout import lines
    from fieldkit.instrument.form import SampleDesign
    from fieldkit.release.publish import publish_csv

    design = SampleDesign(psu=psu, weight=weight, stratum=strata)
    results = publish_csv(
        file, var, by or [], design, total=total, value=_cell(value), threshold=threshold
    )
    if as_json:
        print_json([[cell for cell, _ in line] for line in lines(results)])
        return
    for result in results:
        print_published_table(result)


def _cell(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def register(app: typer.Typer) -> None:
    app.command("estimate")(estimate)
