"""Deterministic district laptops and their signed bundles, at benchmark scale.

Each district laptop is a real ``LaptopStore`` (created by the store's migrations, device key
from ``init_device``); its rows are bulk-inserted through ``open_database`` into the store's
own tables (``interviews``, ``answers``, ``roster_members``, ``paradata``, ``identities``),
identifying answers sealed with ``seal_identity`` as the store does, and its bundles are
written by ``write_bundle``. Driving the interactive engine per answer is not feasible for a
million roster rows, so the rows are those the store would have written for the same answers.

Injected, per district, at fixed rates (deterministic from the seed):

* re-sent interviews (2%): the first 2% of households go out in bundle 1, then bundle 2
  carries everything, so those interviews arrive twice (same id);
* content duplicates (1%): a household of the district entered again with the same answers;
* unit conflicts (0.5%): another interview claims an existing (cluster, household) with
  different answers;
* consent failures (3%): complete interviews without consent, or a child without guardian
  consent (quarantined by the merge).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import random
import sys
import uuid
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlcipher3  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402
from sqlalchemy import insert, update  # noqa: E402

from fieldkit.bundle import init_device, stored_device_key, write_bundle  # noqa: E402
from fieldkit.bundle.format import FORMAT_VERSION  # noqa: E402
from fieldkit.instrument.compiler import compile_text  # noqa: E402
from fieldkit.instrument.source import parse_source  # noqa: E402
from fieldkit.privacy.identity import seal_identity  # noqa: E402
from fieldkit.privacy.keys import ProjectPublicKeys, fingerprint  # noqa: E402
from fieldkit.project import Project  # noqa: E402
from fieldkit.protocol.compiler import compile_protocol_document  # noqa: E402
from fieldkit.store import LaptopStore, StoreKey, open_database  # noqa: E402
from fieldkit.store.cipher import unlock_path  # noqa: E402
from fieldkit.store.consent import consent_to_json  # noqa: E402
from fieldkit.store.records import ConsentOutcome, ConsentRecord  # noqa: E402
from fieldkit.store.tables import (  # noqa: E402
    Answer,
    Device,
    Identity,
    Interview,
    Paradata,
    RosterMember,
)
from tests.conftest import PROTOCOL_YAML  # noqa: E402

SIZES: dict[str, tuple[int, int]] = {
    "tiny": (3, 50),
    "small": (20, 1_000),
    "national": (200, 1_000),
}
"""size -> (districts, households per district)."""

RESEND, CONTENT, CONFLICT, CONSENT = 0.02, 0.01, 0.005, 0.03
HOUSEHOLDS_PER_CLUSTER = 20
SEED = 2027
BASE_TIME = dt.datetime(2027, 2, 1, 8, 0, tzinfo=dt.UTC)

INSTRUMENT = """\
id: hh_bench
title: {{en: Household}}
version: "1"
kind: household
protocol: test_protocol
languages: [en]
respondents: [adult, child]
unit_key: [cluster, hh_number]
sample_design: {{stratum: district, psu: cluster, weight: hh_weight}}
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
      - {{name: district, type: select_one, label: {{en: District}}, choices: district,
          disaggregation: district}}
      - {{name: cluster, type: integer, label: {{en: Cluster}}}}
      - {{name: hh_number, type: integer, label: {{en: Household number}}}}
      - {{name: hh_weight, type: decimal, label: {{en: Weight}}}}
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


def district_name(k: int) -> str:
    return f"d{k:03d}"


@functools.cache
def make_project(districts: int) -> Project:
    protocol, issues = compile_protocol_document(parse_source(PROTOCOL_YAML, "p.yaml"))
    assert protocol is not None, [i.one_line() for i in issues]
    choices = "\n".join(
        f"    - {{value: {district_name(k)}, label: {{en: District {k}}}}}"
        for k in range(districts)
    )
    result = compile_text(
        INSTRUMENT.format(districts=choices), {protocol.id: protocol}, file="hh_bench.yaml"
    )
    assert result.form is not None, [i.one_line() for i in result.report.issues]
    return Project(forms={result.form.id: result.form}, protocols={protocol.id: protocol})


def project_key(seed: int = SEED) -> X25519PrivateKey:
    """The identity key (custodians' shares in a study; whole here, for the bench only)."""
    return X25519PrivateKey.from_private_bytes(hashlib.sha256(b"fieldkit-bench-%d" % seed).digest())


def merge_key(seed: int = SEED) -> X25519PrivateKey:
    """The coordinator's merge key: opens bundle payloads."""
    raw = hashlib.sha256(b"fieldkit-bench-merge-%d" % seed).digest()
    return X25519PrivateKey.from_private_bytes(raw)


def project_keys(seed: int = SEED) -> ProjectPublicKeys:
    return ProjectPublicKeys(project_key(seed).public_key(), merge_key(seed).public_key())


LAPTOP_KEY = StoreKey(hashlib.sha256(b"fieldkit-bench-laptop").digest())
"""Every bench laptop store's SQLCipher key (no passphrase: its scrypt is not what is measured)."""


@dataclass(frozen=True)
class Layout:
    root: Path
    districts: int
    households: int

    @classmethod
    def of(cls, size: str, base: Path | None = None) -> Layout:
        districts, households = SIZES[size]
        return cls((base or ROOT / "bench" / "data") / size, districts, households)

    def laptop(self, k: int) -> Path:
        return self.root / "laptops" / f"laptop-{district_name(k)}.sqlite"

    def bundles(self) -> list[Path]:
        """Every bundle to merge, the early (re-sent) bundle of each district included."""
        return sorted((self.root / "bundles").glob("*.fkb"))

    def laptops(self) -> list[Path]:
        return [self.laptop(k) for k in range(self.districts)]

    def plain_laptop(self, k: int) -> Path:
        """A decrypted copy of laptop ``k`` for the merge floor (which decrypts nothing)."""
        return self.root / "laptops-plain" / f"laptop-{district_name(k)}.sqlite"

    @property
    def manifest(self) -> Path:
        return self.root / "generated.json"


@dataclass
class Household:
    district: str
    cluster: int
    number: int
    weight: float
    members: list[tuple[int, int, int]]
    """(sex, age, works) per member."""


def _household(rng: random.Random, k: int, number: int) -> Household:
    n = rng.randint(2, 8)
    members = [(rng.randint(1, 2), rng.randint(0, 80), rng.randint(1, 2)) for _ in range(n)]
    cluster = k * 1000 + (number - 1) // HOUSEHOLDS_PER_CLUSTER
    return Household(district_name(k), cluster, number, round(rng.uniform(50, 150), 2), members)


class _Writer:
    """Rows of one laptop, as the store writes them, buffered for bulk inserts."""

    def __init__(self, device_id: str, form: Any, rng: random.Random, public: Any) -> None:
        self.device_id, self.form, self.rng, self.public = device_id, form, rng, public
        self.key_id = fingerprint(public)
        self.sequence = 1
        self.clock = BASE_TIME
        self.tables: dict[Any, list[dict[str, Any]]] = {
            Interview: [],
            Answer: [],
            RosterMember: [],
            Paradata: [],
            Identity: [],
        }

    def interview(self, house: Household, consent: ConsentRecord | None) -> None:
        rng = self.rng
        iid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        reference = rng.getrandbits(128).to_bytes(16, "big").hex()
        start = self.clock
        self.clock += dt.timedelta(minutes=rng.randint(20, 40))
        now = self.clock
        answers: list[tuple[str, int, Any]] = [
            ("district", 0, house.district),
            ("cluster", 0, house.cluster),
            ("hh_number", 0, house.number),
            ("hh_weight", 0, house.weight),
            ("head_name", 0, "Head"),
            ("hh_size", 0, len(house.members)),
        ]
        for m, (sex, age, works) in enumerate(house.members, start=1):
            answers += [
                ("first_name", m, f"Person {m}"),
                ("sex", m, str(sex)),
                ("age", m, age),
                ("works", m, str(works)),
            ]
            self.tables[RosterMember].append(
                {"interview_id": iid, "roster": "members", "member": m}
            )
        for question, member, value in answers:
            if question in ("head_name", "first_name"):
                sealed = seal_identity(self.public, reference, question, member, value)
                self.tables[Identity].append(
                    {
                        "reference": reference,
                        "question": question,
                        "member": member,
                        "status": "answered",
                        "sealed": sealed,
                        "key_id": self.key_id,
                    }
                )
                detail = None
            else:
                self.tables[Answer].append(
                    {
                        "interview_id": iid,
                        "question": question,
                        "member": member,
                        "value": json.dumps(value, ensure_ascii=False),
                        "status": "answered",
                        "changed_at": now,
                    }
                )
                detail = None
            self.tables[Paradata].append(
                {
                    "interview_id": iid,
                    "at": now,
                    "event": "answer",
                    "question": question,
                    "member": member,
                    "elapsed_ms": rng.randint(500, 9000),
                    "detail": detail,
                }
            )
        self.tables[Interview].append(
            {
                "id": iid,
                "form_id": self.form.id,
                "form_hash": self.form.hash,
                "instrument_kind": str(self.form.kind),
                "protocol_id": self.form.protocol.id,
                "enumerator": f"{house.district}-e{1 + self.sequence % 3}",
                "device_id": self.device_id,
                "language": "en",
                "status": "complete",
                "consent": None if consent is None else consent_to_json(consent),
                "consent_outcome": None if consent is None else str(consent.outcome),
                "reference": reference,
                "sequence": self.sequence,
                "started_at": start,
                "ended_at": now,
                "updated_at": now,
            }
        )
        self.sequence += 1

    def flush(self, path: Path) -> int:
        written = 0
        with open_database(path, role="laptop", key=LAPTOP_KEY) as db, db.transaction() as conn:
            for table, rows in self.tables.items():
                if rows:
                    conn.execute(insert(table), rows)
                    written += len(rows)
                    rows.clear()
            conn.execute(
                update(Device)
                .where(Device.device_id == self.device_id)  # type: ignore[arg-type]
                .values(next_sequence=self.sequence)
            )
        return written


def _consent(rng: random.Random, at: dt.datetime, failure: bool) -> ConsentRecord | None:
    if not failure:
        return ConsentRecord(ConsentOutcome.GIVEN, "adult", 40, adult_consent=True, recorded_at=at)
    if rng.random() < 0.5:
        return None  # missing consent
    return ConsentRecord(
        ConsentOutcome.GIVEN,
        "child",
        14,
        guardian_consent=False,
        child_assent=True,
        recorded_at=at,
    )


def generate_district(args: tuple[Layout, int, int]) -> dict[str, int]:
    """One laptop, its two bundles; returns what was injected."""
    layout, k, seed = args
    rng = random.Random(seed * 100_003 + k)
    path = layout.laptop(k)
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), unlock_path(path)):
        stale.unlink(missing_ok=True)
    keys = project_keys(seed)
    public = keys.identity
    store = LaptopStore.open(path, project_keys=keys, key=LAPTOP_KEY)
    device_id = store.device_id
    store.close()
    init_device(path, LAPTOP_KEY)
    key = LAPTOP_KEY
    form = make_project(layout.districts).forms["hh_bench"]
    with open_database(path, role="laptop", key=LAPTOP_KEY) as db, db.transaction() as conn:
        from fieldkit.store.tables import FormQuestion  # noqa: PLC0415

        conn.execute(
            insert(FormQuestion),
            [
                {
                    "form_hash": form.hash,
                    "question": n,
                    "roster": q.repeat,
                    "pii": q.pii,
                    "free_text": q.type == "text" and not q.pii,
                }
                for n, q in form.questions.items()
            ],
        )
    writer = _Writer(device_id, form, rng, public)
    n = layout.households
    counts = {"households": n, "resent": 0, "content": 0, "conflict": 0, "consent": 0, "rows": 0}
    houses: list[Household] = []
    early = max(1, round(n * RESEND))
    bundles = layout.root / "bundles"
    for number in range(1, n + 1):
        house = _household(rng, k, number)
        houses.append(house)
        failure = rng.random() < CONSENT
        counts["consent"] += failure
        writer.interview(house, _consent(rng, writer.clock, failure))
        if number == early:
            counts["rows"] += writer.flush(path)
            write_bundle(path, bundles / f"{district_name(k)}-1.fkb", key)
            counts["resent"] += early
    for _ in range(max(1, round(n * CONTENT))):
        writer.interview(rng.choice(houses), _consent(rng, writer.clock, False))
        counts["content"] += 1
    for _ in range(max(1, round(n * CONFLICT))):
        real = rng.choice(houses)
        claim = _household(rng, k, real.number)
        claim.cluster = real.cluster
        writer.interview(claim, _consent(rng, writer.clock, False))
        counts["conflict"] += 1
    counts["rows"] += writer.flush(path)
    write_bundle(path, bundles / f"{district_name(k)}-2.fkb", key)
    with open_database(path, role="laptop", key=LAPTOP_KEY) as db:
        db.checkpoint()
    _plain_copy(path, layout.plain_laptop(k))
    return counts


def _plain_copy(path: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f'PRAGMA key = "{LAPTOP_KEY.sqlcipher}"')
        conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target),))
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()


def generate(size: str, *, seed: int = SEED, base: Path | None = None, jobs: int = 2) -> Layout:
    layout = Layout.of(size, base)
    (layout.root / "laptops").mkdir(parents=True, exist_ok=True)
    (layout.root / "bundles").mkdir(parents=True, exist_ok=True)
    for old in layout.bundles():
        old.unlink()
    layout.manifest.unlink(missing_ok=True)
    work = [(layout, k, seed) for k in range(layout.districts)]
    if jobs > 1:
        with Pool(jobs) as pool:
            results = pool.map(generate_district, work, chunksize=1)
    else:
        results = [generate_district(item) for item in work]
    total = {key: sum(r[key] for r in results) for key in results[0]}
    total.update(districts=layout.districts, seed=seed, bundle_format=FORMAT_VERSION)
    total["form_hash"] = _form_hash(layout.districts)
    total["roster_rows"] = _count(layout, "roster_members")
    layout.manifest.write_text(json.dumps(total, indent=2) + "\n")
    return layout


def _form_hash(districts: int) -> str:
    """The bench form's content hash: a compiler change gives another hash, which bundles made
    before would name, and the merge would refuse them (FK-BUNDLE-009): generate anew."""
    [form] = make_project(districts).forms.values()
    return form.hash


def _count(layout: Layout, table: str) -> int:
    import sqlite3  # noqa: PLC0415

    total = 0
    for k in range(layout.districts):
        with sqlite3.connect(layout.plain_laptop(k)) as db:
            total += db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return total


def ensure(size: str, *, seed: int = SEED, base: Path | None = None) -> Layout:
    """The cached data of ``size`` (generated once)."""
    layout = Layout.of(size, base)
    if layout.manifest.exists():
        made = json.loads(layout.manifest.read_text())
        wanted = (seed, FORMAT_VERSION, _form_hash(layout.districts))
        if (made.get("seed"), made.get("bundle_format"), made.get("form_hash")) == wanted:
            return layout
    return generate(size, seed=seed, base=base)


def device_keys(layout: Layout) -> list[Any]:
    keys = []
    for path in layout.laptops():
        with open_database(path, role="laptop", key=LAPTOP_KEY) as db, db.read() as conn:
            keys.append(stored_device_key(conn, db).public)
    return keys
