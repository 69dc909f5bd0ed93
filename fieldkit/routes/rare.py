"""Rare places and routes folded together before anything is tabulated.

A route taken by one child is a row only because that child made the journey: even with
every count withheld, the row's existence tells it. So a list drawn from the data (routes,
places reported as points of vulnerability) keeps a code as its own row only when at least
the protocol's threshold of counted records hold it; the others become one "other" row,
which is always listed (so its presence tells nothing) and whose counts the release audit
protects like any other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from fieldkit.dataset.table import Cell, Special

__all__ = ["OTHER", "fold_rare", "kept_labels"]

OTHER = "(other)"
"""The code of the folded row: brackets keep it apart from any place or route code."""


def fold_rare(
    codes: Sequence[Cell], counted: Sequence[bool], threshold: int
) -> tuple[list[Cell], set[Cell]]:
    """``codes`` with each code held by fewer than ``threshold`` counted rows replaced by
    :data:`OTHER`, and the codes kept. Rows not counted (their table's variable unknown)
    do not make a code common: they are left out of its row's counts."""
    tally = Counter(c for c, use in zip(codes, counted, strict=True) if use and _known(c))
    kept = {code for code, n in tally.items() if n >= threshold}
    return [c if c in kept or not _known(c) else OTHER for c in codes], kept


def kept_labels(
    labels: Mapping[Cell, Mapping[str, str]], kept: set[Cell], other: Mapping[str, str]
) -> dict[Cell, Mapping[str, str]]:
    """The value labels of the codes kept (in ``labels``' order), then the other row's."""
    found: dict[Cell, Mapping[str, str]] = {c: t for c, t in labels.items() if c in kept}
    found.update({c: {"en": str(c)} for c in sorted(kept - set(found), key=str)})
    found[OTHER] = other
    return found


def _known(value: Cell) -> bool:
    return value is not None and not isinstance(value, Special)
