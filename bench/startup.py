"""Start-up time of the command line, against an interpreter that does nothing.

Each command runs as a user runs it, a fresh interpreter per run through the same entry point
as the ``fieldkit`` script; the floor is ``python -c pass`` with the same interpreter, runs
interleaved so both see the same machine. Bytecode is written and used as after an install
(one untimed warm-up run first). The median wall time of the runs is reported, and the
largest peak RSS.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from runner import ROOT, Measure

__all__ = ["COMMANDS", "RUNS", "measure_pair"]

RUNS = 15
ENTRY = "from fieldkit.cli import main; main()"
COMMANDS = {
    "startup: fieldkit --help": ["--help"],
    "startup: fieldkit check (one instrument)": [
        "check",
        str(ROOT / "instruments" / "street.yaml"),
    ],
}
FLOOR = [sys.executable, "-c", "pass"]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached
    return env


def _once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return seconds, usage.ru_maxrss / 1024


def measure_pair(arguments: list[str], runs: int = RUNS) -> tuple[Measure, Measure]:
    """(fieldkit, floor): median seconds over ``runs`` interleaved runs of each."""
    env = _environment()
    command = [sys.executable, "-c", ENTRY, *arguments]
    _once(command, env)  # writes the bytecode, as an install does
    ours, floor = [], []
    for _ in range(runs):
        ours.append(_once(command, env))
        floor.append(_once(FLOOR, env))
    return _measure(ours), _measure(floor)


def _measure(samples: list[tuple[float, float]]) -> Measure:
    seconds = statistics.median(s for s, _ in samples)
    return Measure(seconds, len(samples), max(rss for _, rss in samples))


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parent)
    for name, arguments in COMMANDS.items():
        mine, base = measure_pair(arguments)
        ratio = mine.seconds / base.seconds
        print(f"{name}: {mine.seconds * 1e3:.0f} ms vs {base.seconds * 1e3:.0f} ms ({ratio:.1f}x)")
