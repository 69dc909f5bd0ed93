"""Points of vulnerability from rapid assessments, and route flows as GeoJSON.

Points: each place a rapid-assessment record names or observes as a point where children
are approached, handed over or moved on (``vuln_points``) is one row of a table of mentions
by research tool (who reported it: an observation, a key informant, a focus group...).

GeoJSON: each published flow is a LineString from its origin's centroid through its
transit place's to its destination's, with its published count; a flow whose count is
withheld, or with a place the protocol's list gives no coordinates for, is left off the map
(and stays in the table).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Cell
from fieldkit.protocol.schema import PlaceModel
from fieldkit.routes.flows import Flow
from fieldkit.routes.longtables import mentions
from fieldkit.stats.tabulate import SUPPRESSED, Crosstab, crosstab

__all__ = ["flows_geojson", "point_tables"]


def point_tables(
    dataset: Dataset,
    labels: Mapping[Cell, Mapping[str, str]] | None = None,
    language: str | None = None,
) -> list[Crosstab]:
    """Places named as points of vulnerability (``labels``: the place list's names), by the
    tool that reported them."""
    records = dataset.table(dataset.main)
    if "vuln_points" not in records or "tool" not in records:
        return []
    name = f"{records.name}__points"
    threshold = dataset.study.small_cell_threshold
    other = {"en": f"Other places (each reported by fewer than {threshold} records)"}
    long = mentions(
        dataset,
        records,
        "vuln_points",
        name=name,
        keep=["tool"],
        labels=labels,
        fold=(threshold, other),
    )
    if long is None or not len(long):
        return []
    title = "Points of vulnerability: how often each place was reported, and by which tool"
    lang = language or dataset.language
    return [
        crosstab(long, "tool", ["vuln_points"], study=dataset.study, language=lang, title=title)
    ]


def flows_geojson(
    flows: Sequence[Flow], places: Sequence[PlaceModel], language: str = "en"
) -> dict[str, Any]:
    """A FeatureCollection of the published flows between place centroids."""
    where = {p.code: p for p in places if p.lat is not None and p.lon is not None}
    features = []
    for flow in flows:
        stops = [flow.origin, *([flow.transit] if flow.transit else []), flow.destination]
        if flow.children == SUPPRESSED or not all(stop in where for stop in stops):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[where[s].lon, where[s].lat] for s in stops],
                },
                "properties": {
                    "origin": flow.origin,
                    "transit": flow.transit,
                    "destination": flow.destination,
                    "names": [_name(where[s].label, language) for s in stops],
                    "children": flow.children,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _name(label: object, language: str) -> str:
    if isinstance(label, Mapping):
        return str(label.get(language) or next(iter(label.values()), ""))
    return str(label)
