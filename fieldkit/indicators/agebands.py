"""Age bands computed from exact age by a named scheme, and exact re-cuts between schemes.

Exact age is always kept; a band is a derived variable with the scheme's name, so data cut
one way can be re-cut another way whenever every band of the first lies inside one band of
the second. When a band straddles two (CTDC 9-17 against ILO 12-14), the re-cut is refused;
only the bands found in the data need to nest (12-14 alone re-cuts into 9-17).

Ages below or above a scheme get an "outside" code (``out_0_4``, ``out_18_plus`` for the ILO
5-17 scheme), so tables keep them apart from ages not stated and can show the 5-17 total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Special, Table, Variable, VarType

__all__ = [
    "CTDC_BROAD",
    "ILO_CL",
    "SCHEMES",
    "AgeBand",
    "AgeScheme",
    "add_age_band",
    "recut",
    "scheme",
]


@dataclass(frozen=True, slots=True)
class AgeBand:
    low: int
    high: int | None
    """Inclusive; None for an open top band (48+)."""
    code: str = ""

    @property
    def name(self) -> str:
        if self.code:
            return self.code
        return f"{self.low}_{self.high}" if self.high is not None else f"{self.low}_plus"

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}" if self.high is not None else f"{self.low}+"

    def contains(self, age: int) -> bool:
        return age >= self.low and (self.high is None or age <= self.high)

    def within(self, other: AgeBand) -> bool:
        top = float("inf") if self.high is None else self.high
        other_top = float("inf") if other.high is None else other.high
        return other.low <= self.low and top <= other_top


@dataclass(frozen=True)
class AgeScheme:
    """A named, versioned set of non-overlapping bands (ages outside them get no band)."""

    name: str
    bands: tuple[AgeBand, ...]
    totals: tuple[AgeBand, ...] = ()
    """Aggregates shown in tables (ILO 5-14 and 5-17), each a union of whole bands."""
    source: str = ""
    version: str = "1"
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ordered = sorted(self.bands, key=lambda b: b.low)
        for before, after in pairwise(ordered):
            if before.high is None or before.high >= after.low:
                raise DatasetError(
                    f"age scheme '{self.name}': bands {before.label} and {after.label} overlap",
                    code="FK-DATA-002",
                    hint="bands must not overlap; only the last may be open (48+)",
                )
        for total in self.totals:
            if not any(b.within(total) for b in self.bands):
                raise DatasetError(
                    f"age scheme '{self.name}': total {total.label} holds no band",
                    code="FK-DATA-002",
                )

    @property
    def outside(self) -> tuple[AgeBand, ...]:
        """The ages below the first band and above the last, as bands of their own."""
        ordered = sorted(self.bands, key=lambda b: b.low)
        found: list[AgeBand] = []
        if ordered[0].low > 0:
            low = ordered[0].low - 1
            found.append(AgeBand(0, low, f"{OUTSIDE}0_{low}"))
        tops = [b.high for b in ordered if b.high is not None]
        if len(tops) == len(ordered):
            top = max(tops)
            found.append(AgeBand(top + 1, None, f"{OUTSIDE}{top + 1}_plus"))
        return tuple(found)

    def band(self, age: Cell) -> AgeBand | None:
        if isinstance(age, bool) or not isinstance(age, int | float):
            return None
        for band in (*self.bands, *self.outside):
            if band.contains(int(age)):
                return band
        return None

    def code(self, age: Cell) -> Cell:
        """The band code of an exact age, an outside code for ages beyond the scheme, none
        between two bands (DK and refused ages stay DK and refused)."""
        if isinstance(age, Special):
            return age
        found = self.band(age)
        return None if found is None else found.name

    def by_code(self, code: str) -> AgeBand:
        for band in (*self.bands, *self.outside):
            if band.name == code:
                return band
        raise DatasetError(
            f"'{code}' is not a band of age scheme '{self.name}'",
            code="FK-DATA-002",
            hint="bands: " + ", ".join(b.name for b in self.bands),
        )

    def totals_of(self, total: AgeBand) -> tuple[str, ...]:
        return tuple(b.name for b in self.bands if b.within(total))

    @property
    def variable_name(self) -> str:
        return f"age_band_{self.name}"

    def value_labels(self) -> dict[Cell, Mapping[str, str]]:
        below = [b for b in self.outside if b.high is not None]
        above = [b for b in self.outside if b.high is None]
        labels: dict[Cell, Mapping[str, str]] = {b.name: _outside_label(b) for b in below}
        labels.update({b.name: self.labels.get(b.name, {"en": b.label}) for b in self.bands})
        labels.update({b.name: _outside_label(b) for b in above})
        return labels

    @classmethod
    def from_mapping(cls, name: str, data: Mapping[str, Any]) -> AgeScheme:
        """A user-defined scheme, e.g. from a protocol: ``{"bands": ["0-4", "5-17", "18+"]}``."""
        try:
            bands = tuple(_parse_band(str(text)) for text in data["bands"])
            totals = tuple(_parse_band(str(text)) for text in data.get("totals", ()))
        except (KeyError, TypeError, ValueError) as error:
            raise DatasetError(
                f"age scheme '{name}' is malformed: {error}",
                code="FK-DATA-002",
                hint='write bands as "5-11", "12-14", "48+"',
            ) from None
        return cls(
            name,
            bands,
            totals,
            source=str(data.get("source", "user-defined")),
            version=str(data.get("version", "1")),
        )


OUTSIDE = "out_"
"""The prefix of the codes of ages outside a scheme (tables show them only when found)."""


def _outside_label(band: AgeBand) -> Mapping[str, str]:
    return {"en": f"{band.label} (outside the scheme)", "fr": f"{band.label} (hors du champ)"}


def _parse_band(text: str) -> AgeBand:
    text = text.strip()
    if text.endswith("+"):
        return AgeBand(int(text[:-1]), None)
    low, high = text.split("-")
    if int(high) < int(low):
        raise ValueError(f"band {text} ends before it starts")
    return AgeBand(int(low), int(high))


ILO_CL = AgeScheme(
    "ilo_cl",
    (AgeBand(5, 11), AgeBand(12, 14), AgeBand(15, 17)),
    totals=(AgeBand(5, 14), AgeBand(5, 17)),
    source=(
        "ILO/UNICEF child labour age groups (18th ICLS resolution II, 2008; SDG 8.7.1 metadata); "
        "MICS6 recode CB3 (5 thru 11=1)(12 thru 14=2)(15 thru 17=3)"
    ),
    version="2008",
)
CTDC_BROAD = AgeScheme(
    "ctdc_broad",
    (
        AgeBand(0, 8),
        AgeBand(9, 17),
        AgeBand(18, 20),
        AgeBand(21, 23),
        AgeBand(24, 26),
        AgeBand(27, 29),
        AgeBand(30, 38),
        AgeBand(39, 47),
        AgeBand(48, None),
    ),
    source="CTDC global victim dataset codebook (v6): ageBroad",
    version="v6",
)
CHILD_ADULT = AgeScheme(
    "child_adult",
    (AgeBand(0, 17, "child"), AgeBand(18, None, "adult")),
    source="Palermo Protocol art. 3(d) and CRC art. 1: a child is anyone under 18",
    labels={"child": {"en": "Child (0-17)"}, "adult": {"en": "Adult (18+)"}},
)
SCHEMES: dict[str, AgeScheme] = {s.name: s for s in (ILO_CL, CTDC_BROAD, CHILD_ADULT)}


def scheme(name_or_scheme: str | AgeScheme | Mapping[str, Any], name: str = "") -> AgeScheme:
    """A scheme by name, as given, or built from a mapping (a protocol's own scheme)."""
    if isinstance(name_or_scheme, AgeScheme):
        return name_or_scheme
    if isinstance(name_or_scheme, Mapping):
        return AgeScheme.from_mapping(name or "custom", name_or_scheme)
    found = SCHEMES.get(name_or_scheme)
    if found is None:
        raise DatasetError(
            f"unknown age-band scheme '{name_or_scheme}'",
            code="FK-DATA-002",
            hint="schemes: " + ", ".join(SCHEMES) + ", or a mapping of bands",
        )
    return found


def add_age_band(
    table: Table, age_scheme: str | AgeScheme, age: str = "age", name: str | None = None
) -> Variable:
    """Add the band of ``age`` under ``age_scheme`` as a coded variable; return it."""
    chosen = scheme(age_scheme)
    bands = ", ".join(b.label for b in chosen.bands)
    variable = Variable(
        name=name or chosen.variable_name,
        label={"en": f"Age band ({chosen.name})", "fr": f"Groupe d'âge ({chosen.name})"},
        type=VarType.CODE,
        value_labels=chosen.value_labels(),
        role=table.variable(age).role,
        origin="derived",
        definition=(
            f"exact age '{age}' in completed years cut into {bands}; "
            f"scheme {chosen.name} version {chosen.version}; ages outside the scheme get "
            + (", ".join(f"'{b.name}'" for b in chosen.outside) or "no band")
        ),
        source=chosen.source,
        missing=table.variable(age).missing,
    )
    table.add_column(variable, [chosen.code(a) for a in table.column(age)])
    return variable


def recut(
    band_values: Iterable[Cell], from_scheme: str | AgeScheme, to_scheme: str | AgeScheme
) -> list[Cell]:
    """Band codes of one scheme as codes of another: exact when each band found nests in a
    band of the other (12-14 into 9-17), refused when one found straddles two."""
    source, target = scheme(from_scheme), scheme(to_scheme)
    mapping: dict[str, str] = {}
    result: list[Cell] = []
    for value in band_values:
        if value is None or isinstance(value, Special):
            result.append(value)
            continue
        code = str(value)
        if code not in mapping:
            mapping[code] = _home(source.by_code(code), source, target)
        result.append(mapping[code])
    return result


def _home(band: AgeBand, source: AgeScheme, target: AgeScheme) -> str:
    candidates = (*target.bands, *target.outside)
    home = [t for t in candidates if band.within(t)]
    if home:
        return home[0].name
    overlapping = [t.label for t in sorted(candidates, key=lambda t: t.low) if _overlaps(band, t)]
    detail = f"straddles {', '.join(overlapping)}" if overlapping else "lies outside every band"
    raise DatasetError(
        f"cannot re-cut {source.name} band {band.label} into {target.name}: it {detail}",
        code="FK-DATA-001",
        hint="re-cut from exact age instead (add_age_band on the age variable)",
    )


def _overlaps(a: AgeBand, b: AgeBand) -> bool:
    a_top = float("inf") if a.high is None else a.high
    b_top = float("inf") if b.high is None else b.high
    return a.low <= b_top and b.low <= a_top
