"""Rejected interviews sent back to the laptop that delivered them, beside its next receipt.

When ``fieldkit merge`` writes a bundle's receipt it also writes ``<bundle>.returns`` if the
supervisor rejected interviews that laptop delivered and no corrected copy has come back
since. One canonical JSON line::

    {"bundle_sha256":"...","device_id":"...","format":"fieldkit-returns","nonce":"...",
     "sealed":"<base64>","version":1}

``sealed`` holds each interview's rows and the supervisor's comment. A returned interview
carries answers about children, so it is encrypted, and since the laptop acts on it
(reopening interviews), it must be the coordinator's: the key comes from X25519 between the
coordinator's merge key and the laptop's device key (its Ed25519 key seen as X25519, as
libsodium's ``crypto_sign_ed25519_pk_to_curve25519`` and age's ssh-ed25519 recipients do),
run through HKDF-SHA256 bound to the device and the bundle. Only the merge key's holder can
make a file that opens on that laptop, and only that laptop can read it; the laptop then
reopens only interviews it delivered itself (fieldkit.review.reopen).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, select

from fieldkit.bundle.atomic import atomic_file
from fieldkit.bundle.format import encode_line
from fieldkit.monitor.tables import review_decisions
from fieldkit.review.history import encode_rows, interview_rows, replaced_since
from fieldkit.store.coordinator_tables import devices, merged_interviews
from fieldkit.store.database import as_utc

__all__ = [
    "RETURNS_FORMAT",
    "device_exchange_key",
    "montgomery_public",
    "pending_returns",
    "raw",
    "returns_aead",
    "returns_path",
    "write_returns",
]

RETURNS_FORMAT = "fieldkit-returns"
_LABEL = b"fieldkit returns v1"
_P = 2**255 - 19
_RAW = serialization.Encoding.Raw
_RAW_PUBLIC = serialization.PublicFormat.Raw


def returns_path(receipt: Path) -> Path:
    """``north.fkb.receipt`` -> ``north.fkb.returns``, in the same folder."""
    return receipt.with_name(receipt.name.removesuffix(".receipt") + ".returns")


def montgomery_public(ed25519_public: bytes) -> X25519PublicKey:
    """The X25519 public key of an Ed25519 public key: u = (1 + y) / (1 - y) mod p."""
    y = int.from_bytes(ed25519_public, "little") & ((1 << 255) - 1)
    u = (1 + y) * pow((1 - y) % _P, _P - 2, _P) % _P
    return X25519PublicKey.from_public_bytes(u.to_bytes(32, "little"))


def device_exchange_key(signing_key: Ed25519PrivateKey) -> X25519PrivateKey:
    """The X25519 private key matching ``montgomery_public`` of the device's public key: the
    Ed25519 secret scalar is the first half of SHA-512 of the seed (X25519 clamps it)."""
    seed = signing_key.private_bytes(
        _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return X25519PrivateKey.from_private_bytes(hashlib.sha512(seed).digest()[:32])


def returns_aead(
    mine: X25519PrivateKey, theirs: X25519PublicKey, salt: bytes, device_id: str, sha: str
) -> AESGCM:
    """The AEAD both sides derive from X25519(mine, theirs); ``salt`` is the merge public key
    then the device's X25519 public key (raw), the same bytes on both sides."""
    info = _LABEL + b"\x00" + device_id.encode() + b"\x00" + sha.encode()
    key = HKDF(hashes.SHA256(), 32, salt, info).derive(mine.exchange(theirs))
    return AESGCM(key)


def raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(_RAW, _RAW_PUBLIC)


def header(device_id: str, bundle_sha256: str) -> dict[str, Any]:
    return {
        "format": RETURNS_FORMAT,
        "version": 1,
        "device_id": device_id,
        "bundle_sha256": bundle_sha256,
    }


def pending_returns(conn: Connection, device_id: str) -> list[dict[str, Any]]:
    """The device's interviews whose latest decision is a rejection no corrected copy has
    answered yet, each with its rows and the decision."""
    latest: dict[str, Any] = {}
    r = review_decisions
    for row in conn.execute(select(r).order_by(r.c.id)):
        latest[row.interview_id] = row
    rejected = {i for i, decision in latest.items() if decision.decision == "rejected"}
    if not rejected:  # the usual case: nothing more to read for a merge
        return []
    replaced = replaced_since(conn)
    m = merged_interviews
    delivered = {
        row[0]
        for row in conn.execute(select(m.c.interview_id).where(m.c.bundle_device == device_id))
    }
    pending = []
    for interview_id in sorted(delivered & rejected):
        decision = latest[interview_id]
        decided_at = as_utc(decision.decided_at)
        corrected = replaced.get(interview_id)
        if corrected is not None and corrected > decided_at:
            continue
        pending.append(
            {
                "interview_id": interview_id,
                "comment": decision.comment,
                "reviewer": decision.reviewer,
                "decided_at": decided_at.isoformat(),
                "rows": encode_rows(interview_rows(conn, interview_id)),
            }
        )
    return pending


def write_returns(
    conn: Connection, merge_key: X25519PrivateKey, device_id: str, bundle_sha256: str, path: Path
) -> int:
    """Write ``path`` for the device's pending rejections (or remove a stale one); how many."""
    pending = pending_returns(conn, device_id)
    if not pending:
        path.unlink(missing_ok=True)
        return 0
    public_text = conn.execute(
        select(devices.c.public_key).where(devices.c.device_id == device_id)
    ).scalar_one()
    device_public = montgomery_public(base64.b64decode(public_text))
    salt = raw(merge_key.public_key()) + raw(device_public)
    aead = returns_aead(merge_key, device_public, salt, device_id, bundle_sha256)
    nonce = os.urandom(12)
    top = header(device_id, bundle_sha256)
    plain = json.dumps({"returned": pending}, ensure_ascii=False).encode()
    sealed = aead.encrypt(nonce, plain, encode_line(top))
    data = top | {
        "nonce": base64.b64encode(nonce).decode(),
        "sealed": base64.b64encode(sealed).decode(),
    }
    with atomic_file(path) as handle:
        handle.write(encode_line(data))
    return len(pending)
