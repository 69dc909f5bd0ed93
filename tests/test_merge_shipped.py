"""Every row check lets through what the laptop really writes: every example interview of the
five shipped instruments, entered through the engine, bundled and merged, on both backends.
(The demo's synthetic households are merged the same way by ``tests/test_demo.py``.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.bundle import init_device, write_bundle
from fieldkit.capture.scripted import check_script, load_answer_file, store_script
from fieldkit.merge import merge_bundles, register_device
from fieldkit.merge.rowcheck import MAX_MEMBER
from fieldkit.project import Project, load_project
from fieldkit.store import LaptopStore
from tests.conftest import REPO
from tests.merge_fixtures import BACKENDS, PROJECT_KEY, fresh_store

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


@pytest.fixture(scope="module")
def project() -> Project:
    found = load_project([REPO / "protocols", REPO / "instruments"])
    assert found.report.ok, [issue.one_line() for issue in found.report.issues]
    return found


@pytest.fixture(scope="module")
def bundle(project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("laptop")
    laptop = folder / "laptop.sqlite"
    instruments = set()
    with LaptopStore.open(laptop, project_public_key=PROJECT_KEY.public_key()) as store:
        for example in EXAMPLES:
            script, _doc = load_answer_file(example)
            form = project.forms[script.instrument]
            store_script(store, form, check_script(form, example))
            instruments.add(form.id)
    assert len(instruments) == 5, instruments
    key, _, _ = init_device(laptop)
    out = folder / "examples.fkb"
    write_bundle(laptop, out, key)
    return out, key


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_examples_of_every_instrument_are_merged(
    project: Project, bundle: tuple[Path, object], backend: str, tmp_path: Path
) -> None:
    path, key = bundle
    with fresh_store(backend, tmp_path) as store:
        register_device(store, key.public)  # type: ignore[attr-defined]
        report = merge_bundles([path], store, project)
        assert report.ok, report.to_dict()["issues"]
        assert report.interviews_new == len(EXAMPLES)


def test_the_member_bound_is_the_engines() -> None:
    from fieldkit.capture import MAX_MEMBERS

    assert MAX_MEMBER == MAX_MEMBERS
