"""The About sheet's interview counts, protected like any published table.

"Interviews: quarantined 1" beside "merged 245, included 243, duplicates 1" tells that one
household's child answered without assent, and small counts can be worked out from the
others: merged = included + quarantined + duplicates + held back (conflicts waiting for a
coordinator, never printed). The four counts are a tiny release over four atoms; counts from
1 to the threshold minus one are sensitive, and the release's own suppression
(:func:`fieldkit.release.protect`, audited by linear programs) hides what must go with them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from fieldkit.release.audit import Problem
from fieldkit.release.suppress import protect
from fieldkit.stats.tabulate import SUPPRESSED

__all__ = ["protect_counts"]

_PARTS = ("included", "quarantined", "duplicates")


def protect_counts(counts: Mapping[str, int], threshold: int) -> dict[str, int | str]:
    """``counts`` with the hidden ones replaced by the suppression mark."""
    if not all(name in counts for name in ("merged", *_PARTS)):
        return dict(counts)
    held = counts["merged"] - sum(counts[name] for name in _PARTS)
    if held < 0:  # the parts overlap: no sum links them, each stands alone
        return {
            name: SUPPRESSED if 0 < value < threshold else value for name, value in counts.items()
        }
    problem = Problem(np.array([counts[name] for name in _PARTS] + [held]))
    positions = {name: problem.add([i], counts[name]) for i, name in enumerate(_PARTS)}
    positions["merged"] = problem.add(range(4), counts["merged"])
    sensitive = [p for name, p in positions.items() if 0 < counts[name] < threshold]
    costs = [count.value + 1.0 for count in problem.counts]
    result = protect(problem, sensitive=sensitive, width=threshold, costs=costs)
    return {
        name: SUPPRESSED if positions.get(name) in result.hidden else value
        for name, value in counts.items()
    }
