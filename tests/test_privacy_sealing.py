"""Sealing identities to the project key: round trips, and every kind of damage refused."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.errors import PrivacyError
from fieldkit.privacy.identity import PAD_TO, open_identity, seal_identity
from fieldkit.privacy.sealing import OVERHEAD, open_sealed, seal

KEY = X25519PrivateKey.generate()
OTHER = X25519PrivateKey.generate()
CONTEXT = b'["fieldkit identity v1","ref","respondent_name",0]'
NAME = b"Amina Koroma"


def _refused(sealed: bytes, key: X25519PrivateKey = KEY, context: bytes = CONTEXT) -> None:
    with pytest.raises(PrivacyError) as caught:
        open_sealed(key, sealed, context)
    assert caught.value.code == "FK-PRIV-001"


def test_round_trip_and_layout() -> None:
    sealed = seal(KEY.public_key(), NAME, CONTEXT)
    assert open_sealed(KEY, sealed, CONTEXT) == NAME
    assert len(sealed) == len(NAME) + OVERHEAD
    assert sealed[0] == 1  # version byte
    assert NAME not in sealed


def test_sealing_twice_gives_unrelated_bytes() -> None:
    first, second = seal(KEY.public_key(), NAME, CONTEXT), seal(KEY.public_key(), NAME, CONTEXT)
    assert first != second
    assert first[1:33] != second[1:33]  # fresh ephemeral key
    assert first[33:45] != second[33:45]  # fresh nonce


@pytest.mark.parametrize(
    ("region", "start", "end"),
    [
        ("version", 0, 1),
        ("ephemeral key", 1, 33),
        ("nonce", 33, 45),
        ("ciphertext", 45, 45 + len(NAME)),
        ("tag", 45 + len(NAME), 45 + len(NAME) + 16),
    ],
)
def test_every_changed_byte_is_detected(region: str, start: int, end: int) -> None:
    sealed = seal(KEY.public_key(), NAME, CONTEXT)
    for position in range(start, end):
        for flip in (0x01, 0x80, 0xFF):
            damaged = bytearray(sealed)
            damaged[position] ^= flip
            _refused(bytes(damaged))


def test_truncated_or_extended_values_are_refused() -> None:
    sealed = seal(KEY.public_key(), NAME, CONTEXT)
    for length in range(len(sealed)):
        _refused(sealed[:length])
    _refused(sealed + b"\x00")
    _refused(b"")


def test_wrong_context_or_wrong_key_is_refused() -> None:
    sealed = seal(KEY.public_key(), NAME, CONTEXT)
    _refused(sealed, context=CONTEXT.replace(b"ref", b"reg"))
    _refused(sealed, context=b"")
    _refused(sealed, key=OTHER)


def test_a_sealed_identity_cannot_be_moved_to_another_person() -> None:
    sealed = seal_identity(KEY.public_key(), "ref-a", "child_name", 2, "Kofi")
    assert open_identity(KEY, "ref-a", "child_name", 2, sealed) == "Kofi"
    for reference, question, member in [
        ("ref-b", "child_name", 2),
        ("ref-a", "respondent_name", 2),
        ("ref-a", "child_name", 3),
    ]:
        with pytest.raises(PrivacyError) as caught:
            open_identity(KEY, reference, question, member, sealed)
        assert caught.value.code == "FK-PRIV-001"


def test_identity_padding_hides_the_length_of_names() -> None:
    short = seal_identity(KEY.public_key(), "r", "q", 0, "Al")
    longer = seal_identity(KEY.public_key(), "r", "q", 0, "Alexandrina Wilhelmina Oduya")
    assert len(short) == len(longer) == PAD_TO + OVERHEAD


@settings(max_examples=60, deadline=None)
@given(
    plaintext=st.binary(max_size=300),
    context=st.binary(max_size=80),
    position=st.integers(min_value=0),
    flip=st.integers(min_value=1, max_value=255),
)
def test_property_round_trip_and_any_flip_fails(
    plaintext: bytes, context: bytes, position: int, flip: int
) -> None:
    sealed = seal(KEY.public_key(), plaintext, context)
    assert open_sealed(KEY, sealed, context) == plaintext
    damaged = bytearray(sealed)
    damaged[position % len(sealed)] ^= flip
    _refused(bytes(damaged), context=context)


@settings(max_examples=40, deadline=None)
@given(
    value=st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=120),
        st.lists(st.text(max_size=10), max_size=5),
    )
)
def test_property_identity_values_round_trip(value: object) -> None:
    sealed = seal_identity(KEY.public_key(), "ref", "q", 1, value)
    assert open_identity(KEY, "ref", "q", 1, sealed) == value
