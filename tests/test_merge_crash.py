"""A merge that dies mid-import leaves the store as before or as after a bundle, never between (P9)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from fieldkit.merge import MergeOptions, MergeProgress, merge_bundles
from fieldkit.store.coordinator import open_coordinator
from tests.merge_fixtures import MERGE_KEY, Field, build_field, dump_lines, register_all

QUIET = MergeOptions(merge_key=MERGE_KEY, write_receipts=False, batch_interviews=2)


class Fault(Exception):
    pass


@pytest.fixture(scope="module")
def field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    return build_field(tmp_path_factory.mktemp("field"))


@pytest.fixture(scope="module")
def states(field: Field, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A store holding d01's bundles (before), and the same after d00's bundle (after)."""
    folder = tmp_path_factory.mktemp("states")
    before = folder / "before.sqlite"
    register_all(field, str(before))
    assert merge_bundles(field.laptops[1].bundles, str(before), field.project, QUIET).ok
    with open_coordinator(before) as db:
        db.checkpoint()
    after = folder / "after.sqlite"
    shutil.copy(before, after)
    bundle = field.laptops[0].bundles[0]
    report = merge_bundles([bundle], str(after), field.project, QUIET)
    assert report.ok and report.interviews_new > 10
    return {
        "file": before,
        "bundle": bundle,
        "before": dump_lines(str(before)),
        "after": dump_lines(str(after)),
    }


def _copy(states: dict[str, object], folder: Path) -> str:
    store = folder / f"hq-{time.monotonic_ns()}.sqlite"
    shutil.copy(states["file"], store)  # type: ignore[arg-type]
    return str(store)


def _fault_after(rows: int) -> Callable[[MergeProgress], None]:
    def progress(event: MergeProgress) -> None:
        if event.rows_written >= rows:
            raise Fault(rows)

    return progress


def test_a_fault_after_any_row_write_leaves_the_store_as_before(
    field: Field, states: dict[str, object], tmp_path: Path
) -> None:
    total = 0

    def count(event: MergeProgress) -> None:
        nonlocal total
        total = event.rows_written

    store = _copy(states, tmp_path)
    merge_bundles(
        [states["bundle"]],
        store,
        field.project,
        MergeOptions(merge_key=MERGE_KEY, progress=count, write_receipts=False, batch_interviews=2),
    )  # type: ignore[list-item]
    assert dump_lines(store) == states["after"]
    for rows in sorted({1, 2, 3, total - 1, total, *range(1, total, max(1, total // 25))}):
        store = _copy(states, tmp_path)
        options = MergeOptions(
            merge_key=MERGE_KEY,
            progress=_fault_after(rows),
            write_receipts=False,
            batch_interviews=2,
        )
        with pytest.raises(Fault):
            merge_bundles([states["bundle"]], store, field.project, options)  # type: ignore[list-item]
        assert dump_lines(store) == states["before"], rows
        with open_coordinator(store) as db:
            assert db.integrity_check() == ["ok"]


def _child_merge(
    store: str, bundle: Path, field: Field, write_fd: int, stop_at: int | None
) -> None:
    """In the forked child: merge, telling the parent after each batch; maybe wait to be killed."""
    events = 0

    def progress(event: MergeProgress) -> None:
        nonlocal events
        events += 1
        os.write(write_fd, b".")
        if stop_at is not None and events >= stop_at:
            time.sleep(30)  # the parent kills us here, mid-transaction

    merge_bundles(
        [bundle],
        store,
        field.project,
        MergeOptions(
            merge_key=MERGE_KEY, progress=progress, write_receipts=False, batch_interviews=2
        ),
    )
    os.write(write_fd, b"!")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_sigkill_mid_import_leaves_before_or_after(
    field: Field, states: dict[str, object], tmp_path: Path
) -> None:
    rng = random.Random(11)
    seen = set()
    plans: list[tuple[int | None, float]] = [(k, 0.0) for k in (1, 2, 5, 9, 14)]
    plans += [(None, rng.uniform(0.0, 0.25)) for _ in range(5)]
    for stop_at, delay in plans:
        store = _copy(states, tmp_path)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                os.close(read_fd)
                _child_merge(store, states["bundle"], field, write_fd, stop_at)  # type: ignore[arg-type]
            finally:
                os._exit(0)
        os.close(write_fd)
        if stop_at is not None:
            got = b""
            while len(got) < stop_at and (chunk := os.read(read_fd, 1)):
                got += chunk
        else:
            time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_fd)
        with open_coordinator(store) as db:
            assert db.integrity_check() == ["ok"]
        state = dump_lines(store)
        assert state in (states["before"], states["after"]), (stop_at, delay)
        seen.add("before" if state == states["before"] else "after")
    assert "before" in seen
