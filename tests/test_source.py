"""The YAML loader: positions for every node, and YAML 1.2 scalars (no Norway problem)."""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.errors import InstrumentError
from fieldkit.instrument.source import MAX_FILE_BYTES, load_source, parse_source


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


# -- hostile files: instruments, protocols and answers files travel between teams ------------

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9 if previous else ['lol'] * 9)}]\n"
    for previous, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
"""Nine lines whose aliases expand to 9^9 (387 million) strings."""


def test_an_alias_bomb_is_refused_in_one_line_by_check(tmp_path: Path) -> None:
    """Before the fix, `fieldkit check` ran past 60 s and 3.8 GB on these nine lines. The
    subprocess gets 1 GiB of address space and 60 s: a loader that expands the aliases fails."""
    assert len(BOMB.splitlines()) == 9
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    result = subprocess.run(
        [sys.executable, "-c", "from fieldkit.cli import main; main()", "check", str(bomb)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
        check=False,
    )
    assert result.returncode == 1
    assert "FK-YAML-032 aliases repeat more than 10,000 values" in result.stdout
    assert f"{bomb}:5:4:" in result.stdout  # the first line whose aliases go past the bound
    assert "Traceback" not in result.stdout + result.stderr


def test_a_few_aliases_stay_allowed() -> None:
    doc = parse_source("yes_no: &yn {en: 'Yes', fr: Oui}\nagain: *yn\nmore: [*yn, *yn]\n", "f.yaml")
    assert doc.data["more"] == [{"en": "Yes", "fr": "Oui"}] * 2
    assert str(doc.locate(("again", "fr"))) == "f.yaml:1:29"  # where the anchored value is


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(InstrumentError) as caught:
        parse_source("x: 1\na: &a [1, *a]\n", "f.yaml")
    assert caught.value.code == "FK-YAML-032"
    assert str(caught.value.location) == "f.yaml:2:4"
    assert "forever" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "[" * 60 + "]" * 60,
        "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v\n",
        "[" * 5000 + "]" * 5000,  # past libyaml's own limit of 1000
    ],
    ids=["flow", "block", "libyaml-limit"],
)
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        parse_source(text, "f.yaml")
    assert caught.value.code == "FK-YAML-031"


def test_a_file_past_the_size_bound_is_not_read_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("id: x\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1), encoding="utf-8")
    with pytest.raises(InstrumentError) as caught:
        load_source(big)
    assert caught.value.code == "FK-YAML-030"


def test_devices_fifos_and_folders_are_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    for path in (Path("/dev/zero"), fifo, link, tmp_path):
        with pytest.raises(InstrumentError) as caught:
            load_source(path)
        assert caught.value.code == "FK-YAML-005", path
        assert "regular file" in caught.value.message or "folder" in caught.value.message


def test_libyaml_errors_name_the_character() -> None:
    with pytest.raises(InstrumentError) as caught:
        parse_source("a: 1\nb: @x\n", "f.yaml")
    assert caught.value.message == "malformed YAML: found character '@' that cannot start any token"
    assert str(caught.value.location) == "f.yaml:2:4"


def test_an_empty_file_does_not_claim_to_be_an_instrument(tmp_path: Path) -> None:
    empty = tmp_path / "answers.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as caught:
        load_source(empty)
    assert caught.value.code == "FK-YAML-005"
    assert "instrument" not in caught.value.one_line()
