"""The standard release: the usual tables of a dataset whose derived variables are in place.

``standard_tables(dataset)`` tabulates each headline indicator by sex and ILO age band
(counts with totals) and, for a representative household survey, its weighted prevalence and
weighted number of children by sex with standard errors; ``publish(dataset)`` protects them
together for a release.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Table
from fieldkit.instrument.form import SampleDesign
from fieldkit.release.tables import EarlierCount, ReleaseOutcome, Rules, protect_tables
from fieldkit.stats.csvfile import estimate_csv
from fieldkit.stats.estimate import EstimateTable, estimate_proportion
from fieldkit.stats.tabulate import Crosstab, crosstab
from fieldkit.stats.totals import estimate_total

__all__ = ["HEADLINE", "publish", "publish_csv", "standard_tables"]

HEADLINE = ("cl_ilo_sna", "cl_unicef_mics6", "cl_ilo_gpb", "work_school", "tip_child")


def standard_tables(
    dataset: Dataset,
    *,
    indicators: Sequence[str] = HEADLINE,
    by: Sequence[str] = ("sex", "age_band_ilo_cl"),
    weighted_by: Sequence[str] = ("sex",),
    language: str | None = None,
) -> list[Crosstab | EstimateTable]:
    lang = language or dataset.language
    found: list[Crosstab | EstimateTable] = []
    for rows in dataset.tables.values():
        if not isinstance(rows, Table):
            continue
        breakdown = [name for name in by if name in rows]
        for indicator in indicators:
            if indicator not in rows:
                continue
            found.append(crosstab(rows, indicator, breakdown, study=dataset.study, language=lang))
            if indicator.startswith("cl_") and _weighted(dataset):
                found += _estimates(dataset, rows, indicator, weighted_by, lang)
    return found


def _weighted(dataset: Dataset) -> bool:
    return dataset.study.representative and dataset.study.sample_design is not None


def _estimates(
    dataset: Dataset, rows: Table, indicator: str, by: Sequence[str], language: str
) -> list[Crosstab | EstimateTable]:
    """The weighted prevalence and the weighted number of children, or neither (with a
    warning saying why) when the design cannot give a variance."""
    cells = [name for name in by if name in rows]
    text = rows.variable(indicator).text(language)
    title = f"{text}: weighted prevalence"
    try:
        share = estimate_proportion(
            rows, indicator, cells, study=dataset.study, language=language, title=title
        )
    except DatasetError as error:  # the design cannot give a variance: say why, go on
        dataset.report.warning(error.code, f"{title}: {error.message}", hint=error.hint)
        return []
    number = estimate_total(
        rows,
        indicator,
        cells,
        study=dataset.study,
        language=language,
        title=f"{text}: weighted number of children",
    )
    return [share, number]


def publish(
    dataset: Dataset,
    tables: Sequence[Crosstab | EstimateTable] | None = None,
    *,
    rules: Rules | None = None,
    earlier: Sequence[EarlierCount] = (),
) -> tuple[list[Crosstab | EstimateTable], ReleaseOutcome]:
    """The tables of a release (the standard ones by default), protected together."""
    found = list(standard_tables(dataset) if tables is None else tables)
    threshold = dataset.study.small_cell_threshold
    chosen = rules or Rules(threshold=threshold, width=threshold)
    headline = {
        i
        for i, table in enumerate(found)
        if isinstance(table, Crosstab) and table.variable in HEADLINE[:1]
    }
    outcome = protect_tables(dataset, found, rules=chosen, earlier=earlier, headline=headline)
    return found, outcome


def publish_csv(
    path: Path,
    variables: Sequence[str],
    by: Sequence[str],
    design: SampleDesign,
    *,
    total: bool = False,
    value: Cell = 1,
    threshold: int = 5,
) -> list[EstimateTable]:
    """``fieldkit estimate``: weighted estimates from a survey file in CSV, protected as the
    tables of a release are (``tables --weighted``): counts from 1 to ``threshold`` - 1 and
    shares or totals that tell a whole group's answer hidden, more until no hidden count
    can be worked out, and estimates resting on too few records withheld."""
    dataset, tables = estimate_csv(
        path, variables, by, design, total=total, value=value, threshold=threshold
    )
    published, _ = publish(dataset, tables)
    return [table for table in published if isinstance(table, EstimateTable)]
