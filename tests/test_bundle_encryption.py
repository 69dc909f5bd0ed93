"""Bundles encrypted to HQ: the payload opens only with the merge key, whole and in order."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from fieldkit.bundle.crypt import CHUNK, TAG, payload_decryptor, payload_encryptor
from fieldkit.bundle.format import MAGIC, encode_line, signed_message
from fieldkit.errors import BundleError, PrivacyError
from fieldkit.merge import MergeOptions, merge_bundles, register_device
from fieldkit.store.coordinator import open_coordinator
from tests.merge_fixtures import MERGE_KEY, make_project, tiny_bundle

DEVICE = "5bfee575-2773-4ef3-bf86-8389fbac3adf"


def _sealed(data: bytes, sequence: int = 3) -> tuple[dict[str, object], list[bytes]]:
    entry, encrypt = payload_encryptor(MERGE_KEY.public_key(), DEVICE, sequence)
    chunks = [
        encrypt(data[start : start + CHUNK], start + CHUNK >= len(data))
        for start in range(0, len(data), CHUNK)
    ]
    return entry, chunks


def _opened(entry: dict[str, object], chunks: list[bytes], sequence: int = 3) -> bytes:
    decrypt = payload_decryptor(MERGE_KEY, entry, DEVICE, sequence, "test.fkb")
    out: list[bytes] = []
    for chunk in chunks:  # fed in odd slices, as a file is read
        for start in range(0, len(chunk), 70_001):
            decrypt.feed(chunk[start : start + 70_001], out.append)
    decrypt.finish(out.append)
    return b"".join(out)


def test_a_payload_of_several_chunks_round_trips() -> None:
    data = os.urandom(2 * CHUNK + 12345)
    entry, chunks = _sealed(data)
    assert [len(c) for c in chunks] == [CHUNK + TAG, CHUNK + TAG, 12345 + TAG]
    assert _opened(entry, chunks) == data
    exact = os.urandom(CHUNK)
    assert _opened(*_sealed(exact)) == exact  # a last chunk of full size


@pytest.mark.parametrize("damage", ["drop the last", "swap two", "repeat one", "cut a byte"])
def test_chunks_dropped_reordered_repeated_or_cut_do_not_open(damage: str) -> None:
    entry, chunks = _sealed(os.urandom(2 * CHUNK + 999))
    changed = {
        "drop the last": chunks[:-1],
        "swap two": [chunks[1], chunks[0], chunks[2]],
        "repeat one": [chunks[0], chunks[0], chunks[1], chunks[2]],
        "cut a byte": [*chunks[:-1], chunks[-1][:-1]],
    }[damage]
    with pytest.raises(BundleError) as caught:
        _opened(entry, changed)
    assert caught.value.code == "FK-BUNDLE-031"


def test_the_key_is_bound_to_the_device_and_sequence_and_to_the_merge_key() -> None:
    entry, chunks = _sealed(b"payload")
    with pytest.raises(BundleError) as caught:  # the sealed key moved to another bundle
        _opened(entry, chunks, sequence=4)
    assert caught.value.code == "FK-BUNDLE-031"
    other = X25519PrivateKey.generate()
    with pytest.raises(BundleError) as caught:
        payload_decryptor(other, entry, DEVICE, 3, "test.fkb")
    assert caught.value.code == "FK-BUNDLE-030"


def test_a_forger_with_the_device_key_but_not_the_merge_key_is_refused(tmp_path: Path) -> None:
    """Signed and checksummed, yet the payload does not decrypt: refused, nothing kept."""
    laptop, bundle = tiny_bundle(tmp_path)
    data = bundle.read_bytes()
    start = data.index(b"\n", len(MAGIC)) + 1
    manifest = json.loads(data[len(MAGIC) : start])
    payload = bytearray(data[start : start + manifest["payload"]["bytes"]])
    payload[100] ^= 1  # one ciphertext byte: the chunk's tag no longer matches
    manifest["payload"]["sha256"] = hashlib.sha256(payload).hexdigest()
    line = encode_line(manifest)
    signature = laptop.key.sign(signed_message(MAGIC, line))
    trailer = {
        "algorithm": "ed25519",
        "device_id": manifest["device_id"],
        "manifest_sha256": hashlib.sha256(MAGIC + line).hexdigest(),
        "signature": base64.b64encode(signature).decode("ascii"),
    }
    forged = tmp_path / "forged.fkb"
    forged.write_bytes(MAGIC + line + bytes(payload) + encode_line(trailer))
    store = tmp_path / "hq.sqlite"
    register_device(store, laptop.key.public)
    report = merge_bundles([forged], store, make_project(), MergeOptions(merge_key=MERGE_KEY))
    assert [b.code for b in report.bundles] == ["FK-BUNDLE-031"]
    with open_coordinator(store) as db, db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM interviews").scalar() == 0


def test_merging_needs_the_merge_key(tmp_path: Path) -> None:
    _, bundle = tiny_bundle(tmp_path)
    with pytest.raises(PrivacyError) as caught:
        merge_bundles([bundle], tmp_path / "hq.sqlite", make_project())
    assert caught.value.code == "FK-KEY-033"
    assert not (tmp_path / "hq.sqlite").exists()
