"""Consent records as stored: ``ConsentRecord.to_dict`` as JSON, and back.

``records.py`` has ``to_dict`` but no reader; this is the one place that reads the stored form.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fieldkit.store.records import ConsentOutcome, ConsentRecord

__all__ = ["consent_from_json", "consent_to_json"]


def consent_to_json(consent: ConsentRecord) -> str:
    """The stored form: never the exception's free-text note (the store seals it apart)."""
    return json.dumps(consent.to_dict(), ensure_ascii=False, sort_keys=True)


def consent_from_json(text: str) -> ConsentRecord:
    data: dict[str, Any] = json.loads(text)
    recorded_at = data.get("recorded_at")
    return ConsentRecord(
        outcome=ConsentOutcome(data["outcome"]),
        respondent=data["respondent"],
        respondent_age=data.get("respondent_age"),
        screening=dict(data.get("screening") or {}),
        adult_consent=data.get("adult_consent"),
        guardian_consent=data.get("guardian_consent"),
        child_assent=data.get("child_assent"),
        exception=data.get("exception"),
        exception_reason=data.get("exception_reason"),
        supervisor=data.get("supervisor"),
        others_present=list(data.get("others_present") or []),
        language=data.get("language", "en"),
        recorded_at=dt.datetime.fromisoformat(recorded_at) if recorded_at else None,
        exception_note_sealed=bool(data.get("exception_note_sealed")),
        protocol_version=data.get("protocol_version"),
        consent_sha256=data.get("consent_sha256"),
        data_use_sha256=data.get("data_use_sha256"),
    )
