"""Derived variables, each after its published definition: age bands, child labour by
versioned rule sets, work/school status and the elements of child trafficking.

derive_all(children)   # adds every derived variable to a roster table with an exact age
"""

from fieldkit.indicators.agebands import (
    CTDC_BROAD,
    ILO_CL,
    SCHEMES,
    AgeBand,
    AgeScheme,
    add_age_band,
    recut,
)
from fieldkit.indicators.child_status import add_birth_registration, add_disability
from fieldkit.indicators.childlabour import (
    RULE_SETS,
    LabourInputs,
    RuleSet,
    add_child_labour,
    add_work_school,
    rule_set,
)
from fieldkit.indicators.codes import DEFAULT_HAZARDOUS, HazardousList
from fieldkit.indicators.derive import DEFAULT_RULE_SETS, derive_all, prepare
from fieldkit.indicators.trafficking import TipInputs, add_trafficking

__all__ = [
    "CTDC_BROAD",
    "DEFAULT_HAZARDOUS",
    "DEFAULT_RULE_SETS",
    "ILO_CL",
    "RULE_SETS",
    "SCHEMES",
    "AgeBand",
    "AgeScheme",
    "HazardousList",
    "LabourInputs",
    "RuleSet",
    "TipInputs",
    "add_age_band",
    "add_birth_registration",
    "add_child_labour",
    "add_disability",
    "add_trafficking",
    "add_work_school",
    "derive_all",
    "prepare",
    "recut",
    "rule_set",
]
