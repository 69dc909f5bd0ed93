"""The user register at HQ: names, roles and passphrase hashes, in the coordinator store.

Passphrases are kept as Argon2id hashes (memory-hard: 19 MiB and 2 passes by default, the
OWASP minimum), each with its own salt and its parameters, so a stolen store does not give
the passphrases up to a GPU:

    argon2id$m=19456,t=2,p=1$<salt, base64>$<hash, base64>

A store without users is a store whose commands trust the role they are told (``--role``);
once a first user is added (a role that may manage users), every command on it runs as a
registered user (:mod:`fieldkit.users.access`).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from sqlalchemy import Column, Connection, MetaData, String, Table, insert, select

from fieldkit.errors import StoreError
from fieldkit.store.coordinator import open_coordinator
from fieldkit.users.errors import UserError

__all__ = [
    "USERS",
    "Cost",
    "User",
    "add_user",
    "authenticate",
    "create_users",
    "has_users",
    "list_users",
]

_METADATA = MetaData()
USERS = Table(
    "users",
    _METADATA,
    Column("name", String, primary_key=True),
    Column("role", String, nullable=False),
    Column("passphrase_hash", String, nullable=False),
    Column("added_at", String, nullable=False),
    Column("added_by", String, nullable=False),
)
_NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")


@dataclass(frozen=True)
class Cost:
    """Argon2id's cost: memory in KiB, passes, lanes."""

    memory: int = 19 * 1024
    passes: int = 2
    lanes: int = 1


@dataclass(frozen=True)
class User:
    name: str
    role: str


def create_users(conn: Connection) -> None:
    """The store migration that adds the register."""
    _METADATA.create_all(conn, tables=[USERS])


def has_users(store: Path | str) -> bool:
    """Whether the store has a register; asking never creates a store (an empty server
    database stays empty: the command run next says whether it may create one)."""
    try:
        db = open_coordinator(store, create=False)
    except StoreError as error:
        if error.code == "FK-STORE-050":
            return False
        raise
    with db, db.read() as conn:
        return conn.execute(select(USERS.c.name).limit(1)).first() is not None


def list_users(store: Path | str) -> list[User]:
    with open_coordinator(store, create=False) as db, db.read() as conn:
        rows = conn.execute(select(USERS.c.name, USERS.c.role).order_by(USERS.c.name))
        return [User(str(name), str(role)) for name, role in rows]


def add_user(
    store: Path | str,
    name: str,
    role: str,
    passphrase: str,
    *,
    added_by: str,
    cost: Cost | None = None,
) -> User:
    if not _NAME.match(name):
        raise UserError(
            f"'{name}' cannot be a user name",
            code="FK-USER-004",
            hint="2-32 characters: lower-case letters, digits, '.', '-', '_', a letter first",
        )
    if len(passphrase) < 12:
        raise UserError(
            "the passphrase is too short", code="FK-USER-004", hint="use 12 characters or more"
        )
    row = {
        "name": name,
        "role": role,
        "passphrase_hash": hash_passphrase(passphrase, cost or Cost()),
        "added_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "added_by": added_by,
    }
    with open_coordinator(store) as db, db.transaction() as conn:
        if conn.execute(select(USERS.c.name).where(USERS.c.name == name)).first() is not None:
            raise UserError(f"user '{name}' exists already", code="FK-USER-004")
        conn.execute(insert(USERS).values(**row))
    return User(name, role)


def authenticate(store: Path | str, name: str, passphrase: str) -> User:
    """The registered user ``name`` if ``passphrase`` is theirs (FK-USER-001 otherwise: the
    same error for an unknown name and a wrong passphrase)."""
    with open_coordinator(store) as db, db.read() as conn:
        found = conn.execute(
            select(USERS.c.role, USERS.c.passphrase_hash).where(USERS.c.name == name)
        ).first()
    stored = str(found[1]) if found is not None else hash_passphrase("", Cost(8, 1, 1))
    matches = verify_passphrase(passphrase, stored)  # checked either way: same time taken
    if found is None or not matches:
        raise UserError(
            f"user '{name}' is not registered here, or the passphrase does not match",
            code="FK-USER-001",
            hint="set FIELDKIT_USER to your user name; a coordinator adds users with "
            "fieldkit users add",
        )
    return User(name, str(found[0]))


def hash_passphrase(passphrase: str, cost: Cost) -> str:
    salt = secrets.token_bytes(16)
    digest = _kdf(salt, cost).derive(passphrase.encode("utf-8"))
    params = f"m={cost.memory},t={cost.passes},p={cost.lanes}"
    return f"argon2id${params}${_b64(salt)}${_b64(digest)}"


def verify_passphrase(passphrase: str, stored: str) -> bool:
    try:
        kind, params, salt, digest = stored.split("$")
        values = dict(item.split("=") for item in params.split(","))
        cost = Cost(int(values["m"]), int(values["t"]), int(values["p"]))
        if kind != "argon2id":
            return False
        _kdf(base64.b64decode(salt), cost).verify(
            passphrase.encode("utf-8"), base64.b64decode(digest)
        )
    except (ValueError, KeyError, InvalidKey):
        return False
    return True


def _kdf(salt: bytes, cost: Cost) -> Argon2id:
    return Argon2id(
        salt=salt,
        length=32,
        iterations=cost.passes,
        lanes=cost.lanes,
        memory_cost=cost.memory,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
