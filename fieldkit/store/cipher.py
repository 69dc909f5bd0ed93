"""The laptop store encrypted at rest: SQLCipher with a raw key, unlocked by a passphrase.

    key = create_store_key(Path("laptop.sqlite"), passphrase)   # a new store, once
    key = unlock_store(Path("laptop.sqlite"), passphrase)       # every later use
    db = open_database(Path("laptop.sqlite"), role="laptop", key=key)

The whole database file and its ``-wal`` are encrypted by SQLCipher (AES-256, an HMAC per
page) under a random 32-byte data key. That key is wrapped by the enumerator's passphrase
(scrypt, then AES-256-GCM: ``fieldkit.privacy.wrapping``) in a small file beside the store::

    laptop.sqlite.unlock    fieldkit laptop store unlock
                            <base64 of the wrapped data key>

SQLCipher is given the raw key (``PRAGMA key = "x'…'"``), so its own passphrase derivation
(PBKDF2, not memory-hard) is never used. A wrong passphrase fails in the unwrapping, with one
clear line (FK-KEY-001). A forgotten passphrase means the store cannot be opened by anyone,
the supervisor included: its unsent interviews are lost by design.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from pathlib import Path

from fieldkit.errors import Location, PrivacyError, StoreError
from fieldkit.privacy.wrapping import DEFAULT_LOG_N, unwrap_secret, wrap_secret
from fieldkit.store.files import write_private

__all__ = [
    "UNLOCK_HEADER",
    "StoreKey",
    "create_store_key",
    "new_store_allowed",
    "require_unlock_file",
    "unlock_path",
    "unlock_store",
]

UNLOCK_HEADER = "fieldkit laptop store unlock"
_PURPOSE = "fieldkit laptop store key"
_KEY_BYTES = 32


@dataclass(frozen=True)
class StoreKey:
    """The unlocked data key of one laptop store (never printed)."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != _KEY_BYTES:
            raise ValueError("a store key is 32 bytes")

    def __repr__(self) -> str:
        return "StoreKey(…)"

    @property
    def sqlcipher(self) -> str:
        """The key as SQLCipher's raw-key literal: ``x'<64 hex digits>'``."""
        return f"x'{self.raw.hex()}'"


def unlock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".unlock")


def create_store_key(
    db_path: Path, passphrase: str | bytes, *, log_n: int = DEFAULT_LOG_N
) -> StoreKey:
    """A new data key for a store not made yet, wrapped by ``passphrase`` beside it.

    Refuses (FK-KEY-031) when the store or its unlock file already exists: a second unlock
    file would hide the first, and the store behind it would be lost."""
    unlock = unlock_path(db_path)
    for existing in (unlock, db_path):
        if existing.exists():
            raise PrivacyError(
                f"{existing.name} already exists: this laptop store is set up",
                code="FK-KEY-031",
                location=Location(str(existing)),
                hint="open it with its passphrase, or choose a new --db file",
            )
    key = StoreKey(secrets.token_bytes(_KEY_BYTES))
    wrapped = wrap_secret(key.raw, passphrase, purpose=_PURPOSE, log_n=log_n)
    body = base64.b64encode(wrapped).decode("ascii")
    try:
        write_private(unlock, f"{UNLOCK_HEADER}\n{body}\n".encode("ascii"))
    except OSError as error:  # a read-only folder, a full disk: nothing is left behind
        raise StoreError(
            f"{db_path.name} cannot be created: {error.strerror or error}",
            code="FK-STORE-004",
            location=Location(str(db_path)),
            hint="choose a folder you can write to",
        ) from None
    return key


def require_unlock_file(db_path: Path) -> None:
    """FK-KEY-030 when ``db_path`` has no unlock file beside it: checked before anyone is
    asked for a passphrase that could open nothing."""
    if not unlock_path(db_path).exists():
        raise _no_unlock(db_path)


def unlock_store(db_path: Path, passphrase: str | bytes) -> StoreKey:
    """The data key of an existing store; FK-KEY-001 on a wrong passphrase."""
    unlock = unlock_path(db_path)
    try:
        data = unlock.read_bytes()
    except FileNotFoundError:
        raise _no_unlock(db_path) from None
    except OSError as error:
        raise _damaged(unlock, str(error.strerror)) from None
    lines = data.decode("utf-8", errors="replace").strip().splitlines()
    if len(lines) != 2 or lines[0].strip() != UNLOCK_HEADER:
        raise _damaged(unlock, f"the first line must be '{UNLOCK_HEADER}'")
    try:
        blob = base64.b64decode(lines[1].strip(), validate=True)
    except binascii.Error:
        raise _damaged(unlock, "bad base64") from None
    raw = unwrap_secret(
        blob,
        passphrase,
        purpose=_PURPOSE,
        where=str(db_path),
        what=f"the laptop store {db_path.name}",
    )
    return StoreKey(raw)


def _no_unlock(db_path: Path) -> PrivacyError:
    return PrivacyError(
        f"{db_path.name} has no unlock file ({unlock_path(db_path).name}): it is not a laptop "
        "store, or its unlock file was lost",
        code="FK-KEY-030",
        location=Location(str(db_path)),
        hint="a laptop store is opened with the unlock file fieldkit wrote beside it; "
        "without it the store cannot be read",
    )


def _damaged(path: Path, why: str) -> PrivacyError:
    return PrivacyError(
        f"the unlock file {path.name} is damaged: {why}",
        code="FK-KEY-002",
        location=Location(str(path)),
        hint="without its unlock file the store cannot be opened; restore it from a backup",
    )


def new_store_allowed(db_path: Path) -> bool:
    """True when neither the store nor its unlock file exists yet."""
    return not db_path.exists() and not unlock_path(db_path).exists()
