"""Writers: Excel (xlsxwriter, constant memory), CSV, Parquet, Stata and SPSS, the codebook.

Every file is written atomically (temporary file, fsync, rename); ``write_exports`` writes
several formats at once, all of them or none. Parquet needs pyarrow, Stata and SPSS need
pyreadstat (the ``exports`` extra); without them those writers raise FK-EXPORT-001 and
everything else works.
"""

from fieldkit.export.atomic import all_or_nothing, atomic_path
from fieldkit.export.batch import ExportTargets, write_exports
from fieldkit.export.codebook import CODEBOOK_HEADER, codebook_rows
from fieldkit.export.columnar import write_parquet
from fieldkit.export.common import Progress, require_release
from fieldkit.export.delimited import write_csv
from fieldkit.export.errors import ExportError
from fieldkit.export.statfiles import stata_names, write_dta, write_sav
from fieldkit.export.xlsx import EXCEL_ROWS, sheet_names, write_xlsx

__all__ = [
    "CODEBOOK_HEADER",
    "EXCEL_ROWS",
    "ExportError",
    "ExportTargets",
    "Progress",
    "all_or_nothing",
    "atomic_path",
    "codebook_rows",
    "require_release",
    "sheet_names",
    "stata_names",
    "write_csv",
    "write_dta",
    "write_exports",
    "write_parquet",
    "write_sav",
    "write_xlsx",
]
