"""The export layer's errors.

FK-EXPORT-001  an optional dependency is missing (pyarrow for Parquet, pyreadstat for .dta/.sav)
FK-EXPORT-002  the file cannot be written (nothing is left under its name)
FK-EXPORT-003  an export option is out of range (row limit, table name)
"""

from __future__ import annotations

from fieldkit.errors import FieldkitError

__all__ = ["ExportError", "missing_extra"]


class ExportError(FieldkitError):
    default_code = "FK-EXPORT-000"


def missing_extra(package: str, what: str) -> ExportError:
    return ExportError(
        f"{what} needs the optional package '{package}', which is not installed",
        code="FK-EXPORT-001",
        hint="pip install 'fieldkit[exports]'",
    )
