"""District laptops with known problems, built through the real LaptopStore, and their bundles.

    field = build_field(tmp_path, districts=3, households=6)
    report = merge_bundles(field.bundles, store, field.project, MERGING)
    assert report.interviews_new == field.expected.interviews

Laptop ``k`` collects district ``dKK``: households 1..H of cluster ``k``. Injected, always:

* laptop 0 (d00): consent problems, one of each quarantine reason (missing consent, child
  without guardian consent, exception the protocol does not allow, consent after answers,
  answers on a refused interview, no child assent), and controls that must NOT be
  quarantined (a valid street-living exception, a plain refusal, a screened-out stop);
* laptop 1 (d01): a bundle made half-way, then a second one with everything (a re-make):
  the first half arrives twice (same_id) and the file of bundle 0 is sent twice (a re-send);
* laptop 2 (d02): household 1 of d00 entered again with the same answers (content
  duplicate) and another interview claiming cluster 1 household 2 (unit conflict).

Benchmarks live in ``bench/`` (``bench/run``), not here.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import os
import random
import re
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, insert, make_url, select, text, update
from sqlalchemy.exc import OperationalError, ProgrammingError

from fieldkit.bundle import DeviceKey, init_device, stored_device_key, write_bundle
from fieldkit.bundle.crypt import CHUNK, payload_decryptor, payload_encryptor
from fieldkit.bundle.format import MAGIC, encode_line, signed_message
from fieldkit.bundle.payload import PAYLOAD_COLUMNS, payload_counts
from fieldkit.instrument.compiler import compile_text
from fieldkit.instrument.form import Form
from fieldkit.instrument.source import parse_source
from fieldkit.merge import MergeOptions, register_device
from fieldkit.privacy.keys import merge_key_file
from fieldkit.project import Project
from fieldkit.protocol.compiler import compile_protocol_document
from fieldkit.store import LaptopStore, StoreKey, open_database
from fieldkit.store.coordinator import canonical_dump, open_coordinator
from fieldkit.store.coordinator_tables import capture_table
from fieldkit.store.records import (
    AnswerChange,
    AnswerStatus,
    ConsentOutcome,
    ConsentRecord,
    InterviewStatus,
    MemberChange,
    ParadataEvent,
)
from tests.conftest import PROTOCOL_YAML
from tests.test_store_helpers import IDENTITY_KEY, MERGE_KEY, PROJECT_KEYS, STORE_KEY

__all__ = [
    "BACKENDS",
    "MERGE_KEY",
    "MERGING",
    "Expected",
    "Field",
    "Forgery",
    "Laptop",
    "build_field",
    "device_key_of",
    "dump_lines",
    "file_sha256",
    "fresh_store",
    "inflated_bundle",
    "make_project",
    "new_laptop",
    "register_all",
    "settled_sha256",
    "shift_clock",
    "tiny_bundle",
    "write_project_folder",
]

INSTRUMENT = """\
id: hh_merge
title: {{en: Household}}
version: "1"
kind: household
protocol: test_protocol
languages: [en]
respondents: [adult, child]
unit_key: [cluster, hh_number]
choices:
  district:
{districts}
  sex:
    - {{value: 1, label: {{en: Male}}}}
    - {{value: 2, label: {{en: Female}}}}
  yes_no:
    - {{value: 1, label: {{en: "Yes"}}}}
    - {{value: 2, label: {{en: "No"}}}}
sections:
  - name: ident
    label: {{en: Identification}}
    questions:
      - {{name: district, type: select_one, label: {{en: District}}, choices: district, disaggregation: district}}
      - {{name: cluster, type: integer, label: {{en: Cluster}}}}
      - {{name: hh_number, type: integer, label: {{en: Household number}}}}
      - {{name: head_name, type: text, label: {{en: Head of household}}, pii: true}}
      - {{name: hh_size, type: integer, label: {{en: Members}}}}
      - name: members
        type: repeat
        label: {{en: Members}}
        count: ${{hh_size}}
        questions:
          - {{name: first_name, type: text, label: {{en: First name}}, pii: true}}
          - {{name: sex, type: select_one, label: {{en: Sex}}, choices: sex, disaggregation: sex}}
          - {{name: age, type: integer, label: {{en: Age}}, disaggregation: age}}
          - {{name: works, type: select_one, label: {{en: Works}}, choices: yes_no}}
"""

MAX_DISTRICTS = 40
QUARANTINE_PLAN = (
    "missing_consent",
    "no_guardian_consent",
    "exception_not_allowed",
    "consent_after_answers",
    "answers_on_refused",
    "no_child_assent",
)


def district_name(k: int) -> str:
    return f"d{k:02d}"


def write_project_folder(folder: Path) -> tuple[Path, Path]:
    """The merge fixtures' protocol and instrument as files (``--project`` for the CLI):
    (protocols folder, instruments folder)."""
    protocols, instruments = folder / "protocols", folder / "instruments"
    protocols.mkdir(parents=True)
    instruments.mkdir()
    (protocols / "p.yaml").write_text(PROTOCOL_YAML)
    choices = "\n".join(
        f"    - {{value: {district_name(k)}, label: {{en: District {k}}}}}"
        for k in range(MAX_DISTRICTS)
    )
    (instruments / "hh.yaml").write_text(INSTRUMENT.format(districts=choices))
    return protocols, instruments


@functools.cache
def make_project() -> Project:
    protocol, issues = compile_protocol_document(parse_source(PROTOCOL_YAML, "p.yaml"))
    assert protocol is not None, [i.one_line() for i in issues]
    choices = "\n".join(
        f"    - {{value: {district_name(k)}, label: {{en: District {k}}}}}"
        for k in range(MAX_DISTRICTS)
    )
    result = compile_text(
        INSTRUMENT.format(districts=choices), {protocol.id: protocol}, file="hh.yaml"
    )
    assert result.form is not None, [i.one_line() for i in result.report.issues]
    return Project(forms={result.form.id: result.form}, protocols={protocol.id: protocol})


@dataclass
class Expected:
    interviews: int = 0
    same_id: int = 0
    content: int = 0
    unit_conflict: int = 0
    open_conflicts: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)
    included: int = 0
    per_district: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    """Rows the merge writes to the capture tables (interviews and everything under them)."""


@dataclass
class Laptop:
    path: Path
    key: DeviceKey
    """The device's signing key, read back from its store (for forged bundles)."""
    district: str
    bundles: list[Path] = field(default_factory=list)
    store_key: StoreKey = STORE_KEY
    """The laptop store's unlocked key: what ``write_bundle`` needs."""


@dataclass
class Field:
    project: Project
    form: Form
    laptops: list[Laptop]
    bundles: list[Path]
    """Every bundle to merge, a re-sent file included twice."""
    expected: Expected


@dataclass
class Household:
    district: str
    cluster: int
    number: int
    members: list[tuple[int, int, int]]
    """(sex, age, works) per member."""

    def answers(self) -> list[AnswerChange]:
        top = [
            ("district", self.district),
            ("cluster", self.cluster),
            ("hh_number", self.number),
            ("hh_size", len(self.members)),
        ]
        changes = [AnswerChange(q, 0, v, AnswerStatus.ANSWERED) for q, v in top]
        changes.append(AnswerChange("head_name", 0, "Head", AnswerStatus.ANSWERED, pii=True))
        for m, (sex, age, works) in enumerate(self.members, start=1):
            changes += [
                AnswerChange("first_name", m, f"Person {m}", AnswerStatus.ANSWERED, pii=True),
                AnswerChange("sex", m, str(sex), AnswerStatus.ANSWERED),
                AnswerChange("age", m, age, AnswerStatus.ANSWERED),
                AnswerChange("works", m, str(works), AnswerStatus.ANSWERED),
            ]
        return changes

    def rows(self) -> int:
        """interview + answers + roster members + paradata (one per answer) + identities."""
        n = len(self.members)
        return 1 + (4 + 3 * n) + n + (5 + 4 * n) + (1 + n)


def random_household(rng: random.Random, district: str, cluster: int, number: int) -> Household:
    members = [
        (rng.randint(1, 2), rng.randint(0, 70), rng.randint(1, 2)) for _ in range(rng.randint(1, 4))
    ]
    return Household(district, cluster, number, members)


def adult_consent(now: dt.datetime) -> ConsentRecord:
    return ConsentRecord(ConsentOutcome.GIVEN, "adult", 40, adult_consent=True, recorded_at=now)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Collector:
    """One laptop's LaptopStore, with the expected counts it contributes."""

    def __init__(self, laptop: Laptop, store: LaptopStore, form: Form, expected: Expected) -> None:
        self.laptop, self.store, self.form, self.expected = laptop, store, form, expected
        self.enumerators = (f"{laptop.district}-e1", f"{laptop.district}-e2")

    def interview(
        self,
        household: Household | None,
        consent: ConsentRecord | None,
        status: InterviewStatus = InterviewStatus.COMPLETE,
        *,
        consent_last: bool = False,
        enumerator: int = 0,
    ) -> str:
        store = self.store
        interview_id = store.create_interview(
            form=self.form, enumerator=self.enumerators[enumerator % 2], language="en"
        )
        if consent is not None and not consent_last:
            store.record_consent(interview_id, consent)
        if household is not None and status is InterviewStatus.COMPLETE:
            members = [
                MemberChange("members", m, True) for m in range(1, len(household.members) + 1)
            ]
            answers = household.answers()
            events = [ParadataEvent("answer", a.question, a.member) for a in answers]
            store.apply(interview_id, answers, members, events)
        if consent is not None and consent_last:
            store.record_consent(interview_id, replace_time(consent, _now()))
        store.finish(interview_id, status)
        self.expected.interviews += 1
        district = household.district if household and status is InterviewStatus.COMPLETE else None
        self.expected.per_district[district or "(none)"] += 1
        self.expected.rows += household.rows() if district else 1
        return interview_id


def replace_time(consent: ConsentRecord, now: dt.datetime) -> ConsentRecord:
    data = {name: getattr(consent, name) for name in consent.__slots__}
    data["recorded_at"] = now
    return ConsentRecord(**data)


def child(outcome: ConsentOutcome, **values: Any) -> ConsentRecord:
    return ConsentRecord(outcome, "child", 14, recorded_at=_now(), **values)


def _consent_cases(c: Collector, rng: random.Random) -> None:
    """Laptop 0: one interview per quarantine reason, and three controls."""
    cluster = 0
    hh = iter(range(100, 200))
    given = ConsentOutcome.GIVEN

    def house() -> Household:
        return random_household(rng, c.laptop.district, cluster, next(hh))

    c.interview(house(), None)  # missing_consent
    c.interview(house(), child(given, guardian_consent=False, child_assent=True))
    c.interview(
        house(),
        child(ConsentOutcome.EXCEPTION, child_assent=True, exception="not_in_protocol"),
    )
    c.interview(house(), adult_consent(_now()), consent_last=True)  # consent_after_answers
    refused_id = c.interview(None, adult_consent(_now()), InterviewStatus.REFUSED)
    _plant_answers(c.store, refused_id)  # answers_on_refused: only a broken laptop does that
    c.expected.rows += 1
    c.interview(house(), child(given, guardian_consent=True, child_assent=False))
    c.expected.quarantined.update(QUARANTINE_PLAN)
    # controls: valid, never quarantined
    valid = child(
        ConsentOutcome.EXCEPTION,
        child_assent=True,
        exception="street_living",
        exception_reason="no_family_contact",
        supervisor="sup-1",
    )
    c.interview(house(), valid)
    c.interview(
        None,
        ConsentRecord(ConsentOutcome.REFUSED, "adult", 50, adult_consent=False, recorded_at=_now()),
        InterviewStatus.REFUSED,
    )
    c.interview(
        None,
        ConsentRecord(ConsentOutcome.SCREENED_OUT, "adult", 30, recorded_at=_now()),
        InterviewStatus.STOPPED,
    )


def _plant_answers(store: LaptopStore, interview_id: str) -> None:
    answers = capture_table("answers")
    with store.database.transaction() as conn:
        conn.execute(
            insert(answers).values(
                interview_id=interview_id,
                question="hh_size",
                member=0,
                value="3",
                status="answered",
                changed_at=_now(),
            )
        )


PROJECT_KEY = IDENTITY_KEY
"""The identity key identities are sealed to (the coordinator never needs it to merge)."""
MERGING = MergeOptions(merge_key=MERGE_KEY)
"""What a coordinator merges with: the merge key bundle payloads are encrypted to."""
MERGE_PASSPHRASE = "the coordinator's merge passphrase"


def merge_key_args(folder: Path) -> list[str]:
    """``fieldkit merge`` options for the fixtures' merge key: the key file and its
    passphrase's file, written in ``folder`` (a cheap scrypt cost: tests only)."""
    key, secret = folder / "merge.key", folder / "merge-passphrase.txt"
    if not key.exists():
        key.write_bytes(merge_key_file(MERGE_KEY, MERGE_PASSPHRASE, log_n=10))
        secret.write_text(MERGE_PASSPHRASE + "\n", encoding="utf-8")
    return ["--merge-key", str(key), "--passphrase-file", str(secret)]


@contextmanager
def _collector(laptop: Laptop, form: Form, expected: Expected) -> Iterator[Collector]:
    store = LaptopStore.open(laptop.path, project_keys=PROJECT_KEYS, key=laptop.store_key)
    try:
        yield Collector(laptop, store, form, expected)
    finally:
        store.close()


def _bundle(laptop: Laptop, root: Path) -> Path:
    out = root / f"{laptop.district}-{len(laptop.bundles) + 1}.fkb"
    write_bundle(laptop.path, out, laptop.store_key)
    laptop.bundles.append(out)
    return out


def _init(root: Path, k: int) -> Laptop:
    path = root / f"laptop-{district_name(k)}.sqlite"
    return new_laptop(path, district_name(k))


def new_laptop(path: Path, district: str = "d00") -> Laptop:
    """A set-up laptop store with its device key (kept inside the encrypted store)."""
    LaptopStore.open(path, project_keys=PROJECT_KEYS, key=STORE_KEY).close()
    init_device(path, STORE_KEY)
    return Laptop(path, device_key_of(path), district)


def device_key_of(path: Path, key: StoreKey = STORE_KEY) -> DeviceKey:
    with open_database(path, role="laptop", key=key) as db, db.read() as conn:
        return stored_device_key(conn, db)


def build_field(
    root: Path, *, districts: int = 3, households: int = 6, seed: int = 7, problems: bool = True
) -> Field:
    """Laptops, their bundles, and what a merge of all of them must count."""
    assert 3 <= districts <= MAX_DISTRICTS and households >= 4
    rng = random.Random(seed)
    project = make_project()
    form = project.forms["hh_merge"]
    expected = Expected()
    laptops = [_init(root, k) for k in range(districts)]
    resend: list[Path] = []
    copied: Household | None = None
    for k, laptop in enumerate(laptops):
        with _collector(laptop, form, expected) as c:
            for number in range(1, households + 1):
                house = random_household(rng, laptop.district, k, number)
                copied = copied or house
                c.interview(house, adult_consent(_now()), enumerator=number)
                if problems and k == 1 and number == households // 2:
                    resend.append(_bundle(laptop, root))
                    expected.same_id += households // 2
            if problems and k == 0:
                _consent_cases(c, rng)
            if problems and k == 2:
                assert copied is not None
                c.interview(copied, adult_consent(_now()))  # content duplicate of d00 hh 1
                expected.content += 1
                claim = random_household(rng, district_name(1), 1, 2)
                claim.members.append((1, 99, 2))  # differs from the real household 2
                c.interview(claim, adult_consent(_now()))  # unit conflict with d01 hh 2
                expected.unit_conflict += 2
                expected.open_conflicts += 1
        _bundle(laptop, root)
    bundles = [path for laptop in laptops for path in laptop.bundles] + resend
    expected.included = (
        expected.interviews
        - sum(expected.quarantined.values())
        - expected.content
        - expected.unit_conflict
    )
    return Field(project, form, laptops, bundles, expected)


def tiny_bundle(root: Path) -> tuple[Laptop, Path]:
    """A laptop with one interview (one roster member) and its bundle: small enough to damage
    at every byte."""
    laptop = _init(root, 0)
    with _collector(laptop, make_project().forms["hh_merge"], Expected()) as c:
        c.interview(Household("d00", 1, 1, [(1, 30, 2)]), adult_consent(_now()))
    return laptop, _bundle(laptop, root)


def register_all(field_: Field, store: Path | str) -> None:
    for laptop in field_.laptops:
        register_device(store, laptop.key.public)


def shift_clock(db_path: Path, delta: dt.timedelta) -> None:
    """Move every time a laptop recorded by ``delta``, as if its clock had been wrong."""
    interviews = capture_table("interviews")
    answers = capture_table("answers")
    paradata = capture_table("paradata")
    with open_database(db_path, role="laptop", key=STORE_KEY) as db, db.transaction() as conn:
        rows = conn.execute(select(interviews)).all()
        for row in rows:
            consent = row.consent
            if consent:
                data = json.loads(consent)
                if data.get("recorded_at"):
                    data["recorded_at"] = (
                        dt.datetime.fromisoformat(data["recorded_at"]) + delta
                    ).isoformat()
                consent = json.dumps(data, sort_keys=True)
            conn.execute(
                update(interviews)
                .where(interviews.c.id == row.id)
                .values(
                    started_at=row.started_at + delta,
                    updated_at=row.updated_at + delta,
                    ended_at=None if row.ended_at is None else row.ended_at + delta,
                    consent=consent,
                )
            )
        for table, column in ((answers, "changed_at"), (paradata, "at")):
            for item in conn.execute(select(table)).all():
                key = {c.name: getattr(item, c.name) for c in table.primary_key.columns}
                conn.execute(
                    update(table)
                    .where(*(table.c[name] == value for name, value in key.items()))
                    .values({column: getattr(item, column) + delta})
                )


# -- stores on every backend, and forged bundles --------------------------------------------

PG_URL = os.environ.get("FIELDKIT_TEST_PG_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not PG_URL, reason="set FIELDKIT_TEST_PG_URL (export it from: bash .ci/postgres.sh)"
        ),
    ),
]


@contextmanager
def fresh_store(backend: str, folder: Path) -> Iterator[str]:
    """An empty coordinator store: a SQLite file, or a new PostgreSQL database dropped after."""
    if backend == "sqlite":
        yield str(folder / f"hq-{uuid.uuid4().hex[:8]}.sqlite")
        return
    assert PG_URL is not None
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = "fk_" + uuid.uuid4().hex[:12]
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            _drop_database(admin, name)
        finally:
            admin.dispose()


def _drop_database(admin: Engine, name: str) -> None:
    """DROP DATABASE ... WITH (FORCE), retried: a server process of another role (autovacuum
    on a server other than .ci/postgres.sh's) can hold the database for a moment."""
    for attempt in range(20):
        try:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        except (OperationalError, ProgrammingError):
            if attempt == 19:
                raise
            time.sleep(0.25)
        else:
            return


@dataclass
class Forgery:
    """A bundle taken apart, to change (in SQL) and sign again with the device key (tests only)."""

    manifest: dict[str, Any]
    payload: Path
    """A copy of the payload database (decrypted), to edit with :meth:`sql`."""
    trailer: dict[str, Any]
    original: tuple[bytes, bytes] = (b"", b"")
    """The payload as it came, decrypted and encrypted: written without ``recount``, an
    unchanged payload goes back as the very bytes the manifest's checksum covers."""

    @classmethod
    def of(cls, path: Path, workdir: Path | None = None) -> Forgery:
        raw = path.read_bytes()
        manifest_end = raw.index(b"\n", len(MAGIC)) + 1
        assert raw[: len(MAGIC)] == MAGIC
        manifest = json.loads(raw[len(MAGIC) : manifest_end])
        size = manifest["payload"]["bytes"]
        folder = workdir or path.parent
        payload = folder / f".forged-{uuid.uuid4().hex[:8]}.sqlite"
        decrypt = payload_decryptor(
            MERGE_KEY,
            manifest["payload"]["encryption"],
            manifest["device_id"],
            manifest["sequence"],
            str(path),
        )
        plain: list[bytes] = []
        decrypt.feed(raw[manifest_end : manifest_end + size], plain.append)
        decrypt.finish(plain.append)
        payload.write_bytes(b"".join(plain))
        sealed = raw[manifest_end : manifest_end + size]
        trailer = json.loads(raw[manifest_end + size :])
        return cls(manifest, payload, trailer, (b"".join(plain), sealed))

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(self.payload, isolation_level=None)
        try:
            return conn.execute(statement, params).fetchall()
        finally:
            conn.close()

    def sql_unchecked(self, statement: str, *params: Any) -> None:
        """Run ``statement`` as a forger writing the file's bytes would: with the tables'
        types, STRICT and NOT NULL switched off (``writable_schema``), then the schema text
        put back, so the payload still has fieldkit's schema to the letter."""
        tables = self.sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        loose = {
            name: re.sub(r"\b(TEXT|INTEGER)\b", "BLOB", sql)
            .replace(") STRICT, WITHOUT ROWID", ") WITHOUT ROWID")
            .replace("NOT NULL", "")
            for name, sql in tables
        }
        self._rewrite_schema(loose)
        self.sql(statement, *params)
        self._rewrite_schema(dict(tables))

    def _rewrite_schema(self, sql_by_table: dict[str, str]) -> None:
        conn = sqlite3.connect(self.payload, isolation_level=None)
        try:
            conn.execute("PRAGMA writable_schema = ON")
            for name, sql in sql_by_table.items():
                conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql, name))
        finally:
            conn.close()

    def recount(self) -> None:
        """State the payload's own counts in the manifest (a forger who does it right)."""
        conn = sqlite3.connect(self.payload)
        try:
            found = payload_counts(conn, "main")
        finally:
            conn.close()
        counts = {k: found["counts"].get(k, 0) for k in self.manifest["counts"]}
        counts.update({k: v for k, v in found["counts"].items() if k.startswith("status_")})
        self.manifest["counts"] = counts
        self.manifest["forms"] = [
            {"form_id": f, "form_hash": h, "protocol_id": p, "interviews": n}
            for (f, h, p), n in sorted(found["forms"].items())
        ]
        self.manifest["enumerators"] = dict(sorted(found["enumerators"].items()))

    def write(self, path: Path, key: DeviceKey | None, *, recount: bool = True) -> Path:
        plain = self.payload.read_bytes()
        entry, payload = self.manifest["payload"].get("encryption"), self.original[1]
        if recount or plain != self.original[0]:  # else: the very bytes the manifest covers
            entry, encrypt = payload_encryptor(
                MERGE_KEY.public_key(), self.manifest["device_id"], self.manifest["sequence"]
            )
            payload = b"".join(
                encrypt(plain[start : start + CHUNK], start + CHUNK >= len(plain))
                for start in range(0, len(plain), CHUNK)
            )
        if recount:
            self.manifest["payload"] = {
                **self.manifest["payload"],
                "sha256": hashlib.sha256(payload).hexdigest(),
                "bytes": len(payload),
                "encryption": entry,
            }
        manifest_line = encode_line(self.manifest)
        trailer = dict(self.trailer)
        trailer["manifest_sha256"] = hashlib.sha256(MAGIC + manifest_line).hexdigest()
        if key is None:
            trailer.pop("signature", None)
        else:
            signature = key.sign(signed_message(MAGIC, manifest_line))
            trailer["signature"] = base64.b64encode(signature).decode("ascii")
        path.write_bytes(MAGIC + manifest_line + payload + encode_line(trailer))
        return path


_CHILD_TABLES = ("answers", "roster_members", "paradata")


def rename_interview(forged: Forgery, old_id: str, new_id: str) -> None:
    forged.sql("UPDATE interviews SET id = ? WHERE id = ?", new_id, old_id)
    for table in _CHILD_TABLES:
        forged.sql(f"UPDATE {table} SET interview_id = ? WHERE interview_id = ?", new_id, old_id)


def inflated_bundle(source: Path, key: DeviceKey, copies: int, out: Path, sequence: int) -> Path:
    """A signed bundle of ``copies`` interviews cloned from the first one of ``source``.

    Fast (no laptop): for memory and throughput tests that need big bundles.
    """
    forged = Forgery.of(source)
    [(first, reference)] = forged.sql("SELECT id, reference FROM interviews ORDER BY id LIMIT 1")
    rng = random.Random(copies)
    conn = sqlite3.connect(forged.payload, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for n in range(copies):
            clone = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            new_reference = rng.getrandbits(64).to_bytes(8, "big").hex() * 2
            columns = list(PAYLOAD_COLUMNS["interviews"])
            picked = ", ".join(
                {"id": "?", "reference": "?", "sequence": "?"}.get(c, c) for c in columns
            )
            conn.execute(
                f"INSERT INTO interviews ({', '.join(columns)}) "
                f"SELECT {picked} FROM interviews WHERE id = ?",
                (clone, new_reference, 10_000 + n, first),
            )
            conn.execute(  # another household: no duplicates, no conflicts
                "INSERT INTO answers SELECT ?, question, member, "
                "CASE WHEN question = 'hh_number' THEN ? ELSE value END, status, changed_at "
                "FROM answers WHERE interview_id = ?",
                (clone, json.dumps(10_000 + n), first),
            )
            conn.execute(
                "INSERT INTO roster_members SELECT ?, roster, member FROM roster_members "
                "WHERE interview_id = ?",
                (clone, first),
            )
            conn.execute(
                "INSERT INTO paradata SELECT ?, id, at, event, question, member, elapsed_ms, "
                "detail FROM paradata WHERE interview_id = ?",
                (clone, first),
            )
            conn.execute(
                "INSERT INTO identities SELECT ?, question, member, status, sealed, key_id "
                "FROM identities WHERE reference = ?",
                (new_reference, reference),
            )
        for table in _CHILD_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE interview_id = ?", (first,))
        conn.execute("DELETE FROM identities WHERE reference = ?", (reference,))
        conn.execute("DELETE FROM interviews WHERE id = ?", (first,))
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    finally:
        conn.close()
    forged.recount()
    forged.manifest["sequence"] = sequence
    return forged.write(out, key)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settled_sha256(store: str) -> str:
    """SHA-256 of a SQLite store file after its WAL is checkpointed into it."""
    with open_coordinator(store) as db:
        db.checkpoint()
    return file_sha256(Path(store))


def dump_lines(store: str, *, skip: tuple[str, ...] = ()) -> list[str]:
    with open_coordinator(store) as db:
        return [line for line in canonical_dump(db) if line.split("\t", 1)[0] not in skip]


# -- benchmark --------------------------------------------------------------------------------
