"""The counts a published table shows, each as the records it covers (a ``where``).

A crosstab shows, per row and column, the records of its breakdown row with the column's
value (the Total column: any known value), and in a note the rows left out (no value). A
table of weighted estimates shows each domain's record count ``n`` and its share. A share of
0% or 100% tells the number with the value exactly (none, or all ``n``), and so does any
share when every weight is the same (a self-weighting design): then the share counts as
publishing that number (``hits``), and the number without it (``misses``) must stay as
protected as a printed count. With unequal weights a share does not fix a count.

A weighted total (the number of children in child labour, hours worked) is different: totals
add up over domains, so a hidden domain's total is the published parent's minus its
siblings', exactly as the count it weighs would be (and a total of 0 says that no one in the
domain has the value). A table of totals therefore counts as publishing ``hits`` whatever
the weights: the audit then hides totals wherever it would hide those counts. For a total
of amounts, ``hits`` are the records with a non-zero amount; its zeros are not protected
(an amount's total says nothing about how many records have none).

Which counts are *sensitive* (must be hidden and protected): every count from 1 to the
threshold minus one, and the zeros of a row where all records fall in one category (the
zero beside "Male 12-14: x" says that every boy counted there is a victim).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from fieldkit.dataset.table import Cell
from fieldkit.stats.breakdown import MISSING, Row
from fieldkit.stats.estimate import EstimateTable
from fieldkit.stats.tabulate import Crosstab

__all__ = [
    "PublishedCount",
    "Shown",
    "counts_of",
    "mark_hidden",
    "where_of",
    "withhold_unreliable",
]

Shown = Crosstab | EstimateTable


@dataclass
class PublishedCount:
    table: str
    """The analysis table whose records are counted."""
    where: dict[str, frozenset[Cell] | None]
    """Variable -> the values counted (None: any value, not missing)."""
    value: int
    sensitive: bool
    place: tuple[int, str, int, int]
    """(published table, kind, row, column): kind is cell, left_out, n, hits or misses."""
    printed: bool = True
    """False for a count no table prints but that must stay protected (``misses``)."""
    headline: bool = False
    extra: dict[str, object] = field(default_factory=dict)


def where_of(row: Row, by: Sequence[str]) -> dict[str, frozenset[Cell] | None]:
    """The records a breakdown row covers."""
    where: dict[str, frozenset[Cell] | None] = {}
    for name, wanted in zip(by, row.key, strict=True):
        if wanted is None:
            continue
        where[name] = frozenset(wanted) if isinstance(wanted, tuple) else frozenset([wanted])
    return where


def counts_of(
    tables: Sequence[Shown],
    threshold: int,
    headline: set[int],
    equal_weights: Callable[[str], bool] = lambda _: True,
) -> list[PublishedCount]:
    """Every count the tables show, with whether it is sensitive."""
    found: list[PublishedCount] = []
    for number, table in enumerate(tables):
        if isinstance(table, Crosstab):
            items = list(_crosstab(number, table, threshold))
        else:
            items = list(_estimates(number, table, threshold, equal_weights(table.source)))
        for item in items:
            item.headline = number in headline
        found += items
    return found


def _small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def _crosstab(number: int, table: Crosstab, threshold: int) -> Iterator[PublishedCount]:
    last = len(table.columns) - 1
    for r, row in enumerate(table.rows):
        values = table.counts[r]
        sole = sum(1 for v in values[:last] if v) == 1 and last > 1
        base = where_of(row, table.by)
        for c, value in enumerate(values):
            wanted = None if c == last else frozenset([table.categories[c]])
            zero_tells = sole and value == 0 and c < last
            yield PublishedCount(
                table.source,
                {**base, table.variable: wanted},
                value,
                _small(value, threshold) or zero_tells,
                (number, "cell", r, c),
            )
    if table.left_out:
        yield PublishedCount(
            table.source,
            {table.variable: frozenset([MISSING])},
            table.left_out,
            _small(table.left_out, threshold),
            (number, "left_out", 0, 0),
        )


def _estimates(
    number: int, table: EstimateTable, threshold: int, equal_weights: bool
) -> Iterator[PublishedCount]:
    total = table.statistic == "total"
    for r, (row, estimate) in enumerate(zip(table.rows, table.estimates, strict=True)):
        base = where_of(row, table.by)
        n, hits = estimate.n, estimate.hits
        misses = n - hits
        # a share of 0% or 100%, a total of 0 (an amount: a total of 0 alone tells)
        whole = n > 0 and (hits == 0 or (misses == 0 and not table.amounts))
        yield PublishedCount(
            table.source,
            {**base, table.variable: None},
            n,
            _small(n, threshold),
            (number, "n", r, 0),
        )
        if not (equal_weights or whole or total):
            continue  # the share fixes no count: only the reliability rule withholds it
        # A total adds up over domains as the count it weighs does: a hidden domain's total
        # comes back as the parent's minus its siblings', so it is protected as that count.
        yield PublishedCount(
            table.source,
            {**base, table.variable: _counted(table)},
            hits,
            _small(hits, threshold) or whole,
            (number, "hits", r, 0),
        )
        if not table.amounts and (_small(misses, threshold) or whole):
            yield PublishedCount(
                table.source,
                {**base, table.variable: _others(table)},
                misses,
                True,
                (number, "misses", r, 0),
                printed=False,
            )


def _counted(table: EstimateTable) -> frozenset[Cell]:
    """The values whose records ``hits`` counts (in a total of amounts: every non-zero)."""
    if table.amounts:
        return frozenset(code for code in table.categories if code != 0)
    return frozenset([table.value])


def _others(table: EstimateTable) -> frozenset[Cell]:
    return frozenset(code for code in table.categories if code != table.value)


def withhold_unreliable(tables: Sequence[Shown], threshold: int) -> None:
    """Withhold estimates resting on fewer than ``threshold`` records, or with or without the
    value (too few to estimate from, whatever the weights); a total of amounts rests on its
    records with a non-zero amount, and its zeros withhold nothing."""
    for table in tables:
        if isinstance(table, Crosstab):
            continue
        for estimate in table.estimates:
            misses = 0 if table.amounts else estimate.n - estimate.hits
            if (
                estimate.n < threshold
                or _small(estimate.hits, threshold)
                or _small(misses, threshold)
            ):
                estimate.hidden = True


def mark_hidden(
    tables: Sequence[Shown], counts: Sequence[PublishedCount], hidden: set[int]
) -> None:
    """Mark the published tables' cells for the hidden counts."""
    for position in hidden:
        number, kind, r, c = counts[position].place
        table = tables[number]
        if isinstance(table, Crosstab):
            if kind == "cell":
                table.hidden.add((r, c))
            elif kind == "left_out":
                table.left_out_hidden = True
        elif kind == "n":
            table.estimates[r].n_hidden = True
        elif kind == "hits":
            table.estimates[r].hidden = True
