"""The sums a weighted proportion and its linearised variance need, from one pass over the records.

For a domain with weighted totals W = sum(w) and Y = sum(w y) over its records with a known
value, p = Y / W, and a PSU's score sum_k w_k (y_k - p) / W equals (Y_u - p W_u) / W. So the
variance needs only W_u and Y_u per (domain, PSU), and a subtotal or total row gets them by
adding up its leaves' sums instead of going back to the records.

The records are grouped once on the cells they hold (breakdown values, answer, stratum, PSU).
Distinct tuples are few (about #PSU x #leaves x #answers), so all else (units and strata, the
leaf a group falls in, whether its answer is known and counted) is worked out per group.
Grouping keeps the cells as stored: equal cells (1 and 1.0) share a group, as they share a
breakdown row, and units are named by their normalised text (101, 101.0 and "101" are one
PSU, see :func:`_unit_column`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Special, Table, VarType
from fieldkit.instrument.form import SampleDesign
from fieldkit.stats.breakdown import Breakdown

__all__ = ["DomainSums", "Records", "check_weights", "group_records", "merged", "record_name"]

Unit = tuple[str, str]
"""(stratum, PSU) as text."""


@dataclass
class DomainSums:
    """What a domain's estimate needs: its record counts, and per unit the weighted total of
    its records with a known value (W_u) and of those with the value counted (Y_u)."""

    n: int = 0
    hits: int = 0
    weight: dict[Unit, float] = field(default_factory=dict)
    """unit -> W_u, for every unit with a record of the domain."""
    counted: dict[Unit, float] = field(default_factory=dict)
    """unit -> Y_u, for units with a record counted (0 elsewhere)."""


@dataclass
class Records:
    """The records of a table grouped on the cells an estimate reads."""

    groups: dict[tuple[Cell, ...], int]
    """The cells a record holds (each column once) -> the group's place in the lists below."""
    records: list[int]
    """Records per group."""
    weights: list[float]
    """Sum of the weights per group (a weight that is no number counts 0 here; such a record
    must have no known answer, which :func:`check_weights` makes sure of)."""
    by_at: list[int]
    """Where each breakdown variable, the answer, the stratum and the PSU are in a key."""
    answer_at: int
    stratum_at: int
    psu_at: int
    strata: dict[str, list[Unit]]
    unit_of: dict[tuple[Cell, Cell], Unit]

    @property
    def df(self) -> int:
        return sum(len(units) for units in self.strata.values()) - len(self.strata)

    def found(self) -> list[list[Cell]]:
        """Per breakdown variable, its distinct cells among records with a known answer, in
        the order first found (groups are kept in the order of their first record)."""
        known = [key for key in self.groups if _known(key[self.answer_at])]
        return [list(dict.fromkeys(key[at] for key in known)) for at in self.by_at]

    def answers(self) -> list[Cell]:
        """The distinct known answers, in the order first found."""
        found = (key[self.answer_at] for key in self.groups)
        return list(dict.fromkeys(value for value in found if _known(value)))

    def leaf_sums(
        self, structure: Breakdown, value: Cell, *, numeric: bool = False
    ) -> dict[int, DomainSums]:
        """Per leaf row of the breakdown, the sums of its records with a known answer (whose
        weights :func:`check_weights` has found to be numbers). Y_u sums w for the records
        whose answer is ``value``, or, with ``numeric``, w times the answer (a total)."""
        leaf_of: dict[tuple[Cell, ...], int | None] = {}
        cells: dict[int, DomainSums] = {}
        for key, at in self.groups.items():
            answer = key[self.answer_at]
            if not _known(answer):
                continue
            values = tuple(key[at] for at in self.by_at)
            if values not in leaf_of:
                leaf_of[values] = structure.leaf_of(values)
            leaf = leaf_of[values]
            if leaf is None:
                continue
            cell = cells.setdefault(leaf, DomainSums())
            unit = self.unit_of[key[self.stratum_at], key[self.psu_at]]
            total, records = self.weights[at], self.records[at]
            cell.n += records
            cell.weight[unit] = cell.weight.get(unit, 0.0) + total
            score = _score(answer, value, numeric)
            if score:
                cell.hits += records
                cell.counted[unit] = cell.counted.get(unit, 0.0) + total * score
        return cells


def _score(answer: Cell, value: Cell, numeric: bool) -> float:
    if not numeric:
        return 1.0 if answer == value else 0.0
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        raise DatasetError(
            f"'{answer}' is not a number: a total needs numbers",
            code="FK-DATA-032",
            hint="totals add up numbers (0/1 indicators, hours, amounts)",
        )
    return float(answer)


def group_records(table: Table, design: SampleDesign, variable: str, by: Sequence[str]) -> Records:
    """Group the records (one pass); refuse records without a PSU and lone-PSU strata."""
    psu = table.column(design.psu)
    stratum: list[Cell] = table.column(design.stratum) if design.stratum else [None] * len(psu)
    if {type(None), Special} & set(map(type, psu)):
        raise DatasetError(
            f"records without a PSU ({design.psu})",
            code="FK-DATA-008",
            hint="every record needs one",
        )
    # The key holds each column once (a breakdown variable may be the stratum too), so it
    # stays short: hashing and comparing it is most of the pass. Groups keep their sums in
    # two flat lists, so the only objects made per group are their keys: each object the
    # garbage collector tracks brings its next full pass nearer, and a full pass walks every
    # cell of every table in memory (about as long as this whole pass at 100k records).
    columns: list[list[Cell]] = []
    by_at = [_position(columns, table.column(name)) for name in by]
    answer_at = _position(columns, table.column(variable))
    stratum_at = _position(columns, _unit_column(stratum))
    psu_at = _position(columns, _unit_column(psu))
    weights = _numbers(table.column(design.weight))
    groups: dict[tuple[Cell, ...], int] = {}
    group_of = groups.get
    records: list[int] = []
    sums: list[float] = []
    for cells, weight in zip(zip(*columns, strict=True), weights, strict=True):
        at = group_of(cells)
        if at is None:
            at = groups[cells] = len(sums)
            records.append(0)
            sums.append(0.0)
        records[at] += 1
        sums[at] += weight
    unit_of = {(k[stratum_at], k[psu_at]): (str(k[stratum_at]), str(k[psu_at])) for k in groups}
    strata: dict[str, set[Unit]] = defaultdict(set)
    for unit in unit_of.values():
        strata[unit[0]].add(unit)
    lonely = sorted(s for s, found in strata.items() if len(found) < 2)
    if lonely:
        raise DatasetError(
            f"strata with a single PSU: {', '.join(lonely)}: no variance can be estimated",
            code="FK-DATA-008",
            hint="collapse each with a similar stratum before estimating",
        )
    in_order = {s: sorted(found) for s, found in strata.items()}
    return Records(groups, records, sums, by_at, answer_at, stratum_at, psu_at, in_order, unit_of)


def _numbers(weights: list[Cell]) -> list[float]:
    """The weights, with 0 for any that is no number (checked later, as errors come in
    order: a lone-PSU stratum is reported before a missing weight)."""
    if set(map(type, weights)) <= {float, int}:
        return cast(list[float], weights)
    return [w if isinstance(w, float | int) and not isinstance(w, bool) else 0.0 for w in weights]


def _position(columns: list[list[Cell]], column: list[Cell]) -> int:
    for i, known in enumerate(columns):
        if known is column:
            return i
    columns.append(column)
    return len(columns) - 1


def _unit_column(column: list[Cell]) -> list[Cell]:
    """A stratum or PSU column whose cells name the same unit the same way.

    Ids are compared by their text, numbers written as whole numbers: 101, 101.0, "101" and
    "101.0" are one PSU (a PSU id read as a decimal from a CSV or a spreadsheet is the same
    PSU), while 101.5 stays 101.5. A column of whole ints or text needs no change.
    """
    kinds = set(map(type, column))
    if kinds <= {int, type(None)} or (kinds <= {str, type(None)} and not _decimal_text(column)):
        return column
    return [_unit_id(cell) for cell in column]


def _decimal_text(column: list[Cell]) -> bool:
    return any(isinstance(c, str) and c.rstrip("0").endswith(".") for c in column)


def _unit_id(cell: Cell) -> Cell:
    if isinstance(cell, bool):
        return str(int(cell))
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, str):
        text = cell.strip()
        whole, dot, fraction = text.partition(".")
        if dot and whole.lstrip("-").isdigit() and set(fraction) <= {"0"}:
            return whole
        return text
    return cell if cell is None or isinstance(cell, Special) else str(cell)


def check_weights(table: Table, design: SampleDesign, variable: str) -> None:
    """Refuse a weight that is not a finite number (NaN, infinite) on any record, and a
    record with a known answer and no positive weight; name the record."""
    weights = table.column(design.weight)
    kinds = set(map(type, weights))
    if kinds <= {int} and (not weights or min(cast(list[int], weights)) > 0):
        return  # all whole positive numbers: no need to look record by record
    if kinds <= {float, int}:
        numbers = cast(list[float], weights)
        if all(math.isfinite(w) and w > 0 for w in numbers):
            return
    for i, weight in enumerate(weights):
        if isinstance(weight, float) and not math.isfinite(weight):
            raise DatasetError(
                f"{record_name(table, i)} has weight {weight}: not a finite number",
                code="FK-DATA-031",
                hint=f"fix {design.weight} for that record; NaN and infinite weights would "
                "publish 'nan'",
            )
    for i, (answer, weight) in enumerate(zip(table.column(variable), weights, strict=True)):
        if _known(answer) and not _positive(weight):
            raise DatasetError(
                f"{record_name(table, i)} has no positive weight",
                code="FK-DATA-008",
                hint="check weights",
            )


def record_name(table: Table, index: int) -> str:
    """How a user finds a record: its interview (and member), its CSV line, or its number."""
    if "csv_line" in table and table.variable("csv_line").type is VarType.KEY:
        return f"line {table.column('csv_line')[index]}"
    if "interview_id" in table:
        name = f"record {index + 1} (interview {table.column('interview_id')[index]}"
        if "member" in table:
            name += f", member {table.column('member')[index]}"
        return name + ")"
    return f"record {index + 1}"


def _positive(weight: Cell) -> bool:
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        return False
    return weight > 0


def merged(parts: list[DomainSums]) -> DomainSums:
    """The sums of a domain made of several leaves (a subtotal or a total row)."""
    if len(parts) == 1:
        return parts[0]
    total = DomainSums()
    for part in parts:
        total.n += part.n
        total.hits += part.hits
        for unit, w in part.weight.items():
            total.weight[unit] = total.weight.get(unit, 0.0) + w
        for unit, wy in part.counted.items():
            total.counted[unit] = total.counted.get(unit, 0.0) + wy
    return total


def _known(value: Cell) -> bool:
    return value is not None and not isinstance(value, Special)
