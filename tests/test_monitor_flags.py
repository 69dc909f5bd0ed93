"""Each monitoring flag on data built to raise it, and on data built not to (issue 16).

Interview facts are built as the store would give them (``InterviewFacts``) for the shipped
household instrument and its protocol (20 minutes minimum, windows in 2027); the rules then
run as the report runs them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from fieldkit.instrument.form import Form
from fieldkit.monitor.facts import InterviewFacts, _paradata, grids_of
from fieldkit.monitor.quality import EnumeratorRates, enumerator_flags, interview_flags, modified_z
from fieldkit.monitor.rules import RULES
from tests.capture_helpers import form_of

IN_WINDOW = dt.datetime(2027, 2, 3, 9, 30, tzinfo=dt.UTC)  # a Wednesday of the main round


@pytest.fixture(scope="module")
def household() -> Form:
    return form_of("household")


def facts(number: int = 1, **values: Any) -> InterviewFacts:
    base: dict[str, Any] = {
        "id": f"i-{number}",
        "form_id": "household_cl",
        "enumerator": "E01",
        "status": "complete",
        "consent_outcome": "given",
        "started_at": IN_WINDOW,
        "district": "north_1",
        "unit_values": f"[101,{number}]",
        "included": True,
        "active_seconds": 45 * 60.0,
    }
    base.update(values)
    return InterviewFacts(**base)


def rules(flags: list[Any]) -> list[str]:
    return [flag.rule for flag in flags]


def test_every_rule_cites_its_source() -> None:
    for rule in RULES.values():
        assert rule.rule and rule.source and rule.subject in ("interview", "enumerator")


def test_an_ordinary_interview_raises_nothing(household: Form) -> None:
    assert interview_flags(facts(), household, {("household_cl", "[101,1]"): "E01"}) == []


def test_speeder_under_the_protocols_minimum(household: Form) -> None:
    fast = interview_flags(facts(active_seconds=12 * 60.0), household, None)
    assert rules(fast) == ["MON-001"]
    assert fast[0].detail == {"minutes": 12.0, "minimum": 20}
    # at the minimum, untimed (keyed from paper) or not complete: not a speeder
    assert interview_flags(facts(active_seconds=20 * 60.0), household, None) == []
    assert interview_flags(facts(active_seconds=None), household, None) == []
    assert interview_flags(facts(active_seconds=60.0, status="refused"), household, None) == []


def test_outside_the_collection_windows(household: Form) -> None:
    sunday = dt.datetime(2027, 2, 7, 10, 0, tzinfo=dt.UTC)  # the main round has no Sunday
    late = dt.datetime(2027, 2, 3, 19, 30, tzinfo=dt.UTC)
    between_rounds = dt.datetime(2027, 5, 12, 10, 0, tzinfo=dt.UTC)
    for moment in (sunday, late, between_rounds):
        raised = interview_flags(facts(started_at=moment), household, None)
        assert rules(raised) == ["MON-002"], moment
    peak_sunday = dt.datetime(2027, 7, 4, 10, 0, tzinfo=dt.UTC)
    assert interview_flags(facts(started_at=peak_sunday), household, None) == []


def test_windows_are_read_in_the_fields_time_zone(household: Form) -> None:
    settings = household.protocol.model.monitoring.model_copy(update={"timezone": "Asia/Dhaka"})
    model = household.protocol.model.model_copy(update={"monitoring": settings})
    protocol = type(household.protocol)(model, household.protocol.consent, household.protocol.hash)
    dhaka = type(household)(**{**household.__dict__, "protocol": protocol})
    # 02:30 UTC is 08:30 in Dhaka (UTC+6): inside the 07:00-19:00 hours there, not in UTC
    early_utc = dt.datetime(2027, 2, 3, 2, 30, tzinfo=dt.UTC)
    assert interview_flags(facts(started_at=early_utc), dhaka, None) == []
    assert rules(interview_flags(facts(started_at=early_utc), household, None)) == ["MON-002"]


def _log(*events: tuple[str, int | None]) -> str:
    at = "2027-02-03 09:30:00.000000"
    return json.dumps([[at, event, "q", 0, elapsed, None] for event, elapsed in events])


def test_answers_changed_after_completion_from_the_paradata(household: Form) -> None:
    before = _log(("answer", 30_000), ("change", 20_000), ("answer", 40_000), ("complete", None))
    after = _log(("answer", 30_000), ("complete", None), ("resume", None), ("change", 9_000))
    assert _paradata(before) == (90.0, 0)
    assert _paradata(after) == (39.0, 1)
    changed = interview_flags(facts(changes_after_complete=1), household, None)
    assert rules(changed) == ["MON-003"]


def test_paradata_keyed_by_a_script_is_untimed() -> None:
    keyed = _log(*[("answer", 3)] * 50, ("complete", None))
    assert _paradata(keyed) == (None, 0)
    assert _paradata(None) == (None, 0)


def test_outside_the_assignment(household: Form) -> None:
    assigned = {("household_cl", "[101,1]"): "E01", ("household_cl", "[101,2]"): "E02"}
    assert interview_flags(facts(1), household, assigned) == []
    other = interview_flags(facts(2), household, assigned)
    assert rules(other) == ["MON-004"]
    assert other[0].detail == {"unit": "[101,2]", "assigned_to": "E02"}
    unsampled = interview_flags(facts(3), household, assigned)
    assert unsampled[0].detail == {"unit": "[101,3]", "assigned_to": None}
    # no assignment loaded for the instrument: nothing to be outside of
    assert interview_flags(facts(3), household, None) == []
    # a refusal keeps no answers, so no unit key to match: not flagged
    refusal = facts(4, status="refused", unit_values=None, active_seconds=None)
    assert interview_flags(refusal, household, assigned) == []


def test_modified_z_scores() -> None:
    assert modified_z({"a": 1.0, "b": 1.0}) == {"a": 0.0, "b": 0.0}  # too few to compare
    scores = modified_z({"a": 1.0, "b": 2.0, "c": 3.0, "d": 40.0})
    assert scores["d"] > 3.5 > scores["c"]
    # no spread around the median (MAD 0): the mean absolute deviation stands in
    assert modified_z({"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0, "e": 0.0, "f": 0.5})["f"] > 3.5
    assert modified_z({"a": 0.2, "b": 0.2, "c": 0.2}) == {"a": 0.0, "b": 0.0, "c": 0.0}


def _team(odd: dict[str, Any], usual: dict[str, Any]) -> dict[str, EnumeratorRates]:
    """Eight enumerators with ten interviews each; E08's differ as ``odd`` says."""
    team: dict[str, EnumeratorRates] = {}
    for k in range(1, 9):
        chosen = odd if k == 8 else usual
        items = [
            facts(k * 100 + n, enumerator=f"E{k:02d}", **_varied(chosen, k, n)) for n in range(10)
        ]
        team[f"E{k:02d}"] = EnumeratorRates.of(items)
    return team


def _varied(values: dict[str, Any], k: int, n: int) -> dict[str, Any]:
    out = {key: (value(k, n) if callable(value) else value) for key, value in values.items()}
    counts = out.pop("answers", {})
    out.update(
        answered=counts.get("answered", 0),
        dont_know=counts.get("dont_know", 0),
        refused_answers=counts.get("refused", 0),
    )
    return out


def _outliers(team: dict[str, EnumeratorRates], household: Form) -> list[tuple[str, str]]:
    return [(f.rule, f.enumerator) for f in enumerator_flags("household_cl", team, household)]


def test_dont_know_refused_outlier(household: Form) -> None:
    def usual(k: int, _n: int) -> dict[str, int]:
        return {"answered": 100 - k % 3, "dont_know": 1 + k % 3}

    odd = {"answers": {"answered": 70, "dont_know": 20, "refused": 10}}
    assert _outliers(_team(odd, {"answers": usual}), household) == [("MON-010", "E08")]
    assert _outliers(_team({"answers": usual}, {"answers": usual}), household) == []
    # too few answers to judge: not compared
    few = {"answers": {"answered": 1, "dont_know": 3}}  # 40 answers: under min_answers 50
    assert _outliers(_team(few, {"answers": usual}), household) == []


def test_straight_lining_outlier(household: Form) -> None:
    usual = {"grids": 4, "straight_grids": lambda k, n: (k + n) % 2}
    odd = {"grids": 4, "straight_grids": 4}
    assert _outliers(_team(odd, usual), household) == [("MON-011", "E08")]
    assert _outliers(_team(usual, usual), household) == []


def test_short_interviews_outlier(household: Form) -> None:
    usual = {"active_seconds": lambda k, n: (40 + k + n) * 60.0}
    odd = {"active_seconds": lambda _k, n: (21 + n % 2) * 60.0}
    assert _outliers(_team(odd, usual), household) == [("MON-012", "E08")]
    long_ = {"active_seconds": lambda _k, n: (90 + n) * 60.0}  # slow is not flagged
    assert _outliers(_team(long_, usual), household) == []


def test_consent_refusal_outlier(household: Form) -> None:
    usual = {"consent_outcome": lambda k, n: "refused" if n == k % 3 else "given"}
    odd = {"consent_outcome": lambda _k, n: "refused" if n < 6 else "given"}
    assert _outliers(_team(odd, usual), household) == [("MON-013", "E08")]
    assert _outliers(_team(usual, usual), household) == []


def test_grids_are_scales_not_yes_no_lists(household: Form) -> None:
    grids = grids_of(household, 5)
    assert grids  # the Washington Group questions share the difficulty scale
    for names in grids.values():
        lists = {household.question(n).choice_list for n in names}
        assert len(lists) == 1 and lists != {"yes_no"}


def test_the_protocols_time_zone_must_exist() -> None:
    from tests.conftest import PROTOCOL_YAML
    from tests.test_protocol import compile_protocol

    good, issues = compile_protocol(PROTOCOL_YAML + "monitoring:\n  timezone: Africa/Accra\n")
    assert issues == [] and good is not None
    _, issues = compile_protocol(PROTOCOL_YAML + "monitoring:\n  timezone: Africa/Acra\n")
    assert [(i.code, i.location.line) for i in issues] == [
        ("FK-PROT-070", PROTOCOL_YAML.count("\n") + 2)
    ]


def test_monitoring_thresholds_leave_the_form_hash_alone() -> None:
    from tests.conftest import PROTOCOL_YAML
    from tests.test_protocol import compile_protocol

    plain, _ = compile_protocol(PROTOCOL_YAML)
    tuned, _ = compile_protocol(PROTOCOL_YAML + "monitoring:\n  min_minutes: {household: 30}\n")
    assert plain is not None and tuned is not None and plain.hash == tuned.hash
