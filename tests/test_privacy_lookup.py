"""P3: lookup tokens are keyed (HMAC), so a name dictionary finds nothing without the key."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from fieldkit.errors import PrivacyError
from fieldkit.privacy.lookup import generate_lookup_key, lookup_token, normalise

FIRST = [
    "Amina", "Kofi", "Ama", "Kwame", "Fatou", "Moussa", "Awa", "Ibrahim", "Aisha", "Yaw",
    "Efua", "Kojo", "Mariama", "Sekou", "Adjoa", "Kwabena", "Akosua", "Issa", "Binta", "Esi",
]  # fmt: skip
LAST = [
    "Koroma", "Mensah", "Diallo", "Traore", "Owusu", "Boateng", "Kamara", "Sesay", "Bangura",
    "Conteh", "Asante", "Ouedraogo", "Sow", "Barry", "Keita", "Coulibaly", "Darko", "Appiah",
    "Turay", "Jalloh", "Fofana", "Sylla", "Cisse", "Toure", "Ansah",
]  # fmt: skip


def _dictionary() -> list[str]:
    """10 000 plausible names: 20 x 25 first/last pairs, each in 20 spellings."""
    names = [f"{first} {last}" for first in FIRST for last in LAST]
    spellings = []
    for name in names:
        for n in range(20):
            variant = name.upper() if n % 2 else name
            spellings.append(variant if n < 2 else f"{variant} {n}")
    return spellings


def test_a_10k_name_dictionary_matches_nothing_without_the_key() -> None:
    key = generate_lookup_key()
    planted = ["Amina Koroma", "Kwabena Mensah", "Fatou Diallo"]
    stored = {lookup_token(key, name, field="child_name") for name in planted}
    dictionary = _dictionary()
    assert len(dictionary) == 10_000
    assert set(planted) <= set(dictionary)

    # the control: the same data protected by a plain hash is broken by this dictionary
    plain = {hashlib.sha256(normalise(n).encode()).hexdigest() for n in planted}
    cracked = {n for n in dictionary if hashlib.sha256(normalise(n).encode()).hexdigest() in plain}
    assert {normalise(n) for n in planted} <= {normalise(n) for n in cracked}

    # an attacker without the key: plain hashes, HMAC under guessable or random keys
    guesses = [b"", b"fieldkit", b"\x00" * 32, generate_lookup_key()]
    for name in dictionary:
        text = normalise(name).encode()
        candidates = {
            hashlib.sha256(text).hexdigest(),
            hashlib.sha256(b"child_name\x00" + text).hexdigest(),
            *(hmac.new(g, b"child_name\x00" + text, hashlib.sha256).hexdigest() for g in guesses),
        }
        assert not candidates & stored, name


def test_tokens_match_the_same_person_across_spellings_and_only_within_a_field() -> None:
    key = generate_lookup_key()
    token = lookup_token(key, "Amina Koroma", field="child_name")
    assert lookup_token(key, "  AMINA   koroma ", field="child_name") == token
    assert lookup_token(key, "Ａｍｉｎａ Koroma", field="child_name") == token  # full-width
    assert lookup_token(key, "Amina Koroma", field="village") != token
    assert lookup_token(generate_lookup_key(), "Amina Koroma", field="child_name") != token
    assert len(token) == 64


def test_short_lookup_keys_are_refused() -> None:
    with pytest.raises(PrivacyError) as caught:
        lookup_token(b"password", "Amina Koroma", field="child_name")
    assert caught.value.code == "FK-PRIV-004"
