"""The release layer's errors: one class, stable codes.

FK-RELEASE-001  the published counts contradict each other (the audit has no solution)
FK-RELEASE-002  a release profile the protocol does not know
FK-RELEASE-003  a public release whose records stay re-identifiable (individual risk)
FK-RELEASE-004  a recode file that does not fit the instrument
"""

from __future__ import annotations

from fieldkit.errors import FieldkitError

__all__ = ["ReleaseError"]


class ReleaseError(FieldkitError):
    default_code = "FK-RELEASE-000"
