"""What the About sheet says of profiles, routes and roles: which are descriptive only.

A vulnerability profile of a street survey looks like one of a household survey; only the
design tells them apart. So an export (or a profile or routes workbook) of a dataset with
these variables names them on its About sheet: for a non-representative design (street,
rapid assessment, establishment convenience sample), that they are descriptive only, with
the protocol's caution; for a representative survey, that routes, roles and points are
unweighted counts of the children interviewed while profiles are weighted estimates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Table
from fieldkit.profiles.vulnerability import CAUTION

__all__ = ["DESCRIPTIVE", "descriptive_rows", "with_descriptive_note"]

DESCRIPTIVE = "Descriptive only"
DESIGNS = {
    "street": "a street survey (time-location or snowball sample)",
    "rapid_assessment": "a rapid assessment (purposive sample)",
    "establishment": "an establishment survey (convenience sample of workplaces)",
}
RESULTS = (
    ("vulnerability profiles", ("tip_child",)),
    ("trafficker roles", ("tip_roles", "cw_roles", "tip_recruiter_relation")),
    ("routes", ("tip_origin_place", "cw_origin_place", "tip_exploit_place", "cw_exploit_place")),
    ("points of vulnerability", ("vuln_points",)),
)


def descriptive_rows(
    dataset: Dataset, caution: Mapping[str, str] | str | None, language: str | None = None
) -> list[tuple[str, str]]:
    """The About rows for the profile and route results ``dataset`` can give (none when it
    records none of their variables)."""
    found = _results(dataset)
    if not found:
        return []
    study = dataset.study
    named = ", ".join(found)
    if study.representative:
        counted = [r for r in found if r != "vulnerability profiles"]
        rows = [("Profiles and routes", f"{named}: from a representative design")]
        if "vulnerability profiles" in found:
            rows.append(("Vulnerability profiles", "weighted shares and ratios, 95% CIs"))
        if counted:
            rows.append(
                (
                    "Counts, not estimates",
                    f"{', '.join(counted)}: unweighted counts of the children interviewed",
                )
            )
        return rows
    lang = language or dataset.language
    text = _pick(caution, lang) or CAUTION
    design = DESIGNS.get(study.kind, f"a non-representative {study.kind} study")
    return [(DESCRIPTIVE, f"{named}: from {design}. {text}")]


def with_descriptive_note(
    dataset: Dataset, caution: Mapping[str, str] | str | None, language: str | None = None
) -> Dataset:
    """``dataset`` whose About rows (after the release's own) say which results are
    descriptive only."""
    rows = descriptive_rows(dataset, caution, language)
    if not rows:
        return dataset
    study = replace(dataset.study, release=(*dataset.study.release, *rows))
    return replace(dataset, study=study)


def _results(dataset: Dataset) -> list[str]:
    names: set[str] = set()
    for table in dataset.tables.values():
        if isinstance(table, Table):
            names.update(table.names)
        else:
            names.update(v.name for v in table.variables)
    return [what for what, needs in RESULTS if any(n in names for n in needs)]


def _pick(text: Mapping[str, str] | str | None, language: str) -> str:
    if isinstance(text, str):
        return text
    if not text:
        return ""
    return text.get(language) or text.get("en") or next(iter(text.values()))
