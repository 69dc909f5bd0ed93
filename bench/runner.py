"""The harness behind ``bench/run``: children, peak RSS from ``os.wait4``, one table."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SEED = 2027
EXPORT_ROWS = {"tiny": 2_000, "small": 50_000, "national": 500_000}

FLOORS = {
    "merge": "raw sqlite3: ATTACH each laptop, INSERT OR IGNORE ... SELECT",
    "merge (duckdb)": "DuckDB: ATTACH each laptop (sqlite extension), INSERT ... SELECT",
    "flatten": "one SQLite json_extract pivot statement per analysis table",
    "table": "one SQL GROUP BY (weighted share, no variance) over the same members",
    "monitor": "the report's GROUP BYs in raw sqlite3 (visits, answer statuses), no flags",
    "export": "raw xlsxwriter constant_memory, write_row of the same cells",
    "engine": "dict assignment per answer (median step; floor in the same process)",
    "capture": "raw sqlite3, unencrypted: INSERT OR REPLACE + COMMIT per answer, WAL, FULL",
    "compile": "pyxform xls2xform.convert on the equivalent XLSForm",
    "xlsform import": "pyxform xls2xform.convert of the same XLSForm (to an XForm)",
    "release": "one linear program (scipy linprog, HiGHS) per hidden cell over the final system",
    "profile": "one SQL GROUP BY per characteristic (weighted share, no variance, no ratio)",
    "routes": "one SQL GROUP BY origin, transit, destination (counts, nothing protected)",
    "startup": "python -c pass with the same interpreter (median of interleaved runs)",
}


@dataclass
class Measure:
    seconds: float
    rows: int
    peak_mib: float
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Row:
    stage: str
    ours: Measure | None
    floor: Measure | None
    note: str = ""


def child(stage: str, side: str, args: argparse.Namespace, *extra: str) -> Measure:
    """Run one side of a stage in a fresh interpreter; peak RSS from the kernel's rusage."""
    command = [
        sys.executable,
        str(BENCH / "stages.py"),
        stage,
        side,
        "--size",
        args.size,
        "--data",
        str(args.data),
        "--work",
        str(args.work),
        *extra,
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{stage}/{side} failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    seconds, rows = float(result.pop("seconds")), int(result.pop("rows"))
    return Measure(seconds, rows, peak, result)


def ensure_data(args: argparse.Namespace) -> dict[str, Any]:
    """The cached data, generated again (in a child) when missing or stale: another seed,
    bundle format or form hash (bundles naming an old form hash would all be refused)."""
    manifest = args.data / args.size / "generated.json"
    print(f"checking {args.size} data under {args.data / args.size} ...", flush=True)
    command = [sys.executable, str(BENCH / "generate"), "--size", args.size]
    subprocess.run(
        [*command, "--out", str(args.data), "--seed", str(SEED), "--if-stale"],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    summary: dict[str, Any] = json.loads(manifest.read_text())
    return summary


def _time(m: Measure) -> str:
    s = m.seconds
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def _rss(m: Measure | None) -> str:
    if m is None or m.extra.get("same_process"):
        return "(same process)" if m is not None else "n/a"
    return f"{m.peak_mib:.0f} MiB"


def render(rows: list[Row]) -> list[str]:
    lines = [
        "| stage | fieldkit time | floor time | ratio | fieldkit peak RSS | floor peak RSS"
        " | rows |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ours, floor = row.ours, row.floor
        ratio = (
            f"{ours.seconds / floor.seconds:.2f}x"
            if ours is not None and floor is not None and floor.seconds > 0
            else "n/a"
        )
        count = ours.rows if ours is not None else floor.rows if floor is not None else 0
        lines.append(
            f"| {row.stage} | {_time(ours) if ours else 'n/a'} | "
            f"{_time(floor) if floor else row.note or 'n/a'} | {ratio} | {_rss(ours)} | "
            f"{_rss(floor)} | {count:,} |"
        )
    return lines


def machine(load_before: tuple[float, ...], load_after: tuple[float, ...]) -> list[str]:
    meminfo = Path("/proc/meminfo")
    total = "?"
    if meminfo.exists():
        first = meminfo.read_text().splitlines()[0].split()
        total = f"{int(first[1]) / 2**20:.1f} GiB"
    return [
        f"- machine: {os.cpu_count()} CPUs (nproc), {total} RAM, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}",
        f"- load average (1/5/15 min): before {' '.join(f'{x:.2f}' for x in load_before)}, "
        f"after {' '.join(f'{x:.2f}' for x in load_after)}",
    ]


def run(args: argparse.Namespace) -> list[str]:
    data = ensure_data(args)
    args.work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    started = dt.datetime.now(dt.UTC)
    rows: list[Row] = []

    def stage(name: str, key: str, *extra: str, floor: bool = True) -> None:
        print(f"  {name} ...", file=sys.stderr, flush=True)
        ours = child(key, "fieldkit", args, *extra)
        theirs = child(key, "floor", args, *extra) if floor else None
        rows.append(Row(name, ours, theirs))

    stage("merge", "merge")
    if importlib.util.find_spec("duckdb") is not None:
        rows.append(Row("merge (duckdb)", rows[0].ours, child("merge", "duckdb", args)))
    else:
        rows.append(Row("merge (duckdb)", rows[0].ours, None, "not installed"))
    stage("flatten", "flatten")
    stage("table", "table")
    stage("monitor", "monitor")
    stage("export", "export", "--rows", str(args.export_rows))
    stage("engine", "engine")
    stage("capture", "capture")
    has_pyxform = importlib.util.find_spec("pyxform") is not None
    stage("compile", "compile", floor=has_pyxform)
    if not has_pyxform:
        rows[-1].note = "pyxform not installed"
    stage("xlsform import", "xlsform", floor=has_pyxform)
    if not has_pyxform:
        rows[-1].note = "pyxform not installed"
    stage("release", "release")
    stage("profile", "profile")
    stage("routes", "routes")
    import startup  # noqa: PLC0415 - beside this file, like the stage modules

    for name, arguments in startup.COMMANDS.items():
        print(f"  {name} ...", file=sys.stderr, flush=True)
        rows.append(Row(name, *startup.measure_pair(arguments, args.startup_runs)))
    load_after = os.getloadavg()
    profiled: list[str] = []
    if args.profile:
        print("  merge under cProfile ...", file=sys.stderr, flush=True)
        args.profile.parent.mkdir(parents=True, exist_ok=True)
        took = child("merge", "fieldkit", args, "--profile", str(args.profile))
        profiled = [
            "",
            f"Merge under cProfile (not in the table): {took.seconds:.2f} s, "
            f"profile in {args.profile} (`python -m pstats`).",
        ]
    head = [
        f"## bench `{args.size}` — {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- data: {data['districts']} districts x {data['households'] // data['districts']:,} "
        f"households "
        f"(+{data['content']} content duplicates, {data['conflict']} unit conflicts; "
        f"{data['resent']} re-sent, {data['consent']} consent failures), "
        f"{data['rows']:,} laptop rows, {data['roster_rows']:,} roster members, "
        f"seed {data['seed']}",
        f"- export: {args.export_rows:,} roster-like rows x 20 columns",
        *machine(load_before, load_after),
        "",
        *render(rows),
        "",
        "Floors:",
        *(f"- {name}: {what}" for name, what in FLOORS.items()),
        *profiled,
    ]
    return head


def main() -> None:
    parser = argparse.ArgumentParser(description="fieldkit benchmark: stages vs floors")
    parser.add_argument("--size", choices=("tiny", "small", "national"), default="small")
    parser.add_argument("--data", type=Path, default=BENCH / "data")
    parser.add_argument("--export-rows", type=int, default=None)
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "latest.md")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile the merge here")
    parser.add_argument("--startup-runs", type=int, default=15, help="runs per start-up row")
    args = parser.parse_args()
    args.data = args.data.resolve()
    args.profile = args.profile.resolve() if args.profile else None
    args.work = args.data / args.size / "work"
    if args.export_rows is None:
        args.export_rows = EXPORT_ROWS[args.size]
    lines = run(args)
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
