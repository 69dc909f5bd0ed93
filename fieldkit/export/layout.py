"""Published tables as lines of styled cells, shared by the Excel and CSV writers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fieldkit.stats.estimate import EstimateTable
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
    yield [*((name, "header") for name in by), *((h, "header") for h in table.headings)]
    for row, estimate in zip(table.rows, table.estimates, strict=True):
        line: Line = [(label, "label") for label in (list(row.labels) or ["Total"])]
        line.append((SUPPRESSED, "hidden") if estimate.n_hidden else (estimate.n, "count"))
        values = (estimate.value, estimate.se, estimate.ci_low, estimate.ci_high)
        for value in values:
            if estimate.hidden:
                line.append((SUPPRESSED, "hidden"))
            else:
                line.append((None if value is None else table.scale * value, "estimate"))
        yield line
    for note in table.notes:
        yield [(note, "note")]
    yield [(_withheld_note(table), "note")]


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
