"""ISIC Rev.4 and ISCO-08 code lists (package data) and the national hazardous work list.

Industry is coded as a 4-digit ISIC Rev.4 class and occupation as a 4-digit ISCO-08 unit
group, from the free-text description recorded beside them. The 18th ICLS resolution
concerning statistics of child labour (2008) counts work in designated hazardous industries
and occupations as hazardous work; which ones is a national decision (ILO Recommendation
No. 190, para. 3-4: the national hazardous work list). A protocol names them in
``hazardous_work`` (ISIC sections, divisions, groups or classes; ISCO-08 groups at any
level); :class:`HazardousList` answers whether a coded job falls under the list.

    codes = HazardousList(industries=("B", "F"), occupations=("9311",))
    codes.industry("0510")   # True: class 0510 is in section B (mining and quarrying)
    codes.occupation("9313") # False; None for a code that is not an ISCO-08 unit group
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Special
from fieldkit.indicators.codelists import CodeList, isco08, isic_rev4

__all__ = [
    "DEFAULT_HAZARDOUS",
    "CodeList",
    "HazardousList",
    "isco08",
    "isic_rev4",
    "normalise_code",
]

Tri = bool | None

ISIC_SOURCE = "ISIC Rev.4 (UN Statistics Division, 2008), 4-digit class"
ISCO_SOURCE = "ISCO-08 (ILO, 2008), 4-digit unit group"


def normalise_code(value: Cell) -> str | None:
    """A coded answer as a 4-digit code: ``"05.10"``, ``"0510"`` and ``510`` are ``"0510"``.

    Free text is never read as a code: anything but digits (with dots or spaces) is None.
    """
    if value is None or isinstance(value, Special | bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = str(value).replace(".", "").replace(" ", "").strip()
    if not text.isdigit() or len(text) > 4:
        return None
    return text.zfill(4)


@dataclass(frozen=True)
class HazardousList:
    """The national hazardous work list as coded industries and occupations."""

    industries: tuple[str, ...] = ()
    """ISIC Rev.4 section letters ("B") or division, group or class codes ("05", "0510")."""
    occupations: tuple[str, ...] = ()
    """ISCO-08 group codes at any level ("9", "93", "931", "9311")."""
    source: str = ""

    def __post_init__(self) -> None:
        _check_entries(self.industries, isic_rev4(), "industries", "ISIC Rev.4")
        _check_entries(self.occupations, isco08(), "occupations", "ISCO-08")

    def industry(self, value: Cell) -> Tri:
        """True when the coded industry is on the list; None when it is no ISIC class."""
        code = normalise_code(value)
        isic = isic_rev4()
        if code is None or not isic.valid(code):
            return None
        section = isic.section_of[code]
        return any(entry in (section, code) or code.startswith(entry) for entry in self.industries)

    def section(self, letter: str) -> bool:
        """For a coarse answer naming only an ISIC section: is the whole section listed?"""
        return bool(letter) and letter in self.industries

    def occupation(self, value: Cell) -> Tri:
        """True when the coded occupation is on the list; None when it is no ISCO-08 unit."""
        code = normalise_code(value)
        if code is None or not isco08().valid(code):
            return None
        return any(code.startswith(entry) for entry in self.occupations)

    def describe(self) -> str:
        industries = ", ".join(self.industries) or "none"
        occupations = ", ".join(self.occupations) or "none"
        where = f" ({self.source})" if self.source else ""
        return (
            f"hazardous industries (ISIC Rev.4): {industries}; hazardous occupations "
            f"(ISCO-08): {occupations}{where}"
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> HazardousList:
        """From a protocol's ``hazardous_work`` block."""
        return cls(
            industries=tuple(str(code) for code in data.get("industries", ())),
            occupations=tuple(str(code) for code in data.get("occupations", ())),
            source=_text(data.get("source")),
        )


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _check_entries(entries: Iterable[str], codes: CodeList, what: str, name: str) -> None:
    unknown = [entry for entry in entries if entry not in codes.groups]
    if unknown:
        raise DatasetError(
            f"hazardous {what} {', '.join(unknown)} are not {name} codes",
            code="FK-DATA-030",
            hint=f"name {name} groups as published (e.g. "
            + ('"B", "05" or "0510"' if name == "ISIC Rev.4" else '"93" or "9311"')
            + ")",
        )


DEFAULT_HAZARDOUS = HazardousList(
    industries=("B", "F"),
    source="designated hazardous industries as in the ILO global estimates of child labour "
    "(mining and quarrying, ISIC B; construction, ISIC F), pending the national list",
)
"""Used when a protocol names no list: mining and construction, no occupation."""
