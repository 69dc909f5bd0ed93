"""The ISIC Rev.4, ISCO-08 and ISO 3166-1 code lists shipped with fieldkit (package data).

Kept apart from :mod:`fieldkit.indicators.codes` so the protocol compiler can check a
national hazardous work list against them without loading the dataset and store modules
(``fieldkit check`` stays light).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

__all__ = ["CodeList", "isco08", "isic_rev4", "iso3166_alpha2"]


@dataclass(frozen=True)
class CodeList:
    """One classification: its 4-digit codes with their titles, and every group code."""

    name: str
    titles: Mapping[str, str]
    """4-digit code -> English title."""
    groups: frozenset[str]
    """Every code a list entry may name: the 4-digit codes, their prefixes, section letters."""
    section_of: Mapping[str, str] = field(default_factory=dict)
    """For ISIC: 4-digit class -> section letter."""

    def valid(self, code: str) -> bool:
        return code in self.titles


def _rows(name: str) -> list[dict[str, str]]:
    # from the top package: naming fieldkit.indicators would load its derive modules
    data = resources.files("fieldkit").joinpath("indicators", "data", name)
    text = data.read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def isic_rev4() -> CodeList:
    rows = _rows("isic_rev4.csv")
    classes = {r["code"]: r["title"] for r in rows if r["level"] == "class"}
    sections = {r["code"]: r["section"] for r in rows if r["level"] == "class"}
    groups = frozenset(r["code"] for r in rows)
    return CodeList("ISIC Rev.4", classes, groups, sections)


@cache
def isco08() -> CodeList:
    rows = _rows("isco08.csv")
    units = {r["code"]: r["title"] for r in rows if r["level"] == "unit"}
    groups = frozenset(code[:n] for code in units for n in range(1, 5))
    return CodeList("ISCO-08", units, groups)


@cache
def iso3166_alpha2() -> Mapping[str, str]:
    """ISO 3166-1 alpha-2 country code (upper case) -> English short name."""
    return {r["alpha_2"]: r["name"] for r in _rows("iso3166_1.csv")}
