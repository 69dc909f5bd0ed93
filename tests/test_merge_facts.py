"""The per-interview facts read in SQL equal a plain Python reading of explicitly sorted rows.

``fieldkit.merge.facts`` relies on SQLite feeding ``group_concat`` / ``json_group_array`` in
the payload's key order (a range scan of a WITHOUT ROWID key, no sort). If a SQLite release
ever fed them otherwise, content hashes and event logs would change: this test would fail.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import uuid
from collections import Counter

import pytest

from fieldkit.bundle.payload import create_payload_schema
from fieldkit.merge.facts import BadRows, read_facts
from tests.merge_fixtures import make_project

T = "2027-02-01 09:{:02d}:{:02d}.{:06d}"
FORM = make_project().forms["hh_merge"]
TOP = {"district": lambda r: f"d{r.randrange(40):02d}", "cluster": lambda r: r.randrange(-5, 99)}
PER_MEMBER = {"sex": lambda r: str(r.choice([1, 2])), "age": lambda r: r.randrange(99)}
MERGE_KEY = {"merge_key_id": "sha256:00112233aabbccdd"}
"""The merge key free text would be sealed to (these payloads seal nothing)."""


def _payload(rng: random.Random, interviews: int) -> sqlite3.Connection:
    """Interviews of the merge fixtures' household form, rows inserted in a shuffled order
    (only the key may decide the order read back), every row one a laptop could write."""
    conn = sqlite3.connect(":memory:")
    create_payload_schema(conn)
    for n in range(interviews):
        iid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        conn.execute(
            "INSERT INTO interviews VALUES (?, 'hh_merge', ?, 'household', 'test_protocol', "
            "'e1', 'd1', 'en', 'complete', NULL, NULL, ?, ?, ?, NULL, ?)",
            (iid, FORM.hash, f"{n:032x}", n + 1, T.format(0, 0, n), T.format(1, 0, n)),
        )
        members = rng.sample(range(1, 6), rng.randrange(4))
        answers = [(q, 0, make(rng)) for q, make in TOP.items() if rng.random() < 0.8]
        answers += [(q, m, make(rng)) for m in members for q, make in PER_MEMBER.items()]
        for question, member, value in rng.sample(answers, len(answers)):
            conn.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, 'answered', ?)",
                (iid, question, member, json.dumps(value), T.format(rng.randrange(60), 1, n)),
            )
        for member in rng.sample(members, len(members)):
            conn.execute("INSERT INTO roster_members VALUES (?, 'members', ?)", (iid, member))
        for event_id in rng.sample(range(1, 200), rng.randrange(8)):
            conn.execute(
                "INSERT INTO paradata VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                (
                    iid,
                    event_id,
                    T.format(rng.randrange(60), 2, event_id),
                    rng.choice(["answer", "consent", "change", "open"]),
                    rng.choice([None, "cluster", "consent.language"]),
                    rng.choice([None, 12]),
                    rng.choice([None, 'say "hi"\n', "ü\\"]),
                ),
            )
    return conn


def _expected(conn: sqlite3.Connection, iid: str) -> tuple[str | None, str]:
    answers = sorted(
        conn.execute(
            "SELECT question, member, value, status FROM answers WHERE interview_id = ?", (iid,)
        ).fetchall()
    )
    members = sorted(
        conn.execute(
            "SELECT roster, member FROM roster_members WHERE interview_id = ?", (iid,)
        ).fetchall()
    )
    content = None
    if answers:
        parts = ["hh_merge", "\x1e".join("\x1f".join(str(v) for v in row) for row in answers)]
        if members:
            parts.append("\x1e".join("\x1f".join(str(v) for v in row) for row in members))
        content = hashlib.sha256("\x1d".join(parts).encode("utf-8")).hexdigest()
    events = sorted(
        conn.execute(
            "SELECT id, at, event, question, member, elapsed_ms, detail FROM paradata "
            "WHERE interview_id = ?",
            (iid,),
        ).fetchall()
    )
    log = [list(row[1:]) for row in events]
    return content, json.dumps(log, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("seed", range(5))
def test_sql_facts_equal_a_python_reading_of_sorted_rows(seed: int) -> None:
    conn = _payload(random.Random(seed), 60)
    totals = Counter({t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _TABLES})
    seen = 0
    for batch in read_facts(
        conn, "main", forms=[FORM], wanted=(), batch=7, totals=totals, **MERGE_KEY
    ):
        for facts in batch:
            content, log = _expected(conn, facts.id)
            assert facts.content_hash == content
            assert json.loads(facts.event_log) == json.loads(log)
            assert facts.event_log == log  # byte for byte: PostgreSQL stores the same text
            seen += 1
    assert seen == 60


_TABLES = ("interviews", "answers", "roster_members", "paradata", "identities")


def test_rows_of_no_interview_are_refused() -> None:
    conn = _payload(random.Random(9), 3)
    conn.execute(
        "INSERT INTO answers VALUES ('zzzz', 'cluster', 0, '1', 'answered', ?)",
        (T.format(0, 0, 0),),
    )
    totals = Counter({t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _TABLES})
    with pytest.raises(BadRows, match="belong to no interview"):
        for _batch in read_facts(
            conn, "main", forms=[FORM], wanted=(), batch=2, totals=totals, **MERGE_KEY
        ):
            pass
