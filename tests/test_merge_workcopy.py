"""The payload's working copy: private (0600) in the store's own folder, gone after the merge,
swept by the next merge when a killed one left it, and a folder that cannot hold it is one
line (FK-MERGE-031), never a traceback.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fieldkit.bundle.workcopy import PREFIX
from fieldkit.merge import MergeOptions, MergeProgress, merge_bundles
from tests.conftest import REPO
from tests.merge_fixtures import (
    MERGE_KEY,
    Field,
    build_field,
    dump_lines,
    merge_key_args,
    register_all,
    write_project_folder,
)

QUIET = MergeOptions(write_receipts=False, merge_key=MERGE_KEY)


@pytest.fixture(scope="module")
def field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    return build_field(tmp_path_factory.mktemp("field"), districts=3, households=4, problems=False)


def _copies(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{PREFIX}*"))


def test_the_copy_is_private_in_the_stores_folder_and_removed(field: Field, tmp_path: Path) -> None:
    store = tmp_path / "hq.sqlite"
    register_all(field, str(store))
    seen: list[tuple[str, int]] = []

    def progress(_event: MergeProgress) -> None:
        seen.extend((p.name, stat.S_IMODE(p.stat().st_mode)) for p in _copies(tmp_path))

    options = MergeOptions(
        write_receipts=False, progress=progress, batch_interviews=1, merge_key=MERGE_KEY
    )
    assert merge_bundles(field.laptops[0].bundles, str(store), field.project, options).ok
    assert seen and {mode for _, mode in seen} == {0o600}
    assert all(name.endswith(".sqlite") for name, _ in seen)
    assert _copies(tmp_path) == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads around
def test_copies_left_by_a_killed_merge_are_swept_live_ones_kept(
    field: Field, tmp_path: Path
) -> None:
    store = tmp_path / "hq.sqlite"
    register_all(field, str(store))
    bundle = field.laptops[0].bundles[0]
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child: merge, and wait inside the import to be killed

        def wait(_event: MergeProgress) -> None:
            time.sleep(60)

        try:
            merge_bundles(
                [bundle],
                str(store),
                field.project,
                MergeOptions(progress=wait, merge_key=MERGE_KEY),
            )
        finally:
            os._exit(0)
    try:
        deadline = time.monotonic() + 120
        while not _copies(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = _copies(tmp_path)
        assert left, "the child never copied its payload"
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert _copies(tmp_path) == left  # the kill left it: plaintext answers on disk
    live = tmp_path / f"{PREFIX}live.sqlite"
    live.write_bytes(b"")
    with live.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a merge still running holds its copy
        assert merge_bundles([bundle], str(store), field.project, QUIET).ok
        assert _copies(tmp_path) == [live]
    assert merge_bundles([], str(store), field.project, QUIET).ok
    assert _copies(tmp_path) == []


# -- a store folder the merge cannot write into ---------------------------------------------


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder another user can enter (pytest's own are private to this user)."""
    folder = Path(tempfile.mkdtemp(prefix="fk-readonly-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in (folder, *folder.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def _without_root_override() -> Callable[[], None] | None:
    """Root writes into any folder (CAP_DAC_OVERRIDE): a run as root drops that one power
    from its bounding set before exec, so folder permissions bind it as they bind a user."""
    if os.geteuid() != 0:
        return None

    def drop() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1


def test_a_read_only_store_folder_is_one_line(field: Field, open_folder: Path) -> None:
    """The folder is read-only, the store and its -wal/-shm are writable (a store another
    process keeps open): the payload copy cannot be made, so one line and nothing merged."""
    protocols, instruments = write_project_folder(open_folder / "project")
    stores = open_folder / "stores"
    stores.mkdir()
    store = stores / "hq.sqlite"
    register_all(field, str(store))
    bundle = open_folder / "north.fkb"
    shutil.copy(field.laptops[0].bundles[0], bundle)
    before = dump_lines(str(store))
    keeper = sqlite3.connect(store)  # keeps -wal and -shm in place while the merge runs
    try:
        keeper.execute("SELECT count(*) FROM devices").fetchone()
        assert (stores / "hq.sqlite-wal").exists() and (stores / "hq.sqlite-shm").exists()
        stores.chmod(0o555)
        command = [sys.executable, "-c", "from fieldkit.cli import main; main()", "merge"]
        command += [str(bundle), "--into", str(store), "--project", str(protocols)]
        command += ["--project", str(instruments), *merge_key_args(open_folder)]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=open_folder,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            timeout=300,
            check=False,
            preexec_fn=_without_root_override(),
        )
    finally:
        keeper.close()
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "FK-MERGE-031" in output and "Traceback" not in output, output
    stores.chmod(0o755)
    assert dump_lines(str(store)) == before
