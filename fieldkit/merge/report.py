"""What a merge did, as data: the CLI renders it as a table or ``--json``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fieldkit.errors import FieldkitError, Location
from fieldkit.report import Issue, Report

__all__ = ["DUPLICATE_KINDS", "BundleOutcome", "MergeProgress", "MergeReport", "Tally"]

DUPLICATE_KINDS = ("same_id", "content", "unit_conflict")
"""same_id: an interview already merged arrived again (kept once); content: the same answers
under another id (one kept); unit_conflict: another interview claims the same unit."""

MERGED = "merged"
ALREADY_MERGED = "already merged"
REJECTED = "rejected"


@dataclass
class BundleOutcome:
    path: str
    status: str
    """merged, already merged (byte-identical to a merged bundle: nothing to do), rejected."""
    sha256: str | None = None
    name: str | None = None
    device_id: str | None = None
    sequence: int | None = None
    interviews: int = 0
    new: int = 0
    same_id: int = 0
    updated: int = 0
    """Interviews already merged whose copy here differs and is newer: replaced."""
    code: str | None = None
    reason: str | None = None
    receipt: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Tally:
    """Counts for one district or one enumerator."""

    new: int = 0
    same_id: int = 0
    content: int = 0
    unit_conflict: int = 0
    quarantined: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True, slots=True)
class MergeProgress:
    """Sent to the progress callback after each batch of rows is written."""

    bundle: str
    interviews_done: int
    interviews_total: int
    rows_written: int


@dataclass
class MergeReport:
    bundles: list[BundleOutcome] = field(default_factory=list)
    interviews_new: int = 0
    duplicates: Counter[str] = field(default_factory=Counter)
    quarantined: Counter[str] = field(default_factory=Counter)
    """Reason → interviews newly quarantined by this merge."""
    open_conflicts: int = 0
    """Unit conflicts waiting for a coordinator in the store after this merge."""
    per_district: dict[str, Tally] = field(default_factory=dict)
    per_enumerator: dict[str, Tally] = field(default_factory=dict)
    issues: Report = field(default_factory=Report)

    @property
    def accepted(self) -> list[BundleOutcome]:
        return [b for b in self.bundles if b.status != REJECTED]

    @property
    def rejected(self) -> list[BundleOutcome]:
        return [b for b in self.bundles if b.status == REJECTED]

    @property
    def ok(self) -> bool:
        return not self.rejected

    def reject(self, outcome: BundleOutcome, error: FieldkitError) -> None:
        outcome.status, outcome.code, outcome.reason = REJECTED, error.code, error.message
        self.bundles.append(outcome)
        self.issues.add(Issue.from_error(error))

    def absorb(self, other: MergeReport) -> None:
        """Add the counts of one bundle's import (kept apart until its transaction commits)."""
        self.interviews_new += other.interviews_new
        self.duplicates.update(other.duplicates)
        self.quarantined.update(other.quarantined)
        for mine, theirs in (
            (self.per_district, other.per_district),
            (self.per_enumerator, other.per_enumerator),
        ):
            for key, tally in theirs.items():
                total = mine.setdefault(key, Tally())
                for name, value in tally.to_dict().items():
                    setattr(total, name, getattr(total, name) + value)

    def warn(self, code: str, message: str, where: str, hint: str | None = None) -> None:
        self.issues.warning(code, message, Location(where), hint)

    def tally(self, district: str | None, enumerator: str) -> tuple[Tally, Tally]:
        key = district if district is not None else "(none)"
        return (
            self.per_district.setdefault(key, Tally()),
            self.per_enumerator.setdefault(enumerator, Tally()),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "bundles": {
                "accepted": len(self.accepted),
                "rejected": len(self.rejected),
                "items": [b.to_dict() for b in self.bundles],
            },
            "interviews_new": self.interviews_new,
            "duplicates": {kind: self.duplicates.get(kind, 0) for kind in DUPLICATE_KINDS},
            "quarantined": dict(sorted(self.quarantined.items())),
            "open_conflicts": self.open_conflicts,
            "per_district": {k: v.to_dict() for k, v in sorted(self.per_district.items())},
            "per_enumerator": {k: v.to_dict() for k, v in sorted(self.per_enumerator.items())},
            "issues": [issue.to_dict() for issue in self.issues.issues],
        }
