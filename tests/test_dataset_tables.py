"""Disaggregated tables, weighted estimates against samplics, and disclosure control (P12)."""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import replace
from typing import Any

import pytest

from fieldkit.dataset import NOT_REPRESENTATIVE, DatasetError, StudyInfo, flatten
from fieldkit.indicators import derive_all
from fieldkit.release import check_release, publish
from fieldkit.release.microdata import individual_risk
from fieldkit.stats import SUPPRESSED, crosstab, estimate_proportion
from fieldkit.stats.student import t_quantile
from tests.data.handmade import (
    LABOUR,
    REFERENCE,
    build_members,
    compile_form,
    compile_street_form,
    stream,
)


@pytest.fixture(scope="module")
def members() -> Any:
    return build_members()


@pytest.fixture(scope="module")
def study() -> StudyInfo:
    return StudyInfo.from_form(compile_form())


# --- counts and percentages --------------------------------------------------------------


def test_counts_and_percentages_with_totals(members: Any, study: StudyInfo) -> None:
    table = crosstab(members, "work_school", ["sex"], study=study, threshold=1)
    assert table.columns == [
        "School only",
        "Work only",
        "Work and school",
        "Neither work nor school",
        "Total",
    ]
    assert [row.labels for row in table.rows] == [("Male",), ("Female",), ("Total",)]
    assert table.counts == [[4, 3, 7, 1, 15], [7, 3, 4, 1, 15], [11, 6, 11, 2, 30]]
    assert table.percent(0, 0) == pytest.approx(100 * 4 / 15)
    assert table.percent(2, 1) == pytest.approx(20.0)
    assert table.left_out == 8  # 6 adults, a 4-year-old and a child of unknown age


def test_age_band_rows_carry_the_ilo_5_14_total(members: Any, study: StudyInfo) -> None:
    table = crosstab(members, "cl_ilo_sna", ["age_band_ilo_cl"], study=study, threshold=1)
    assert [row.labels[0] for row in table.rows] == ["5-11", "12-14", "15-17", "5-14", "Total"]
    assert table.counts == [[4, 8, 12], [4, 5, 9], [5, 4, 9], [8, 13, 21], [13, 17, 30]]


def test_ages_outside_5_17_are_kept_apart_from_ages_not_stated(
    members: Any, study: StudyInfo
) -> None:
    table = crosstab(members, "sex", ["age_band_ilo_cl"], study=study, threshold=1)
    labels = [row.labels[0] for row in table.rows]
    assert labels == [
        "0-4 (outside the scheme)",
        "5-11",
        "12-14",
        "15-17",
        "18+ (outside the scheme)",
        "(not stated)",
        "5-14",
        "5-17",
        "Total",
    ]
    totals = {label: table.counts[i][-1] for i, label in enumerate(labels)}
    assert totals["0-4 (outside the scheme)"] == 1 and totals["18+ (outside the scheme)"] == 6
    assert totals["(not stated)"] == 1  # the child of unknown age, alone
    assert totals["5-17"] == 30 and totals["Total"] == 38


def test_a_cross_of_two_breakdowns_has_subtotals(members: Any, study: StudyInfo) -> None:
    table = crosstab(members, "cl_ilo_sna", ["sex", "age_band_ilo_cl"], study=study, threshold=1)
    rows = {row.labels: table.counts[i] for i, row in enumerate(table.rows)}
    assert rows[("Male", "5-11")] == [2, 5, 7]  # ages 5, 5, 6, 9, 10, 11, 11: the 6 and one 11
    assert rows[("Male", "All")] == [8, 7, 15]
    assert rows[("Female", "5-14")] == [3, 8, 11]
    assert rows[("Total", "Total")] == [13, 17, 30]


def test_crosstabs_hide_nothing_until_a_release_protects_them(
    members: Any, study: StudyInfo
) -> None:
    table = crosstab(members, "cl_ilo_sna", ["age_band_ilo_cl"], study=study)
    assert not table.hidden and table.published()[0] == [4, 8, 12]
    assert table.categories == [1, 0] and table.source == "mini_household__members"


def test_percentages_never_reveal_a_hidden_count(members: Any, study: StudyInfo) -> None:
    table = crosstab(members, "work_school", ["sex"], study=study)
    table.hidden |= {(0, 0), (0, 1)}
    assert table.percent(0, 0) == SUPPRESSED and table.percent(2, 0) == pytest.approx(36.666, 1e-3)
    table.hidden.add((1, 4))
    assert table.percent(1, 2) == SUPPRESSED  # its row total is hidden


def test_non_representative_tables_say_so() -> None:
    form = compile_street_form()
    dataset = flatten(form, *stream(), role="statistician")
    children = dataset.table("mini_household__members")
    derive_all(children, labour=LABOUR)
    assert dataset.study.counts_only
    table = crosstab(children, "cl_ilo_sna", ["sex"], study=dataset.study)
    assert table.notes[0] == NOT_REPRESENTATIVE
    with pytest.raises(DatasetError, match="not representative: no weighted estimates") as caught:
        estimate_proportion(children, "cl_ilo_sna", study=dataset.study)
    assert caught.value.code == "FK-DATA-003"


def test_no_sample_design_no_estimates(members: Any, study: StudyInfo) -> None:
    with pytest.raises(DatasetError, match="no sample design") as caught:
        estimate_proportion(members, "cl_ilo_sna", study=replace(study, sample_design=None))
    assert caught.value.code == "FK-DATA-003"


# --- weighted estimates ------------------------------------------------------------------


def _reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


def _key(row: Any) -> list[str] | None:
    return None if row.kind == "total" else [str(v) for v in row.key]


@pytest.mark.parametrize("case", _reference()["cases"], ids=lambda c: f"{c['variable']}-{c['by']}")
def test_weighted_proportions_match_samplics(
    members: Any, study: StudyInfo, case: dict[str, Any]
) -> None:
    table = estimate_proportion(members, case["variable"], case["by"], study=study)
    found = {json.dumps(_key(row)): e for row, e in zip(table.rows, table.estimates, strict=True)}
    for expected in case["results"]:
        estimate = found[json.dumps(expected["domain"])]
        assert estimate.n == expected["n"]
        assert table.df == expected["df"] == 3  # 6 PSUs - 3 strata
        for name in ("proportion", "se", "ci_low", "ci_high"):
            assert getattr(estimate, name) == pytest.approx(expected[name], abs=1e-12), name


def test_the_overall_sdg_prevalence_by_hand(members: Any, study: StudyInfo) -> None:
    table = estimate_proportion(members, "cl_ilo_sna", study=study)
    overall = table.estimates[-1]
    # weights of the 13 children in child labour over the weights of all 30 with a value
    assert overall.proportion == pytest.approx(2100 / 4950)
    assert overall.se == pytest.approx(0.0439958135343, abs=1e-12)
    assert (overall.ci_low, overall.ci_high) == pytest.approx(
        (0.29346836159, 0.56656128615), abs=1e-10
    )
    assert "logit" in table.method and "df = #PSU - #strata = 3" in table.method


def test_samplics_recomputes_the_stored_reference() -> None:
    with warnings.catch_warnings():  # samplics 0.6 announces its successor on import
        warnings.simplefilter("ignore", FutureWarning)
        pytest.importorskip("samplics")
    from tests.data.make_reference import CASES, reference

    members = build_members()
    for stored, case in zip(_reference()["cases"], CASES, strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            fresh = reference(members, case["variable"], case["by"])
        for a, b in zip(stored["results"], fresh, strict=True):
            assert a["se"] == pytest.approx(b["se"], abs=1e-12)


def test_estimates_on_few_records_are_withheld(members: Any, study: StudyInfo) -> None:
    table = estimate_proportion(members, "cl_ilo_gpb", ["age_band_ilo_cl"], study=study)
    assert not any(e.hidden for e in table.estimates)  # stats computes; a release decides
    dataset = _dataset(members, study)
    publish(dataset, [table])
    shown = {row.labels[0]: e for row, e in zip(table.rows, table.estimates, strict=True)}
    assert not shown["5-11"].hidden  # 11 children: 6 yes, 5 no
    assert shown["12-14"].hidden  # 9 children, 8 of them yes: 1 'no' would show
    assert not shown["5-14"].hidden


def _dataset(members: Any, study: StudyInfo) -> Any:
    from fieldkit.dataset import Dataset

    return Dataset(study, "en", {members.name: members}, main=members.name)


def test_a_stratum_with_one_psu_has_no_variance(members: Any, study: StudyInfo) -> None:
    lonely = members.select(lambda r: r["cluster"] != 12)
    with pytest.raises(DatasetError, match="strata with a single PSU: 1") as caught:
        estimate_proportion(lonely, "cl_ilo_sna", study=study)
    assert caught.value.code == "FK-DATA-008"


def test_t_quantile_matches_published_tables() -> None:
    for df, value in (
        (1, 12.7062047362),
        (3, 3.1824463053),
        (10, 2.2281388520),
        (120, 1.9799304050),
    ):
        assert t_quantile(0.975, df) == pytest.approx(value, abs=1e-9)
    scipy_stats = pytest.importorskip("scipy.stats")
    for df in (2, 7, 29, 500):
        assert t_quantile(0.975, df) == pytest.approx(scipy_stats.t.ppf(0.975, df), abs=1e-11)


# --- the release check for microdata (P13) -----------------------------------------------


def test_microdata_fail_the_release_check(members: Any) -> None:
    check = check_release(members, weight="hh_weight")
    assert not check.ok and check.smallest_key == 1
    assert "age" in check.quasi_identifiers and "sex" in check.quasi_identifiers
    with pytest.raises(DatasetError, match="may not leave the study") as caught:
        check.raise_if_failed()
    assert caught.value.code == "FK-DATA-009"
    coarse = check_release(members, keys=["district"], weight="hh_weight", k=5)
    assert coarse.ok and coarse.smallest_key == 18  # 3 households of 6 in the north


def test_the_refusal_names_the_combinations_by_their_labels(members: Any) -> None:
    check = check_release(members, keys=["sex", "district"], weight="hh_weight", k=19)
    assert not check.ok and check.offending
    assert all("sex=Male" in o or "sex=Female" in o or "missing" in o for o in check.offending)
    with pytest.raises(DatasetError, match=r"district=North, sex=Female: 8") as caught:
        check.raise_if_failed()
    assert caught.value.code == "FK-DATA-009"


def test_individual_risk_is_sdcmicros_approximation() -> None:
    # indivRisk(method = "approx") by hand: f = 1, 2, 3 records weighing F in all
    p = 1 / 200
    assert individual_risk(1, 200) == pytest.approx(p / (1 - p) * math.log(200))
    assert individual_risk(1, 200) == pytest.approx(0.026624, abs=1e-6)  # not 1/200 = 0.5%
    p = 2 / 50
    assert individual_risk(2, 50) == pytest.approx(p / (1 - p) - (p / (1 - p)) ** 2 * math.log(25))
    assert individual_risk(3, 300) == pytest.approx(0.01 / (3 - 0.99))
    assert individual_risk(4, 4) == 0.25  # the whole population was sampled
