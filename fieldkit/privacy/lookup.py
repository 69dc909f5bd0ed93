"""Keyed lookups for identifying values: HMAC-SHA256 under a project secret, never a bare hash.

A plain hash of a name is reversed by hashing a list of names (ENISA 2019, 3.2); a keyed hash
is not, as long as the key stays apart from the data (3.3). Use a lookup token where HQ must
match people across interviews (the same child named in two households) without reading names:

    token = lookup_token(key, "Amina Koroma", field="child_name")

Values are normalised first (Unicode NFKC, case-folded, spaces collapsed) so that trivial
spelling differences do not split a person. The field name separates domains: the same string
as a name and as a village gives different tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from fieldkit.errors import PrivacyError

__all__ = ["LOOKUP_KEY_BYTES", "generate_lookup_key", "lookup_token", "normalise"]

LOOKUP_KEY_BYTES = 32


def generate_lookup_key() -> bytes:
    return secrets.token_bytes(LOOKUP_KEY_BYTES)


def normalise(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def lookup_token(key: bytes, value: str, *, field: str) -> str:
    """A hex HMAC-SHA256 of the normalised value, bound to ``field``."""
    if len(key) < LOOKUP_KEY_BYTES:
        raise PrivacyError(
            f"a lookup key must be at least {LOOKUP_KEY_BYTES} random bytes",
            code="FK-PRIV-004",
            hint="make one with generate_lookup_key() and keep it apart from the data",
        )
    message = field.encode("utf-8") + b"\x00" + normalise(value).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()
