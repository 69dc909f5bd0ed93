"""Analysis tables, derived indicators, disaggregated tables, estimates and disclosure control.

dataset = flatten(form, interviews, answers, members, role="statistician")
children = dataset.table("household_cl__members")
derive_all(children)                       # age bands, child labour, work/school, TIP
table = crosstab(children, "cl_sdg_8_7_1", by=["sex", "age_band_ilo_cl"], study=dataset.study)
shares = estimate_proportion(children, "cl_sdg_8_7_1", by=["sex"], study=dataset.study)
"""

from fieldkit.dataset.agebands import (
    CTDC_BROAD,
    ILO_CL,
    SCHEMES,
    AgeBand,
    AgeScheme,
    add_age_band,
    recut,
)
from fieldkit.dataset.childlabour import (
    RULE_SETS,
    LabourInputs,
    RuleSet,
    add_child_labour,
    add_work_school,
    rule_set,
)
from fieldkit.dataset.dataset import NOT_REPRESENTATIVE, Dataset, StudyInfo
from fieldkit.dataset.derive import DEFAULT_RULE_SETS, derive_all
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.estimate import Estimate, EstimateTable, estimate_proportion
from fieldkit.dataset.flatten import check_role, flatten, table_name
from fieldkit.dataset.release import ReleaseCheck, check_release
from fieldkit.dataset.suppress import Relation, determined_cells, suppress
from fieldkit.dataset.table import Rows, Special, StreamTable, Table, Variable, VarType
from fieldkit.dataset.tabulate import SUPPRESSED, Crosstab, crosstab
from fieldkit.dataset.trafficking import TipInputs, add_trafficking

__all__ = [
    "CTDC_BROAD",
    "DEFAULT_RULE_SETS",
    "ILO_CL",
    "NOT_REPRESENTATIVE",
    "RULE_SETS",
    "SCHEMES",
    "SUPPRESSED",
    "AgeBand",
    "AgeScheme",
    "Crosstab",
    "Dataset",
    "DatasetError",
    "Estimate",
    "EstimateTable",
    "LabourInputs",
    "Relation",
    "ReleaseCheck",
    "Rows",
    "RuleSet",
    "Special",
    "StreamTable",
    "StudyInfo",
    "Table",
    "TipInputs",
    "VarType",
    "Variable",
    "add_age_band",
    "add_child_labour",
    "add_trafficking",
    "add_work_school",
    "check_release",
    "check_role",
    "crosstab",
    "derive_all",
    "determined_cells",
    "estimate_proportion",
    "flatten",
    "recut",
    "rule_set",
    "suppress",
    "table_name",
]
