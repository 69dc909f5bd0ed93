"""Derived variables, each after its published definition: age bands, child labour by
versioned rule sets, work/school status and the elements of child trafficking.

derive_all(children)   # adds every derived variable to a roster table with an exact age

The names are imported on first use (PEP 562): the protocol compiler reads the code lists
(:mod:`fieldkit.indicators.codelists`) without loading the dataset and store modules the
derivations need, so ``fieldkit check`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldkit.lazy import lazy_exports

if TYPE_CHECKING:
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

_HOMES = {
    "CTDC_BROAD": "fieldkit.indicators.agebands",
    "ILO_CL": "fieldkit.indicators.agebands",
    "SCHEMES": "fieldkit.indicators.agebands",
    "AgeBand": "fieldkit.indicators.agebands",
    "AgeScheme": "fieldkit.indicators.agebands",
    "add_age_band": "fieldkit.indicators.agebands",
    "recut": "fieldkit.indicators.agebands",
    "add_birth_registration": "fieldkit.indicators.child_status",
    "add_disability": "fieldkit.indicators.child_status",
    "RULE_SETS": "fieldkit.indicators.childlabour",
    "LabourInputs": "fieldkit.indicators.childlabour",
    "RuleSet": "fieldkit.indicators.childlabour",
    "add_child_labour": "fieldkit.indicators.childlabour",
    "add_work_school": "fieldkit.indicators.childlabour",
    "rule_set": "fieldkit.indicators.childlabour",
    "DEFAULT_HAZARDOUS": "fieldkit.indicators.codes",
    "HazardousList": "fieldkit.indicators.codes",
    "DEFAULT_RULE_SETS": "fieldkit.indicators.derive",
    "derive_all": "fieldkit.indicators.derive",
    "prepare": "fieldkit.indicators.derive",
    "TipInputs": "fieldkit.indicators.trafficking",
    "add_trafficking": "fieldkit.indicators.trafficking",
}


__getattr__ = lazy_exports(__name__, _HOMES)
