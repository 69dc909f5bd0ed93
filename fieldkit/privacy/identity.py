"""Sealed answers: bound to one person's answer, padded to hide length.

Two kinds, sealed to two keys: identifying answers (``pii``) to the identity key, free text
(text questions not marked ``pii``, the consent exception's note) to the merge key. A value is
sealed with the context ``[label, reference, question, member]`` (canonical JSON), the label
naming the kind, so a sealed name copied to another interview, question, member or kind no
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

__all__ = ["FREE_TEXT", "IDENTITY", "PAD_TO", "identity_context", "open_identity", "seal_identity"]

PAD_TO = 64
IDENTITY = "fieldkit identity v1"
FREE_TEXT = "fieldkit free text v1"


def identity_context(reference: str, question: str, member: int, label: str = IDENTITY) -> bytes:
    return canonical_json([label, reference, question, member])


def seal_identity(
    public_key: PublicKey,
    reference: str,
    question: str,
    member: int,
    value: Any,
    *,
    label: str = IDENTITY,
) -> bytes:
    plaintext = canonical_json(value)
    padded = plaintext + b" " * (-len(plaintext) % PAD_TO)
    return seal(public_key, padded, identity_context(reference, question, member, label))


def open_identity(
    private_key: PrivateKey,
    reference: str,
    question: str,
    member: int,
    sealed: bytes,
    *,
    label: str = IDENTITY,
) -> Any:
    context = identity_context(reference, question, member, label)
    plaintext = open_sealed(private_key, sealed, context)
    try:
        return json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PrivacyError(
            "a sealed identity holds no readable value", code="FK-PRIV-001"
        ) from None
