"""fieldkit routes: origin -> transit -> destination flows, a GeoJSON map, points of
vulnerability."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
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

__all__ = ["register"]


class Every(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class PeriodFrom(StrEnum):
    INTERVIEW = "interview"
    RECRUITMENT = "recruitment"


def routes(
    *,
    store: Store,
    instrument: InstrumentId,
    geojson: Annotated[
        Path | None,
        typer.Option("--geojson", help="Also write the published flows as GeoJSON (a new file)."),
    ] = None,
    by_period: Annotated[
        Every | None,
        typer.Option("--by-period", help="Also break the routes down by month, quarter or year."),
    ] = None,
    period_from: Annotated[
        PeriodFrom,
        typer.Option(
            "--period-from",
            help="Date the period is taken from: the interview's, or the child's recruitment.",
        ),
    ] = PeriodFrom.INTERVIEW,
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
    as_json: Annotated[bool, typer.Option("--json", help="Print tables as JSON.")] = False,
) -> None:
    """Routes of trafficked children (origin, transit, destination from the protocol's
    place list) with counts, and points of vulnerability named in rapid assessments with how
    often and by which tool; protected with every table published before."""
    from fieldkit.cli.datasets import _load, print_published_table
    from fieldkit.cli.users import acting_user
    from fieldkit.cli.workbook import check_targets, write_tables_workbook
    from fieldkit.export.atomic import atomic_path
    from fieldkit.export.layout import lines
    from fieldkit.privacy.exports import record_tables
    from fieldkit.release.ledger import publish_recorded
    from fieldkit.release.profiles import check_variables
    from fieldkit.routes import flows, flows_geojson, point_tables, route_tables
    from fieldkit.stats.tabulate import Crosstab

    check_targets(xlsx, geojson)  # before the store: a wrong target costs nothing
    dataset, counts, form = _load(store, instrument, role, project, lang, recodes)
    places = form.protocol.model.places
    labels: dict[Cell, Mapping[str, str]] = {
        p.code: {"en": p.label} if isinstance(p.label, str) else dict(p.label) for p in places
    }
    period = None if by_period is None else (by_period.value, period_from.value)
    tables = [*route_tables(dataset, labels, period=period), *point_tables(dataset, labels)]
    check_variables(dataset, form, release_profile, [n for t in tables for n in t.by])
    user = acting_user()
    label = f"routes {release_profile.value}" + (f" by {user}" if user else "")
    published, _ = publish_recorded(store, dataset, list(tables), label=label)
    route = [t for t in published if isinstance(t, Crosstab) and t.by[:1] == ("tip_route",)]
    if geojson is not None:
        found = flows(route[0]) if route else []
        text = json.dumps(flows_geojson(found, places), ensure_ascii=False, indent=1)
        with atomic_path(geojson) as partial:
            partial.write_text(text + "\n", encoding="utf-8")
    if xlsx is not None:
        write_tables_workbook(xlsx, dataset, form, release_profile, published, counts, user)
    shown = [[[v for v, _ in line] for line in lines([t])] for t in published]
    record_tables(  # a release: audited before it is shown (issue 11)
        store,
        instrument,
        json.dumps(shown, ensure_ascii=False, default=str).encode("utf-8"),
        table={"by_period": None if period is None else list(period)},
        profile=release_profile.value,
        role=role,
        user=user,
        files=[path for path in (geojson, xlsx) if path is not None],
        action="routes",
    )
    if as_json:
        print_json(shown)
    else:
        for table in published:
            print_published_table(table)
        if not published:
            console.print(f"{escape(instrument)} records no coded places: no routes or points")
    for written in (geojson, xlsx):
        if written is not None and not as_json:
            console.print(f"[green]✓[/] {escape(str(written))}")


def register(app: typer.Typer) -> None:
    app.command("routes")(routes)
