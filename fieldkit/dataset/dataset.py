"""A dataset: the study it comes from and its analysis tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Rows, Table
from fieldkit.instrument.form import Form, SampleDesign
from fieldkit.instrument.schema import InstrumentKind
from fieldkit.report import Report

__all__ = ["NOT_REPRESENTATIVE", "Dataset", "StudyInfo"]

Text = Mapping[str, str]

NOT_REPRESENTATIVE = (
    "Not representative: do not extrapolate beyond the sample. These counts describe the "
    "children reached by a purposive, snowball or time-location sample, not a population."
)

_COUNTS_ONLY_KINDS = (InstrumentKind.STREET, InstrumentKind.RAPID_ASSESSMENT)


@dataclass(frozen=True)
class StudyInfo:
    """What an export says about where the data come from (the About sheet)."""

    title: Text
    protocol_id: str
    form_id: str
    form_title: Text
    form_version: str
    form_hash: str
    kind: str
    data_use_statement: Text
    methodology: Text
    windows: tuple[tuple[str, dt.date, dt.date], ...] = ()
    representative: bool = True
    small_cell_threshold: int = 5
    sample_design: SampleDesign | None = None
    languages: tuple[str, ...] = ("en",)
    hazardous_work: Mapping[str, Any] | None = None
    """The protocol's national hazardous work list (ISIC and ISCO-08 codes), if it has one."""
    release: tuple[tuple[str, str], ...] = ()
    """What a release says first about itself: its profile, who made it, what it left out."""
    provenance: tuple[tuple[str, str], ...] = ()
    """More About rows from the store: the data-use statement each interview was collected
    under, and the audit head the export was made from."""

    @classmethod
    def from_form(cls, form: Form) -> StudyInfo:
        model = form.protocol.model
        return cls(
            title=_text(model.title),
            protocol_id=model.id,
            form_id=form.id,
            form_title=form.title,
            form_version=form.version,
            form_hash=form.hash,
            kind=str(form.kind),
            data_use_statement=_text(model.data_use_statement),
            methodology=_text(model.methodology),
            windows=tuple((w.name, w.start, w.end) for w in model.collection.windows),
            representative=model.representative and form.kind not in _COUNTS_ONLY_KINDS,
            small_cell_threshold=model.small_cell_threshold,
            sample_design=form.sample_design,
            languages=form.languages,
            hazardous_work=(
                None if model.hazardous_work is None else model.hazardous_work.model_dump()
            ),
        )

    @property
    def counts_only(self) -> bool:
        """Rapid assessments, street surveys and non-representative studies: counts only."""
        return not self.representative

    def require_estimates(self) -> SampleDesign:
        """The sample design, or a refusal when weighted estimates would mislead."""
        if self.counts_only:
            raise DatasetError(
                f"'{self.form_id}' ({self.kind}) is not representative: no weighted estimates",
                code="FK-DATA-003",
                hint="tabulate counts instead; they describe the sample only",
            )
        if self.sample_design is None:
            raise DatasetError(
                f"'{self.form_id}' has no sample design (stratum, PSU, weight)",
                code="FK-DATA-003",
                hint="add sample_design to the instrument, or tabulate counts",
            )
        return self.sample_design


def _text(label: object) -> Text:
    if label is None:
        return {}
    if isinstance(label, str):
        return {"en": label}
    if isinstance(label, Mapping):
        return {str(k): str(v) for k, v in label.items()}
    return {}


@dataclass
class Dataset:
    """Analysis tables of one instrument: the wide table first, then one per roster."""

    study: StudyInfo
    language: str
    tables: dict[str, Rows] = field(default_factory=dict)
    main: str = ""
    """The name of the wide table (a row per interview)."""
    report: Report = field(default_factory=Report)

    def table(self, name: str) -> Table:
        """An in-memory table by name (the wide table's name, or a roster's)."""
        found = self.tables.get(name)
        if isinstance(found, Table):
            return found
        known = ", ".join(self.tables) or "none"
        raise DatasetError(
            f"no in-memory table '{name}'", code="FK-DATA-007", hint=f"tables: {known}"
        )

    @property
    def rosters(self) -> tuple[str, ...]:
        return tuple(name for name in self.tables if name != self.main)
