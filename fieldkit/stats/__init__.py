"""Disaggregated counts and weighted estimates with Taylor-linearised standard errors.

table = crosstab(children, "cl_ilo_sna", by=["sex", "age_band_ilo_cl"], study=dataset.study)
shares = estimate_proportion(children, "cl_ilo_sna", by=["sex"], study=dataset.study)
counts = estimate_total(children, "cl_ilo_sna", by=["sex"], study=dataset.study)
"""

from fieldkit.stats.estimate import Estimate, EstimateTable, estimate_proportion
from fieldkit.stats.tabulate import SUPPRESSED, Crosstab, crosstab
from fieldkit.stats.totals import estimate_total

__all__ = [
    "SUPPRESSED",
    "Crosstab",
    "Estimate",
    "EstimateTable",
    "crosstab",
    "estimate_proportion",
    "estimate_total",
]
