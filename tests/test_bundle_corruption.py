"""Every damaged, forged, replayed or foreign bundle is refused whole, and the store is unchanged.

Each case is merged into a store that already holds the district bundles; the SQLite file's
SHA-256 (after a checkpoint) must not move. Rejections are logged when asked to (the default):
then every table but ``bundle_rejections`` must be unchanged.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldkit.bundle import DeviceKey, scan_bundle, verify_scanned, write_bundle
from fieldkit.bundle.format import MAGIC
from fieldkit.errors import BundleError
from fieldkit.merge import MergeOptions, merge_bundles, register_device
from fieldkit.project import Project
from tests.merge_fixtures import (
    MERGE_KEY,
    MERGING,
    Field,
    Forgery,
    build_field,
    dump_lines,
    register_all,
    rename_interview,
    settled_sha256,
    tiny_bundle,
)

QUIET = MergeOptions(merge_key=MERGE_KEY, record_rejections=False, write_receipts=False)


@pytest.fixture(scope="module")
def field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    return build_field(tmp_path_factory.mktemp("field"))


@pytest.fixture(scope="module")
def merged_store(field: Field, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("store") / "hq.sqlite"
    register_all(field, str(store))
    assert merge_bundles(field.bundles, str(store), field.project, QUIET).ok
    settled_sha256(str(store))
    return store


@pytest.fixture
def store(merged_store: Path, tmp_path: Path) -> Iterator[str]:
    copy = tmp_path / "hq.sqlite"
    shutil.copy(merged_store, copy)
    yield str(copy)


def bundle_of(field: Field, name: str) -> Path:
    return next(path for path in field.bundles if path.name == name)


def refused(path: Path, store: str, project: Project) -> str:
    """Merge ``path``; it must be refused and leave the store file byte for byte as it was."""
    before = settled_sha256(store)
    report = merge_bundles([path], store, project, QUIET)
    assert [b.status for b in report.bundles] == ["rejected"], report.to_dict()
    assert settled_sha256(store) == before
    code = report.bundles[0].code
    assert code is not None and report.issues.codes() == [code]
    return code


def test_truncated_at_any_offset(field: Field, store: str, tmp_path: Path) -> None:
    data = bundle_of(field, "d02-1.fkb").read_bytes()
    manifest_end = data.index(b"\n", len(MAGIC)) + 1
    offsets = {0, 1, len(MAGIC) - 1, len(MAGIC), manifest_end - 1, manifest_end, len(data) - 1}
    offsets |= set(range(0, len(data), max(1, len(data) // 25)))
    for offset in sorted(offsets):
        cut = tmp_path / f"cut-{offset}.fkb"
        cut.write_bytes(data[:offset])
        assert refused(cut, store, field.project) == "FK-BUNDLE-002", offset


def test_every_truncation_and_byte_flip_of_a_bundle_fails_verification(tmp_path: Path) -> None:
    laptop, path = tiny_bundle(tmp_path)
    data, key = path.read_bytes(), laptop.key.public.key
    verify_scanned(scan_bundle(path), key)
    damaged = tmp_path / "damaged.fkb"
    cuts: Counter[str] = Counter()
    flips: Counter[str] = Counter()
    payload = range(data.index(b"\n", len(MAGIC)) + 1, data.rindex(b"\n", 0, len(data) - 1))
    for position in range(len(data)):
        cases = [(cuts, data[:position])]
        if position not in payload or position % 5 == 0:  # the payload's bytes: every 5th
            cases.append((flips, _flip(data, position)))
        for codes, mutated in cases:
            damaged.write_bytes(mutated)
            with pytest.raises(BundleError) as caught:
                verify_scanned(scan_bundle(damaged), key)
            codes[caught.value.code] += 1
    assert cuts == {"FK-BUNDLE-002": len(data)}
    assert set(flips) <= {f"FK-BUNDLE-00{n}" for n in range(1, 7)} | {"FK-BUNDLE-010"}
    assert {"FK-BUNDLE-001", "FK-BUNDLE-003", "FK-BUNDLE-006"} <= set(flips)


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x04]) + data[position + 1 :]


def test_flipped_bytes_are_refused_and_change_nothing(
    field: Field, store: str, tmp_path: Path
) -> None:
    data = bundle_of(field, "d00-1.fkb").read_bytes()
    for position in range(3, len(data), len(data) // 20):
        flipped = tmp_path / f"flip-{position}.fkb"
        flipped.write_bytes(_flip(data, position))
        refused(flipped, store, field.project)


def _parts(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(manifest line, payload, trailer line) of a bundle's bytes."""
    manifest_end = data.index(b"\n", len(MAGIC)) + 1
    size = json.loads(data[len(MAGIC) : manifest_end])["payload"]["bytes"]
    return (
        data[len(MAGIC) : manifest_end],
        data[manifest_end : manifest_end + size],
        data[manifest_end + size :],
    )


def test_a_swapped_manifest_is_refused(field: Field, store: str, tmp_path: Path) -> None:
    first, second = (_parts(bundle_of(field, n).read_bytes()) for n in ("d01-1.fkb", "d01-2.fkb"))
    swapped = tmp_path / "swapped.fkb"
    swapped.write_bytes(MAGIC + second[0] + first[1].ljust(len(second[1]), b"\0") + first[2])
    assert refused(swapped, store, field.project) == "FK-BUNDLE-006"
    both = tmp_path / "both.fkb"  # manifest and signature of bundle 2 on the rows of bundle 1
    rows = first[1].ljust(len(second[1]), b"\0")[: len(second[1])]
    both.write_bytes(MAGIC + second[0] + rows + second[2])
    assert refused(both, store, field.project) == "FK-BUNDLE-003"


def test_an_unsigned_bundle_is_refused(field: Field, store: str, tmp_path: Path) -> None:
    unsigned = Forgery.of(bundle_of(field, "d02-1.fkb")).write(tmp_path / "u.fkb", key=None)
    assert refused(unsigned, store, field.project) == "FK-BUNDLE-005"


def test_a_bundle_signed_by_another_key_is_refused(
    field: Field, store: str, tmp_path: Path
) -> None:
    laptop = field.laptops[2]
    thief = DeviceKey(laptop.key.device_id, Ed25519PrivateKey.generate())
    forged = Forgery.of(bundle_of(field, "d02-1.fkb"))
    forged.manifest["sequence"] = 9
    assert refused(forged.write(tmp_path / "f.fkb", thief), store, field.project) == "FK-BUNDLE-006"


def test_an_unregistered_device_is_refused(field: Field, store: str, tmp_path: Path) -> None:
    stranger = build_field(
        tmp_path / "other" if _mkdir(tmp_path / "other") else tmp_path, problems=False
    )
    assert refused(stranger.bundles[0], store, field.project) == "FK-BUNDLE-007"


def _mkdir(path: Path) -> bool:
    path.mkdir()
    return True


def test_a_replayed_older_bundle_is_refused_a_resent_one_is_a_no_op(
    field: Field, store: str, tmp_path: Path
) -> None:
    laptop = field.laptops[1]
    older = Forgery.of(bundle_of(field, "d01-1.fkb"))  # sequence 1, re-signed with other bytes
    older.manifest["created_at"] = "2020-01-01T00:00:00+00:00"
    assert refused(older.write(tmp_path / "old.fkb", laptop.key), store, field.project) == (
        "FK-BUNDLE-008"
    )
    before = settled_sha256(store)
    again = merge_bundles([bundle_of(field, "d01-1.fkb")], store, field.project, QUIET)
    assert [b.status for b in again.bundles] == ["already merged"]
    assert settled_sha256(store) == before


def test_a_form_the_coordinator_does_not_know_is_refused(field: Field, tmp_path: Path) -> None:
    fresh = str(tmp_path / "fresh.sqlite")
    register_all(field, fresh)
    assert refused(bundle_of(field, "d02-1.fkb"), fresh, Project()) == "FK-BUNDLE-009"


def test_signed_rows_that_contradict_the_manifest_are_refused(
    field: Field, store: str, tmp_path: Path
) -> None:
    key = field.laptops[2].key
    lying = Forgery.of(bundle_of(field, "d02-1.fkb"))
    lying.manifest["sequence"] = 7
    lying.manifest["counts"]["answers"] += 1
    assert refused(lying.write(tmp_path / "a.fkb", key), store, field.project) == "FK-BUNDLE-010"
    draft = Forgery.of(bundle_of(field, "d02-1.fkb"))
    draft.manifest["sequence"] = 7
    draft.sql("UPDATE interviews SET status = 'draft' WHERE id = (SELECT min(id) FROM interviews)")
    assert refused(draft.write(tmp_path / "d.fkb", key), store, field.project) == "FK-BUNDLE-010"
    orphan = Forgery.of(bundle_of(field, "d02-1.fkb"))
    orphan.manifest["sequence"] = 7
    [row] = orphan.sql("SELECT * FROM answers LIMIT 1")  # an answer moved to no interview
    orphan.sql("DELETE FROM answers WHERE interview_id = ? AND question = ?", *row[:2])
    orphan.sql("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)", "no-such-interview", *row[1:])
    assert refused(orphan.write(tmp_path / "o.fkb", key), store, field.project) == "FK-BUNDLE-010"


def test_a_signed_payload_sqlite_would_misread_is_refused(
    field: Field, store: str, tmp_path: Path
) -> None:
    """The payload is opened by SQLite only after its signature checks out, and even then
    it must be exactly fieldkit's schema with rows fieldkit writes."""
    key = field.laptops[2].key
    edits = {
        "trigger": "CREATE TRIGGER t AFTER INSERT ON answers BEGIN SELECT 1; END",
        "view": "CREATE VIEW v AS SELECT * FROM answers",
        "time": "UPDATE answers SET changed_at = 'yesterday' WHERE member = 0",
        "json": "UPDATE answers SET value = '{not json' WHERE member = 0",
        "number": "UPDATE roster_members SET member = 0 WHERE member = 1",
        "not sqlite": "",
        "damaged page": "",
    }
    for n, (name, statement) in enumerate(edits.items()):
        forged = Forgery.of(bundle_of(field, "d02-1.fkb"), tmp_path)
        forged.manifest["sequence"] = 7 + n
        if statement:
            forged.sql(statement)
        elif name == "not sqlite":
            forged.payload.write_bytes(b"\0" * 4096)
        else:  # signed as it is: SQLite meets the damage only while reading the answers
            [(root,)] = forged.sql("SELECT rootpage FROM sqlite_master WHERE name = 'answers'")
            data = bytearray(forged.payload.read_bytes())
            end = root * 4096  # the page's cell content area ends the page
            data[end - 600 : end] = b"\xff" * 600
            forged.payload.write_bytes(bytes(data))
        path = forged.write(tmp_path / f"{n}.fkb", key)
        assert refused(path, store, field.project) == "FK-BUNDLE-010", name
        assert list(tmp_path.glob(".fieldkit-payload-*")) == []


def test_changed_rows_under_a_valid_signature_are_corruption(
    field: Field, store: str, tmp_path: Path
) -> None:
    forged = Forgery.of(bundle_of(field, "d02-1.fkb"))
    forged.sql(
        "UPDATE answers SET value = '99' WHERE (interview_id, question, member) = "
        "(SELECT interview_id, question, member FROM answers LIMIT 1)"
    )  # and keep the signed manifest
    path = forged.write(tmp_path / "c.fkb", field.laptops[2].key, recount=False)
    assert refused(path, store, field.project) == "FK-BUNDLE-003"


def test_structural_damage(field: Field, store: str, tmp_path: Path) -> None:
    data = bundle_of(field, "d02-1.fkb").read_bytes()
    cases = {
        "FK-BUNDLE-001": [
            b"PK\x03\x04 a zip file\n",
            b"fieldkit bundle 4\n{}\n",  # from a newer fieldkit
            b"fieldkit bundle 2\n{}\n",  # an unencrypted payload, from before format 3
            b"fieldkit bundle 1\n{}\n",  # JSON lines, from before format 2
        ],
        "FK-BUNDLE-004": [
            MAGIC + b"{not json\n" + data[len(MAGIC) :],
            data + b"trailing\n",
            data[: data.rindex(b"{")] + b'{"algorithm":"ed25519","extra":1}\n',
        ],
    }
    for code, variants in cases.items():
        for n, variant in enumerate(variants):
            path = tmp_path / f"{code}-{n}.fkb"
            path.write_bytes(variant)
            assert refused(path, store, field.project) == code, variant[:40]
    assert refused(tmp_path / "missing.fkb", store, field.project) == "FK-BUNDLE-012"


def test_an_interview_clashing_with_the_store_is_refused(
    field: Field, store: str, tmp_path: Path
) -> None:
    """Same reference as an interview already merged, under a new id: a copied database."""
    forged = Forgery.of(bundle_of(field, "d02-1.fkb"))
    forged.manifest["sequence"] = 5
    [(last,)] = forged.sql("SELECT max(id) FROM interviews")
    rename_interview(forged, last, "ffffffff-" + str(uuid.uuid4())[9:])
    path = forged.write(tmp_path / "clash.fkb", field.laptops[2].key)
    assert refused(path, store, field.project) == "FK-BUNDLE-011"


def test_rejections_are_logged_and_nothing_else_changes(
    field: Field, store: str, tmp_path: Path
) -> None:
    before = dump_lines(store, skip=("bundle_rejections",))
    unsigned = Forgery.of(bundle_of(field, "d02-1.fkb")).write(tmp_path / "u.fkb", key=None)
    for _ in range(2):
        report = merge_bundles([unsigned], store, field.project, MERGING)
        assert report.bundles[0].code == "FK-BUNDLE-005"
    assert dump_lines(store, skip=("bundle_rejections",)) == before
    logged = [line for line in dump_lines(store) if line.startswith("bundle_rejections")]
    assert len(logged) == 1 and "FK-BUNDLE-005" in logged[0] and "u.fkb" in logged[0]


def test_a_device_keeps_its_registered_key(field: Field, store: str) -> None:
    laptop = field.laptops[0]
    assert register_device(store, laptop.key.public) == "unchanged"
    other = DeviceKey(laptop.key.device_id, Ed25519PrivateKey.generate())
    with pytest.raises(BundleError) as caught:
        register_device(store, other.public)
    assert caught.value.code == "FK-BUNDLE-027"
    assert register_device(store, other.public, replace=True) == "replaced"


def test_a_receipt_that_cannot_be_written_is_a_warning(field: Field, tmp_path: Path) -> None:
    store = str(tmp_path / "fresh.sqlite")
    register_all(field, store)
    options = MergeOptions(merge_key=MERGE_KEY, receipts_dir=tmp_path / "no-such-folder")
    report = merge_bundles([bundle_of(field, "d02-1.fkb")], store, field.project, options)
    assert report.ok and report.issues.codes() == ["FK-BUNDLE-013"]
    assert [b.status for b in report.bundles] == ["merged"]


def test_a_freshly_written_bundle_from_a_known_laptop_is_accepted(
    field: Field, store: str, tmp_path: Path
) -> None:
    laptop = field.laptops[2]
    write_bundle(laptop.path, tmp_path / "new.fkb", laptop.store_key)
    report = merge_bundles([tmp_path / "new.fkb"], store, field.project, QUIET)
    assert [b.status for b in report.bundles] == ["merged"]
    assert report.interviews_new == 0 and report.bundles[0].same_id == report.bundles[0].interviews
