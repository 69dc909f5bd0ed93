"""Secrets wrapped by a passphrase: scrypt (memory-hard) derives a key, AES-256-GCM seals.

    blob = wrap_secret(secret, passphrase, purpose="laptop store", bound="laptop.sqlite")
    secret = unwrap_secret(blob, passphrase, purpose="laptop store", bound="laptop.sqlite")

Layout of ``blob``::

    "FKW1" | log2 N | r | p | salt (16) | nonce (12) | AES-256-GCM(secret) with its tag (16)

The associated data is the header, then ``purpose`` and ``bound`` (UTF-8, NUL-separated), so a
wrapped secret only opens for the use it was made for: a custodian's share renamed to another
custodian, or a laptop's data key copied beside another store, does not open. scrypt at
N = 2^17, r = 8, p = 1 (about 0.35 s and 128 MiB per try) is the memory-hard step: SQLCipher's
own passphrase derivation (PBKDF2) is not, so the laptop store gets a raw key from here.

A wrong passphrase (or a wrong ``purpose``/``bound``, or a changed byte) raises PrivacyError
FK-KEY-001: AES-GCM cannot tell them apart, and an attacker learns nothing from which it was.
"""

from __future__ import annotations

import os
import struct
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from fieldkit.errors import Location, PrivacyError

__all__ = [
    "DEFAULT_LOG_N",
    "MIN_LOG_N",
    "MIN_PASSPHRASE",
    "WRAPPED_OVERHEAD",
    "check_passphrase",
    "passphrase_bytes",
    "unwrap_secret",
    "wrap_secret",
]

MIN_PASSPHRASE = 12
DEFAULT_LOG_N = 17
MIN_LOG_N = 10
"""Tests wrap with a cheap cost; nothing below this opens (a file edited to be cheap to guess)."""
_MAGIC = b"FKW1"
_HEADER = struct.Struct(">4sBBB16s12s")  # magic, log2 N, r, p, salt, nonce
_TAG = 16
WRAPPED_OVERHEAD = _HEADER.size + _TAG


def passphrase_bytes(passphrase: str | bytes) -> bytes:
    """The passphrase as UTF-8 in Unicode NFC: the same typed text gives the same bytes."""
    if isinstance(passphrase, bytes):
        return passphrase
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def check_passphrase(passphrase: str | bytes) -> bytes:
    """The passphrase's bytes, or FK-KEY-004 when it is shorter than ``MIN_PASSPHRASE``."""
    secret = passphrase_bytes(passphrase)
    if len(secret) < MIN_PASSPHRASE:
        raise PrivacyError(
            f"the passphrase is too short (at least {MIN_PASSPHRASE} characters)",
            code="FK-KEY-004",
            hint="use a long passphrase: a few unrelated words",
        )
    return secret


def wrap_secret(
    secret: bytes,
    passphrase: str | bytes,
    *,
    purpose: str,
    bound: str = "",
    log_n: int = DEFAULT_LOG_N,
) -> bytes:
    """``secret`` encrypted under ``passphrase`` for ``purpose`` (and ``bound``, e.g. a name)."""
    key_material = check_passphrase(passphrase)
    if not MIN_LOG_N <= log_n <= 22:
        raise ValueError("scrypt cost out of range")
    header = _HEADER.pack(_MAGIC, log_n, 8, 1, os.urandom(16), os.urandom(12))
    nonce = header[-12:]
    aead = AESGCM(_derive(key_material, header))
    return header + aead.encrypt(nonce, secret, _associated(header, purpose, bound))


def unwrap_secret(
    blob: bytes,
    passphrase: str | bytes,
    *,
    purpose: str,
    bound: str = "",
    where: str = "",
    what: str = "the key",
) -> bytes:
    """The secret inside ``blob``; FK-KEY-001 on a wrong passphrase, FK-KEY-002 on damage."""
    if len(blob) < WRAPPED_OVERHEAD:
        raise _damaged(where, what)
    header = blob[: _HEADER.size]
    magic, log_n, r, p, _salt, nonce = _HEADER.unpack(header)
    if magic != _MAGIC or not MIN_LOG_N <= log_n <= 22 or (r, p) != (8, 1):
        raise _damaged(where, what)
    aead = AESGCM(_derive(passphrase_bytes(passphrase), header))
    try:
        return aead.decrypt(nonce, blob[_HEADER.size :], _associated(header, purpose, bound))
    except InvalidTag:
        raise PrivacyError(
            f"wrong passphrase for {what}",
            code="FK-KEY-001",
            location=Location(where) if where else None,
            hint="type it again; a forgotten passphrase cannot be recovered",
        ) from None


def _derive(secret: bytes, header: bytes) -> bytes:
    _magic, log_n, r, p, salt, _nonce = _HEADER.unpack(header)
    return Scrypt(salt=salt, length=32, n=2**log_n, r=r, p=p).derive(secret)


def _associated(header: bytes, purpose: str, bound: str) -> bytes:
    return header + purpose.encode("utf-8") + b"\x00" + bound.encode("utf-8")


def _damaged(where: str, what: str) -> PrivacyError:
    return PrivacyError(
        f"{what} is damaged or not a fieldkit wrapped key",
        code="FK-KEY-002",
        location=Location(where) if where else None,
        hint="use the file fieldkit wrote; a damaged key file cannot be repaired",
    )
