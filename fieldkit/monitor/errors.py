"""Monitoring and supervision errors (FK-MON-*)."""

from __future__ import annotations

from fieldkit.errors import FieldkitError

__all__ = ["MonitorError"]


class MonitorError(FieldkitError):
    """A sample file, an assignment or a review decision that cannot be used as given."""
