"""Excel export against raw xlsxwriter, on the same rows, in the same run.

    .venv/bin/python bench/export_xlsx.py [--rows 500000] [--repeat 2]

Each measurement runs in a fresh child process (so peak RSS is its own): ``raw`` writes a
header and the rows with xlsxwriter's constant-memory mode and ``write_row``; ``fieldkit``
writes the same rows as a roster table through ``write_xlsx`` (About, Codebook and Tables
sheets included, atomic rename, progress hook). Rows come from the same generator: 20
columns of ids, codes, ages, hours, weights, text, don't-know codes and blanks. Reports
seconds, speed relative to raw (raw time / fieldkit time: 1.0 is as fast) and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = 20


def rows(n: int, dont_know: object) -> Iterator[tuple[object, ...]]:
    """The bench rows; ``dont_know`` is '.d' for raw xlsxwriter, Special.DONT_KNOW for fieldkit."""
    districts = ("north_1", "north_2", "south_1", "centre_1")
    for i in range(n):
        yield (
            f"iv{i // 6:07d}",
            i % 6 + 1,
            101 + i % 97,
            1 + i % 9,
            districts[i % 4],
            round(150.0 + (i % 113) * 1.7, 3),
            1 + i % 2,
            dont_know if i % 101 == 0 else i % 18,
            1 + i % 3,
            None if i % 7 == 0 else "farm wage",
            i % 50,
            1 + i % 2,
            1 + (i + 1) % 2,
            "none" if i % 5 else "dust chemicals",
            1 + i % 2,
            i % 30,
            1 if i % 9 == 0 else 0,
            1 + i % 4,
            i % 2,
            None if i % 3 else "internal",
        )


def _raw(path: Path, n: int) -> None:
    import xlsxwriter  # noqa: PLC0415 - each child imports only what it measures

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("members")
    sheet.write_row(0, 0, [f"v{c}" for c in range(COLUMNS)])
    for r, row in enumerate(rows(n, ".d"), start=1):
        sheet.write_row(r, 0, row)
    workbook.close()


def _fieldkit(path: Path, n: int) -> None:
    from fieldkit.dataset import Dataset, Special, StreamTable, StudyInfo, Variable, VarType  # noqa: PLC0415
    from fieldkit.export import write_xlsx  # noqa: PLC0415

    study = StudyInfo(
        title={"en": "Bench"},
        protocol_id="bench",
        form_id="bench",
        form_title={"en": "Bench"},
        form_version="1",
        form_hash="sha256:0",
        kind="household",
        data_use_statement={"en": "Benchmark only"},
        methodology={},
    )
    variables = [Variable(f"v{c}", {"en": f"v{c}"}, VarType.INTEGER) for c in range(COLUMNS)]
    table = StreamTable("members", variables, lambda: rows(n, Special.DONT_KNOW), n_rows=n)
    dataset = Dataset(study, "en", {"members": table}, main="members")
    write_xlsx(dataset, [], path, progress=lambda *_: None)


def child(which: str, n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{which}.xlsx"
        started = time.perf_counter()
        (_raw if which == "raw" else _fieldkit)(path, n)
        seconds = time.perf_counter() - started
        size = path.stat().st_size
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"which": which, "seconds": seconds, "peak_mib": peak_kib / 1024, "bytes": size}
    print(json.dumps(result))


def measure(which: str, n: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", which, "--rows", str(n)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", choices=("raw", "fieldkit"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        child(args.child, args.rows)
        return
    best: dict[str, dict[str, float]] = {}
    for _ in range(args.repeat):
        for which in ("raw", "fieldkit"):
            result = measure(which, args.rows)
            if which not in best or result["seconds"] < best[which]["seconds"]:
                best[which] = result
    raw, ours = best["raw"], best["fieldkit"]
    print(f"rows: {args.rows:,} x {COLUMNS} columns, best of {args.repeat}")
    for name, result in best.items():
        print(
            f"  {name:9s} {result['seconds']:7.2f} s   peak RSS {result['peak_mib']:6.1f} MiB"
            f"   {result['bytes'] / 2**20:6.1f} MiB file"
        )
    print(f"  speed vs raw xlsxwriter: {raw['seconds'] / ours['seconds']:.2f}x")


if __name__ == "__main__":
    main()
