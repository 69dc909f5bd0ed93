"""SIGKILL the real ``fieldkit collect --answers ... --trace`` process at random points.

``--trace`` prints ``saved NAME[MEMBER]`` once an answer is durable. Half the runs are killed
after a seeded number of those lines plus a seeded sliver of time (counting lines, not
milliseconds, puts those kills at the same places in the interview however loaded the
machine is); the other half at a seeded fraction of the time a whole run takes on this
machine (measured first), which spreads them over start-up, the consent block and the
storing, whether scripted entry commits answer by answer or the file as one batch.

After every kill: ``PRAGMA integrity_check`` is ok, and the interview holds exactly what the
engine had after one of its steps, at or after the step of the last acknowledged line: every
acknowledged answer is there (an identifying one in ``identities``), nothing half-written,
nothing that had not happened. The store's own test kills a forked writer hundreds of
times; this one proves the whole CLI path with ~20 real processes.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fieldkit.capture.scripted import check_script
from fieldkit.privacy.sealed_questions import free_text_questions
from fieldkit.store.records import AnswerChange, AnswerStatus, MemberChange
from tests.capture_helpers import (
    HOUSEHOLD,
    collect_command,
    database,
    form_of,
    interviews,
    make_study,
    stored,
)

SEED = 20_261_129
LANES = 2  # processes at a time, each lane with its own laptop database
KILLS_PER_LANE = 8  # real processes: start-up (~1.5 s of CPU each) dominates the time
IN_FLIGHT = 0.012  # up to about one commit: a line-counted kill lands inside the next step

State = tuple[frozenset[tuple[str, int, object, str]], frozenset[tuple[str, int]]]
"""(answers as (question, member, value or None for identities, status), roster members)."""


def _frozen(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class Plan:
    """What the file does, step by step, as the engine rehearses it."""

    states: list[State]
    """``states[j]``: the interview after step j is stored (``states[0]``: before any)."""
    step_of_line: list[int]
    """``step_of_line[n]``: the step whose commit the (n+1)-th ``saved`` line reports."""
    lines: list[str]


def _plan() -> Plan:
    checked = check_script(form_of("household"), HOUSEHOLD)
    answers: dict[tuple[str, int], tuple[object, str]] = {}
    members: set[tuple[str, int]] = set()
    states: list[State] = [(frozenset(), frozenset())]
    step_of_line: list[int] = []
    lines: list[str] = []
    for number, step in enumerate(checked.steps, 1):
        for record in step.records:
            if isinstance(record, MemberChange):
                key = (record.roster, record.member)
                if record.present:
                    members.add(key)
                else:
                    members.discard(key)
            elif isinstance(record, AnswerChange):
                step_of_line.append(number)
                lines.append(f"saved {record.question}[{record.member}]")
                where = (record.question, record.member)
                if record.status is AnswerStatus.CLEARED:
                    answers.pop(where, None)
                else:
                    sealed = record.pii or _is_free_text(record)
                    value = None if sealed else _frozen(record.value)
                    answers[where] = (value, str(record.status))
        states.append(
            (
                frozenset((q, m, v, s) for (q, m), (v, s) in answers.items()),
                frozenset(members),
            )
        )
    return Plan(states, step_of_line, lines)


def _is_free_text(record: AnswerChange) -> bool:
    """Free-text answers with a value are sealed by the store, like identifying ones (the
    ISIC/ISCO codes asked as text are codes, kept in clear)."""
    free_text = free_text_questions(form_of("household"))
    return record.question in free_text and record.status is AnswerStatus.ANSWERED


def _state(db: Path, interview_id: str) -> State:
    held = stored(db, interview_id)
    answers = {(q, m, _frozen(json.loads(v)), s) for q, m, v, s in held.answers}
    answers |= {(q, m, None, s) for q, m, s in held.identities}
    return frozenset(answers), frozenset(held.members)


@dataclass
class Run:
    after_lines: int | None = None
    """Kill after this many ``saved`` lines, and ``delay`` seconds."""
    at: float | None = None
    """Kill at this fraction of a whole run's time (when ``after_lines`` is None)."""
    delay: float = 0.0
    seen: list[str] = field(default_factory=list)
    killed: bool = False
    outcome: str = ""
    """What the database held afterwards: none, partial or complete."""

    @property
    def full(self) -> bool:
        return self.after_lines is None and self.at is None


def _lanes() -> list[list[Run]]:
    """Per lane: a whole run first (it times this machine), then the kills; lane 0 ends with
    a whole run again: a laptop killed that often still opens and takes an interview."""
    rng = random.Random(SEED)
    total = len(_plan().lines)
    lanes = []
    for _ in range(LANES):
        kills = [
            Run(after_lines=rng.randrange(1, total), delay=rng.uniform(0, IN_FLIGHT))
            if n % 2
            else Run(at=rng.uniform(0.05, 0.9))
            for n in range(KILLS_PER_LANE)
        ]
        lanes.append([Run(), *kills])
    lanes[0].append(Run())
    return lanes


def _run_and_kill(command: list[str], cwd: Path, run: Run, whole: float) -> float:
    """Start the CLI, SIGKILL it at the run's point; keep every complete line it printed.
    Returns how long the process lived."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None

    def kill() -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            run.killed = True

    timer = threading.Timer(whole * run.at, kill) if run.at is not None else None
    try:
        if timer is not None:
            timer.start()
        saved = 0
        for line in process.stdout:
            if not line.endswith("\n"):
                break  # cut short by the kill: not acknowledged
            run.seen.append(line.rstrip("\n"))
            saved += line.startswith("saved ")
            if saved == run.after_lines:
                time.sleep(run.delay)
                kill()
    finally:
        if timer is not None:
            timer.cancel()
        if process.poll() is None and run.full:
            process.wait(timeout=120)
        kill()
        process.wait(timeout=60)
        process.stdout.close()
    return time.monotonic() - started


def _check(db: Path, before: set[str], run: Run, plan: Plan) -> None:
    saved = [line for line in run.seen if line.startswith("saved ")]
    assert saved == plan.lines[: len(saved)], run  # in order, as the engine made them
    run.outcome = "none"
    if not db.exists():  # killed before the database was created
        assert not saved, run
        return
    with database(db) as conn:
        assert [tuple(r) for r in conn.execute("PRAGMA integrity_check")] == [("ok",)], run
    new = [row for row in interviews(db) if row["id"] not in before]
    if not new:
        assert not saved, ("acknowledged answers without an interview", run)
        return
    (row,) = new
    at_least = plan.step_of_line[len(saved) - 1] if saved else 0
    state = _state(db, row["id"])
    matches = [j for j, expected in enumerate(plan.states) if expected == state]
    assert matches and max(matches) >= at_least, (
        f"not the interview after step {at_least} or later: {run}",
        sorted(plan.states[at_least][0] - state[0])[:10],
    )
    run.outcome = "complete" if state == plan.states[-1] else "partial"
    if row["status"] == "complete":
        assert run.outcome == "complete", run


@pytest.mark.slow
def test_sigkill_at_random_points_loses_no_acknowledged_answer(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    plan = _plan()
    lanes = _lanes()
    failures: list[BaseException] = []

    def lane(index: int) -> None:
        db = tmp_path / f"laptop-{index}.sqlite"
        command = collect_command(study, "household", db, "--answers", str(HOUSEHOLD), "--trace")
        whole = 0.0
        try:
            for run in lanes[index]:
                before = {row["id"] for row in interviews(db)} if db.exists() else set()
                lived = _run_and_kill(command, study, run, whole)
                _check(db, before, run, plan)
                if run.full:
                    assert not run.killed and run.outcome == "complete", run
                    whole = whole or lived
        except BaseException as error:  # reported by the test thread below
            failures.append(error)

    threads = [threading.Thread(target=lane, args=(i,)) for i in range(LANES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]

    kills = [run for runs in lanes for run in runs if not run.full]
    # the kills really landed before the work was done, not only after it
    assert sum(run.killed for run in kills) >= len(kills) // 2
    assert sum(run.killed and run.outcome != "complete" for run in kills) >= 3
    assert lanes[0][-1].outcome == "complete"
