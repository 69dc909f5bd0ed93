"""Open free text with the merge key, after an audit entry (for ``fieldkit recode``).

    texts = open_free_text(db, merge_key, questions=["occupation"], actor="amina",
                           reason="code occupations to ISCO-08", form_id="household_cl")

Free text (every ``text`` question not marked ``pii``, and the consent exception's note) is
sealed to the coordinator's merge key at capture, so that "other, specify" answers can be
coded without the custodians. Opening it is still a disclosure: one audit entry names the
questions, how many values were opened and why, and is committed before any value is opened.
Identities (sealed to the identity key) never open here. With ``form_id``, only the
interviews datasets use are opened (those of that form not quarantined, not set aside as
duplicates, not in an open unit conflict): what ``fieldkit recode`` codes for a release.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import col

from fieldkit.errors import Location, PrivacyError
from fieldkit.privacy.audit import AuditLog, record
from fieldkit.privacy.identity import FREE_TEXT, open_identity
from fieldkit.privacy.keys import PrivateKey, fingerprint
from fieldkit.store.coordinator import included_ids
from fieldkit.store.database import Database
from fieldkit.store.records import JsonValue
from fieldkit.store.tables import Identity, Interview

__all__ = ["open_free_text"]


def open_free_text(
    db: Database,
    merge_key: PrivateKey,
    *,
    questions: Sequence[str],
    actor: str,
    reason: str,
    form_id: str | None = None,
) -> dict[tuple[str, str, int], JsonValue]:
    """(interview id, question, member) → text, for the free-text ``questions`` asked."""
    if not questions or not reason.strip():
        raise PrivacyError(
            "opening free text needs the questions and a reason",
            code="FK-PRIV-006",
            location=Location(db.where),
            hint="name the text questions to code, and say why",
        )
    check = AuditLog(db).verify()
    if not check.ok:
        raise PrivacyError(
            f"the audit log is broken at entry {check.first_bad}: {check.problem}",
            code="FK-PRIV-003",
            location=Location(db.where),
            hint="free text stays closed until the log is restored and verified",
        )
    key_id = fingerprint(merge_key.public_key())
    query = (
        select(  # type: ignore[call-overload]
            Interview.id, Identity.reference, Identity.question, Identity.member, Identity.sealed
        )
        .join(Interview, col(Interview.reference) == col(Identity.reference))
        .where(col(Identity.key_id) == key_id, col(Identity.question).in_(list(questions)))
        .order_by(col(Interview.id), col(Identity.question), col(Identity.member))
    )
    if form_id is not None:
        query = query.where(col(Interview.id).in_(included_ids(form_id)))
    with db.transaction() as conn:
        rows = conn.execute(query).all()
        detail: dict[str, object] = {
            "questions": sorted(questions),
            "values": len(rows),
            "reason": reason.strip(),
        }
        if form_id is not None:
            detail["form"] = form_id
        record(conn, "free text opened", ", ".join(sorted(questions))[:200], detail, actor=actor)
    return {
        (str(iid), str(q), int(m)): open_identity(merge_key, ref, q, m, bytes(s), label=FREE_TEXT)
        for iid, ref, q, m, s in rows
    }
