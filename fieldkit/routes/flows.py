"""Routes: where trafficked children come from, pass through and are exploited (ILO Book 2,
2.5), from the coded place questions (``*_origin_place``, ``*_transit_place``,
``*_exploit_place``, answered from the protocol's place list).

    tables = route_tables(dataset)            # one crosstab, flows as its rows
    published, _ = publish(dataset, tables)   # protected as every release
    geojson = flows_geojson(published[0], places)

A flow is one origin -> transit -> destination combination; it is published as a crosstab
of the children's trafficking flag by route (and by collection period when asked), so its
counts are audited with every other table of the release.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Cell, Special, Table, Variable, VarType
from fieldkit.profiles.vulnerability import children_table
from fieldkit.routes.periods import add_period
from fieldkit.routes.rare import OTHER, fold_rare, kept_labels
from fieldkit.stats.tabulate import Crosstab, crosstab

__all__ = ["DIRECT", "ROUTE", "Flow", "add_route", "flows", "route_tables"]

ROUTE = "tip_route"
DIRECT = "direct"
UNKNOWN = "?"
STAGES = ("origin_place", "transit_place", "exploit_place")
PREFIXES = ("tip_", "cw_")


@dataclass(frozen=True)
class Flow:
    origin: str
    transit: str | None
    """None: the journey was direct."""
    destination: str
    children: int | str
    """The published count (or the suppression mark)."""


def place_questions(table: Table) -> tuple[str, str, str] | None:
    """The table's origin, transit and destination questions, if it has them."""
    for prefix in PREFIXES:
        names = tuple(prefix + stage for stage in STAGES)
        if all(name in table for name in names):
            return names[0], names[1], names[2]
    return None


def add_route(
    table: Table,
    labels: Mapping[Cell, Mapping[str, str]],
    *,
    threshold: int,
    counted: str = "tip_child",
) -> str | None:
    """Add ``tip_route`` ("origin>transit>destination", transit ``direct`` when not given)
    to the children who name an origin or a destination; its name, or None. A route fewer
    than ``threshold`` children with a known ``counted`` took is folded into the other
    routes (:mod:`fieldkit.routes.rare`): it is not even named."""
    names = place_questions(table)
    if names is None:
        return None
    if ROUTE in table:
        return ROUTE
    origin, transit, destination = (table.column(name) for name in names)
    raw = [_route(o, t, d) for o, t, d in zip(origin, transit, destination, strict=True)]
    known = [_known(v) for v in table.column(counted)] if counted in table else [True] * len(raw)
    codes, kept = fold_rare(raw, known, threshold)
    named: dict[Cell, Mapping[str, str]] = {
        code: {"en": " → ".join(_text(part, labels) for part in str(code).split(">"))}
        for code in dict.fromkeys(c for c in raw if c in kept)
    }
    other = {"en": f"Other routes (each taken by fewer than {threshold} children)"}
    table.add_column(
        Variable(
            name=ROUTE,
            label={"en": "Route: origin → transit → destination"},
            type=VarType.CODE,
            value_labels=kept_labels(named, kept, other),
            origin="derived",
            definition=f"{names[0]} > {names[1]} (or direct) > {names[2]}; ? where unknown; "
            f"{OTHER} for a route fewer than {threshold} children took",
            source="ILO Book 2, 2.5 (routes); coded places from the protocol's place list",
            universe="children who name where they came from or were taken to",
        ),
        codes,
    )
    return ROUTE


def _known(value: Cell) -> bool:
    return value is not None and not isinstance(value, Special)


def _route(origin: Cell, transit: Cell, destination: Cell) -> Cell:
    if not _known(origin) and not _known(destination):
        return None
    parts = [
        str(origin) if _known(origin) else UNKNOWN,
        str(transit) if _known(transit) else DIRECT,
        str(destination) if _known(destination) else UNKNOWN,
    ]
    return ">".join(parts)


def _text(code: str, labels: Mapping[Cell, Mapping[str, str]]) -> str:
    if code == DIRECT:
        return "(direct)"
    if code == UNKNOWN:
        return "(not known)"
    return labels.get(code, {}).get("en", code)


def route_tables(
    dataset: Dataset,
    labels: Mapping[Cell, Mapping[str, str]],
    *,
    language: str | None = None,
    period: tuple[str, str] | None = None,
) -> list[Crosstab]:
    """The route table: children by route (and by ``period``: every, source, e.g. ("month",
    "interview")), counted by whether they are trafficking victims (tip_child); none when
    the instrument records no places."""
    children = children_table(dataset)
    name = add_route(children, labels, threshold=dataset.study.small_cell_threshold)
    if name is None or "tip_child" not in children:
        return []
    by = [name]
    title = "Routes: children by origin → transit → destination"
    if period is not None:
        by.append(add_period(dataset, children, *period))
        title += f", by {period[0]} of the {period[1]}"
    return [
        crosstab(
            children, "tip_child", by, study=dataset.study, language=language or "en", title=title
        )
    ]


def flows(table: Crosstab) -> list[Flow]:
    """The published flows of a route table (each route's row: its cell, or its subtotal
    over the periods), with their shown totals."""
    total = len(table.columns) - 1
    found: list[Flow] = []
    for r, row in enumerate(table.rows):
        code = row.key[0] if row.key else None
        if row.kind == "total" or any(part is not None for part in row.key[1:]):
            continue
        if not isinstance(code, str) or code.count(">") != 2:
            continue
        origin, transit, destination = code.split(">")
        found.append(
            Flow(origin, None if transit == DIRECT else transit, destination, table.count(r, total))
        )
    return found
