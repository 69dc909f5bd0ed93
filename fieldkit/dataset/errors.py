"""The dataset layer's errors: one class, stable codes.

FK-DATA-001  re-cutting age bands between schemes whose bands do not nest
FK-DATA-002  unknown or malformed age-band scheme
FK-DATA-003  weighted estimates asked of a study that is not representative
FK-DATA-004  the caller's role may not see these data
FK-DATA-005  input rows not sorted by interview id
FK-DATA-006  the instrument lacks a question a derived variable needs
FK-DATA-007  unknown variable, table or rule set
FK-DATA-008  the sample design cannot give a variance (one PSU in a stratum, no df, bad weight)
FK-DATA-009  microdata fail the release check (k-anonymity, global risk)
FK-DATA-030  a hazardous work list names codes that are not ISIC Rev.4 / ISCO-08
FK-DATA-031  a weight that is not a finite number (NaN, infinite)
FK-DATA-032  a total asked of a variable that is not numeric
FK-DATA-033  a CSV survey file that cannot be read (missing, not UTF-8, empty, ragged)
FK-DATA-034  a column named for an estimate is not in the CSV file
"""

from __future__ import annotations

from fieldkit.errors import FieldkitError

__all__ = ["DatasetError"]


class DatasetError(FieldkitError):
    default_code = "FK-DATA-000"
