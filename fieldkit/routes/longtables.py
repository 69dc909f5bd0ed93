"""Tables of mentions: one row per record and choice of a select_multiple question.

A child's chain may hold a recruiter, a transporter and an employer; a rapid-assessment
record may name three stations. Counting such mentions by another variable as one crosstab
per choice would make the release audit cross every choice flag with every other (2^k
combinations); a long table with a row per mention keeps it one small variable. Each
record names a choice at most once, so a count of a choice is a count of records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Cell, Special, Table, Variable, VarType
from fieldkit.routes.rare import fold_rare, kept_labels

__all__ = ["mentions"]


def mentions(
    dataset: Dataset,
    source: Table,
    question: str,
    *,
    name: str,
    keep: Sequence[str],
    labels: Mapping[Cell, Mapping[str, str]] | None = None,
    fold: tuple[int, Mapping[str, str]] | None = None,
) -> Table | None:
    """A table ``name`` (added to ``dataset``) with a row per record of ``source`` and
    choice of ``question`` selected, holding the choice and the ``keep`` columns.

    ``fold`` (threshold, the other row's label): a choice fewer than threshold records with
    a known first ``keep`` column name becomes the other row, and only the choices kept are
    labelled, for a list whose rows come from the data (places named), not a fixed list."""
    prefix = f"{question}__"
    flags = [n for n in source.names if n.startswith(prefix) and not n.endswith("__none")]
    if not flags:
        return None
    choice = source.variable(question)
    labels = labels or choice.value_labels or _flag_labels(source, question, flags)
    variables = [
        Variable(
            name=question,
            label=dict(choice.label),
            type=VarType.CODE,
            value_labels=labels,
            origin="derived",
            definition=f"one row per choice selected in {question}",
            source=choice.source,
        ),
        *(source.variable(column) for column in keep),
    ]
    kept = [source.column(column) for column in keep]
    rows: list[list[Cell]] = []
    for flag in flags:
        code = flag[len(prefix) :]
        for i, value in enumerate(source.column(flag)):
            if value == 1:
                rows.append([_code(code, labels), *(c[i] for c in kept)])
    if fold is not None:
        rows = _folded(rows, variables, fold)
    table = Table(name, variables)
    table.extend(rows)
    dataset.tables[name] = table
    return table


def _folded(
    rows: list[list[Cell]], variables: list[Variable], fold: tuple[int, Mapping[str, str]]
) -> list[list[Cell]]:
    """``rows`` with rare choices folded (and ``variables[0]`` labelled with those kept)."""
    threshold, other = fold
    counted = [
        len(row) < 2 or (row[1] is not None and not isinstance(row[1], Special)) for row in rows
    ]
    codes, kept = fold_rare([row[0] for row in rows], counted, threshold)
    choice = variables[0]
    variables[0] = replace(choice, value_labels=kept_labels(choice.value_labels, kept, other))
    return [[code, *row[1:]] for code, row in zip(codes, rows, strict=True)]


def _flag_labels(
    source: Table, question: str, flags: Sequence[str]
) -> dict[Cell, Mapping[str, str]]:
    """Each choice's text, from its flag's label ("<question label>: <choice label>")."""
    asked = source.variable(question).label
    found: dict[Cell, Mapping[str, str]] = {}
    for flag in flags:
        texts = source.variable(flag).label
        found[flag[len(question) + 2 :]] = {
            lang: text.removeprefix(f"{asked.get(lang, '')}: ") for lang, text in texts.items()
        }
    return found


def _code(text: str, labels: Mapping[Cell, Mapping[str, str]]) -> Cell:
    """The choice's code as the question stores it (numbers stay numbers)."""
    for code in labels:
        if str(code) == text:
            return code
    return text
