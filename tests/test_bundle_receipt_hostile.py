"""A receipt comes back to the laptop from outside: hostile ones are refused in one line
(FK-BUNDLE-023), never a hang or a traceback, and a genuine one still reads back."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from fieldkit.bundle import Receipt, read_receipt, write_receipt
from fieldkit.errors import BundleError

GOOD = Receipt("d00-000003", "ab" * 32, "7d0c0f8e-1111-4222-8333-944445555666", 3, 12)


def _body(**changes: object) -> bytes:
    text = GOOD.body().decode()
    for old, new in changes.items():
        text = text.replace(old, str(new), 1)
    return text.encode()


def _file(content: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(content)
        return path

    return make


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _link_to(target: Callable[[Path], Path]) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        link = path.with_name("link.receipt")
        link.symlink_to(target(path))
        return link

    return make


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "dev-zero": lambda p: Path("/dev/zero"),
    "fifo": _fifo,
    "symlink-to-fifo": _link_to(_fifo),
    "folder": lambda p: (p.mkdir(), p)[1],
    "missing": lambda p: p,
    "five-megabytes": _file(b" " * 5_000_000),
    "deep": _file(b"[" * 200_000 + b"]" * 200_000 + b"\n"),
    "5000-digits": _file(_body(**{'"sequence":3': '"sequence":' + "9" * 5000})),
    "repeated-key": _file(_body(**{'"sequence":3': '"sequence":3,"sequence":4'})),
    "nan": _file(_body(**{'"sequence":3': '"sequence":NaN'})),
    "sequence-true": _file(_body(**{'"sequence":3': '"sequence":true'})),
    "sequence-2^63": _file(_body(**{'"sequence":3': f'"sequence":{2**63}'})),
    "sequence-negative": _file(_body(**{'"sequence":3': '"sequence":-3'})),
    "spaces": _file(_body(**{'"sequence":3': '"sequence": 3'})),
    "extra-key": _file(_body(**{'"version":1': '"version":1,"zz":1'})),
    "missing-key": _file(_body(**{',"interviews":12': ""})),
    "name-with-newline": _file(_body(**{"d00-000003": "d00\\n000003"})),
    "not-utf8": _file(_body(**{"d00-000003": "d00-\xff"}).replace(b"\xc3\xbf", b"\xff")),
    "lone-surrogate": _file(_body(**{"d00-000003": "d00-\\ud800"})),
    "not-json": _file(b"merged, trust me\n"),
    "a-list": _file(b"[]\n"),
    "empty": _file(b""),
    "audit-head-not-a-head": _file(_body(**{'"version":1': '"version":1,"audit_head":"#1:x"'})),
    "audit-head-a-number": _file(_body(**{'"version":1': '"version":1,"audit_head":12'})),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_receipt_is_refused_in_one_line(name: str, tmp_path: Path) -> None:
    path = HOSTILE[name](tmp_path / "x.receipt")
    with pytest.raises(BundleError) as caught:
        read_receipt(path)
    assert caught.value.code == "FK-BUNDLE-023"
    assert "\n" not in caught.value.one_line()


def test_a_genuine_receipt_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "north.fkb.receipt"
    write_receipt(GOOD, path)
    assert read_receipt(path) == GOOD
    # with the coordinator's audit head, as ``fieldkit merge`` writes it (issue 11)
    anchored = tmp_path / "south.fkb.receipt"
    write_receipt(GOOD, anchored, audit_head="#12:" + "9f" * 32)
    assert read_receipt(anchored) == GOOD
