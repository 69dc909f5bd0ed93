"""Disability (WG-SS, Child Functioning Module) and birth registration at their published
cut-offs, with don't-know answers."""

from __future__ import annotations

from typing import Any

import pytest

from fieldkit.dataset.table import Special, Table, Variable, VarType
from fieldkit.indicators import add_birth_registration, add_disability
from fieldkit.indicators.child_status import CFM_2_4, CFM_5_17, WG_SS

DK = Special.DONT_KNOW
NAMES = sorted({i.name for i in (*CFM_2_4, *CFM_5_17)} | set(WG_SS))
NAMES += ["birth_certificate", "birth_registered"]


def _table(*people: tuple[int | None, dict[str, Any]]) -> Table:
    variables = [Variable("age", {"en": "Age"}, VarType.INTEGER)]
    variables += [Variable(n, {"en": n}, VarType.CODE) for n in NAMES]
    table = Table("people", variables)
    for age, answers in people:
        table.append([age, *(answers.get(n) for n in NAMES)])
    return table


def _none_2_4(**more: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {i.name: 1 for i in CFM_2_4}
    answers.update(more)
    return answers


def _none_5_17(**more: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {i.name: 1 for i in CFM_5_17}
    answers.update(cfm_anxiety=5, cfm_depression=4)
    answers.update(more)
    return answers


@pytest.mark.parametrize(
    ("age", "answers", "expected"),
    [
        (3, _none_2_4(), 0),
        (3, _none_2_4(cfm_walk=3), 1),  # a lot of difficulty
        (3, _none_2_4(cfm_kicking=3), 0),  # 'more' is not the cut-off
        (3, _none_2_4(cfm_kicking=4), 1),  # 'a lot more'
        (3, _none_2_4(cfm_learning=DK), None),
        (3, _none_2_4(cfm_learning=DK, cfm_see=4), 1),  # decided whatever the DK
        (12, _none_5_17(), 0),
        (12, _none_5_17(cfm_anxiety=1), 1),  # daily
        (12, _none_5_17(cfm_depression=2), 0),  # weekly
        (12, _none_5_17(cfm_friends=2), 0),  # some difficulty
        (17, _none_5_17(cfm_understood_outside=3), 1),
        (1, _none_2_4(cfm_walk=4), None),  # under 2: not in the module
        (18, _none_5_17(cfm_walk=4), None),
    ],
)
def test_child_functioning_cut_offs(age: int, answers: dict[str, Any], expected: Any) -> None:
    table = _table((age, answers))
    add_disability(table)
    assert table.column("disability_cfm") == [expected]


def test_short_set_and_birth_registration() -> None:
    wg = dict.fromkeys(WG_SS, 1)
    table = _table(
        (40, wg),
        (40, {**wg, "wg_hear": 3}),
        (40, {**wg, "wg_hear": DK}),
        (4, {"birth_certificate": 2}),
        (4, {"birth_certificate": 3, "birth_registered": 1}),
        (4, {"birth_certificate": 3, "birth_registered": 2}),
        (4, {"birth_certificate": DK, "birth_registered": DK}),
        (30, {"birth_certificate": 1}),
    )
    added = add_disability(table)
    registered = add_birth_registration(table)
    assert [v.name for v in added] == ["disability_wg_ss", "disability_cfm"]
    assert table.column("disability_wg_ss")[:3] == [0, 1, None]
    assert registered is not None and "PR.1" in (registered.source or "")
    assert table.column("birth_registration")[3:] == [1, 1, 0, None, None]
