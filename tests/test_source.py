"""The YAML loader: positions for every node, and YAML 1.2 scalars (no Norway problem)."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit.errors import InstrumentError
from fieldkit.instrument.source import parse_source


def test_scalars_that_yaml_1_1_would_mangle_stay_text() -> None:
    data = parse_source(
        "a: Yes\nb: NO\nc: 5_11\nd: 017\ne: 1:30\nf: true\ng: 12\nh: 1.5\ni: 2027-01-01\nj: -3\n",
        "f.yaml",
    ).data
    assert data == {
        "a": "Yes",
        "b": "NO",
        "c": "5_11",
        "d": "017",
        "e": "1:30",
        "f": True,
        "g": 12,
        "h": 1.5,
        "i": dt.date(2027, 1, 1),
        "j": -3,
    }


def test_every_node_has_a_position() -> None:
    doc = parse_source('a:\n  - name: x\n    when: "${b} > 1"\n', "f.yaml")
    assert str(doc.locate(("a", 0, "name"))) == "f.yaml:2:11"
    assert str(doc.locate(("a", 0, "name"), key=True)) == "f.yaml:2:5"
    assert str(doc.expression_start(("a", 0, "when"))) == "f.yaml:3:12"
    assert str(doc.locate(("a", 0, "missing", 3))) == "f.yaml:2:5"


def test_duplicate_keys_are_kept_for_the_report() -> None:
    doc = parse_source("a: 1\na: 2\n", "f.yaml")
    assert doc.data == {"a": 1}
    assert [str(loc) for _, loc in doc.duplicates] == ["f.yaml:2:1"]


@pytest.mark.parametrize(
    ("text", "hint"),
    [("a:\n\tb: 1\n", "tabs"), ("a: b: c\n", "quote"), ("a: [1, 2\n", "indentation")],
)
def test_malformed_yaml_is_one_error_with_position_and_hint(text: str, hint: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        parse_source(text, "f.yaml")
    assert caught.value.code == "FK-YAML-001"
    assert caught.value.location.line is not None
    assert hint in (caught.value.hint or "")
