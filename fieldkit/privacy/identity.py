"""Identifying answers as sealed values: bound to one person's answer, padded to hide length.

A value is sealed with the context ``["fieldkit identity v1", reference, question, member]``
(canonical JSON), so a sealed name copied to another interview, question or roster member no
longer opens. The plaintext is the canonical JSON of the value padded with spaces to a multiple
of 64 bytes, so the sealed size says little about how long a name is.
"""

from __future__ import annotations

import json
from typing import Any

from fieldkit.errors import PrivacyError
from fieldkit.hashing import canonical_json
from fieldkit.privacy.keys import PrivateKey, PublicKey
from fieldkit.privacy.sealing import open_sealed, seal

__all__ = ["PAD_TO", "identity_context", "open_identity", "seal_identity"]

PAD_TO = 64


def identity_context(reference: str, question: str, member: int) -> bytes:
    return canonical_json(["fieldkit identity v1", reference, question, member])


def seal_identity(
    public_key: PublicKey, reference: str, question: str, member: int, value: Any
) -> bytes:
    plaintext = canonical_json(value)
    padded = plaintext + b" " * (-len(plaintext) % PAD_TO)
    return seal(public_key, padded, identity_context(reference, question, member))


def open_identity(
    private_key: PrivateKey, reference: str, question: str, member: int, sealed: bytes
) -> Any:
    plaintext = open_sealed(private_key, sealed, identity_context(reference, question, member))
    try:
        return json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PrivacyError(
            "a sealed identity holds no readable value", code="FK-PRIV-001"
        ) from None
