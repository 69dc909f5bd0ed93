"""The standard release: the usual tables of a dataset whose derived variables are in place.

``standard_tables(dataset)`` tabulates each headline indicator by sex and ILO age band
(counts with totals) and, for a representative household survey, its weighted prevalence by
sex with standard errors; ``publish(dataset)`` protects them together for a release.
"""

from __future__ import annotations

from collections.abc import Sequence

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Table
from fieldkit.release.tables import EarlierCount, ReleaseOutcome, Rules, protect_tables
from fieldkit.stats.estimate import EstimateTable, estimate_proportion
from fieldkit.stats.tabulate import Crosstab, crosstab

__all__ = ["HEADLINE", "publish", "standard_tables"]

HEADLINE = ("cl_sdg_8_7_1", "cl_mics6", "cl_gpb", "work_school", "tip_child")


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
                weighted = _estimate(dataset, rows, indicator, weighted_by, lang)
                if weighted is not None:
                    found.append(weighted)
    return found


def _weighted(dataset: Dataset) -> bool:
    return dataset.study.representative and dataset.study.sample_design is not None


def _estimate(
    dataset: Dataset, rows: Table, indicator: str, by: Sequence[str], language: str
) -> EstimateTable | None:
    cells = [name for name in by if name in rows]
    title = f"{rows.variable(indicator).text(language)}: weighted prevalence"
    try:
        return estimate_proportion(
            rows, indicator, cells, study=dataset.study, language=language, title=title
        )
    except DatasetError as error:  # the design cannot give a variance: say why, go on
        dataset.report.warning(error.code, f"{title}: {error.message}", hint=error.hint)
        return None


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
