"""What leaves the tool: release profiles, public microdata checks, and tables protected as a
set (cell suppression audited with linear programs).

    tables = standard_tables(dataset)                 # computed, nothing hidden
    outcome = protect_tables(dataset, tables, rules=Rules(threshold=5, width=5))
"""

from fieldkit.release.audit import Count, Interval, Problem, audit
from fieldkit.release.errors import ReleaseError
from fieldkit.release.microdata import ReleaseCheck, check_release
from fieldkit.release.publish import HEADLINE, publish, publish_csv, standard_tables
from fieldkit.release.suppress import Protection, protect
from fieldkit.release.tables import EarlierCount, ReleaseOutcome, Rules, protect_tables

__all__ = [
    "HEADLINE",
    "Count",
    "EarlierCount",
    "Interval",
    "Problem",
    "Protection",
    "ReleaseCheck",
    "ReleaseError",
    "ReleaseOutcome",
    "Rules",
    "audit",
    "check_release",
    "protect",
    "protect_tables",
    "publish",
    "publish_csv",
    "standard_tables",
]
