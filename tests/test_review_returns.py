"""A rejected interview goes back to its laptop with the next receipt, is corrected there and
replaces the rejected version at HQ, which keeps both (issue 16). The returns file is
untrusted input on the laptop: only the merge key's holder can make one that opens, only for
this laptop, and only about interviews this laptop delivered."""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select

from fieldkit.bundle.format import encode_line
from fieldkit.cli import run
from fieldkit.cli.collect import _show_sent_back
from fieldkit.errors import FieldkitError
from fieldkit.review import decide, review_queue
from fieldkit.review.history import interview_history
from fieldkit.review.reopen import reopen_returned
from fieldkit.review.returns import header, montgomery_public, raw, returns_aead
from fieldkit.store import LaptopStore, StoreKey
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import devices
from fieldkit.store.records import AnswerChange, AnswerStatus, InterviewStatus
from tests.merge_fixtures import (
    BACKENDS,
    Expected,
    Household,
    _collector,
    _now,
    adult_consent,
    device_key_of,
    fresh_store,
    make_project,
)
from tests.test_merge_cli import (  # noqa: F401  (project_folder: the working folder)
    UNLOCK_MERGE,
    _laptop_with_passphrase,
    project_folder,
    runner,
)
from tests.test_merge_cli import app as bundle_app
from tests.test_store_helpers import MERGE_KEY, PROJECT_KEYS

COMMENT = "member 2 cannot be 11 and the household head's child born in 2019: check the age"


class Field:
    """One laptop and the HQ store, driven through the CLI as the field team drives them."""

    def __init__(self, tmp_path: Path, name: str = "laptop", store: str | None = None) -> None:
        self.folder = tmp_path / name
        self.folder.mkdir()
        self.path, self.unlock, self.key = _laptop_with_passphrase(self.folder)
        self.store = store or str(tmp_path / "hq.sqlite")
        self.sent = 0
        self.ok("device", "init", *self.unlock)
        [public] = self.folder.glob("device-*.pub")
        self.ok("device", "register", str(public), "--into", self.store)

    def ok(self, *args: str) -> str:
        result = runner.invoke(bundle_app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    def interview(self, household: Household) -> str:
        from tests.merge_fixtures import Laptop

        laptop = Laptop(self.path, device_key_of(self.path, self.key), "d00", store_key=self.key)
        with _collector(laptop, make_project().forms["hh_merge"], Expected()) as c:
            return c.interview(household, adult_consent(_now()))

    def send(self) -> Path:
        """Bundle, merge at HQ: the receipt (and any returns) beside the bundle."""
        self.sent += 1
        out = self.folder / f"bundle-{self.sent}.fkb"
        self.ok("bundle", *self.unlock, "--out", str(out))
        self.ok("merge", str(out), "--into", self.store, *UNLOCK_MERGE)
        return out.with_name(out.name + ".receipt")

    def open(self) -> LaptopStore:
        return LaptopStore.open(self.path, project_keys=PROJECT_KEYS, key=self.key)


def _age(answers: dict[tuple[str, int], object]) -> object:
    return answers[("age", 2)]


@pytest.fixture(params=BACKENDS)
def hq(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_store(request.param, tmp_path) as url:
        yield url


def test_rejected_corrected_and_replaced_with_both_versions_kept(
    tmp_path: Path, hq: str, capsys: pytest.CaptureFixture[str]
) -> None:
    field = Field(tmp_path, store=hq)
    rejected = field.interview(Household("d00", 4, 1, [(1, 30, 2), (2, 11, 1)]))
    receipt = field.send()
    assert "1 interview removed" in field.ok("bundle", *field.unlock, "--receipt", str(receipt))
    decide(field.store, rejected[:8], "rejected", COMMENT, "sup-north")

    field.interview(Household("d00", 4, 2, [(2, 45, 2)]))  # the next bundle brings it back
    receipt = field.send()
    assert receipt.with_name("bundle-2.fkb.returns").is_file()
    shown = field.ok("bundle", *field.unlock, "--receipt", str(receipt))
    assert "sent back by sup-north" in shown and "check the age" in " ".join(shown.split())
    with field.open() as laptop:
        assert [d.id for d in laptop.drafts()] == [rejected]
        capsys.readouterr()
        _show_sent_back(laptop, rejected)  # what collect --resume shows first
        assert "sent back by supervisor sup-north" in capsys.readouterr().out
        stored = laptop.load(rejected)
        assert stored.answers[("age", 2)][0] == 11 and stored.consent is not None
        laptop.apply(rejected, [AnswerChange("age", 2, 6, AnswerStatus.ANSWERED)], [], [])
        laptop.finish(rejected, InterviewStatus.COMPLETE)
    again = field.ok("bundle", *field.unlock, "--receipt", str(receipt))
    assert "sent back" not in again  # the same rejection reopens nothing twice

    receipt = field.send()
    assert not receipt.with_name("bundle-3.fkb.returns").exists()  # answered: nothing to send
    field.ok("bundle", *field.unlock, "--receipt", str(receipt))
    with field.open() as laptop:
        assert laptop.interviews() == []
    versions = interview_history(field.store, rejected)
    assert [v.replaced_at is None for v in versions] == [False, True]
    assert [_age(v.answers) for v in versions] == [11, 6]
    assert versions[0].bundle_sha256 != versions[1].bundle_sha256
    from tests.merge_fixtures import make_project as project

    queue = {item.interview_id: item for item in review_queue(field.store, project())}
    assert rejected in queue and queue[rejected].decision is None  # to review afresh


def _reject_and_send_again(field: Field, interview_id: str) -> Path:
    decide(field.store, interview_id, "rejected", COMMENT, "sup-north")
    field.interview(Household("d00", 5, 9, [(1, 50, 2)]))
    receipt = field.send()
    assert receipt.with_name(receipt.name.removesuffix(".receipt") + ".returns").is_file()
    return receipt


def _returns_of(receipt: Path) -> Path:
    return receipt.with_name(receipt.name.removesuffix(".receipt") + ".returns")


def _refused(path: Path, receipt: Path, key: StoreKey, code: str) -> None:
    with pytest.raises(FieldkitError) as caught:
        reopen_returned(path, receipt, key)
    assert caught.value.code == code
    with LaptopStore.open(path, project_keys=PROJECT_KEYS, key=key) as laptop:
        assert laptop.drafts() == []


def test_returns_for_another_laptop_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    field = Field(tmp_path)
    first = field.interview(Household("d00", 4, 1, [(1, 30, 2)]))
    field.ok("bundle", *field.unlock, "--receipt", str(field.send()))
    receipt = _reject_and_send_again(field, first)
    other = Field(tmp_path, "other")
    other.interview(Household("d00", 7, 1, [(1, 30, 2)]))
    theirs = other.send()
    shutil.copyfile(_returns_of(receipt), _returns_of(theirs))  # a file for the first laptop
    _refused(other.path, theirs, other.key, "FK-MON-070")
    capsys.readouterr()
    assert run(["bundle", *other.unlock, "--receipt", str(theirs)]) == 1
    err = capsys.readouterr().err
    assert "FK-MON-070" in err and "Traceback" not in err


def _forge(field: Field, receipt: Path, merge_key: X25519PrivateKey, interview_id: str) -> None:
    """A returns file made like HQ's, with ``merge_key``, reopening ``interview_id``."""
    returns = _returns_of(receipt)
    data = json.loads(returns.read_text())
    with open_coordinator(field.store, create=False) as db, db.read() as conn:
        public = conn.execute(select(devices.c.public_key)).scalars().first()
    device = montgomery_public(base64.b64decode(str(public)))
    device_id, sha = data["device_id"], data["bundle_sha256"]
    aead = returns_aead(
        merge_key, device, raw(merge_key.public_key()) + raw(device), device_id, sha
    )
    rows = {
        "interviews": [{"id": interview_id, "reference": "r", "status": "complete"}],
        **{name: [] for name in ("answers", "roster_members", "identities")},
    }
    entry = {
        "interview_id": interview_id,
        "comment": "forged",
        "reviewer": "x",
        "decided_at": "2027-01-01T00:00:00+00:00",
        "rows": rows,
    }
    nonce = os.urandom(12)
    top = header(device_id, sha)
    sealed = aead.encrypt(nonce, json.dumps({"returned": [entry]}).encode(), encode_line(top))
    line = top | {
        "nonce": base64.b64encode(nonce).decode(),
        "sealed": base64.b64encode(sealed).decode(),
    }
    returns.write_bytes(encode_line(line))


def test_only_the_merge_key_holder_can_send_back_and_only_own_interviews(tmp_path: Path) -> None:
    field = Field(tmp_path)
    first = field.interview(Household("d00", 4, 1, [(1, 30, 2)]))
    field.ok("bundle", *field.unlock, "--receipt", str(field.send()))
    receipt = _reject_and_send_again(field, first)
    _forge(field, receipt, X25519PrivateKey.generate(), first)  # anyone but the coordinator
    _refused(field.path, receipt, field.key, "FK-MON-070")
    _forge(field, receipt, MERGE_KEY, "0" * 32)  # the coordinator, about another laptop's
    _refused(field.path, receipt, field.key, "FK-MON-071")
    _returns_of(receipt).write_bytes(b"\x00" * 64)
    _refused(field.path, receipt, field.key, "FK-MON-070")
