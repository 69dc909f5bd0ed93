"""Field monitoring and supervision (issue 16): assignments, progress, data-quality flags,
the offline HTML report, supervisor review and back-checks.

    build_monitor(store, project)   -> MonitorReport   progress and flags, from the HQ store
    render_html(report)             -> str              one self-contained page with SVG charts
"""

from __future__ import annotations

from fieldkit.monitor.report import FormMonitor, MonitorReport, build_monitor
from fieldkit.monitor.rules import RULES, Flag, Rule

__all__ = ["RULES", "Flag", "FormMonitor", "MonitorReport", "Rule", "build_monitor"]
