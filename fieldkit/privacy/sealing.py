"""Seal a value to the project public key; only the coordinator's private key opens it.

The construction (ECIES, as in HPKE base mode) is, for each value::

    ephemeral X25519 key pair (e, E);  shared = X25519(e, project public key P)
    key    = HKDF-SHA256(shared, salt = E || P, info = LABEL || 0x00 || context, 32 bytes)
    nonce  = 12 random bytes
    sealed = VERSION || E (32) || nonce (12) || AES-256-GCM(key, nonce, plaintext,
                                                          aad = VERSION || E || nonce || context)

The sender keeps nothing: the ephemeral secret is dropped, so the laptop that sealed a name
cannot open it again. ``context`` (the interview reference, question and member for an
identity) is bound twice, in the key derivation and as associated data, so a sealed value
moved to another person does not open. Any change, truncation, wrong context or wrong key
raises PrivacyError FK-PRIV-001.

Why not ``cryptography.hazmat.primitives.hpke``: it is absent before cryptography 46 (the
pin allows 42) and 48's ``Suite.encrypt`` has no ``aad`` argument. The primitives used here
(X25519, HKDF, AESGCM) exist unchanged in every pinned version.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fieldkit.errors import PrivacyError

__all__ = ["OVERHEAD", "VERSION", "open_sealed", "seal"]

VERSION = b"\x01"
LABEL = b"fieldkit seal v1"
_KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_HEADER_BYTES = len(VERSION) + _KEY_BYTES + _NONCE_BYTES
OVERHEAD = _HEADER_BYTES + _TAG_BYTES
"""Bytes a sealed value adds to its plaintext."""

_RAW = serialization.Encoding.Raw
_RAW_PUBLIC = serialization.PublicFormat.Raw


def _derive(shared: bytes, ephemeral: bytes, recipient: bytes, context: bytes) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + recipient,
        info=LABEL + b"\x00" + context,
    ).derive(shared)
    return AESGCM(key)


def seal(public_key: X25519PublicKey, plaintext: bytes, context: bytes) -> bytes:
    """Encrypt ``plaintext`` so that only the holder of the private key can read it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(_RAW, _RAW_PUBLIC)
    recipient = public_key.public_bytes(_RAW, _RAW_PUBLIC)
    aead = _derive(ephemeral.exchange(public_key), ephemeral_public, recipient, context)
    nonce = os.urandom(_NONCE_BYTES)
    header = VERSION + ephemeral_public + nonce
    return header + aead.encrypt(nonce, plaintext, header + context)


def open_sealed(private_key: X25519PrivateKey, sealed: bytes, context: bytes) -> bytes:
    """The plaintext of ``sealed``, or PrivacyError FK-PRIV-001 if it does not open."""
    if len(sealed) < OVERHEAD or sealed[:1] != VERSION:
        raise _cannot_open("it is truncated or not a sealed value")
    ephemeral_public = sealed[1 : 1 + _KEY_BYTES]
    nonce = sealed[1 + _KEY_BYTES : _HEADER_BYTES]
    recipient = private_key.public_key().public_bytes(_RAW, _RAW_PUBLIC)
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        aead = _derive(shared, ephemeral_public, recipient, context)
        return aead.decrypt(nonce, sealed[_HEADER_BYTES:], sealed[:_HEADER_BYTES] + context)
    except (InvalidTag, ValueError):
        raise _cannot_open(
            "it was altered, belongs to another record, or needs another key"
        ) from None


def _cannot_open(why: str) -> PrivacyError:
    return PrivacyError(
        f"a sealed value does not open: {why}",
        code="FK-PRIV-001",
        hint="use the project private key this value was sealed to; never edit sealed data",
    )
