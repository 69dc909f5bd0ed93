"""A device's public key file comes to the coordinator from outside: one that is not a small
regular file, or names a device id no laptop makes, is one line (FK-BUNDLE-026), no hang."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldkit.bundle import DeviceKey, read_device_public_key
from fieldkit.errors import BundleError
from fieldkit.merge import register_device


def test_a_key_file_that_never_ends_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "device.pub"
    os.mkfifo(fifo)
    big = tmp_path / "big.pub"
    big.write_bytes(b"fieldkit device public key (Ed25519)\n" + b"x" * 100_000)
    for path in (Path("/dev/zero"), fifo, big, tmp_path):
        with pytest.raises(BundleError) as caught:
            read_device_public_key(path)
        assert caught.value.code == "FK-BUNDLE-026", path


@pytest.mark.parametrize("device_id", ["d\x00evice", "two\nlines", "x" * 200, "a b"])
def test_a_device_id_no_laptop_makes_is_not_registered(device_id: str, tmp_path: Path) -> None:
    key = DeviceKey(device_id, Ed25519PrivateKey.generate())
    store = tmp_path / "hq.sqlite"
    with pytest.raises(BundleError) as caught:
        register_device(store, key.public)
    assert caught.value.code == "FK-BUNDLE-026"
    assert "\n" not in caught.value.one_line()
    assert not store.exists()
