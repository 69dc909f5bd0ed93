"""The protocol's place list, checked at ``fieldkit check`` (issue 17).

Routes are drawn from coded places, so a mistake in the list becomes a wrong map: a code
listed twice gives two places one name, a parent that is not listed breaks the hierarchy,
a latitude of 100 draws a flow off the globe, a mistyped country (``uk`` for ``gb``) joins
nothing. Each instrument's ``place`` choice list is what the enumerator picks from, so it
must hold exactly the protocol's codes: a place only one of them knows is a route that
cannot be mapped, or a place nobody can record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fieldkit.indicators.codelists import iso3166_alpha2
from fieldkit.instrument.schema import ChoiceModel
from fieldkit.instrument.source import SourceDocument
from fieldkit.instrument.validation import did_you_mean
from fieldkit.protocol.schema import PlaceModel, ProtocolModel
from fieldkit.report import Issue

__all__ = ["PLACE_CHOICES", "check_place_choices", "check_places"]

PLACE_CHOICES = "place"
"""The instrument choice list that the coded place questions use."""


def check_places(model: ProtocolModel, doc: SourceDocument) -> Iterator[Issue]:
    """Codes unique, parents listed, coordinates on the globe, countries ISO 3166-1."""
    codes = [place.code for place in model.places]
    seen: dict[str, int] = {}
    for i, place in enumerate(model.places):
        if place.code in seen:
            first = doc.locate(("places", seen[place.code], "code"))
            yield Issue(
                "FK-PROT-060",
                f"place code '{place.code}' is listed twice (first on line {first.line})",
                doc.locate(("places", i, "code")),
                "give each place its own code, or remove the repeated entry",
            )
        seen.setdefault(place.code, i)
        yield from _parent(place, i, codes, doc)
        yield from _coordinates(place, i, doc)
        yield from _country(place, i, doc)


def _parent(
    place: PlaceModel, i: int, codes: Sequence[str], doc: SourceDocument
) -> Iterator[Issue]:
    if place.parent is None or place.parent in codes:
        return
    yield Issue(
        "FK-PROT-061",
        f"place '{place.code}' names parent '{place.parent}', which is not in the place list",
        doc.locate(("places", i, "parent")),
        f"add a place with code '{place.parent}' (the level above), or name a listed parent",
    )


def _coordinates(place: PlaceModel, i: int, doc: SourceDocument) -> Iterator[Issue]:
    if (place.lat is None) != (place.lon is None):
        given = "lat" if place.lon is None else "lon"
        yield Issue(
            "FK-PROT-062",
            f"place '{place.code}' has {given} without {'lon' if given == 'lat' else 'lat'}",
            doc.locate(("places", i, given)),
            "give both lat and lon of the centroid (WGS 84 decimal degrees), or neither",
        )
    for key, value, limit in (("lat", place.lat, 90.0), ("lon", place.lon, 180.0)):
        if value is not None and not -limit <= value <= limit:
            yield Issue(
                "FK-PROT-062",
                f"place '{place.code}': {key} {value} is outside -{limit:g} to {limit:g}",
                doc.locate(("places", i, key)),
                "decimal degrees, WGS 84: latitude -90 to 90, longitude -180 to 180"
                " (swapped lat and lon?)",
            )


def _country(place: PlaceModel, i: int, doc: SourceDocument) -> Iterator[Issue]:
    if place.country is None:
        return
    known = iso3166_alpha2()
    if place.country.upper() in known:
        return
    close = did_you_mean(place.country.upper(), known)
    yield Issue(
        "FK-PROT-063",
        f"place '{place.code}': country '{place.country}' is not an ISO 3166-1 alpha-2 code",
        doc.locate(("places", i, "country")),
        (close + " " if close else "")
        + "use the two-letter ISO 3166-1 code, e.g. gh for Ghana, gb for the United Kingdom",
    )


def check_place_choices(
    choices: dict[str, list[ChoiceModel]],
    doc: SourceDocument,
    places: Sequence[PlaceModel],
    protocol: str,
) -> Iterator[Issue]:
    """The instrument's ``place`` choice list holds exactly the protocol's place codes."""
    listed = choices.get(PLACE_CHOICES)
    if listed is None:
        return
    wanted = [place.code for place in places]
    given = [str(choice.value) for choice in listed]
    for i, code in enumerate(given):
        if code not in wanted:
            yield Issue(
                "FK-PROT-064",
                f"place choice '{code}' is not in protocol '{protocol}''s place list",
                doc.locate(("choices", PLACE_CHOICES, i, "value")),
                " ".join(
                    filter(None, [did_you_mean(code, wanted), "add it to the protocol's places"])
                )
                + ", or remove it: the place choices are the protocol's places",
            )
    missing = [code for code in wanted if code not in given]
    if missing:
        yield Issue(
            "FK-PROT-064",
            f"the place choices leave out {', '.join(missing)} from protocol '{protocol}''s list",
            doc.locate(("choices", PLACE_CHOICES)),
            "copy every place of the protocol's places: into the place choice list",
        )
