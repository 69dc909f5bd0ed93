"""Shamir secret sharing over GF(256), byte by byte: any ``threshold`` shares rebuild the secret.

Each secret byte ``s`` gets its own random polynomial ``f(x) = s + a1·x + … + a(k-1)·x^(k-1)``
over GF(2^8) (the AES field, reduction polynomial x^8 + x^4 + x^3 + x + 1); share ``i`` holds
``f(i)`` for every byte. With fewer than ``threshold`` shares every secret is equally likely:
for 2-of-n, one share ``y = s + a1·i`` with ``a1`` uniform is uniform whatever ``s`` is.
Coefficients come from ``secrets``; 0 is a legitimate coefficient (excluding it would leak).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Share", "combine", "split"]

_EXP = [0] * 512
_LOG = [0] * 256


def _build_tables() -> None:
    value = 1
    for power in range(255):
        _EXP[power] = value
        _LOG[value] = power
        doubled = (value << 1) ^ (0x11B if value & 0x80 else 0)
        value = doubled ^ value  # multiply by the generator 3
    for power in range(255, 512):
        _EXP[power] = _EXP[power - 255]


_build_tables()


def _mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def _div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(256)")
    if a == 0:
        return 0
    return _EXP[(_LOG[a] - _LOG[b]) % 255]


@dataclass(frozen=True, slots=True)
class Share:
    x: int
    """The share's point, 1..255 (never 0: f(0) is the secret)."""
    y: bytes


def split(secret: bytes, *, shares: int, threshold: int = 2) -> list[Share]:
    """``shares`` shares of ``secret``, any ``threshold`` of which rebuild it."""
    if not 2 <= threshold <= shares <= 255:
        raise ValueError("need 2 <= threshold <= shares <= 255")
    polynomials = [
        [byte, *secrets.token_bytes(threshold - 1)] for byte in secret
    ]  # coefficients, constant term first
    result = []
    for x in range(1, shares + 1):
        ys = bytearray()
        for coefficients in polynomials:
            y = 0
            for coefficient in reversed(coefficients):  # Horner
                y = _mul(y, x) ^ coefficient
            ys.append(y)
        result.append(Share(x, bytes(ys)))
    return result


def combine(shares: Sequence[Share]) -> bytes:
    """The secret at f(0), by Lagrange interpolation through the given shares."""
    xs = [share.x for share in shares]
    if len(shares) < 2 or len(set(xs)) != len(xs) or 0 in xs:
        raise ValueError("need at least 2 shares with distinct, non-zero points")
    if len({len(share.y) for share in shares}) != 1:
        raise ValueError("shares of different lengths")
    weights = []
    for share in shares:
        weight = 1
        for other in xs:
            if other != share.x:
                weight = _mul(weight, _div(other, other ^ share.x))
        weights.append(weight)
    secret = bytearray(len(shares[0].y))
    for share, weight in zip(shares, weights, strict=True):
        for position, y in enumerate(share.y):
            secret[position] ^= _mul(y, weight)
    return bytes(secret)
