"""Published tables as lines of styled cells, shared by the Excel and CSV writers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fieldkit.stats.estimate import EstimateTable
from fieldkit.stats.ratios import RatioTable
from fieldkit.stats.tabulate import SUPPRESSED, Crosstab

__all__ = ["Line", "PublishedTable", "lines"]

PublishedTable = Crosstab | EstimateTable
Styled = tuple[object, str]
"""(value, style): title, note, header, label, count, percent, estimate, hidden, blank."""
Line = list[Styled]


def lines(tables: Sequence[PublishedTable]) -> Iterator[Line]:
    for number, table in enumerate(tables, start=1):
        yield [(f"Table {number}. {table.title}", "title")]
        if isinstance(table, Crosstab):
            yield from _crosstab(table)
        else:
            yield from _estimates(table)
        yield []


def _crosstab(table: Crosstab) -> Iterator[Line]:
    by = list(table.by) or ["All"]
    yield [
        *((name, "header") for name in by),
        *((f"{c} (n)", "header") for c in table.columns),
        *((f"{c} (%)", "header") for c in table.columns[:-1]),
    ]
    for r, row in enumerate(table.rows):
        labels = list(row.labels) or ["Total"]
        line: Line = [(label, "label") for label in labels]
        for c in range(len(table.columns)):
            shown = table.count(r, c)
            line.append((shown, "hidden" if shown == SUPPRESSED else "count"))
        for c in range(len(table.columns) - 1):
            pct = table.percent(r, c)
            style = "hidden" if pct == SUPPRESSED else "percent"
            line.append((None if pct is None else pct, style))
        yield line
    for note in table.notes:
        yield [(note, "note")]


def _estimates(table: EstimateTable) -> Iterator[Line]:
    by = list(table.by) or ["All"]
    headings = [*table.headings, *_ratio_headings(table)]
    yield [*((name, "header") for name in by), *((h, "header") for h in headings)]
    for r, (row, estimate) in enumerate(zip(table.rows, table.estimates, strict=True)):
        line: Line = [(label, "label") for label in (list(row.labels) or ["Total"])]
        line.append((SUPPRESSED, "hidden") if estimate.n_hidden else (estimate.n, "count"))
        values = (estimate.value, estimate.se, estimate.ci_low, estimate.ci_high)
        for value in values:
            if estimate.hidden:
                line.append((SUPPRESSED, "hidden"))
            else:
                line.append((None if value is None else table.scale * value, "estimate"))
        if isinstance(table, RatioTable):
            line += _ratio_cells(table, r)
        yield line
    for note in table.notes:
        yield [(note, "note")]
    yield [(_withheld_note(table), "note")]


def _ratio_headings(table: EstimateTable) -> list[str]:
    if not isinstance(table, RatioTable):
        return []
    return [f"Ratio to {table.reference_label}", "Ratio 95% CI low", "Ratio 95% CI high"]


def _ratio_cells(table: RatioTable, row: int) -> Line:
    """The ratio and its interval; hidden wherever a share it rests on is hidden."""
    ratio = table.shown_ratio(row)
    if ratio == SUPPRESSED:
        return [(SUPPRESSED, "hidden")] * 3
    if ratio is None or isinstance(ratio, str):
        reference = 1.0 if row == table.reference else None
        return [(reference, "estimate"), (None, "blank"), (None, "blank")]
    return [(ratio.value, "estimate"), (ratio.ci_low, "estimate"), (ratio.ci_high, "estimate")]


def _withheld_note(table: EstimateTable) -> str:
    what = "a share" if table.statistic == "proportion" else "a total"
    whom = (
        "in the domain, or with a non-zero amount"
        if table.amounts
        else "in the domain, or with or without the characteristic"
    )
    return (
        f"{SUPPRESSED}: withheld: {what} resting on fewer than {table.threshold} records "
        f"({whom}), one that would tell every answer in a group (0%, 100%, a total of 0), "
        "or one that would let a hidden count be worked out; a domain's n hidden to protect "
        "the people counted, with every table of the release."
    )
