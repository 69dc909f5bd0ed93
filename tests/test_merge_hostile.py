"""Hostile bundle files (``tests/hostile_bundles.py``), each merged in the same command as a
valid bundle, on SQLite and PostgreSQL: the hostile file is refused alone, with one line and
its code; the valid bundle is merged; the store ends exactly as the valid bundle alone leaves
it (only ``bundle_rejections`` says the hostile file came), and on SQLite a hostile file
merged alone leaves the store file byte for byte as it was.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from fieldkit.bundle.untrusted import shown
from fieldkit.merge import MergeOptions, MergeReport, merge_bundles
from tests.hostile_bundles import VARIANTS, Kit, Variant
from tests.merge_fixtures import (
    BACKENDS,
    MERGE_KEY,
    PG_URL,
    Field,
    build_field,
    dump_lines,
    fresh_store,
    merge_key_args,
    register_all,
    settled_sha256,
    write_project_folder,
)

QUIET = MergeOptions(record_rejections=False, write_receipts=False, merge_key=MERGE_KEY)


@dataclass
class Scene:
    field: Field
    before: list[Path]
    """Merged before: the victim laptop's bundle among them."""
    valid: Path
    """Given in the same command as every hostile file."""

    def kit(self, folder: Path) -> Kit:
        victim, thief = self.field.laptops[0], self.field.laptops[3]
        return Kit(folder, thief.bundles[0], thief.key, victim.bundles[0], victim.key)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    field_ = build_field(
        tmp_path_factory.mktemp("laptops"), districts=4, households=4, problems=False
    )
    laptops = field_.laptops
    return Scene(field_, [laptops[0].bundles[0], laptops[1].bundles[0]], laptops[2].bundles[0])


@dataclass
class Stores:
    """A store holding the bundles merged before, copied cheaply for each test."""

    backend: str
    base: str
    folder: Path
    expected: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def copy(self) -> Iterator[str]:
        if self.backend == "sqlite":
            path = self.folder / f"hq-{uuid.uuid4().hex[:8]}.sqlite"
            shutil.copy(self.base, path)
            yield str(path)
            return
        assert PG_URL is not None
        name = "fk_" + uuid.uuid4().hex[:12]
        template = make_url(self.base).database
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
            yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()


@pytest.fixture(scope="module")
def store_sets(
    scene: Scene, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Stores]]:
    """A base store per backend, made on first use, dropped at the end of the module."""
    with contextlib.ExitStack() as stack:
        made: dict[str, Stores] = {}

        class Lazy(dict[str, Stores]):
            def __missing__(self, backend: str) -> Stores:
                made[backend] = _base_store(stack, backend, scene, tmp_path_factory)
                return made[backend]

        yield Lazy()


def _base_store(
    stack: contextlib.ExitStack, backend: str, scene: Scene, factory: pytest.TempPathFactory
) -> Stores:
    folder = factory.mktemp(f"stores-{backend}")
    base = stack.enter_context(fresh_store(backend, folder))
    register_all(scene.field, base)
    assert merge_bundles(scene.before, base, scene.field.project, QUIET).ok
    if backend == "sqlite":
        settled_sha256(base)  # the WAL folded in: copying the file copies the store
    found = Stores(backend, base, folder)
    with found.copy() as alone:
        report = merge_bundles([scene.valid], alone, scene.field.project, _options(folder))
        assert [b.status for b in report.bundles] == ["merged"]
        found.expected = dump_lines(alone, skip=("bundle_rejections",))
    return found


@pytest.fixture(params=BACKENDS)
def stores(request: pytest.FixtureRequest, store_sets: dict[str, Stores]) -> Stores:
    return store_sets[request.param]


_READ_ONLY = {"FK-BUNDLE-001", "FK-BUNDLE-002", "FK-BUNDLE-004", "FK-BUNDLE-012"}
"""Refused from the file alone, before the store is read: the same code on every backend
(the corpus as a whole still goes to PostgreSQL too: ``test_every_hostile_file_at_once``)."""
_BACKENDS = [
    (b.values[0], b.marks) if hasattr(b, "values") else (b, ())  # type: ignore[union-attr]
    for b in BACKENDS
]
_CASES = [
    pytest.param(variant, backend, id=f"{backend}-{variant.name}", marks=marks)
    for variant in VARIANTS
    for backend, marks in _BACKENDS
    if variant.code not in _READ_ONLY or backend == "sqlite"
]


def _options(folder: Path) -> MergeOptions:
    return MergeOptions(receipts_dir=folder, merge_key=MERGE_KEY)


def _by_path(report: MergeReport) -> dict[str, tuple[str, str | None]]:
    return {b.path: (b.status, b.code) for b in report.bundles}


@pytest.mark.parametrize(("variant", "backend"), _CASES)
def test_a_hostile_file_is_refused_alone(
    variant: Variant, backend: str, scene: Scene, store_sets: dict[str, Stores], tmp_path: Path
) -> None:
    stores = store_sets[backend]
    path = variant.build(scene.kit(tmp_path))
    project = scene.field.project
    with stores.copy() as store:
        report = merge_bundles([path, scene.valid], store, project, _options(tmp_path))
        assert _by_path(report) == {
            shown(path): ("rejected", variant.code),
            shown(scene.valid): ("merged", None),
        }, report.to_dict()["issues"]
        [issue] = report.issues.issues
        assert issue.code == variant.code and "\n" not in issue.one_line()
        lines = dump_lines(store)
        [rejection] = [line for line in lines if line.startswith("bundle_rejections")]
        assert variant.code in rejection
        assert [line for line in lines if line != rejection] == stores.expected
    if stores.backend == "sqlite":
        with stores.copy() as store:
            before = settled_sha256(store)
            assert not merge_bundles([path], store, project, QUIET).ok
            assert settled_sha256(store) == before
            assert list(Path(store).parent.glob(".fieldkit-payload-*")) == []


def test_every_hostile_file_at_once(scene: Scene, stores: Stores, tmp_path: Path) -> None:
    """The whole corpus in one command with the valid bundle: each refused with its code."""
    kit = scene.kit(tmp_path)
    files = {str(variant.build(kit)): variant.code for variant in VARIANTS}
    with stores.copy() as store:
        report = merge_bundles(
            [*files, scene.valid], store, scene.field.project, _options(tmp_path)
        )
        outcomes = _by_path(report)
        assert outcomes.pop(str(scene.valid)) == ("merged", None)
        assert {path: code for path, (_, code) in outcomes.items()} == {
            shown(path): code for path, code in files.items()
        }
        assert dump_lines(store, skip=("bundle_rejections",)) == stores.expected


def test_the_command_line_merges_the_valid_file_and_names_each_refusal(
    scene: Scene, tmp_path: Path
) -> None:
    """``fieldkit merge`` run for real: exit 1, no traceback, every refused file named with
    its code, the valid bundle merged."""
    kit = scene.kit(tmp_path)
    chosen = {v.name: v for v in VARIANTS}
    names = (
        "dev-zero",
        "fifo",
        "manifest-200k-deep",
        "null-reference",
        "claims-another-laptops-id",
    )
    files = [chosen[name].build(kit) for name in names]
    protocols, instruments = write_project_folder(tmp_path / "project")
    store = tmp_path / "hq.sqlite"
    register_all(scene.field, str(store))
    assert merge_bundles(scene.before, str(store), scene.field.project, QUIET).ok
    command = [sys.executable, "-c", "from fieldkit.cli import main; main()", "merge"]
    command += [*map(str, files), str(scene.valid), "--into", str(store), "--json"]
    command += ["--receipts", str(tmp_path), "--project", str(protocols)]
    command += merge_key_args(tmp_path)
    command += ["--project", str(instruments)]
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    report = json.loads(result.stdout)
    assert sorted(item["code"] or "merged" for item in report["bundles"]["items"]) == sorted(
        [*(chosen[name].code for name in names), "merged"]
    )
    assert all("\n" not in issue["message"] for issue in report["issues"])


@pytest.mark.skipif(not PG_URL, reason="set FIELDKIT_TEST_PG_URL")
@pytest.mark.parametrize("name", ["sequence-2^40", "nul-in-text-value"])
def test_what_postgresql_cannot_hold_is_the_bundles_fault(
    name: str,
    scene: Scene,
    store_sets: dict[str, Stores],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Defence in depth: with the row checks switched off, a 2^40 sequence or a NUL byte
    reaches PostgreSQL, whose refusal is the bundle's (FK-BUNDLE-010), not a disk problem,
    and the valid bundle of the same command is merged."""
    from fieldkit.merge import rowcheck

    stores = store_sets["postgresql"]
    path = {v.name: v for v in VARIANTS}[name].build(scene.kit(tmp_path))
    monkeypatch.setattr(rowcheck, "_case", lambda *rules: "NULL")
    with stores.copy() as store:
        report = merge_bundles([path, scene.valid], store, scene.field.project, _options(tmp_path))
        assert _by_path(report) == {
            shown(path): ("rejected", "FK-BUNDLE-010"),
            shown(scene.valid): ("merged", None),
        }, report.to_dict()["issues"]
        assert dump_lines(store, skip=("bundle_rejections",)) == stores.expected
