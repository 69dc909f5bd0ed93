"""Device keys: each laptop signs its bundles with its own Ed25519 key.

``fieldkit device init --db laptop.sqlite`` makes the key and keeps it *inside* the laptop
store (table ``device``), which is encrypted under the enumerator's passphrase: the signing
key is wrapped by the same unlock as the answers, so a thief holding the laptop's files but
not the passphrase can neither read answers nor sign a bundle. It writes one file::

    device-<id>.pub            fieldkit device public key (Ed25519)     <- to the coordinator
                               <device id>
                               <base64 of the 32 raw public bytes>

The device id is the laptop store's own, so a bundle, its rows and its key all name the same
laptop. The coordinator registers the public file (``fieldkit device register``) and from
then on accepts only bundles this key signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, select, update

from fieldkit.bundle.atomic import atomic_file
from fieldkit.bundle.untrusted import read_small
from fieldkit.errors import BundleError, Location
from fieldkit.privacy.keys import generate_device_key
from fieldkit.store.cipher import StoreKey
from fieldkit.store.coordinator_tables import capture_table
from fieldkit.store.database import Database, open_database

__all__ = [
    "DeviceKey",
    "DevicePublicKey",
    "init_device",
    "laptop_device_id",
    "parse_device_public_key",
    "read_device_public_key",
    "stored_device_key",
]

PUBLIC_HEADER = "fieldkit device public key (Ed25519)"
_RAW = serialization.Encoding.Raw


@dataclass(frozen=True)
class DevicePublicKey:
    device_id: str
    key: Ed25519PublicKey

    @property
    def raw(self) -> bytes:
        return self.key.public_bytes(_RAW, serialization.PublicFormat.Raw)

    @property
    def text(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return "sha256:" + hashlib.sha256(self.raw).hexdigest()[:16]

    def file_bytes(self) -> bytes:
        return f"{PUBLIC_HEADER}\n{self.device_id}\n{self.text}\n".encode("ascii")


@dataclass(frozen=True)
class DeviceKey:
    """A laptop's signing key and the device id it belongs to."""

    device_id: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> DevicePublicKey:
        return DevicePublicKey(self.device_id, self.private.public_key())

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def raw(self) -> bytes:
        return self.private.private_bytes(
            _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )


_device = capture_table("device")


def _require_store(db_path: Path) -> None:
    if not db_path.is_file():
        raise BundleError(
            f"{db_path.name} does not exist",
            code="FK-BUNDLE-021",
            location=Location(str(db_path)),
            hint="give the laptop's database file (the one interviews are saved in)",
        )


def laptop_device_id(db_path: Path, key: StoreKey) -> str:
    """The device id of a laptop store (FK-BUNDLE-021 if the store has none yet)."""
    _require_store(db_path)
    with open_database(db_path, role="laptop", key=key) as db, db.read() as conn:
        return _device_id(conn, db)


def _device_id(conn: Connection, db: Database) -> str:
    device_id = conn.execute(select(_device.c.device_id)).scalar()
    if device_id is None:
        raise BundleError(
            "this laptop store has no device id yet",
            code="FK-BUNDLE-021",
            location=Location(db.where),
            hint="open it once for collection (it is set up then), then run this again",
        )
    return str(device_id)


def stored_device_key(conn: Connection, db: Database) -> DeviceKey:
    """The signing key kept in the (unlocked) laptop store; FK-BUNDLE-020 if there is none."""
    device_id = _device_id(conn, db)
    raw = conn.execute(select(_device.c.signing_key)).scalar()
    if raw is None:
        raise BundleError(
            "this laptop has no signing key yet",
            code="FK-BUNDLE-020",
            location=Location(db.where),
            hint="run 'fieldkit device init --db ...' once and give the .pub file to the "
            "coordinator",
        )
    return DeviceKey(device_id, Ed25519PrivateKey.from_private_bytes(bytes(raw)))


def init_device(
    db_path: Path, key: StoreKey, *, public_path: Path | None = None, replace: bool = False
) -> tuple[DevicePublicKey, Path]:
    """Create the laptop's signing key inside its store; returns (public key, .pub file).

    Never replaces an existing key (FK-BUNDLE-025) unless ``replace``: the coordinator trusts
    the old one until it registers the new one with ``--replace`` (audited there).
    """
    _require_store(db_path)
    with open_database(db_path, role="laptop", key=key) as db:
        with db.transaction() as conn:
            device_id = _device_id(conn, db)
            if conn.execute(select(_device.c.signing_key)).scalar() is not None and not replace:
                raise BundleError(
                    "this laptop already has a signing key",
                    code="FK-BUNDLE-025",
                    location=Location(str(db_path)),
                    hint="keep it (the coordinator registered it); --replace makes a new one, "
                    "which the coordinator must register again with --replace",
                )
            signing = DeviceKey(device_id, generate_device_key())
            conn.execute(update(_device).values(signing_key=signing.raw()))
            # written before the key is committed: a .pub that cannot be written (a
            # read-only folder) leaves the store without the new key, as it was
            public_path = public_path or db_path.with_name(f"device-{device_id}.pub")
            with atomic_file(public_path, mode=0o644) as handle:  # public: meant to be copied
                handle.write(signing.public.file_bytes())
        db.checkpoint()  # the replaced key's old page leaves the WAL
    return signing.public, public_path


def _lines(data: bytes, header: str, where: str) -> tuple[str, bytes]:
    lines = data.decode("utf-8", errors="replace").strip().splitlines()
    if len(lines) != 3 or lines[0].strip() != header:
        raise _bad_key_file(where, f"the first line must be '{header}'")
    try:
        raw = base64.b64decode(lines[2].strip(), validate=True)
    except binascii.Error:
        raise _bad_key_file(where, "the key is not base64") from None
    if len(raw) != 32 or not lines[1].strip():
        raise _bad_key_file(where, "the key is not 32 bytes, or the device id is missing")
    return lines[1].strip(), raw


def parse_device_public_key(data: bytes, where: str = "<device key>") -> DevicePublicKey:
    device_id, raw = _lines(data, PUBLIC_HEADER, where)
    return DevicePublicKey(device_id, Ed25519PublicKey.from_public_bytes(raw))


def read_device_public_key(path: Path) -> DevicePublicKey:
    return parse_device_public_key(_read(path), str(path))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text))


def _read(path: Path) -> bytes:
    try:  # a regular file of a few lines: never a FIFO or /dev/zero (they would never end)
        return read_small(path, 4096)
    except OSError as error:
        raise _bad_key_file(str(path), f"cannot read it ({error.strerror})") from None


def _bad_key_file(where: str, why: str) -> BundleError:
    return BundleError(
        f"not a fieldkit device key file: {why}",
        code="FK-BUNDLE-026",
        location=Location(where),
        hint="use the files written by 'fieldkit device init'",
    )
