"""Routes by period: the month, quarter or year of the interview, or of the recruitment.

    name = add_period(dataset, children, "quarter", "recruitment")   # tip_recruitment_quarter

The period is a breakdown variable like any other: the route table crosses it, and the
release protects the counts. Its categories come from the data, so a period as rare as one
child is folded into the other periods (:mod:`fieldkit.routes.rare`): a recruitment month
that only one child has would otherwise be a row that tells it.
"""

from __future__ import annotations

import datetime as dt

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Special, Table, Variable, VarType
from fieldkit.routes.rare import fold_rare, kept_labels

__all__ = ["EVERY", "SOURCES", "add_period"]

EVERY = ("month", "quarter", "year")
SOURCES: dict[str, tuple[str, ...]] = {
    # the recorded date of the interview (or visit) first; when the interview started else
    "interview": ("interview_date", "visit_date", "started_at"),
    "recruitment": ("tip_recruit_date", "cw_recruit_date"),
}


def add_period(
    dataset: Dataset, children: Table, every: str, source: str, *, counted: str = "tip_child"
) -> str:
    """Add the period (``every``: month, quarter or year) of ``source`` (interview or
    recruitment) to ``children``; its name."""
    name = f"tip_{source}_{every}"
    if name in children:
        return name
    question, dates = _dates(dataset, children, source)
    raw = [_period(value, every) for value in dates]
    known = [_known(v) for v in children.column(counted)] if counted in children else None
    threshold = dataset.study.small_cell_threshold
    codes, kept = fold_rare(raw, known or [True] * len(raw), threshold)
    labels: dict[Cell, dict[str, str]] = {c: {"en": str(c)} for c in sorted(kept, key=str)}
    other = {"en": f"Other periods (each with fewer than {threshold} children)"}
    children.add_column(
        Variable(
            name=name,
            label={"en": f"{every.capitalize()} of the {source}"},
            type=VarType.CODE,
            value_labels=kept_labels(labels, kept, other),
            origin="derived",
            definition=f"the {every} of {question}; a period fewer than {threshold} "
            "children have is folded into the other periods",
            source="ILO Book 2, 2.5 (routes over time)",
        ),
        codes,
    )
    return name


def _dates(dataset: Dataset, children: Table, source: str) -> tuple[str, list[Cell]]:
    """The date question ``source`` reads, and its value for each child (from the
    interview's own table when the children are a roster)."""
    for question in SOURCES[source]:
        if question in children:
            return question, children.column(question)
        main = dataset.table(dataset.main)
        if question in main and "interview_id" in children and "interview_id" in main:
            by_id = dict(zip(main.column("interview_id"), main.column(question), strict=True))
            return question, [by_id.get(i) for i in children.column("interview_id")]
    asked = " or ".join(SOURCES[source])
    raise DatasetError(
        f"{dataset.study.form_id} records no date of the {source} ({asked})",
        code="FK-DATA-061",
        hint="use --period-from interview"
        if source == "recruitment"
        else "the instrument must record when the interview took place",
    )


def _period(value: Cell, every: str) -> Cell:
    """'2026-03' (month), '2026-Q1' (quarter) or '2026' (year) of an ISO date or datetime."""
    if not _known(value):
        return None
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    if every == "year":
        return f"{day.year}"
    if every == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def _known(value: Cell) -> bool:
    return value is not None and not isinstance(value, Special)
