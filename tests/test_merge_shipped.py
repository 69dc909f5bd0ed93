"""Every row check lets through what the laptop really writes: every example interview of the
five shipped instruments, entered through the engine, bundled and merged, on both backends.
(The demo's synthetic households are merged the same way by ``tests/test_demo.py``.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.bundle import DevicePublicKey, init_device, write_bundle
from fieldkit.capture.scripted import check_script, load_answer_file, store_script
from fieldkit.merge import merge_bundles, register_device
from fieldkit.merge.rowcheck import MAX_MEMBER
from fieldkit.privacy.keys import fingerprint
from fieldkit.project import Project, load_project
from fieldkit.store import LaptopStore
from tests.conftest import REPO
from tests.merge_fixtures import BACKENDS, MERGING, Forgery, device_key_of, fresh_store
from tests.test_store_helpers import IDENTITY_KEY, MERGE_KEY, PROJECT_KEYS, STORE_KEY

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def project() -> Project:
    found = load_project([REPO / "protocols", REPO / "instruments"])
    assert found.report.ok, [issue.one_line() for issue in found.report.issues]
    return found


@pytest.fixture(scope="module")
def bundle(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, DevicePublicKey, Path]:
    folder = tmp_path_factory.mktemp("laptop")
    laptop = folder / "laptop.sqlite"
    instruments = set()
    with LaptopStore.open(laptop, project_keys=PROJECT_KEYS, key=STORE_KEY) as store:
        for example in EXAMPLES:
            script, _doc = load_answer_file(example)
            form = project.forms[script.instrument]
            store_script(store, form, check_script(form, example))
            instruments.add(form.id)
    assert len(instruments) == 5, instruments
    public, _ = init_device(laptop, STORE_KEY)
    out = folder / "examples.fkb"
    write_bundle(laptop, out, STORE_KEY)
    return out, public, laptop


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_examples_of_every_instrument_are_merged(
    project: Project, bundle: tuple[Path, DevicePublicKey, Path], backend: str, tmp_path: Path
) -> None:
    path, public, _ = bundle
    with fresh_store(backend, tmp_path) as store:
        register_device(store, public)
        report = merge_bundles([path], store, project, MERGING)
        assert report.ok, report.to_dict()["issues"]
        assert report.interviews_new == len(EXAMPLES)


def test_the_member_bound_is_the_engines() -> None:
    from fieldkit.capture import MAX_MEMBERS

    assert MAX_MEMBER == MAX_MEMBERS


_MERGE_ID = fingerprint(MERGE_KEY.public_key())
_IDENTITY_ID = fingerprint(IDENTITY_KEY.public_key())


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        (  # a free-text answer kept readable: a stolen laptop's thief reading notes back
            "INSERT INTO answers SELECT id, 'enumerator_notes', 0, '\"the trafficker\"', "
            "'answered', updated_at FROM interviews WHERE form_id = 'street_cl'",
            "free text in plain text",
        ),
        (  # a name sealed to the merge key would open without the custodians
            f"UPDATE identities SET key_id = '{_MERGE_ID}' WHERE question = 'respondent_name'",
            "sealed to the wrong key",
        ),
        (  # free text sealed to the identity key: recode could never open it
            f"UPDATE identities SET key_id = '{_IDENTITY_ID}' WHERE question = 'enumerator_notes'",
            "sealed to the wrong key",
        ),
        (
            f"UPDATE identities SET key_id = '{_IDENTITY_ID}' "
            "WHERE question = 'consent.exception_note'",
            "sealed to the wrong key",
        ),
        (  # the exception's note belongs to the interview, never to a roster member
            "UPDATE identities SET member = 3 WHERE question = 'consent.exception_note'",
            "not at the question's level",
        ),
    ],
)
def test_sealed_values_out_of_place_are_refused(
    project: Project,
    bundle: tuple[Path, DevicePublicKey, Path],
    statement: str,
    reason: str,
    tmp_path: Path,
) -> None:
    """Format 3 seals identities to the identity key, free text and the consent exception's
    note to the merge key: a signed bundle that puts one elsewhere is refused (FK-BUNDLE-010)."""
    path, public, laptop = bundle
    forged = Forgery.of(path, tmp_path)
    forged.sql(statement)
    forged.recount()
    out = forged.write(tmp_path / "forged.fkb", device_key_of(laptop))
    store = str(tmp_path / "hq.sqlite")
    register_device(store, public)
    report = merge_bundles([out], store, project, MERGING)
    [refused] = report.bundles
    assert (refused.status, refused.code) == ("rejected", "FK-BUNDLE-010")
    assert reason in (refused.reason or ""), refused.reason
