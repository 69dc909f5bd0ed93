"""Analysis tables: a wide table per instrument and a long one per roster, from the store.

dataset = flatten(form, interviews, answers, members, role="statistician")
children = dataset.table("household_cl__members")

Derived variables live in :mod:`fieldkit.indicators`, counts and weighted estimates in
:mod:`fieldkit.stats`, and disclosure control for what leaves the tool in
:mod:`fieldkit.release`.
"""

from fieldkit.dataset.dataset import NOT_REPRESENTATIVE, Dataset, StudyInfo
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.flatten import check_role, flatten, table_name
from fieldkit.dataset.table import Rows, Special, StreamTable, Table, Variable, VarType

__all__ = [
    "NOT_REPRESENTATIVE",
    "Dataset",
    "DatasetError",
    "Rows",
    "Special",
    "StreamTable",
    "StudyInfo",
    "Table",
    "VarType",
    "Variable",
    "check_role",
    "flatten",
    "table_name",
]
