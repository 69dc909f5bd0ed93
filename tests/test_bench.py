"""The benchmark harness runs end to end on the tiny size (no timing assertions)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGES = (
    "merge",
    "merge (duckdb)",
    "flatten",
    "table",
    "monitor",
    "export",
    "engine",
    "capture",
    "compile",
    "xlsform import",
    "release",
    "profile",
    "routes",
    "startup: fieldkit --help",
    "startup: fieldkit check (one instrument)",
)
NUMBER = re.compile(r"([\d.,]+) (s|ms|µs|MiB)$")


def _positive(cell: str) -> bool:
    found = NUMBER.match(cell.strip())
    return found is not None and float(found.group(1).replace(",", "")) > 0


@pytest.mark.slow
def test_the_harness_prints_every_stage_with_positive_numbers(tmp_path: Path) -> None:
    out = tmp_path / "latest.md"
    done = subprocess.run(
        [
            *(sys.executable, str(ROOT / "bench" / "run"), "--size", "tiny"),
            *("--data", str(tmp_path / "data"), "--out", str(out), "--startup-runs", "3"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.read_text() in done.stdout
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")][1:]
    rows = {
        c[0]: c[1:] for c in ([x.strip() for x in line.strip("|").split("|")] for line in table)
    }
    assert set(rows) == set(STAGES)
    for stage, (ours, floor, ratio, our_rss, floor_rss, count) in rows.items():
        assert _positive(ours), (stage, ours)
        assert _positive(our_rss), (stage, our_rss)
        assert int(count.replace(",", "")) > 0, (stage, count)
        if stage == "merge (duckdb)" and floor.strip() == "not installed":
            continue
        if stage in ("compile", "xlsform import") and floor.strip() == "pyxform not installed":
            continue
        assert _positive(floor), (stage, floor)
        assert float(ratio.rstrip("x")) > 0, (stage, ratio)
        if stage != "engine":
            assert _positive(floor_rss), (stage, floor_rss)
    generated = tmp_path / "data" / "tiny" / "generated.json"
    assert generated.exists()
