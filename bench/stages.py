"""One measurement per child process: ``python bench/stages.py STAGE SIDE --size S --work DIR``.

Prints one JSON line: ``{"seconds": ..., "rows": ...}`` (``seconds`` covers the measured work
only, not imports or untimed setup). Peak RSS is taken by the parent from the operating
system (``os.wait4``), so each child imports only what its side needs.
"""

from __future__ import annotations

import argparse
import gc
import json
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for entry in (str(ROOT), str(BENCH)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

CAPTURE = ("interviews", "answers", "roster_members", "paradata", "identities")
SIDES = ("fieldkit", "floor", "duckdb")


def _store(work: Path) -> Path:
    return work / "merged.sqlite"


# -- merge -----------------------------------------------------------------------------------


def merge_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    import datagen  # noqa: PLC0415

    from fieldkit.merge import MergeOptions, merge_bundles, register_device  # noqa: PLC0415

    layout = datagen.Layout.of(args.size, args.data)
    project = datagen.make_project(layout.districts)
    store = _store(args.work)
    for stale in args.work.glob("merged.sqlite*"):
        stale.unlink()
    for key in datagen.device_keys(layout):
        register_device(store, key)
    bundles = layout.bundles()
    seed = json.loads(layout.manifest.read_text())["seed"]
    options = MergeOptions(merge_key=datagen.merge_key(seed))
    if args.profile:
        import cProfile  # noqa: PLC0415

        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.runcall(merge_bundles, bundles, store, project, options)
        seconds = time.perf_counter() - start
        profiler.dump_stats(str(args.profile))
    else:
        start = time.perf_counter()
        merge_bundles(bundles, store, project, options)
        seconds = time.perf_counter() - start
    with sqlite3.connect(store) as db:
        rows = sum(
            db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in CAPTURE
            if t != "paradata"
        )
        rows += db.execute("SELECT coalesce(sum(events), 0) FROM event_logs").fetchone()[0]
    return {"seconds": seconds, "rows": rows}


def merge_floor(args: argparse.Namespace) -> dict[str, Any]:
    """Raw SQLite: ATTACH each laptop and INSERT OR IGNORE ... SELECT its rows into keyed
    tables (the same floor as ``tests/merge_fixtures.py``'s bench mode). The laptops are
    plain copies of the encrypted stores: the floor decrypts nothing, verifies nothing."""
    laptops = sorted((args.data / args.size / "laptops-plain").glob("*.sqlite"))
    out = args.work / "floor.sqlite"
    for stale in args.work.glob("floor.sqlite*"):
        stale.unlink()
    db = sqlite3.connect(out, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    with sqlite3.connect(laptops[0]) as first:
        schema = first.execute(
            "SELECT sql FROM sqlite_master WHERE type='table' AND name IN (?,?,?,?,?)", CAPTURE
        ).fetchall()
    for (sql,) in schema:
        db.execute(sql)
    paradata = "interview_id, at, event, question, member, elapsed_ms, detail"
    rows = 0
    start = time.perf_counter()
    for source in laptops:
        db.execute("ATTACH ? AS src", (str(source),))
        db.execute("BEGIN")
        for table in CAPTURE:
            if table == "paradata":  # laptop row ids collide across laptops: new ids here
                sql = f"INSERT INTO main.paradata ({paradata}) SELECT {paradata} FROM src.paradata"
            else:
                sql = f"INSERT OR IGNORE INTO main.{table} SELECT * FROM src.{table}"
            rows += db.execute(sql).rowcount
        db.execute("COMMIT")
        db.execute("DETACH src")
    seconds = time.perf_counter() - start
    db.close()
    return {"seconds": seconds, "rows": rows}


def merge_duckdb(args: argparse.Namespace) -> dict[str, Any]:
    import duckdb  # noqa: PLC0415

    laptops = sorted((args.data / args.size / "laptops-plain").glob("*.sqlite"))
    out = args.work / "floor.duckdb"
    out.unlink(missing_ok=True)
    db = duckdb.connect(str(out))
    db.execute("INSTALL sqlite; LOAD sqlite;")
    start = time.perf_counter()
    rows = 0
    for n, source in enumerate(laptops):
        db.execute(f"ATTACH '{source}' AS src (TYPE sqlite)")
        for table in CAPTURE:
            if n == 0:
                db.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table} LIMIT 0")
            db.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
        db.execute("DETACH src")
    for table in CAPTURE:
        rows += db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return {"seconds": time.perf_counter() - start, "rows": rows}


# -- flatten ---------------------------------------------------------------------------------


def _flattened(args: argparse.Namespace) -> tuple[Any, float]:
    import datagen  # noqa: PLC0415

    from fieldkit.dataset.store import flatten_store  # noqa: PLC0415
    from fieldkit.store.coordinator import open_coordinator  # noqa: PLC0415

    layout = datagen.Layout.of(args.size, args.data)
    form = datagen.make_project(layout.districts).forms["hh_bench"]
    start = time.perf_counter()
    with open_coordinator(_store(args.work)) as db, db.read() as conn:
        dataset = flatten_store(conn, form, role="statistician")
        tables = {name: dataset.table(name) for name in dataset.tables}
    return (dataset, tables), time.perf_counter() - start


def flatten_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    (_, tables), seconds = _flattened(args)
    return {"seconds": seconds, "rows": sum(t.n_rows for t in tables.values())}


INCLUDED = "SELECT interview_id FROM merged_interviews WHERE included"
HOUSEHOLD_SQL = f"""
SELECT i.id, i.enumerator, i.started_at,
  max(CASE WHEN a.question = 'district' THEN json_extract(a.value, '$') END),
  max(CASE WHEN a.question = 'cluster' THEN json_extract(a.value, '$') END),
  max(CASE WHEN a.question = 'hh_number' THEN json_extract(a.value, '$') END),
  max(CASE WHEN a.question = 'hh_weight' THEN json_extract(a.value, '$') END),
  max(CASE WHEN a.question = 'hh_size' THEN json_extract(a.value, '$') END)
FROM interviews i JOIN answers a ON a.interview_id = i.id AND a.member = 0
WHERE i.id IN ({INCLUDED})
GROUP BY i.id ORDER BY i.id
"""
MEMBER_SQL = f"""
SELECT m.interview_id, m.member, h.district, h.cluster, h.weight,
  max(CASE WHEN a.question = 'sex' THEN json_extract(a.value, '$') END) AS sex,
  max(CASE WHEN a.question = 'age' THEN json_extract(a.value, '$') END) AS age,
  max(CASE WHEN a.question = 'works' THEN json_extract(a.value, '$') END) AS works
FROM roster_members m
JOIN (SELECT interview_id,
        max(CASE WHEN question = 'district' THEN json_extract(value, '$') END) AS district,
        max(CASE WHEN question = 'cluster' THEN json_extract(value, '$') END) AS cluster,
        max(CASE WHEN question = 'hh_weight' THEN json_extract(value, '$') END) AS weight
      FROM answers WHERE member = 0 GROUP BY interview_id) h ON h.interview_id = m.interview_id
LEFT JOIN answers a ON a.interview_id = m.interview_id AND a.member = m.member
WHERE m.interview_id IN ({INCLUDED})
GROUP BY m.interview_id, m.member ORDER BY m.interview_id, m.member
"""


def flatten_floor(args: argparse.Namespace) -> dict[str, Any]:
    """One json_extract statement per analysis table (household, members), fetched whole."""
    db = sqlite3.connect(_store(args.work))
    start = time.perf_counter()
    households = db.execute(HOUSEHOLD_SQL).fetchall()
    members = db.execute(MEMBER_SQL).fetchall()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(households) + len(members)}


# -- monitoring report -----------------------------------------------------------------------


def monitor_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    """build_monitor (every table and flag, paradata parsed) + the HTML page + the JSON."""
    import datagen  # noqa: PLC0415

    from fieldkit.monitor import build_monitor  # noqa: PLC0415
    from fieldkit.monitor.html import render_html  # noqa: PLC0415

    layout = datagen.Layout.of(args.size, args.data)
    project = datagen.make_project(layout.districts)
    start = time.perf_counter()
    report = build_monitor(_store(args.work), project)
    page = render_html(report)
    text = json.dumps(report.to_dict())
    seconds = time.perf_counter() - start
    args.work.joinpath("monitor.html").write_text(page, encoding="utf-8")
    return {
        "seconds": seconds,
        "rows": sum(f.total.visited for f in report.forms),
        "json": len(text),
    }


MONITOR_FLOOR_SQL = (
    "SELECT i.form_id, i.enumerator, i.status, m.district, date(i.started_at), count(*) "
    "FROM interviews i JOIN merged_interviews m ON m.interview_id = i.id GROUP BY 1, 2, 3, 4, 5",
    "SELECT interview_id, status, count(*) FROM answers GROUP BY interview_id, status",
    "SELECT m.form_id, a.question, a.status, count(*) FROM answers a "
    "JOIN merged_interviews m ON m.interview_id = a.interview_id GROUP BY 1, 2, 3",
)


def monitor_floor(args: argparse.Namespace) -> dict[str, Any]:
    """The report's counting in raw sqlite3: visits by form, enumerator, status, district
    and day, answer statuses per interview and per question; no paradata, no flags."""
    db = sqlite3.connect(_store(args.work))
    start = time.perf_counter()
    rows = sum(len(db.execute(sql).fetchall()) for sql in MONITOR_FLOOR_SQL)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows}


# -- weighted table --------------------------------------------------------------------------


def table_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    """estimate_proportion of members who work, by district x sex (weighted, with SEs),
    on the members table already flattened (flattening is its own stage)."""
    from fieldkit.stats import estimate_proportion  # noqa: PLC0415

    (dataset, tables), _ = _flattened(args)
    members = next(t for name, t in tables.items() if name != dataset.main)
    works = members.variable("works")
    value = next(iter(works.value_labels))
    gc.collect()  # flattening's garbage is the flatten stage's, not this one's
    start = time.perf_counter()
    result = estimate_proportion(
        members, "works", ["district", "sex"], study=dataset.study, value=value, threshold=0
    )
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": members.n_rows, "cells": len(result.estimates)}


def table_floor(args: argparse.Namespace) -> dict[str, Any]:
    """A single GROUP BY (weighted share, no variance) over the same members, flat in SQLite."""
    db = sqlite3.connect(":memory:")
    db.execute(f"ATTACH '{_store(args.work)}' AS s")
    db.execute(
        "CREATE TABLE members AS "
        + MEMBER_SQL.replace("FROM interviews", "FROM s.interviews")
        .replace("FROM roster_members", "FROM s.roster_members")
        .replace("JOIN answers", "JOIN s.answers")
        .replace("FROM answers", "FROM s.answers")
        .replace("FROM merged_interviews", "FROM s.merged_interviews")
    )
    rows = db.execute("SELECT count(*) FROM members").fetchone()[0]
    start = time.perf_counter()
    cells = db.execute(
        "SELECT district, sex, sum(weight * (works = '1')) / sum(weight), count(*) "
        "FROM members WHERE works IS NOT NULL GROUP BY district, sex"
    ).fetchall()
    return {"seconds": time.perf_counter() - start, "rows": rows, "cells": len(cells)}


# -- export ----------------------------------------------------------------------------------


def _export(args: argparse.Namespace, which: str) -> dict[str, Any]:
    import export_xlsx  # noqa: PLC0415

    path = args.work / f"export-{which}.xlsx"
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    (export_xlsx._raw if which == "raw" else export_xlsx._fieldkit)(path, args.rows)
    seconds = time.perf_counter() - start
    path.unlink()
    return {"seconds": seconds, "rows": args.rows}


def export_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    return _export(args, "fieldkit")


def export_floor(args: argparse.Namespace) -> dict[str, Any]:
    return _export(args, "raw")


# -- engine ----------------------------------------------------------------------------------


def engine_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    import random  # noqa: PLC0415
    import statistics  # noqa: PLC0415

    import engine_step  # noqa: PLC0415

    from fieldkit.capture import Engine  # noqa: PLC0415

    form = engine_step.compile_form(1000)
    session = Engine(form).start()
    while session.consenting:
        prompt = session.current()
        assert prompt is not None
        session.answer(engine_step.random_answer(prompt, random.Random(0), 6))
    steps, given = engine_step.drive(session, random.Random(1), 6)
    floor = engine_step.floor(given)
    args.work.joinpath("engine-floor.json").write_text(json.dumps(statistics.median(floor)))
    return {"seconds": statistics.median(steps) / 1e9, "rows": len(steps), "median": True}


def engine_floor(args: argparse.Namespace) -> dict[str, Any]:
    """engine_step.floor (a dict assignment per answer) on the answers the fieldkit side gave:
    measured in that child, reported here."""
    median = json.loads(args.work.joinpath("engine-floor.json").read_text())
    return {"seconds": median / 1e9, "rows": 0, "median": True, "same_process": True}


# -- capture ---------------------------------------------------------------------------------

CAPTURE_ANSWERS = 400


def capture_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    """Median ``LaptopStore.apply`` of one answer, durable on return: the encrypted store
    (SQLCipher, WAL, synchronous=FULL); every fourth answer identifying, sealed as captured."""
    import os  # noqa: PLC0415
    import statistics  # noqa: PLC0415

    import datagen  # noqa: PLC0415

    from fieldkit.store import LaptopStore, StoreKey  # noqa: PLC0415
    from fieldkit.store.records import (  # noqa: PLC0415
        AnswerChange,
        AnswerStatus,
        ConsentOutcome,
        ConsentRecord,
        MemberChange,
    )

    path = args.work / "capture.sqlite"
    for stale in args.work.glob("capture.sqlite*"):
        stale.unlink()
    form = datagen.make_project(3).forms["hh_bench"]
    key = StoreKey(os.urandom(32))
    times = []
    with LaptopStore.open(path, project_keys=datagen.project_keys(), key=key) as store:
        interview = store.create_interview(form=form, enumerator="E07", language="en")
        store.record_consent(
            interview, ConsentRecord(ConsentOutcome.GIVEN, "adult", 40, adult_consent=True)
        )
        store.apply(interview, members=[MemberChange("members", 1, True)])
        for n in range(CAPTURE_ANSWERS):
            question, value = (
                ("first_name", f"Name {n}") if n % 4 == 0 else ("age", n % 90)
            )  # a sealed answer, then three plain ones
            change = AnswerChange(question, 1, value, AnswerStatus.ANSWERED)
            start = time.perf_counter_ns()
            store.apply(interview, [change])
            times.append(time.perf_counter_ns() - start)
    return {"seconds": statistics.median(times) / 1e9, "rows": len(times), "median": True}


def capture_floor(args: argparse.Namespace) -> dict[str, Any]:
    """Raw sqlite3, unencrypted: one INSERT OR REPLACE and COMMIT per answer in WAL with
    synchronous=FULL (the durability the laptop store promises, without anything else)."""
    import statistics  # noqa: PLC0415

    path = args.work / "capture-floor.sqlite"
    for stale in args.work.glob("capture-floor.sqlite*"):
        stale.unlink()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE answers (q TEXT, m INTEGER, v TEXT, PRIMARY KEY (q, m))")
    times = []
    for n in range(CAPTURE_ANSWERS):
        start = time.perf_counter_ns()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT OR REPLACE INTO answers VALUES (?, 1, ?)", ("age", json.dumps(n % 90)))
        db.execute("COMMIT")
        times.append(time.perf_counter_ns() - start)
    db.close()
    return {"seconds": statistics.median(times) / 1e9, "rows": len(times), "median": True}


# -- compile ---------------------------------------------------------------------------------


def compile_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    import engine_step  # noqa: PLC0415

    from fieldkit.instrument.compiler import compile_text  # noqa: PLC0415
    from fieldkit.instrument.source import parse_source  # noqa: PLC0415
    from fieldkit.protocol.compiler import compile_protocol_document  # noqa: PLC0415

    text = engine_step.instrument(1000)
    protocol, _ = compile_protocol_document(parse_source(engine_step.PROTOCOL, "p.yaml"))
    assert protocol is not None
    start = time.perf_counter()
    result = compile_text(text, {protocol.id: protocol}, "bench.yaml")
    seconds = time.perf_counter() - start
    assert result.form is not None
    return {"seconds": seconds, "rows": len(result.form.questions)}


def compile_floor(args: argparse.Namespace) -> dict[str, Any]:
    """pyxform on the same instrument as an XLSForm (written untimed, converted timed)."""
    from pyxform.xls2xform import convert  # noqa: PLC0415

    import xlsform  # noqa: PLC0415

    path = args.work / "bench_form.xlsx"
    questions = xlsform.write(path, 1000)
    start = time.perf_counter()
    result = convert(xlsform=str(path))
    seconds = time.perf_counter() - start
    assert result.xform
    return {"seconds": seconds, "rows": questions}


# -- xlsform import ---------------------------------------------------------------------------


def xlsform_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    """`fieldkit xlsform import` of the same XLSForm pyxform converts: read the workbook,
    translate every row and expression, write the YAML, compile it with the real compiler."""
    import engine_step  # noqa: PLC0415

    import xlsform  # noqa: PLC0415
    from fieldkit.instrument.source import parse_source  # noqa: PLC0415
    from fieldkit.protocol.compiler import compile_protocol_document  # noqa: PLC0415
    from fieldkit.xlsform import import_xlsform  # noqa: PLC0415

    path = args.work / "bench_form.xlsx"
    xlsform.write(path, 1000)
    protocol, _ = compile_protocol_document(parse_source(engine_step.PROTOCOL, "p.yaml"))
    assert protocol is not None
    start = time.perf_counter()
    result = import_xlsform(path, {protocol.id: protocol}, protocol=protocol.id)
    seconds = time.perf_counter() - start
    assert result.form is not None, [i.one_line() for i in result.report.issues]
    return {"seconds": seconds, "rows": result.questions}


# -- release ---------------------------------------------------------------------------------


def release_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    """publish(): the release's tables protected together (moves, hiding, audit)."""
    import release  # noqa: PLC0415
    from fieldkit.release import publish  # noqa: PLC0415

    dataset = release.generated(args.size)
    tables = release.tables(dataset)
    start = time.perf_counter()
    _, outcome = publish(dataset, tables)
    seconds = time.perf_counter() - start
    sensitive = sum(1 for count in outcome.counts if count.sensitive)
    return {
        "seconds": seconds,
        "rows": dataset.table(dataset.main).n_rows,
        "hidden": len(outcome.hidden),
        "sensitive": sensitive,
        "moves": outcome.moves,
        "audited": outcome.audited,
    }


def release_floor(args: argparse.Namespace) -> dict[str, Any]:
    """One linear program per hidden cell (its maximum) over the same final system: what an
    audit of the finished pattern costs at the least, without choosing it."""
    import numpy as np  # noqa: PLC0415
    from scipy.optimize import linprog  # noqa: PLC0415
    from scipy.sparse import csr_array  # noqa: PLC0415

    import release  # noqa: PLC0415
    from fieldkit.release.counts import counts_of  # noqa: PLC0415
    from fieldkit.release.publish import publish  # noqa: PLC0415
    from fieldkit.release.tables import problem_of  # noqa: PLC0415

    dataset = release.generated(args.size)
    tables = release.tables(dataset)
    _, outcome = publish(dataset, tables)  # untimed: only to know the final pattern
    counts = counts_of(tables, dataset.study.small_cell_threshold, set())
    problem, index = problem_of(dataset, [(c.table, c.where) for c in counts])
    hidden = {index[i] for i in outcome.hidden}
    shown = [c for c in range(len(problem.counts)) if c not in hidden]
    rows = [r for r, c in enumerate(shown) for _ in problem.counts[c].atoms]
    columns = [a for c in shown for a in problem.counts[c].atoms]
    matrix = csr_array((np.ones(len(rows)), (rows, columns)), (len(shown), problem.n_atoms))
    values = np.array([problem.counts[c].value for c in shown], dtype=float)
    start = time.perf_counter()
    for count in sorted(hidden):
        objective = np.zeros(problem.n_atoms)
        objective[list(problem.counts[count].atoms)] = -1.0
        linprog(objective, A_eq=matrix, b_eq=values, bounds=(0, None), method="highs")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": dataset.table(dataset.main).n_rows}


# -- profile and routes (issue 17) -----------------------------------------------------------


def _children_sqlite(size: str) -> tuple[sqlite3.Connection, int]:
    """The same generated children in an in-memory SQLite table (untimed)."""
    import trafficking  # noqa: PLC0415

    table = trafficking.generated(size).table("hh__members")
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE children ({', '.join(table.names)})")
    marks = ", ".join("?" * len(table.names))
    db.executemany(f"INSERT INTO children VALUES ({marks})", table.rows())
    return db, len(table)


def profile_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    """profile_tables() (weighted shares and ratios, linearised CIs) + publish()."""
    import trafficking  # noqa: PLC0415

    from fieldkit.profiles import profile_tables, separations  # noqa: PLC0415
    from fieldkit.release import publish  # noqa: PLC0415

    dataset = trafficking.generated(args.size)
    gc.collect()
    start = time.perf_counter()
    tables = profile_tables(dataset, ["tip_child"], trafficking.BY)
    estimated = time.perf_counter() - start
    published, outcome = publish(dataset, list(tables))
    separations(published)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "estimate_seconds": estimated,
        "rows": len(dataset.table("hh__members")),
        "hidden": len(outcome.hidden),
    }


def profile_floor(args: argparse.Namespace) -> dict[str, Any]:
    """One GROUP BY per characteristic: the weighted share with the outcome, no variance,
    no ratio, no release."""
    import trafficking  # noqa: PLC0415

    db, rows = _children_sqlite(args.size)
    start = time.perf_counter()
    for name in trafficking.BY:
        db.execute(
            f"SELECT {name}, sum(hh_weight * (tip_child = 1)) / sum(hh_weight), count(*) "
            f"FROM children GROUP BY {name}"
        ).fetchall()
    return {"seconds": time.perf_counter() - start, "rows": rows}


def routes_fieldkit(args: argparse.Namespace) -> dict[str, Any]:
    """route_tables() (routes derived, rare ones folded) + publish() + the GeoJSON flows."""
    import trafficking  # noqa: PLC0415

    from fieldkit.release import publish  # noqa: PLC0415
    from fieldkit.routes import flows, flows_geojson, route_tables  # noqa: PLC0415

    dataset = trafficking.generated(args.size)
    gc.collect()
    start = time.perf_counter()
    tables = route_tables(dataset, {})
    tabulated = time.perf_counter() - start
    _, outcome = publish(dataset, list(tables))
    flows_geojson(flows(tables[0]), [])
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "tabulate_seconds": tabulated,
        "rows": len(dataset.table("hh__members")),
        "routes": len(tables[0].rows),
        "hidden": len(outcome.hidden),
    }


def routes_floor(args: argparse.Namespace) -> dict[str, Any]:
    """One GROUP BY origin, transit, destination, outcome: counts only, nothing folded or
    protected."""
    db, rows = _children_sqlite(args.size)
    start = time.perf_counter()
    db.execute(
        "SELECT tip_origin_place, coalesce(tip_transit_place, 'direct'), tip_exploit_place, "
        "tip_child, count(*) FROM children WHERE tip_origin_place IS NOT NULL "
        "OR tip_exploit_place IS NOT NULL GROUP BY 1, 2, 3, 4"
    ).fetchall()
    return {"seconds": time.perf_counter() - start, "rows": rows}


STAGES: dict[str, dict[str, Callable[[argparse.Namespace], dict[str, Any]]]] = {
    "merge": {"fieldkit": merge_fieldkit, "floor": merge_floor, "duckdb": merge_duckdb},
    "flatten": {"fieldkit": flatten_fieldkit, "floor": flatten_floor},
    "table": {"fieldkit": table_fieldkit, "floor": table_floor},
    "export": {"fieldkit": export_fieldkit, "floor": export_floor},
    "monitor": {"fieldkit": monitor_fieldkit, "floor": monitor_floor},
    "engine": {"fieldkit": engine_fieldkit, "floor": engine_floor},
    "capture": {"fieldkit": capture_fieldkit, "floor": capture_floor},
    "compile": {"fieldkit": compile_fieldkit, "floor": compile_floor},
    "xlsform": {"fieldkit": xlsform_fieldkit, "floor": compile_floor},
    "release": {"fieldkit": release_fieldkit, "floor": release_floor},
    "profile": {"fieldkit": profile_fieldkit, "floor": profile_floor},
    "routes": {"fieldkit": routes_fieldkit, "floor": routes_floor},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("side", choices=SIDES)
    parser.add_argument("--size", required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    result = STAGES[args.stage][args.side](args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
