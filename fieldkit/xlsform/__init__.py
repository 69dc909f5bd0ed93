"""XLSForm in and out: take the questionnaires the field already has, hand ours to ODK.

    result = import_xlsform(Path("form.xlsx"), protocols, protocol="rapid_assessment")
    export_xlsform(form, Path("form.xlsx"))

Modules, one job each: ``reader`` (the workbook's cells), ``sheets`` (settings, choices,
languages), ``survey`` (rows to sections and rosters), ``expressions`` (XLSForm's expressions
to fieldkit's and back), ``answers`` (``${name}`` in texts), ``checks`` (roster checks as ODK
constraints and back), ``fields`` (one row's columns), ``build`` (nodes to write),
``proposals`` (pii and roles to confirm), ``emitter`` (the YAML text), ``importer`` (all of
it, checked by the compiler), ``exporter`` and ``consent`` (a compiled form as an XLSForm).
"""

from fieldkit.xlsform.errors import XlsformError
from fieldkit.xlsform.exporter import export_xlsform
from fieldkit.xlsform.importer import import_xlsform
from fieldkit.xlsform.report import ExportResult, ImportResult

__all__ = ["ExportResult", "ImportResult", "XlsformError", "export_xlsform", "import_xlsform"]
