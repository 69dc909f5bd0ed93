"""A corpus of hostile bundle files: each variant builds one file and names the code it earns.

    kit = Kit(...)                       # a thief's registered laptop, a victim's merged one
    for variant in VARIANTS:
        path = variant.build(kit)        # in kit.folder
        ... merge it next to valid bundles, expect ``variant.code``

Three families: files that are not what they claim before any signature is read (structure,
sizes, JSON a parser chokes on, things that are not regular files); files signed by a stolen
laptop's key whose rows no laptop writes; and signed files claiming another laptop's keys.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fieldkit.bundle import DeviceKey
from fieldkit.bundle.format import MAGIC
from fieldkit.privacy.keys import fingerprint
from tests.merge_fixtures import MERGE_KEY, Forgery, rename_interview

__all__ = ["VARIANTS", "Kit", "Variant"]


@dataclass
class Kit:
    folder: Path
    thief_bundle: Path
    """A genuine bundle of a registered laptop not yet merged: what forgeries start from."""
    thief_key: DeviceKey
    victim_bundle: Path
    """A bundle already in the store: the interviews a thief may try to claim."""
    victim_key: DeviceKey

    def data(self) -> bytes:
        return self.thief_bundle.read_bytes()

    def forge(self) -> Forgery:
        return Forgery.of(self.thief_bundle, self.folder)

    def out(self, name: str) -> Path:
        return self.folder / f"{name}.fkb"

    def signed(self, name: str, forged: Forgery, *, recount: bool = True) -> Path:
        if recount:
            forged.recount()
        return forged.write(self.out(name), self.thief_key)

    def victim(self) -> tuple[str, str]:
        """(id, reference) of an interview the store already holds from another laptop."""
        [(interview_id, reference)] = Forgery.of(self.victim_bundle, self.folder).sql(
            "SELECT id, reference FROM interviews ORDER BY id LIMIT 1"
        )
        return interview_id, reference


@dataclass(frozen=True)
class Variant:
    name: str
    code: str
    build: Callable[[Kit], Path]


def _parts(data: bytes) -> tuple[bytes, bytes, bytes]:
    end = data.index(b"\n", len(MAGIC)) + 1
    size = json.loads(data[len(MAGIC) : end])["payload"]["bytes"]
    return data[len(MAGIC) : end], data[end : end + size], data[end + size :]


def _raw(name: str, content: Callable[[Kit], bytes]) -> Callable[[Kit], Path]:
    def build(kit: Kit) -> Path:
        path = kit.out(name)
        path.write_bytes(content(kit))
        return path

    return build


def _manifest_text(kit: Kit, old: bytes, new: bytes) -> bytes:
    manifest, payload, trailer = _parts(kit.data())
    assert old in manifest
    return MAGIC + manifest.replace(old, new, 1) + payload + trailer


def _trailer_text(kit: Kit, extra: bytes) -> bytes:
    manifest, payload, trailer = _parts(kit.data())
    return MAGIC + manifest + payload + trailer[:-2] + b"," + extra + b"}\n"


def _manifest(name: str, change: Callable[[dict[str, object]], None]) -> Callable[[Kit], Path]:
    """A manifest field changed, the bundle signed again: past the signature, the checks."""

    def build(kit: Kit) -> Path:
        forged = kit.forge()
        change(forged.manifest)
        return forged.write(kit.out(name), kit.thief_key, recount=False)

    return build


def _rows(name: str, *statements: str, unchecked: bool = False) -> Callable[[Kit], Path]:
    """Payload rows changed in SQL (``unchecked``: past STRICT and NOT NULL), recounted and
    signed with the laptop's own key, as a thief holding the laptop would."""

    def build(kit: Kit) -> Path:
        forged = kit.forge()
        for statement in statements:
            (forged.sql_unchecked if unchecked else forged.sql)(statement)
        return kit.signed(name, forged)

    return build


def _special(name: str, make: Callable[[Path], Path]) -> Callable[[Kit], Path]:
    def build(kit: Kit) -> Path:
        return make(kit.folder / name)

    return build


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _link(target: Callable[[Path], Path]) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        link = path.with_name(path.name + ".fkb")
        link.symlink_to(target(path))
        return link

    return make


def _claim(name: str, *, reference: bool, interview: bool = True) -> Callable[[Kit], Path]:
    """A thief's bundle reusing the victim laptop's interview id and/or reference."""

    def build(kit: Kit) -> Path:
        victim_id, victim_reference = kit.victim()
        forged = kit.forge()
        [(mine, my_reference)] = forged.sql("SELECT id, reference FROM interviews LIMIT 1")
        if interview:
            rename_interview(forged, mine, victim_id)
            mine = victim_id
        if reference:
            forged.sql(
                "UPDATE identities SET reference = ? WHERE reference = ?",
                victim_reference,
                my_reference,
            )
            forged.sql("UPDATE interviews SET reference = ? WHERE id = ?", victim_reference, mine)
        return kit.signed(name, forged)

    return build


def _other_key(kit: Kit) -> Path:
    forged = kit.forge()
    thief = DeviceKey(kit.thief_key.device_id, Ed25519PrivateKey.generate())
    return forged.write(kit.out("other-key"), thief)


def _unregistered(kit: Kit) -> Path:
    forged = kit.forge()
    stranger = str(uuid.uuid4())
    forged.manifest["device_id"] = stranger
    forged.sql("UPDATE interviews SET device_id = ?", stranger)
    forged.recount()
    return forged.write(kit.out("unregistered"), DeviceKey(stranger, Ed25519PrivateKey.generate()))


def _replay(kit: Kit) -> Path:
    """The victim laptop's merged bundle (sequence 1), altered and signed again by it."""
    forged = Forgery.of(kit.victim_bundle, kit.folder)
    forged.manifest["created_at"] = "2020-01-01T00:00:00+00:00"
    return forged.write(kit.out("replay"), kit.victim_key)


def _wal_header(kit: Kit) -> Path:
    forged = kit.forge()
    data = bytearray(forged.payload.read_bytes())
    data[18:20] = b"\x02\x02"
    forged.payload.write_bytes(bytes(data))
    return kit.signed("wal-header", forged, recount=False)


def _payload_value(name: str, question: str, value: str) -> Callable[[Kit], Path]:
    return _rows(
        name,
        f"UPDATE answers SET value = '{value}' WHERE question = '{question}' "
        "AND interview_id = (SELECT min(id) FROM interviews)",
    )


_FIRST = "(SELECT min(id) FROM interviews)"
_MERGE_ID = fingerprint(MERGE_KEY.public_key())
_DEEP = "[" * 200_000 + "]" * 200_000
_DIGITS = "9" * 5000

VARIANTS: tuple[Variant, ...] = (
    # -- not a bundle, or not whole ---------------------------------------------------------
    Variant("empty", "FK-BUNDLE-002", _raw("empty", lambda k: b"")),
    Variant("wrong-magic", "FK-BUNDLE-001", _raw("zip", lambda k: b"PK\x03\x04 a zip\n")),
    Variant("newer-format", "FK-BUNDLE-001", _raw("v4", lambda k: b"fieldkit bundle 4\n{}\n")),
    # format 2 carried its payload in clear: a laptop still writing it is refused, not read
    Variant("older-format", "FK-BUNDLE-001", _raw("v2", lambda k: b"fieldkit bundle 2\n{}\n")),
    Variant("cut-in-manifest", "FK-BUNDLE-002", _raw("cut1", lambda k: k.data()[: len(MAGIC) + 9])),
    Variant(
        "cut-in-payload",
        "FK-BUNDLE-002",
        _raw("cut2", lambda k: k.data()[: len(MAGIC) + len(_parts(k.data())[0]) + 100]),
    ),
    Variant("cut-in-signature", "FK-BUNDLE-002", _raw("cut3", lambda k: k.data()[:-5])),
    Variant("appended-bytes", "FK-BUNDLE-004", _raw("tail", lambda k: k.data() + b"x")),
    Variant("appended-line", "FK-BUNDLE-004", _raw("tail2", lambda k: k.data() + b"{}\n")),
    # -- a manifest or signature line a JSON parser would choke on --------------------------
    Variant(
        "manifest-5000-digits",
        "FK-BUNDLE-004",
        _raw(
            "digits",
            lambda k: _manifest_text(k, b'"sequence":1', b'"sequence":' + _DIGITS.encode()),
        ),
    ),
    Variant(
        "manifest-200k-deep",
        "FK-BUNDLE-004",
        _raw("deep", lambda k: _manifest_text(k, b'"sequence":1', b'"sequence":' + _DEEP.encode())),
    ),
    Variant(
        "manifest-repeated-key",
        "FK-BUNDLE-004",
        _raw("dupkey", lambda k: _manifest_text(k, b'"sequence":1', b'"sequence":1,"sequence":9')),
    ),
    Variant(
        "manifest-nan",
        "FK-BUNDLE-004",
        _raw("nan", lambda k: _manifest_text(k, b'"sequence":1', b'"sequence":NaN')),
    ),
    Variant(
        "manifest-not-utf8",
        "FK-BUNDLE-004",
        _raw("latin", lambda k: _manifest_text(k, b'"created_at":"', b'"created_at":"\xff\xfe')),
    ),
    Variant(
        "manifest-lone-surrogate",
        "FK-BUNDLE-004",
        _raw("surrogate", lambda k: _manifest_text(k, b'"created_at":"', b'"created_at":"\\ud800')),
    ),
    Variant(
        "manifest-spaces",
        "FK-BUNDLE-004",
        _raw("spaces", lambda k: _manifest_text(k, b'"sequence":1', b'"sequence": 1')),
    ),
    Variant(
        "manifest-too-long",
        "FK-BUNDLE-004",
        _raw(
            "long",
            lambda k: _manifest_text(k, b'"created_at":"', b'"created_at":"' + b"a" * 2_000_000),
        ),
    ),
    Variant("manifest-a-list", "FK-BUNDLE-004", _raw("list", lambda k: MAGIC + b"[]\n")),
    Variant(
        "signature-5000-digits",
        "FK-BUNDLE-004",
        _raw("sigdigits", lambda k: _trailer_text(k, b'"x":' + _DIGITS.encode())),
    ),
    Variant(
        "signature-200k-deep",
        "FK-BUNDLE-004",
        _raw("sigdeep", lambda k: _trailer_text(k, b'"x":' + _DEEP.encode())),
    ),
    # -- sizes and numbers out of range, signed -----------------------------------------------
    Variant(
        "declared-size-huge",
        "FK-BUNDLE-002",
        _manifest("huge", lambda m: m["payload"].update(bytes=10**15)),  # type: ignore[attr-defined]
    ),
    Variant(
        "declared-size-2^60",
        "FK-BUNDLE-004",
        _manifest("huger", lambda m: m["payload"].update(bytes=2**60)),  # type: ignore[attr-defined]
    ),
    Variant(
        "declared-size-negative",
        "FK-BUNDLE-004",
        _manifest("negative", lambda m: m["payload"].update(bytes=-1)),  # type: ignore[attr-defined]
    ),
    Variant(
        "sequence-2^63", "FK-BUNDLE-004", _manifest("seq63", lambda m: m.update(sequence=2**63))
    ),
    Variant(
        "sequence-2^31", "FK-BUNDLE-004", _manifest("seq31", lambda m: m.update(sequence=2**31))
    ),
    Variant("sequence-0", "FK-BUNDLE-004", _manifest("seq0", lambda m: m.update(sequence=0))),
    Variant(
        "sequence-true", "FK-BUNDLE-004", _manifest("seqtrue", lambda m: m.update(sequence=True))
    ),
    Variant(
        "encryption-entry-extra-field",
        "FK-BUNDLE-004",
        _manifest("encx", lambda m: m["payload"]["encryption"].update(x=1)),  # type: ignore[index]
    ),
    Variant(
        "created-at-nul",
        "FK-BUNDLE-004",
        _manifest("nul", lambda m: m.update(created_at="2027\x00")),
    ),
    # -- not a regular file --------------------------------------------------------------------
    Variant("dev-zero", "FK-BUNDLE-012", lambda k: Path("/dev/zero")),
    Variant("fifo", "FK-BUNDLE-012", _special("fifo.fkb", _fifo)),
    Variant(
        "symlink-to-dev-zero", "FK-BUNDLE-012", _special("z", _link(lambda p: Path("/dev/zero")))
    ),
    Variant("symlink-to-fifo", "FK-BUNDLE-012", _special("f", _link(_fifo))),
    Variant("folder", "FK-BUNDLE-012", _special("folder.fkb", lambda p: (p.mkdir(), p)[1])),
    Variant("missing", "FK-BUNDLE-012", lambda k: k.folder / "no-such.fkb"),
    Variant(
        "name-not-utf8-with-newline",
        "FK-BUNDLE-001",
        _special(os.fsdecode(b"bad\xff\nname.fkb"), lambda p: (p.write_bytes(b"junk\n"), p)[1]),
    ),
    # -- signed, but not by this laptop, or not new ------------------------------------------
    Variant("unsigned", "FK-BUNDLE-005", lambda k: k.forge().write(k.out("unsigned"), None)),
    Variant("another-key", "FK-BUNDLE-006", _other_key),
    Variant("unregistered-device", "FK-BUNDLE-007", _unregistered),
    Variant("replay", "FK-BUNDLE-008", _replay),
    Variant(
        "unknown-form-hash",
        "FK-BUNDLE-009",
        _manifest("form", lambda m: m["forms"][0].update(form_hash="sha256:" + "0" * 64)),  # type: ignore[index]
    ),
    Variant(
        "manifest-form-id-disagrees",
        "FK-BUNDLE-010",
        _manifest("formid", lambda m: m["forms"][0].update(form_id="school_cl")),  # type: ignore[index]
    ),
    Variant("wal-header", "FK-BUNDLE-010", _wal_header),
    # -- signed rows no laptop writes ----------------------------------------------------------
    Variant(
        "empty-interview-id",
        "FK-BUNDLE-010",
        _rows(
            "emptyid",
            *(
                f"UPDATE {t} SET interview_id = '' WHERE interview_id = {_FIRST}"
                for t in ("answers", "roster_members", "paradata")
            ),
            "UPDATE interviews SET id = '' WHERE id = (SELECT min(id) FROM interviews)",
        ),
    ),
    Variant(
        "null-reference",
        "FK-BUNDLE-010",
        _rows(
            "nullref", f"UPDATE interviews SET reference = NULL WHERE id = {_FIRST}", unchecked=True
        ),
    ),
    Variant(
        "text-elapsed-ms",
        "FK-BUNDLE-010",
        _rows(
            "elapsed",
            "UPDATE paradata SET elapsed_ms = 'soon' WHERE id = (SELECT min(id) FROM paradata)",
            unchecked=True,
        ),
    ),
    Variant(
        "integer-language",
        "FK-BUNDLE-010",
        _rows("lang", f"UPDATE interviews SET language = 5 WHERE id = {_FIRST}", unchecked=True),
    ),
    Variant(
        "unknown-language",
        "FK-BUNDLE-010",
        _rows("lang2", f"UPDATE interviews SET language = 'de' WHERE id = {_FIRST}"),
    ),
    Variant(
        "unknown-question",
        "FK-BUNDLE-010",
        _rows(
            "question",
            "INSERT INTO answers SELECT interview_id, 'pwned', 0, '1', 'answered', changed_at "
            f"FROM answers WHERE interview_id = {_FIRST} LIMIT 1",
        ),
    ),
    Variant(
        "answer-status-pwned",
        "FK-BUNDLE-010",
        _rows("astatus", f"UPDATE answers SET status = 'pwned' WHERE interview_id = {_FIRST}"),
    ),
    Variant(
        "interview-status-pwned",
        "FK-BUNDLE-010",
        _rows("istatus", f"UPDATE interviews SET status = 'pwned' WHERE id = {_FIRST}"),
    ),
    Variant(
        "roster-member-10^9",
        "FK-BUNDLE-010",
        _rows(
            "member",
            f"UPDATE roster_members SET member = 1000000000 WHERE member = 1 AND interview_id = {_FIRST}",
            f"UPDATE answers SET member = 1000000000 WHERE member = 1 AND interview_id = {_FIRST}",
        ),
    ),
    Variant(
        "form-id-disagrees",
        "FK-BUNDLE-010",
        _rows("rowformid", f"UPDATE interviews SET form_id = 'school_cl' WHERE id = {_FIRST}"),
    ),
    Variant(
        "kind-disagrees",
        "FK-BUNDLE-010",
        _rows("kind", f"UPDATE interviews SET instrument_kind = 'street' WHERE id = {_FIRST}"),
    ),
    Variant("not-a-choice", "FK-BUNDLE-010", _payload_value("choice", "sex", '"7"')),
    Variant("text-in-integer", "FK-BUNDLE-010", _payload_value("textint", "age", '"ten"')),
    Variant("real-in-integer", "FK-BUNDLE-010", _payload_value("realint", "age", "10.5")),
    Variant(
        "unit-key-5000-digits", "FK-BUNDLE-010", _payload_value("unitdigits", "hh_number", _DIGITS)
    ),
    Variant("not-json", "FK-BUNDLE-010", _payload_value("notjson", "cluster", "{not json")),
    Variant(
        "nul-in-text-value",
        "FK-BUNDLE-010",
        _rows(
            "nulvalue",
            "UPDATE answers SET value = CAST(x'2264220061' AS TEXT) "  # "d" NUL a
            f"WHERE question = 'district' AND interview_id = {_FIRST}",
        ),
    ),
    Variant(
        "plaintext-identity",
        "FK-BUNDLE-010",
        _rows(
            "pii",
            "INSERT INTO answers SELECT interview_id, 'head_name', 0, '\"Amina\"', 'answered', "
            f"changed_at FROM answers WHERE interview_id = {_FIRST} LIMIT 1",
        ),
    ),
    Variant(
        "dont-know-not-allowed",
        "FK-BUNDLE-010",
        _rows(
            "dk",
            "UPDATE answers SET status = 'dont_know', value = 'null' "
            f"WHERE question = 'cluster' AND interview_id = {_FIRST}",
        ),
    ),
    Variant(
        "roster-answer-at-top-level",
        "FK-BUNDLE-010",
        _rows(
            "level",
            "INSERT INTO answers SELECT interview_id, 'age', 0, '30', 'answered', changed_at "
            f"FROM answers WHERE interview_id = {_FIRST} LIMIT 1",
        ),
    ),
    Variant(
        "answer-for-absent-member",
        "FK-BUNDLE-010",
        _rows(
            "absent",
            "INSERT INTO answers SELECT interview_id, 'age', 77, '30', 'answered', changed_at "
            f"FROM answers WHERE interview_id = {_FIRST} LIMIT 1",
        ),
    ),
    Variant(
        # an identifying answer sealed to the merge key would open without the custodians
        "identity-sealed-to-the-merge-key",
        "FK-BUNDLE-010",
        _rows(
            "piimerge", f"UPDATE identities SET key_id = '{_MERGE_ID}' WHERE question = 'head_name'"
        ),
    ),
    Variant(
        "identity-of-a-plain-question",
        "FK-BUNDLE-010",
        _rows(
            "identity",
            "INSERT INTO identities SELECT reference, 'cluster', 0, 'answered', x'00ff', 'k' "
            f"FROM interviews WHERE id = {_FIRST}",
        ),
    ),
    Variant(
        "sequence-2^40",
        "FK-BUNDLE-010",
        _rows("rowseq", f"UPDATE interviews SET sequence = 1099511627776 WHERE id = {_FIRST}"),
    ),
    Variant(
        "answer-time-30-february",
        "FK-BUNDLE-010",
        _rows(
            "feb30",
            "UPDATE answers SET changed_at = '2027-02-30 10:00:00.000000' "
            f"WHERE interview_id = {_FIRST}",
        ),
    ),
    Variant(
        "event-time-hour-24",
        "FK-BUNDLE-010",
        _rows(
            "hour24",
            "UPDATE paradata SET at = '2027-02-01 24:00:00.000000' "
            "WHERE id = (SELECT min(id) FROM paradata)",
        ),
    ),
    Variant(
        "event-name-pwned",
        "FK-BUNDLE-010",
        _rows(
            "event",
            "UPDATE paradata SET event = 'Pwned!' WHERE id = (SELECT min(id) FROM paradata)",
        ),
    ),
    Variant(
        "event-question-nul",
        "FK-BUNDLE-010",
        _rows(
            "evnul",
            "UPDATE paradata SET question = CAST(x'610062' AS TEXT) "
            "WHERE id = (SELECT min(id) FROM paradata)",
        ),
    ),
    Variant(
        "event-detail-on-identity",
        "FK-BUNDLE-010",
        _rows(
            "evpii",
            "UPDATE paradata SET question = 'head_name', detail = 'Amina' "
            "WHERE id = (SELECT min(id) FROM paradata)",
        ),
    ),
    Variant(
        "consent-5000-digits",
        "FK-BUNDLE-010",
        _rows(
            "consentdigits",
            "UPDATE interviews SET consent = json_set(consent, '$.respondent_age', "
            f"json('{_DIGITS}')) WHERE id = {_FIRST}",
        ),
    ),
    Variant(
        "consent-deep",
        "FK-BUNDLE-010",
        _rows(
            "consentdeep",
            "UPDATE interviews SET consent = json_set(consent, '$.x', "
            f"json('{'[' * 1500 + ']' * 1500}')) WHERE id = {_FIRST}",
        ),
    ),
    Variant(
        "consent-outcome-disagrees",
        "FK-BUNDLE-010",
        _rows("outcome", f"UPDATE interviews SET consent_outcome = 'refused' WHERE id = {_FIRST}"),
    ),
    Variant(
        "answer-of-no-interview",
        "FK-BUNDLE-010",
        _rows(
            "orphan",
            "INSERT INTO answers SELECT 'ffffffff-0000-4000-8000-000000000000', question, member, "
            "value, status, changed_at FROM answers LIMIT 1",
        ),
    ),
    # -- another laptop's keys -----------------------------------------------------------------
    Variant("claims-another-laptops-id", "FK-BUNDLE-011", _claim("claimid", reference=False)),
    Variant(
        "claims-another-laptops-id-and-reference",
        "FK-BUNDLE-011",
        _claim("claimboth", reference=True),
    ),
    Variant(
        "claims-another-laptops-reference",
        "FK-BUNDLE-011",
        _claim("claimref", reference=True, interview=False),
    ),
)

assert len({v.name for v in VARIANTS}) == len(VARIANTS)
