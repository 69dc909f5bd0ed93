"""P6: an answer acknowledged by ``LaptopStore.apply`` survives the app being killed.

A forked child writes interviews through the store and, after each call returns, writes an
acknowledgement line to a pipe. The parent SIGKILLs it at a random point (after a random number of
acknowledgements plus a fraction of a call, or while it is still opening the database), then checks ``PRAGMA integrity_check`` and that
every acknowledged record is in the file with exactly the acknowledged value. Each key is
written once, so a record that is present is the acknowledged one, never a later overwrite.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
import traceback
from pathlib import Path
from typing import NoReturn

import pytest

from fieldkit.store import LaptopStore
from fieldkit.store.records import InterviewStatus, MemberChange
from tests.test_store_helpers import PROJECT_KEYS, STORE_KEY, answer, make_form, raw_rows

ITERATIONS = 200
SEED = 20_261_129
MAX_ACKS = 18  # an interview is 8 to 14 acknowledgements: kills land in the first or second
OPENING = 0.04  # a forked child needs ~40 ms to open (new engine, cold caches)
IN_FLIGHT = 0.003  # about one apply: the kill lands inside the next call


def _ack(fd: int, *parts: object) -> None:
    os.write(fd, (" ".join(str(p) for p in parts) + "\n").encode())


def _interview(store: LaptopStore, fd: int, seed: int, rng: random.Random) -> None:
    form = make_form()
    interview = store.create_interview(form=form, enumerator="e", language="en")
    _ack(fd, "I", interview)
    size = rng.randrange(1, 30)
    store.apply(interview, [answer("hh_size", size)])
    _ack(fd, "A", interview, "hh_size", 0, json.dumps(size))
    store.apply(interview, [answer("remarks", f"r{seed}")])  # free text: sealed
    _ack(fd, "S", interview, "remarks", 0)
    store.apply(interview, [answer("respondent_name", f"N{seed}", pii=True)])
    _ack(fd, "S", interview, "respondent_name", 0)
    for member in range(1, rng.randrange(2, 5)):
        store.apply(interview, members=[MemberChange("children", member, True)])
        _ack(fd, "M", interview, "children", member)
        store.apply(
            interview,
            [answer("child_age", 5 + member, member), answer("child_name", "C", member, pii=True)],
        )
        _ack(fd, "A", interview, "child_age", member, json.dumps(5 + member))
        _ack(fd, "S", interview, "child_name", member)
    store.finish(interview, InterviewStatus.COMPLETE)
    _ack(fd, "F", interview)


def _child(path: Path, fd: int, seed: int) -> NoReturn:
    code = 0
    try:
        rng = random.Random(seed)
        store = LaptopStore.open(path, project_keys=PROJECT_KEYS, key=STORE_KEY)
        _ack(fd, "O", "-")
        for _ in range(4):
            _interview(store, fd, seed, rng)
        store.close()
    except BaseException:
        _ack(fd, "E", traceback.format_exc().replace("\n", " | "))
        code = 1
    os._exit(code)


def _run_and_kill(path: Path, seed: int, after_acks: int, delay: float) -> list[list[str]]:
    """Fork a writer; SIGKILL it ``delay`` s after its ``after_acks``-th acknowledgement.

    Counting acknowledgements rather than milliseconds puts the kills at the same places in the
    work however fast or loaded the machine is.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_fd)
        _child(path, write_fd, seed)
    os.close(write_fd)
    received = b""
    while received.count(b"\n") < after_acks and (chunk := os.read(read_fd, 65536)):
        received += chunk
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while chunk := os.read(read_fd, 65536):
        received += chunk
    os.close(read_fd)
    text = received.decode()
    complete = text[: text.rfind("\n") + 1]  # a line cut by the kill was never acknowledged
    return [line.split(" ") for line in complete.splitlines()]


class Acknowledged:
    def __init__(self) -> None:
        self.opened = 0
        self.interviews: set[str] = set()
        self.answers: dict[tuple[str, str, int], object] = {}
        self.sealed: set[tuple[str, str, int]] = set()
        self.members: set[tuple[str, str, int]] = set()
        self.finished: set[str] = set()

    def add(self, parts: list[str]) -> None:
        kind, interview, *rest = parts
        assert kind != "E", " ".join(parts)
        if kind == "O":
            self.opened += 1
        elif kind == "I":
            self.interviews.add(interview)
        elif kind == "A":
            self.answers[(interview, rest[0], int(rest[1]))] = json.loads(" ".join(rest[2:]))
        elif kind == "S":
            self.sealed.add((interview, rest[0], int(rest[1])))
        elif kind == "M":
            self.members.add((interview, rest[0], int(rest[1])))
        elif kind == "F":
            self.finished.add(interview)

    def check(self, path: Path) -> None:
        store = LaptopStore.open(path, project_keys=PROJECT_KEYS, key=STORE_KEY)
        try:
            assert store.database.integrity_check() == ["ok"]
            statuses = dict(raw_rows(store, "SELECT id, status FROM interviews"))
            assert self.interviews <= set(statuses)
            assert all(statuses[i] == "complete" for i in self.finished)
            found = {
                (i, q, m): json.loads(v)
                for i, q, m, v in raw_rows(
                    store, "SELECT interview_id, question, member, value FROM answers"
                )
            }
            assert all(found.get(key, "missing") == value for key, value in self.answers.items())
            sealed = set(
                raw_rows(
                    store,
                    "SELECT i.id, d.question, d.member FROM identities d "
                    "JOIN interviews i ON i.reference = d.reference",
                )
            )
            assert self.sealed <= sealed
            assert self.members <= set(
                raw_rows(store, "SELECT interview_id, roster, member FROM roster_members")
            )
        finally:
            store.close()


@pytest.mark.slow
def test_sigkill_never_loses_an_acknowledged_answer(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    acknowledged = Acknowledged()
    paths = [tmp_path / f"laptop-{n}.sqlite" for n in range(4)]
    per_path = {path: Acknowledged() for path in paths}
    for iteration in range(ITERATIONS):
        path = paths[iteration % len(paths)]
        after = 0 if rng.random() < 0.3 else rng.randrange(1, MAX_ACKS)  # 0: while it opens
        delay = rng.uniform(0, OPENING if after == 0 else IN_FLIGHT)
        lines = _run_and_kill(path, seed=iteration, after_acks=after, delay=delay)
        for parts in lines:
            per_path[path].add(parts)
            acknowledged.add(parts)
        if path.exists():
            per_path[path].check(path)
    # kills landed while opening, mid-interview, and after whole interviews
    assert acknowledged.opened < ITERATIONS - 5
    assert len(acknowledged.interviews) > len(acknowledged.finished) > 5
    assert len(acknowledged.answers) > 100
