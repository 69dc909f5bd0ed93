"""fieldkit profile: who is at risk (vulnerability profiles) and who traffics (roles)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fieldkit.cli.datasets import (
    DEFAULT_RECODES,
    InstrumentId,
    Lang,
    ProfileOption,
    Project,
    Recodes,
    Role,
    Store,
)
from fieldkit.cli.render import console, print_json
from fieldkit.protocol.profile import Profile

if TYPE_CHECKING:
    from fieldkit.dataset.table import Cell
    from fieldkit.profiles import Separation
    from fieldkit.stats.ratios import RatioTable
    from fieldkit.stats.tabulate import Crosstab

__all__ = ["register"]


def profile(
    *,
    store: Store,
    instrument: InstrumentId,
    outcome: Annotated[
        list[str] | None,
        typer.Option("--outcome", help="The outcome to profile (repeat; default tip_child)."),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="A characteristic: a variable or a disaggregation role such as origin "
            "(repeat; default: sex, age band, birthplace, ethnicity, children in the "
            "household, school attendance).",
        ),
    ] = None,
    reference: Annotated[
        list[str] | None,
        typer.Option(
            "--reference",
            help="VARIABLE=CODE: the group others are compared with (default: the largest).",
        ),
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option(
            "--xlsx",
            help="Also write the published tables to this workbook (About sheet, codebook, "
            "tables; no microdata), as fieldkit export writes them.",
        ),
    ] = None,
    role: Role = "statistician",
    project: Project = None,
    lang: Lang = None,
    release_profile: ProfileOption = Profile.RESTRICTED,
    recodes: Recodes = DEFAULT_RECODES,
    traffickers: Annotated[
        bool,
        typer.Option(
            "--traffickers",
            help="Trafficker profiles instead: roles in the chain, recruiters, recruitment "
            "methods and means of control, by type of exploitation (counts).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print tables as JSON.")] = False,
) -> None:
    """Vulnerability profile: each group's share with the outcome and its ratio to a
    reference group (weighted, with 95% CIs, where the study is representative; counts
    otherwise), then the characteristics ranked by how far they separate children with the
    outcome; protected with every table published before."""
    from fieldkit.cli.datasets import _load, print_published_table
    from fieldkit.cli.users import acting_user
    from fieldkit.cli.workbook import check_targets, write_tables_workbook
    from fieldkit.export.layout import lines
    from fieldkit.privacy.exports import record_tables
    from fieldkit.profiles import profile_tables, separations
    from fieldkit.release.ledger import publish_recorded
    from fieldkit.release.profiles import check_variables

    references = _references(reference or [])
    check_targets(xlsx)  # before the store: a wrong target costs nothing
    dataset, counts, form = _load(store, instrument, role, project, lang, recodes)
    outcomes = outcome or ["tip_child"]
    if traffickers:
        from fieldkit.profiles.roles import role_tables

        tables: list[Crosstab | RatioTable] = list(role_tables(dataset))
        outcomes = []
    else:
        tables = profile_tables(dataset, outcomes, by or [], references=references)
    used = {name for table in tables for name in table.by}
    check_variables(dataset, form, release_profile, [*outcomes, *used])
    user = acting_user()
    label = f"profile {release_profile.value}" + (f" by {user}" if user else "")
    published, _ = publish_recorded(store, dataset, list(tables), label=label)
    ranking = separations(published)
    if xlsx is not None:
        write_tables_workbook(xlsx, dataset, form, release_profile, published, counts, user)
    shown = {
        "tables": [[[v for v, _ in line] for line in lines([t])] for t in published],
        "ranking": [_ranked(s) for s in ranking],
    }
    record_tables(  # a release: audited before it is shown (issue 11)
        store,
        instrument,
        json.dumps(shown, ensure_ascii=False, default=str).encode("utf-8"),
        table={"outcomes": outcomes, "by": by or [], "traffickers": traffickers},
        profile=release_profile.value,
        role=role,
        user=user,
        files=[xlsx] if xlsx is not None else [],
        action="profile",
    )
    if as_json:
        print_json(shown)
        return
    for table in published:
        print_published_table(table)
    if not traffickers:
        _print_ranking(ranking, representative=dataset.study.representative)
    if xlsx is not None:
        console.print(f"[green]✓[/] {escape(str(xlsx))}")


def _references(given: list[str]) -> dict[str, Cell]:
    found: dict[str, Cell] = {}
    for item in given:
        name, sign, code = item.partition("=")
        if not sign or not name or not code:
            raise typer.BadParameter(
                f"'{item}' is not VARIABLE=CODE (e.g. sex=1)", param_hint="--reference"
            )
        found[name] = int(code) if code.lstrip("-").isdigit() else code
    return found


def _ranked(item: Separation) -> dict[str, object]:
    return {
        "outcome": item.outcome,
        "characteristic": item.characteristic,
        "group": item.group,
        "share": item.share,
        "reference": item.reference,
        "reference_share": item.reference_share,
        "ratio": item.ratio,
        "ci_low": item.ci_low,
        "ci_high": item.ci_high,
    }


def _print_ranking(ranking: list[Separation], *, representative: bool) -> None:
    from rich.table import Table

    from fieldkit.profiles import CAUTION

    grid = Table(title="What separates children with the outcome", title_justify="left")
    for heading in ("outcome", "characteristic", "group", "%", "reference", "%", "ratio", "CI"):
        grid.add_column(heading)
    for item in ranking:
        interval = "" if item.ci_low is None else f"{item.ci_low:.2f}-{item.ci_high:.2f}"
        grid.add_row(
            escape(item.outcome), escape(item.characteristic), escape(item.group),
            f"{item.share:.1f}", escape(item.reference), f"{item.reference_share:.1f}",
            f"{item.ratio:.2f}", interval,
        )  # fmt: skip
    console.print(grid)
    if representative:
        console.print(
            "[dim]Ranked by how far each ratio's 95% interval lies from 1; only groups whose "
            "shares are published.[/]"
        )
    else:
        console.print(f"[dim]{escape(CAUTION)}[/]")


def register(app: typer.Typer) -> None:
    app.command("profile")(profile)
