"""Flattening: a wide table per instrument, a long one per roster, no identifying fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fieldkit.dataset import DatasetError, Special, VarType, flatten
from tests.data.handmade import CHILDREN, HOUSEHOLDS, PLANTED, compile_form, stream

ROSTER = "mini_household__members"


@pytest.fixture(scope="module")
def form() -> Any:
    return compile_form()


@pytest.fixture(scope="module")
def dataset(form: Any) -> Any:
    return flatten(form, *stream(), role="statistician")


def test_one_wide_table_and_one_long_table_per_roster(dataset: Any) -> None:
    assert list(dataset.tables) == ["mini_household", ROSTER]
    assert dataset.main == "mini_household" and dataset.rosters == (ROSTER,)
    wide, long = dataset.table("mini_household"), dataset.table(ROSTER)
    assert wide.n_rows == len(HOUSEHOLDS)
    assert long.n_rows == len(CHILDREN) + len(HOUSEHOLDS)
    assert wide.column("interview_id") == [h[0] for h in HOUSEHOLDS]
    assert long.names[:6] == (
        "interview_id",
        "member",
        "cluster",
        "stratum",
        "district",
        "hh_weight",
    )
    first = next(long.records())
    assert first["interview_id"] == "hh01" and first["member"] == 1 and first["hh_weight"] == 120.0


def test_identifying_fields_never_become_columns_or_values(dataset: Any) -> None:
    for table in dataset.tables.values():
        assert not {"respondent_name", "first_name", "reference"} & set(table.names)
        for row in table.rows():
            for value in row:
                assert not any(name in str(value) for name in PLANTED)


def test_codes_are_kept_with_value_labels_in_every_language(dataset: Any) -> None:
    sex = dataset.table(ROSTER).variable("sex")
    assert sex.type is VarType.CODE and sex.role == "sex"
    assert sex.value_text(2, "fr") == "Féminin" and sex.value_text(2, "en") == "Female"
    assert dataset.table(ROSTER).column("sex")[:3] == [1, 1, 2]
    district = dataset.table("mini_household").variable("district")
    assert district.value_labels["north"] == {"en": "North", "fr": "Nord"}


def test_dont_know_and_refused_are_extended_missing_codes(dataset: Any) -> None:
    table = dataset.table(ROSTER)
    by_key = {(r["interview_id"], r["member"]): r for r in table.records()}
    assert by_key[("hh03", 7)]["age"] is Special.DONT_KNOW
    assert by_key[("hh02", 4)]["hours_econ_7d"] is Special.DONT_KNOW
    assert by_key[("hh05", 5)]["tip_recruited"] is Special.REFUSED
    assert by_key[("hh01", 6)]["econ_any_7d"] is None  # not asked of a 4-year-old
    assert table.variable("age").missing == (Special.DONT_KNOW,)
    assert str(Special.DONT_KNOW) == ".d" and Special.REFUSED.spss_code == -99


def test_exact_age_is_kept(dataset: Any) -> None:
    ages = dataset.table(ROSTER).column("age")
    assert 13 in ages and 16 in ages and ages.count(13) == 3


def test_select_multiple_gives_raw_codes_and_a_flag_per_choice(dataset: Any) -> None:
    table = dataset.table(ROSTER)
    by_key = {(r["interview_id"], r["member"]): r for r in table.records()}
    row = by_key[("hh01", 5)]
    assert row["tip_control"] == "debt_bondage threats"
    assert row["tip_control__debt_bondage"] == 1 and row["tip_control__threats"] == 1
    assert row["tip_control__withholds_documents"] == 0
    assert table.variable("tip_control__threats").type is VarType.FLAG


def test_metadata_comes_from_the_interview_but_not_its_reference(dataset: Any) -> None:
    wide = dataset.table("mini_household")
    assert wide.column("enumerator") == ["enum07"] * 6
    assert wide.column("device") == ["laptop-3"] * 6
    assert all("REF-" not in str(v) for row in wide.rows() for v in row)


def test_answers_to_unknown_questions_are_reported(form: Any) -> None:
    interviews, answers, members = stream()
    answers.insert(0, ("hh01", "old_question", 0, "1", "answered"))
    result = flatten(form, interviews, answers, members, role="statistician")
    assert result.report.flatten(["code", "severity"]) == [["FK-DATA-007", "warning"]]


def test_answers_of_interviews_not_included_are_skipped(form: Any) -> None:
    interviews, answers, members = stream()
    kept = [i for i in interviews if i["id"] != "hh03"]
    result = flatten(form, kept, answers, members, role="statistician")
    assert "hh03" not in result.table(ROSTER).column("interview_id")
    assert result.table("mini_household").n_rows == 5


def test_unsorted_input_is_refused(form: Any) -> None:
    interviews, answers, members = stream()
    with pytest.raises(DatasetError) as caught:
        flatten(form, list(reversed(interviews)), answers, members, role="statistician")
    assert caught.value.code == "FK-DATA-005"
    with pytest.raises(DatasetError, match="answers are not sorted"):
        flatten(form, interviews, list(reversed(answers)), members, role="statistician")


def test_flatten_streams_one_interview_at_a_time(form: Any) -> None:
    interviews, answers, members = stream()
    seen: list[str] = []

    def interview_stream() -> Iterator[dict[str, Any]]:
        for interview in interviews:
            seen.append(interview["id"])
            yield interview

    def answer_stream() -> Iterator[tuple[Any, ...]]:
        for row in answers:
            # interviews are never read ahead of their answers: nothing is held back
            assert not seen or row[0] >= seen[-1]
            yield row

    result = flatten(form, interview_stream(), answer_stream(), iter(members), role="statistician")
    assert result.table(ROSTER).n_rows == len(CHILDREN) + len(HOUSEHOLDS)


@pytest.mark.parametrize(
    ("role", "identities", "message"),
    [
        ("nobody", False, "not defined by protocol"),
        ("enumerator", False, "may see own answers"),
        ("statistician", True, "has no access to identities"),
    ],
)
def test_roles_without_access_are_refused(
    form: Any, role: str, identities: bool, message: str
) -> None:
    with pytest.raises(DatasetError, match=message) as caught:
        flatten(form, *stream(), role=role, identities=identities)
    assert caught.value.code == "FK-DATA-004"


def test_unknown_variable_suggests_the_nearest(dataset: Any) -> None:
    with pytest.raises(DatasetError, match="did you mean 'hh_weight'") as caught:
        dataset.table(ROSTER).column("hh_wieght")
    assert caught.value.code == "FK-DATA-007"
    with pytest.raises(DatasetError, match="no in-memory table"):
        dataset.table("nothing")
