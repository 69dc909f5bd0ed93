"""The consent and data-use texts each interview was collected under, and their versions.

Every consent record names its protocol's version and the SHA-256 of the consent statements
and of the data-use statement the respondent heard. A protocol may change either text only
under a new ``version``: the same version with other texts after interviews were collected
is refused, on the laptop (``check_laptop_texts``, before an interview starts) and at the
coordinator (``check_protocols`` before a merge, ``register_protocols`` with the first
bundle it imports), which also records each version's
data-use statement so exports can print the one each interview was collected under. A new
version is written to the audit log (action ``protocol``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, insert, select

from fieldkit.errors import InstrumentError, Location
from fieldkit.hashing import canonical_json
from fieldkit.protocol.model import Protocol
from fieldkit.store.coordinator import included_select
from fieldkit.store.coordinator_tables import capture_table, protocol_texts

__all__ = [
    "check_consent_records",
    "check_protocols",
    "data_use_statements",
    "export_provenance",
    "register_protocols",
]


def _changed(protocol: Protocol, where: str) -> InstrumentError:
    return InstrumentError(
        f"protocol '{protocol.id}' version {protocol.version} has other consent or data-use "
        "texts than the interviews already collected under that version",
        code="FK-PROT-041",
        location=Location(protocol.source or where),
        hint="a changed consent text or data-use statement needs a new protocol version "
        "(version: in the protocol file); the old texts stay on record for old interviews",
    )


def check_consent_records(protocol: Protocol, consents: Iterable[str | None], where: str) -> None:
    """FK-PROT-041 if a stored consent record of ``protocol``'s version heard other texts."""
    for text in consents:
        if not text:
            continue
        data: dict[str, Any] = json.loads(text)
        if data.get("protocol_version") != protocol.version:
            continue
        heard = (data.get("consent_sha256"), data.get("data_use_sha256"))
        if heard != (protocol.consent_sha256, protocol.data_use_sha256):
            raise _changed(protocol, where)


def check_protocols(conn: Connection, protocols: Mapping[str, Protocol], where: str) -> None:
    """FK-PROT-041 for a changed text under a version the store knows; writes nothing (a
    merge checks first, then records the texts in the transaction that imports a bundle)."""
    for protocol in protocols.values():
        _known(conn, protocol, where)


def _known(conn: Connection, protocol: Protocol, where: str) -> bool:
    """Whether the store knows ``protocol``'s version (with the same texts: FK-PROT-041
    otherwise)."""
    known = conn.execute(
        select(protocol_texts.c.consent_sha256, protocol_texts.c.data_use_sha256).where(
            protocol_texts.c.protocol_id == protocol.id,
            protocol_texts.c.version == protocol.version,
        )
    ).first()
    if known is not None and tuple(known) != (protocol.consent_sha256, protocol.data_use_sha256):
        raise _changed(protocol, where)
    return known is not None


def register_protocols(
    conn: Connection, protocols: Mapping[str, Protocol], where: str
) -> list[str]:
    """Record each protocol version's texts on first sight; FK-PROT-041 for a changed text
    under a known version. Returns the ``id version`` pairs recorded now (each audited)."""
    from fieldkit.privacy.audit import record  # noqa: PLC0415  (privacy imports the store)

    added = []
    for protocol in sorted(protocols.values(), key=lambda p: p.id):
        if _known(conn, protocol, where):
            continue
        hashes = (protocol.consent_sha256, protocol.data_use_sha256)
        conn.execute(
            insert(protocol_texts).values(
                protocol_id=protocol.id,
                version=protocol.version,
                consent_sha256=hashes[0],
                data_use_sha256=hashes[1],
                data_use_statement=canonical_json(protocol.model.data_use_statement).decode(),
            )
        )
        detail = {"version": protocol.version, "consent": hashes[0], "data_use": hashes[1]}
        record(conn, "protocol", protocol.id, detail)
        added.append(f"{protocol.id} {protocol.version}")
    return added


def data_use_statements(conn: Connection) -> dict[tuple[str, str], dict[str, str]]:
    """(protocol id, version) → the data-use statement per language, as recorded."""
    rows = conn.execute(
        select(
            protocol_texts.c.protocol_id,
            protocol_texts.c.version,
            protocol_texts.c.data_use_statement,
        )
    )
    found: dict[tuple[str, str], dict[str, str]] = {}
    for protocol_id, version, text in rows:
        value = json.loads(text)
        found[(protocol_id, version)] = value if isinstance(value, dict) else {"": str(value)}
    return found


def export_provenance(conn: Connection, form_id: str, language: str) -> tuple[tuple[str, str], ...]:
    """About-sheet rows: the data-use statement each exported interview was collected under
    (per protocol version, with how many interviews), and the audit head the export was made
    from (an anchor: ``fieldkit audit verify --anchor``)."""
    from fieldkit.privacy.audit import head_in  # noqa: PLC0415  (privacy imports the store)

    heard: dict[tuple[str, str, str], int] = {}
    interviews = capture_table("interviews")
    query = included_select(form_id).with_only_columns(
        interviews.c.protocol_id, interviews.c.consent
    )
    for protocol_id, consent in conn.execute(query):
        data = json.loads(consent) if consent else {}
        key = (
            protocol_id,
            str(data.get("protocol_version") or "?"),
            str(data.get("data_use_sha256") or "?"),
        )
        heard[key] = heard.get(key, 0) + 1
    statements = data_use_statements(conn)
    rows: list[tuple[str, str]] = []
    for (protocol_id, version, digest), count in sorted(heard.items()):
        text = statements.get((protocol_id, version), {})
        said = text.get(language) or next(iter(text.values()), "(not on record at this store)")
        rows.append(
            (
                f"Collected under: {protocol_id} version {version}",
                f"{count} interview(s); data-use statement {digest}: {said}",
            )
        )
    head = head_in(conn)
    rows.append(("Audit head", head.text() if head else "(empty log)"))
    return tuple(rows)
