"""The release layer's errors: one class, stable codes.

FK-RELEASE-001  the published counts contradict each other (the audit has no solution)
FK-RELEASE-005  a release crossing too many variables to audit
FK-RELEASE-030  a table of a release reads a variable its profile leaves out
FK-RELEASE-031  a recode file that cannot be read, or names a question that is not free text
"""

from __future__ import annotations

from fieldkit.errors import FieldkitError

__all__ = ["ReleaseError"]


class ReleaseError(FieldkitError):
    default_code = "FK-RELEASE-000"
