"""Privacy: project keys, sealed answers, custodians' shares, keyed lookups, the audit log.

create_project_keys(merge_passphrase=..., custodians=[(name, passphrase), ...], threshold=K)
                                         -> project.pub, merge.key, one share file per custodian
load_project_keys(path)                  -> ProjectPublicKeys (identity, merge): what laptops hold
seal(public_key, plaintext, context)     -> sealed bytes (X25519 + HKDF + AES-256-GCM)
seal_identity(public_key, reference, question, member, value)
lookup_token(key, value, field=...)      -> HMAC-SHA256 token for matching without names
AuditLog(db).append(...) / .verify()     -> hash-chained, append-only
reveal(db, reference, shares=..., ...)   -> one record's identities, after an audit entry

There is deliberately no public way to open an identity except ``reveal``: the functions that
rebuild the identity key and open sealed identities are internal to it, so every opening is
written to the audit log first.

The audit log and ``reveal`` need the store; they are imported on first use, so the store
(which seals with these keys) can import this package without a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldkit.lazy import lazy_exports
from fieldkit.privacy.custody import create_project_keys
from fieldkit.privacy.identity import seal_identity
from fieldkit.privacy.keys import (
    PrivateKey,
    ProjectPublicKeys,
    PublicKey,
    fingerprint,
    generate_device_key,
    load_merge_key,
    load_project_keys,
)
from fieldkit.privacy.lookup import generate_lookup_key, lookup_token
from fieldkit.privacy.sealing import seal
from fieldkit.privacy.shares import KeyShare

if TYPE_CHECKING:
    from fieldkit.privacy.audit import AuditCheck, AuditHead, AuditLog, AuditRecord
    from fieldkit.privacy.reidentify import identity_access, reveal

__all__ = [
    "AuditCheck",
    "AuditHead",
    "AuditLog",
    "AuditRecord",
    "KeyShare",
    "PrivateKey",
    "ProjectPublicKeys",
    "PublicKey",
    "create_project_keys",
    "fingerprint",
    "generate_device_key",
    "generate_lookup_key",
    "identity_access",
    "load_merge_key",
    "load_project_keys",
    "lookup_token",
    "reveal",
    "seal",
    "seal_identity",
]

_LAZY = {
    "AuditCheck": "fieldkit.privacy.audit",
    "AuditHead": "fieldkit.privacy.audit",
    "AuditLog": "fieldkit.privacy.audit",
    "AuditRecord": "fieldkit.privacy.audit",
    "identity_access": "fieldkit.privacy.reidentify",
    "reveal": "fieldkit.privacy.reidentify",
}


__getattr__ = lazy_exports(__name__, _LAZY)
