"""Shamir shares over GF(256) and the project-key share files (P4)."""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections import Counter

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.errors import PrivacyError
from fieldkit.privacy import shamir
from fieldkit.privacy.keys import fingerprint
from fieldkit.privacy.shamir import Share, combine, split
from fieldkit.privacy.shares import (
    SHARE_HEADER,
    combine_key_shares,
    open_share,
    share_custodian,
    share_file,
    split_identity_key,
)


def _slow_mul(a: int, b: int) -> int:
    """Carry-less multiplication reduced by x^8 + x^4 + x^3 + x + 1, bit by bit."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11B
        b >>= 1
    return product


def test_field_tables_agree_with_bitwise_multiplication() -> None:
    for a in range(256):
        for b in range(256):
            assert shamir._mul(a, b) == _slow_mul(a, b)
    for a in range(1, 256):
        assert _slow_mul(a, shamir._div(1, a)) == 1  # every element has its inverse
    assert shamir._mul(0x57, 0x83) == 0xC1  # FIPS-197, 4.2


def test_any_two_of_five_rebuild_the_secret() -> None:
    secret = os.urandom(32)
    shares = split(secret, shares=5, threshold=2)
    assert len({s.x for s in shares}) == 5
    for pair in itertools.permutations(shares, 2):
        assert combine(list(pair)) == secret
    assert combine(shares) == secret  # more than needed also works


def test_three_of_five() -> None:
    secret = os.urandom(32)
    shares = split(secret, shares=5, threshold=3)
    for trio in itertools.combinations(shares, 3):
        assert combine(list(trio)) == secret
    assert combine(shares[:2]) != secret


def test_one_share_is_consistent_with_every_secret() -> None:
    """For any guess, a second share exists that makes it the secret: one share tells nothing."""
    secret = os.urandom(16)
    share = split(secret, shares=3)[0]
    for guess in (bytes(16), b"\xff" * 16, os.urandom(16)):
        # the line through (0, guess) and (x, y), evaluated at another point
        slope = [shamir._div(y ^ g, share.x) for y, g in zip(share.y, guess, strict=True)]
        other = Share(2, bytes(g ^ shamir._mul(s, 2) for g, s in zip(guess, slope, strict=True)))
        assert combine([share, other]) == guess


def test_a_single_share_is_uniform_whatever_the_secret() -> None:
    counts = {secret: Counter[int]() for secret in (0x00, 0xFF)}
    for secret, counter in counts.items():
        for _ in range(40):
            counter.update(split(bytes([secret]) * 256, shares=2)[0].y)
    for counter in counts.values():  # 10 240 bytes over 256 values: ~40 each
        assert len(counter) == 256
        assert max(counter.values()) < 90 and min(counter.values()) > 10


def test_bad_share_sets_are_refused() -> None:
    shares = split(b"secret", shares=3)
    with pytest.raises(ValueError, match="at least 2"):
        combine(shares[:1])
    with pytest.raises(ValueError, match="distinct"):
        combine([shares[0], shares[0]])
    with pytest.raises(ValueError):
        combine([shares[0], Share(2, b"short")])
    with pytest.raises(ValueError):
        split(b"x", shares=1)
    with pytest.raises(ValueError):
        split(b"x", shares=3, threshold=4)


@settings(max_examples=50, deadline=None)
@given(
    secret=st.binary(min_size=1, max_size=64),
    count=st.integers(2, 12),
    data=st.data(),
)
def test_property_any_threshold_subset_rebuilds(
    secret: bytes, count: int, data: st.DataObject
) -> None:
    threshold = data.draw(st.integers(2, count))
    shares = split(secret, shares=count, threshold=threshold)
    chosen = data.draw(
        st.lists(st.sampled_from(shares), min_size=threshold, unique_by=lambda s: s.x)
    )
    assert combine(chosen) == secret


# -- identity key shares -------------------------------------------------------------------

FAST = 10  # scrypt log2 N for tests; real shares use 17
CUSTODIANS = ("Ama Serwaa", "Yaw", "Efua", "Kofi")


def _files(key: X25519PrivateKey) -> dict[str, bytes]:
    shares = split_identity_key(key, CUSTODIANS, threshold=2)
    return {s.custodian: share_file(s, f"{s.custodian} passphrase", log_n=FAST) for s in shares}


def test_key_shares_round_trip_through_their_files() -> None:
    key = X25519PrivateKey.generate()
    files = _files(key)
    assert files["Yaw"].decode().splitlines()[:2] == [SHARE_HEADER, "custodian Yaw"]
    assert share_custodian(files["Ama Serwaa"]) == "Ama Serwaa"
    opened = [open_share(data, f"{name} passphrase") for name, data in files.items()]
    for pair in itertools.combinations(opened, 2):
        rebuilt = combine_key_shares(list(pair))
        assert fingerprint(rebuilt.public_key()) == fingerprint(key.public_key())


def test_a_share_opens_only_with_its_custodians_passphrase_and_name() -> None:
    files = _files(X25519PrivateKey.generate())
    with pytest.raises(PrivacyError) as caught:
        open_share(files["Yaw"], "Efua passphrase")
    assert caught.value.code == "FK-KEY-001"
    relabelled = files["Yaw"].replace(b"custodian Yaw", b"custodian Efua")
    with pytest.raises(PrivacyError) as caught:  # the name is bound into the wrapping
        open_share(relabelled, "Yaw passphrase")
    assert caught.value.code == "FK-KEY-001"


def test_one_key_share_is_not_enough() -> None:
    shares = split_identity_key(X25519PrivateKey.generate(), CUSTODIANS[:3], threshold=2)
    for given_shares in ([shares[0]], [shares[1], shares[1]], []):
        with pytest.raises(PrivacyError) as caught:
            combine_key_shares(given_shares)
        assert caught.value.code == "FK-KEY-005"
    three = split_identity_key(X25519PrivateKey.generate(), CUSTODIANS, threshold=3)
    with pytest.raises(PrivacyError) as caught:
        combine_key_shares(three[:2])
    assert caught.value.code == "FK-KEY-005"
    assert combine_key_shares(three[1:])


def test_shares_of_different_keys_or_damaged_shares_are_refused() -> None:
    first = split_identity_key(X25519PrivateKey.generate(), CUSTODIANS[:3], threshold=2)
    second = split_identity_key(X25519PrivateKey.generate(), CUSTODIANS[:3], threshold=2)
    with pytest.raises(PrivacyError) as caught:
        combine_key_shares([first[0], second[1]])
    assert caught.value.code == "FK-KEY-005"
    damaged = dataclasses.replace(first[1], y=bytes(32))
    with pytest.raises(PrivacyError) as caught:
        combine_key_shares([first[0], damaged])
    assert caught.value.code == "FK-KEY-005"
    for names, threshold in ((["Ama"], 2), (["Ama", "Yaw"], 1), (["Ama", "ama"], 2)):
        with pytest.raises(PrivacyError) as caught:
            split_identity_key(X25519PrivateKey.generate(), names, threshold=threshold)
        assert caught.value.code == "FK-KEY-005"


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"fieldkit identity key share\ncustodian Ama\n!!!\n",
        b"fieldkit identity key share\nnobody\nAAAA\n",
        b"hello\ncustodian Ama\nAAAA\n",
        b"fieldkit identity key share\ncustodian Ama\nAAAA\n",  # too short to be wrapped
    ],
)
def test_garbage_share_files_are_fk_key_002(text: bytes) -> None:
    with pytest.raises(PrivacyError) as caught:
        open_share(text, "any passphrase at all")
    assert caught.value.code == "FK-KEY-002"


def test_a_share_given_twice_first_still_rebuilds_the_key() -> None:
    """A custodian's share handed over twice (say, the same file given first and again) was a
    ValueError from the GF(256) arithmetic: duplicates now count once."""
    key = X25519PrivateKey.generate()
    shares = split_identity_key(key, CUSTODIANS[:3], threshold=2)
    for handed in ([shares[0], shares[0], shares[1]], [shares[2], shares[2], shares[2], shares[0]]):
        rebuilt = combine_key_shares(handed)
        assert fingerprint(rebuilt.public_key()) == fingerprint(key.public_key())
