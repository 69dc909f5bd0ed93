"""Scripted entry (``fieldkit collect --answers FILE``), as a user runs it: every shipped
example lands with its status in a fresh study folder, and an invalid file is rejected with
the question, the reason and file:line, leaving the laptop database exactly as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fieldkit.cli import app
from fieldkit.errors import FieldkitError
from tests.capture_helpers import (
    EXAMPLE_FILES,
    EXAMPLES,
    HOUSEHOLD,
    PLANTED,
    UNLOCK,
    Example,
    Stored,
    database,
    file_bytes,
    interviews,
    make_study,
    only_interview,
    run_collect,
    stored,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_study(tmp_path_factory.mktemp("scripted"))


def collect(study: Path, instrument: str, db: Path, answers: Path) -> Result:
    """``fieldkit collect`` in this process (the real command; no start-up cost)."""
    path = study / "instruments" / f"{instrument}.yaml"
    args = ["collect", str(path), "--db", str(db), "--answers", str(answers), *UNLOCK]
    return runner.invoke(app, args)


def _row_counts(db: Path) -> dict[str, int]:
    tables = ("interviews", "answers", "identities", "roster_members", "paradata")
    with database(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


# -- every example lands ------------------------------------------------------------------


def _household(landed: Stored) -> None:
    """Three roster members; identifying answers and free text only in identities (sealed);
    paradata kept."""
    assert landed.members == (("members", 1), ("members", 2), ("members", 3))
    assert landed.identities == {
        ("respondent_name", 0, "answered"),
        ("respondent_phone", 0, "answered"),
        ("hh_address", 0, "answered"),
        ("first_name", 1, "answered"),
        ("first_name", 2, "answered"),
        ("first_name", 3, "answered"),
        ("occupation", 2, "answered"),  # free text: sealed too, whatever its pii mark
        ("industry", 2, "answered"),
        ("enumerator_notes", 0, "answered"),
    }
    values = {(q, m): json.loads(v) for q, m, v, _ in landed.answers}
    sealed = {"respondent_name", "respondent_phone", "first_name", "occupation", "industry"}
    assert not {q for q, _ in values} & {*sealed, "enumerator_notes"}
    assert not [v for v in values.values() if any(p in str(v) for p in PLANTED)]
    # the three members as the file describes them, calculations included
    assert [values[("age", m)] for m in (1, 2, 3)] == [44, 12, 15]
    assert values[("hours_econ_7d", 2)] == 20
    assert values[("hazard_exposures", 2)] == ["extreme_temperature", "chemicals"]
    assert values[("employed", 2)] == 1 and values[("employed", 3)] == 0
    assert ("hours_econ_7d", 3) not in values  # not employed: never asked
    assert values[("n_members_listed", 0)] == 3
    assert values[("n_children_5_17", 0)] == 2
    events = {event for event, _, _ in landed.paradata}
    assert {"open", "ask", "answer", "complete"} <= events
    assert len(landed.paradata) > 150


def _assent_refused(landed: Stored) -> None:
    """The child's "no" overrides the guardian's "yes"."""
    consent = landed.consent
    assert consent["respondent"] == "child" and consent["respondent_age"] == 15
    assert consent["guardian_consent"] is True and consent["child_assent"] is False


def _exception(landed: Stored) -> None:
    """A protocol exception instead of a guardian: which, why (a code, and a sealed note),
    who approved it (a staff code)."""
    consent = landed.consent
    assert consent["exception"] == "street_living_no_guardian"
    assert consent["exception_reason"] == "parents_unreachable"
    assert consent["exception_note_sealed"] is True
    assert "Sleeps" not in json.dumps(consent) and "bus station" not in json.dumps(consent)
    assert ("consent.exception_note", 0, "answered") in landed.identities
    assert consent["supervisor"] == "S03"
    assert consent["protocol_version"] == "1"
    assert consent["consent_sha256"].startswith("sha256:")
    assert consent["data_use_sha256"].startswith("sha256:")
    assert consent["guardian_consent"] is None and consent["child_assent"] is True
    assert consent["language"] == "fr" and consent["others_present"] == ["other"]


def _establishment(landed: Stored) -> None:
    """Two child workers; the establishment's name and GPS point sealed, free text too."""
    assert landed.members == (("child_workers_roster", 1), ("child_workers_roster", 2))
    assert {q for q, _, _ in landed.identities} == {
        "est_name",
        "est_gps",
        "activity_description",
        "cw_tasks",
    }


def _rapid(landed: Stored) -> None:
    """A rapid assessment record: no roster, no identifying answer; its notes sealed."""
    assert not landed.members
    assert {q for q, _, _ in landed.identities} == {"notes"}


CHECKS: dict[str, Callable[[Stored], None]] = {
    "household_complete.yaml": _household,
    "street_assent_refused.yaml": _assent_refused,
    "street_exception.yaml": _exception,
    "establishment_complete.yaml": _establishment,
    "rapid_key_informant.yaml": _rapid,
    "rapid_observation.yaml": _rapid,
}


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda e: e.file.removesuffix(".yaml"))
def test_every_example_lands_with_its_status(study: Path, tmp_path: Path, example: Example) -> None:
    db = tmp_path / "laptop.sqlite"  # a new laptop database for each
    result = collect(study, example.instrument, db, EXAMPLES / example.file)
    assert result.exit_code == 0, (result.output, result.exception)
    assert f": {example.status}, " in result.output
    landed = only_interview(db)
    assert landed.interview["status"] == example.status
    assert landed.interview["consent_outcome"] == example.outcome
    assert landed.consent["outcome"] == example.outcome
    assert landed.interview["ended_at"] is not None
    if example.status == "refused":
        # only the interview row and its consent record: nothing about the person
        assert _row_counts(db) == {
            "interviews": 1,
            "answers": 0,
            "identities": 0,
            "roster_members": 0,
            "paradata": 0,
        }
    else:
        assert landed.answers and ("complete", None, 0) in landed.paradata
    CHECKS.get(example.file, lambda _: None)(landed)


def test_the_same_file_twice_makes_two_interviews(study: Path, tmp_path: Path) -> None:
    db = tmp_path / "laptop.sqlite"
    for _ in range(2):
        assert collect(study, "school", db, EXAMPLES / "school_complete.yaml").exit_code == 0
    first, second = interviews(db)
    assert first["id"] != second["id"] and second["sequence"] == first["sequence"] + 1
    assert stored(db, first["id"]).answers == stored(db, second["id"]).answers


# -- invalid files are rejected, and change nothing ---------------------------------------


def _edit(source: Path, old: str, new: str) -> str:
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _line_of(text: str, fragment: str) -> int:
    (index,) = [i for i, line in enumerate(text.splitlines(), 1) if fragment in line]
    return index


REFUSAL = EXAMPLES / "household_refusal.yaml"
INVALID = {
    # name: (source, old, new, the line to point at, code, what the message says)
    "wrong_type": (
        HOUSEHOLD, "  cluster: 12\n", "  cluster: twelve\n", "cluster: twelve",
        "FK-ANS-001", ("question 'cluster'", "Enter a whole number"),
    ),
    "constraint": (
        HOUSEHOLD, "      hours_econ_7d: 20\n", "      hours_econ_7d: 200\n", "hours_econ_7d: 200",
        "FK-ANS-003", ("question 'hours_econ_7d' (member 2)", "Hours must be between 0 and 168"),
    ),
    "not_a_choice": (
        HOUSEHOLD, "  referral_made: 1\n", "  referral_made: 7\n", "referral_made: 7",
        "FK-ANS-004", ("question 'referral_made'", "'7' is not one of the choices"),
    ),
    "never_asked": (
        HOUSEHOLD, "      temp_absent_job: 2\n", "      temp_absent_job: 2\n      hours_econ_7d: 3\n",
        "hours_econ_7d: 3",
        "FK-ANS-021", ("'hours_econ_7d' (members, member 3)", "never asked"),
    ),
    "member_beyond_the_count": (
        HOUSEHOLD, "  hh_size: 3\n", "  hh_size: 2\n", "first_name: Abenaa",
        "FK-ANS-021", ("'first_name' (members, member 3)", "never asked"),
    ),
    "answers_after_a_refusal": (
        REFUSAL, "  adult: 2\n", "  adult: 2\nanswers:\n  respondent_name: Kwasi Nyamekye\n",
        "respondent_name: Kwasi",
        "FK-ANS-021", ("'respondent_name'", "never asked"),
    ),
    "wrong_instrument": (
        HOUSEHOLD, "instrument: household_cl\n", "instrument: street_cl\n", "instrument: street_cl",
        "FK-ANS-020", ("'street_cl', not 'household_cl'",),
    ),
    "misspelt_question": (
        HOUSEHOLD, "  hh_size: 3\n", "  hh_sise: 3\n", "hh_sise: 3",
        "FK-ANS-002", ("question 'hh_size'", "has no 'hh_size' under answers:, but has 'hh_sise'",
                       "did you mean 'hh_size'?"),
    ),
    "misspelt_member_question": (
        HOUSEHOLD, "      school_level: 1\n      grade: 6\n",
        "      school_level: 1\n      grade: 6\n      grde: 6\n", "grde: 6",
        "FK-ANS-021", ("'grde' (members, member 1)", "did you mean 'grade'?"),
    ),
    "duplicate_key": (
        HOUSEHOLD, "  cluster: 12\n", "  cluster: 12\n  cluster: 13\n", "cluster: 13",
        "FK-YAML-003", ("duplicate key 'cluster'",),
    ),
    "roster_check": (
        HOUSEHOLD, "    - first_name: Fiifi\n      sex: 1\n      age: 12\n      rel_to_head: 3\n"
        "      presence: present\n      mother_line: 0\n",
        "    - first_name: Fiifi\n      sex: 1\n      age: 12\n      rel_to_head: 3\n"
        "      presence: present\n      mother_line: 1\n", "mother_line: 1",
        "FK-ANS-031", ("question 'mother_line' (member 2)",
                       "Line 1 is given as Fiifi's mother but is recorded as male"),
    ),
    "unknown_top_level_key": (
        HOUSEHOLD, "enumerator: E07\n", "enumerator: E07\nkeyed_by: E07\n", "keyed_by: E07",
        "FK-YAML-002", ("unknown key 'keyed_by'",),
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def laptop(study: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A laptop database that already holds an interview and a refusal."""
    db = tmp_path_factory.mktemp("laptop") / "laptop.sqlite"
    assert collect(study, "household", db, HOUSEHOLD).exit_code == 0
    assert collect(study, "household", db, REFUSAL).exit_code == 0
    return db


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_file_is_rejected_and_changes_nothing(
    study: Path, laptop: Path, tmp_path: Path, case: str
) -> None:
    source, old, new, fragment, code, says = INVALID[case]
    text = _edit(source, old, new)
    bad = tmp_path / f"{case}.yaml"
    bad.write_text(text, encoding="utf-8")
    before = file_bytes(laptop.parent, laptop.name)
    assert before

    result = collect(study, "household", laptop, bad)
    assert result.exit_code != 0
    error = result.exception
    assert isinstance(error, FieldkitError), result.output
    line = error.one_line()
    assert error.code == code, line
    assert line.startswith(f"{bad}:{_line_of(text, fragment)}:"), line
    for words in says:
        assert words in line, line
    assert file_bytes(laptop.parent, laptop.name) == before  # byte for byte


def test_the_rejection_is_one_line_from_the_real_command(study: Path, tmp_path: Path) -> None:
    text = _edit(HOUSEHOLD, "  hh_weight: 153.2\n", "  hh_weight: -4\n")
    bad = tmp_path / "weight.yaml"
    bad.write_text(text, encoding="utf-8")
    result = run_collect(study, "household", tmp_path / "laptop.sqlite", "--answers", str(bad))
    assert result.returncode == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message, message
    where = _line_of(text, "hh_weight: -4")
    assert re.fullmatch(
        rf"error: {re.escape(str(bad))}:{where}:\d+: FK-ANS-003 question 'hh_weight': "
        r"The weight must be greater than 0 \(.*\)",
        message,
    ), message
    assert not (tmp_path / "laptop.sqlite").exists()


def test_every_example_is_tested_and_documented_with_its_command() -> None:
    shipped = {path.name for path in EXAMPLES.glob("*.yaml")}
    assert shipped == {example.file for example in EXAMPLE_FILES}
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for example in EXAMPLE_FILES:
        assert f"**`{example.file}`**" in readme, example.file
        command = (
            f"fieldkit collect instruments/{example.instrument}.yaml --db /tmp/fk-laptop.sqlite "
            f"--key /tmp/fk-keys/project.pub --answers examples/{example.file}"
        )
        assert command in readme, example.file


def test_collecting_without_the_project_public_key_says_where_to_get_it(tmp_path: Path) -> None:
    bare = make_study(tmp_path)
    (bare / "keys" / "project.pub").unlink()
    result = run_collect(bare, "household", tmp_path / "laptop.sqlite", "--answers", str(HOUSEHOLD))
    assert result.returncode == 1
    assert "FK-KEY-007" in result.stderr and "keys init" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "laptop.sqlite").exists()


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ("", "FK-YAML-005", "1:1: FK-YAML-005 the answers file is empty (an answers file needs"),
        ("# nothing yet\n", "FK-YAML-005", "FK-YAML-005 the answers file is empty"),
        ("- E07\n", "FK-YAML-004", "an answers file is a mapping of keys (enumerator:, answers:"),
    ],
)
def test_an_empty_or_shapeless_answers_file_says_what_an_answers_file_is(
    study: Path, tmp_path: Path, text: str, code: str, says: str
) -> None:
    bad = tmp_path / "answers.yaml"
    bad.write_text(text, encoding="utf-8")
    result = collect(study, "household", tmp_path / "laptop.sqlite", bad)
    error = result.exception
    assert isinstance(error, FieldkitError) and error.code == code, result.output
    assert says in error.one_line() and "instrument or protocol" not in error.one_line()
    assert not (tmp_path / "laptop.sqlite").exists()


def test_a_language_the_form_has_not_is_refused_before_anything(
    study: Path, tmp_path: Path
) -> None:
    db = tmp_path / "laptop.sqlite"
    path = str(study / "instruments" / "household.yaml")
    common = ["collect", path, "--db", str(db), "--answers", str(HOUSEHOLD), *UNLOCK]
    unknown = runner.invoke(app, [*common, "--lang", "de"])
    assert isinstance(unknown.exception, FieldkitError), unknown.output
    assert unknown.exception.one_line() == (
        "FK-ANS-010 the form has no texts in 'de' (use one of en, fr)"
    )
    other = runner.invoke(app, [*common, "--lang", "fr"])  # the file says en
    assert isinstance(other.exception, FieldkitError), other.output
    assert other.exception.code == "FK-ANS-034"
    assert other.exception.one_line().startswith(f"{HOUSEHOLD}:13:")
    assert not db.exists()
    same = runner.invoke(app, [*common, "--lang", "en"])
    assert same.exit_code == 0, same.output
    unsaid = tmp_path / "unsaid.yaml"
    text = HOUSEHOLD.read_text(encoding="utf-8").replace("\nlanguage: en\n", "\n", 1)
    unsaid.write_text(text.replace("  language: en\n", "  language: fr\n"), encoding="utf-8")
    french = runner.invoke(
        app, ["collect", path, "--db", str(db), "--answers", str(unsaid), "--lang", "fr", *UNLOCK]
    )
    assert french.exit_code == 0, french.output
    languages = [row["language"] for row in interviews(db)]
    assert languages == ["en", "fr"]
