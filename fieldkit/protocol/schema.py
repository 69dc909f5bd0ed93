"""The research protocol file: what the ILO guidance asks a study to spell out (Book 2, 2.6)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fieldkit.instrument.schema import InstrumentKind, Label
from fieldkit.protocol.profile import Profile

__all__ = [
    "AccessLevel",
    "CollectionModel",
    "ConsentStatementsModel",
    "DefinitionModel",
    "EthicsModel",
    "ExceptionModel",
    "ExceptionReasonModel",
    "HazardousWorkModel",
    "IdentityAccess",
    "MonitoringModel",
    "Profile",
    "ProtocolModel",
    "ReleaseModel",
    "RoleModel",
    "ScreeningQuestionModel",
    "WindowModel",
]

Weekday = str  # mon..sun, checked by the protocol compiler
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DefinitionModel(_Strict):
    term: str
    definition: Label


class HoursModel(_Strict):
    from_: Annotated[str, Field(alias="from")]
    to: str


class WindowModel(_Strict):
    name: str
    start: dt.date
    end: dt.date
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS))
    hours: HoursModel | None = None


class CollectionModel(_Strict):
    windows: Annotated[list[WindowModel], Field(min_length=1)]
    continuous_coverage: bool = False
    reference_periods: list[str] = Field(default_factory=list)


class ScreeningQuestionModel(_Strict):
    name: str
    label: Label
    stop_when: Annotated[list[str | int], Field(min_length=1)]


class ConsentStatementsModel(_Strict):
    adult: Label
    guardian: Label
    child_assent: Label
    child_refusal_overrides: bool = True


class ExceptionModel(_Strict):
    id: str
    label: Label
    requires: str = "supervisor_signoff"


class ExceptionReasonModel(_Strict):
    """Why an exception applies, as a code: free text about it is sealed, never a reason."""

    id: str
    label: Label


class EthicsModel(_Strict):
    age_of_majority: int = 18
    screening: Annotated[list[ScreeningQuestionModel], Field(min_length=1)]
    consent: ConsentStatementsModel
    exceptions: list[ExceptionModel] = Field(default_factory=list)
    exception_reasons: list[ExceptionReasonModel] = Field(default_factory=list)
    distress_protocol: Label
    referral: Label


class HazardousWorkModel(_Strict):
    """The national hazardous work list as codes (ILO Recommendation No. 190, paras 3-4):
    industries as ISIC Rev.4 sections, divisions, groups or classes; occupations as ISCO-08
    groups at any level. Child labour indicators count work in them as hazardous."""

    source: Label | None = None
    industries: list[str] = Field(default_factory=list)
    occupations: list[str] = Field(default_factory=list)


class AccessLevel(StrEnum):
    NONE = "none"
    OWN = "own"
    ALL = "all"


class IdentityAccess(StrEnum):
    NONE = "none"
    WITH_ONE_CUSTODIAN = "with_one_custodian"
    WITH_TWO_CUSTODIANS = "with_two_custodians"


class RoleModel(_Strict):
    answers: AccessLevel
    identities: IdentityAccess = IdentityAccess.NONE
    profiles: list[Profile] | None = None
    """Release profiles this role may export; unset: by its access (see fieldkit.users)."""
    commands: list[str] | None = None
    """Commands this role may run; unset: by its access (see fieldkit.users)."""


class ReleaseModel(_Strict):
    """How data leave the study (issue 12): the public profile's rules."""

    k: Annotated[int, Field(ge=2)] = 11
    """Every quasi-identifier combination of public microdata occurs at least k times."""
    max_risk: Annotated[float, Field(gt=0, le=1)] = 0.03
    """sdcMicro's individual re-identification risk (with the weights) stays under this."""
    max_suppressed: Annotated[float, Field(ge=0, le=1)] = 0.1
    """Local suppression may blank at most this share of quasi-identifier values."""
    quasi_identifiers: list[str] = Field(
        default_factory=lambda: [
            "sex",
            "age",
            "district",
            "ethnicity",
            "origin",
            "disability",
            "family",
            "hh_size",
        ]
    )
    """Variable names or disaggregation roles, most important first (local suppression
    blanks the last ones first)."""
    age_bands: str = "ilo_cl"
    """Public files carry ages in this scheme's bands only."""
    geography: list[str] = Field(default_factory=lambda: ["region", "district"])
    """Geographic variables public files may keep (lower levels are dropped)."""
    withheld: list[str] = Field(default_factory=list)
    """More variables no release outside ``internal`` carries."""


class MonitoringModel(_Strict):
    """Thresholds of the field monitoring report (issue 16), each the study's own choice."""

    min_minutes: dict[InstrumentKind, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    """An interview whose active time (per-question times in the paradata) is under this is a
    speeder; kinds not listed have no minimum."""
    outlier_z: Annotated[float, Field(gt=0)] = 3.5
    """An enumerator is an outlier when the modified z-score of a rate exceeds this."""
    min_answers: Annotated[int, Field(ge=1)] = 50
    """An enumerator's answer rates are compared only over at least this many answers."""
    grid_size: Annotated[int, Field(ge=3)] = 5
    """A grid: at least this many select_one questions of a section sharing one scale."""
    timezone: str = "UTC"
    """The field's IANA time zone: laptops store UTC, collection windows are local times."""


class PlaceModel(_Strict):
    """One coded place of the study's place list (issue 17): an admin unit, or a country by
    its ISO 3166-1 alpha-2 code; coordinates (its centroid, WGS 84) are optional."""

    code: str
    label: Label
    level: str = "district"
    """country, region, district, ... (the protocol's own levels)."""
    parent: str | None = None
    country: str | None = None
    """ISO 3166-1 alpha-2 code of the country the place is in (a country: its own code)."""
    lat: float | None = None
    lon: float | None = None
    """Checked at ``fieldkit check`` (FK-PROT-062), with the place list's other rules."""


class ProtocolModel(_Strict):
    id: str
    version: str = "1"
    """Changing the consent texts or the data-use statement after the first interview needs a
    new version (each consent record names the version and the texts' hashes)."""
    title: Label
    languages: Annotated[list[str], Field(min_length=1)]
    purpose: Label
    population: Label
    definitions: Annotated[list[DefinitionModel], Field(min_length=1)]
    collection: CollectionModel
    tools: Annotated[list[InstrumentKind], Field(min_length=1)]
    interview_rules: list[Label] = Field(default_factory=list)
    ethics: EthicsModel
    roles: dict[str, RoleModel]
    data_use_statement: Label
    methodology: Label | None = None
    small_cell_threshold: Annotated[int, Field(ge=1)] = 5
    identity_retention_days: Annotated[int, Field(ge=0)]
    reveal_reason_min_length: Annotated[int, Field(ge=10)] = 20
    """The shortest reason ``fieldkit reveal`` accepts for opening one record's identities."""
    representative: bool = True
    caution: Label | None = None
    """What results of a non-representative study may not be read as (the About sheet of
    an export with profiles or routes states it; fieldkit's own caution when absent)."""
    hazardous_work: HazardousWorkModel | None = None
    release: ReleaseModel = Field(default_factory=ReleaseModel)
    monitoring: MonitoringModel = Field(default_factory=MonitoringModel)
    places: list[PlaceModel] = Field(default_factory=list)
    """The place list coded place questions answer from (choices ``place``)."""
