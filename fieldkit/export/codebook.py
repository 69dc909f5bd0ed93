"""The codebook: every variable of every table, with its text, codes and definition."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from fieldkit.dataset.dataset import Dataset, StudyInfo
from fieldkit.dataset.table import Special, Variable

__all__ = ["ABOUT_FIELDS", "CODEBOOK_HEADER", "about_rows", "codebook_rows", "text_cell"]

CODEBOOK_HEADER = (
    "table",
    "variable",
    "label",
    "type",
    "origin",
    "codes and labels",
    "missing codes",
    "universe",
    "definition",
    "source",
)
ABOUT_FIELDS = ("merged", "duplicates", "quarantined", "conflicts", "rejected bundles")


def text_cell(value: object) -> str:
    """A cell as text: '' for not asked, '.d' / '.r' for don't know and refused."""
    if value is None:
        return ""
    if isinstance(value, Special):
        return value.value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _codes(variable: Variable, language: str) -> str:
    return "; ".join(
        f"{code} = {variable.value_text(code, language)}" for code in variable.value_labels
    )


def _missing(variable: Variable) -> str:
    parts = [f"{s.value} {s.meaning} (SPSS {s.spss_code})" for s in variable.missing]
    return "; ".join(parts)


def codebook_rows(dataset: Dataset, language: str | None = None) -> Iterator[tuple[str, ...]]:
    lang = language or dataset.language
    for name, table in dataset.tables.items():
        for variable in table.variables:
            yield (
                name,
                variable.name,
                variable.text(lang),
                str(variable.type),
                variable.origin,
                _codes(variable, lang),
                _missing(variable),
                variable.universe_in(lang),
                variable.definition or "",
                variable.source or "",
            )


def _text(label: Mapping[str, str], language: str) -> str:
    if not label:
        return ""
    return label.get(language) or next(iter(label.values()))


def about_rows(
    study: StudyInfo,
    language: str,
    counts: Mapping[str, int | str] | None = None,
    exported_at: str = "",
) -> Iterator[tuple[str, str]]:
    """Key/value rows for the About sheet: the study, its rules, and what was merged."""
    yield from study.release  # the release profile first: the file says what it is
    yield "Study", _text(study.title, language)
    yield "Protocol", study.protocol_id
    yield (
        "Instrument",
        f"{_text(study.form_title, language)} ({study.form_id} {study.form_version})",
    )
    yield "Form hash", study.form_hash
    yield "Instrument kind", study.kind
    yield "Data-use statement", _text(study.data_use_statement, language)
    yield "Methodology", _text(study.methodology, language) or "(not stated in the protocol)"
    for name, start, end in study.windows:
        yield f"Collection window: {name}", f"{start.isoformat()} to {end.isoformat()}"
    if exported_at:
        yield "Exported", exported_at
    yield (
        "Representative",
        "yes" if study.representative else "no: do not extrapolate beyond the sample",
    )
    yield "Small-cell threshold", str(study.small_cell_threshold)
    for key, value in (counts or {}).items():
        yield f"Interviews: {key}", str(value)
    yield from study.provenance
    yield "Missing codes", ".d don't know, .r refused (SPSS -98, -99); empty: not asked"
