"""Merge: district bundles into one coordinator store, verified, de-duplicated, consent-checked.

    report = merge_bundles(paths, "hq.sqlite", project)      # MergeReport; CLI renders it
    register_device("hq.sqlite", read_device_public_key(Path("device-….pub")))
    list_conflicts("hq.sqlite"); resolve_conflict("hq.sqlite", cid, keep=..., reason=..., ...)
    list_quarantine("hq.sqlite")

Guarantees (``docs``: reliability promises P7-P11): a refused bundle writes nothing but its
rejection; one transaction per bundle; any set of bundles in any order, any number of times,
gives the same store; nothing is ordered by a clock.
"""

from __future__ import annotations

from fieldkit.merge.consent import REASONS as QUARANTINE_REASONS
from fieldkit.merge.merger import MergeOptions, merge_bundles
from fieldkit.merge.report import DUPLICATE_KINDS, BundleOutcome, MergeProgress, MergeReport, Tally
from fieldkit.merge.review import (
    ConflictMember,
    ConflictView,
    QuarantineEntry,
    Resolution,
    list_conflicts,
    list_quarantine,
    register_device,
    resolve_conflict,
)

__all__ = [
    "DUPLICATE_KINDS",
    "QUARANTINE_REASONS",
    "BundleOutcome",
    "ConflictMember",
    "ConflictView",
    "MergeOptions",
    "MergeProgress",
    "MergeReport",
    "QuarantineEntry",
    "Resolution",
    "Tally",
    "list_conflicts",
    "list_quarantine",
    "merge_bundles",
    "register_device",
    "resolve_conflict",
]
