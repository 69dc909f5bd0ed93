"""Routes of trafficked children (origin -> transit -> destination, with a GeoJSON map of
the flows between the protocol's place centroids) and points of vulnerability named in
rapid assessments; every table published through the release like any other."""

from fieldkit.routes.flows import Flow, add_route, flows, route_tables
from fieldkit.routes.maps import flows_geojson, point_tables

__all__ = ["Flow", "add_route", "flows", "flows_geojson", "point_tables", "route_tables"]
