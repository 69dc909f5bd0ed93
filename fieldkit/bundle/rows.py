"""Payload rows: checked one line at a time against the manifest, grouped per interview."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldkit.bundle.format import COLUMNS, FINISHED_STATUSES, BundleManifest
from fieldkit.errors import BundleError, Location

__all__ = ["InterviewBlock", "RowChecker"]


@dataclass
class InterviewBlock:
    """One interview and its rows, as rows of the capture tables (times parsed, bytes decoded)."""

    interview: dict[str, Any]
    line: int
    answers: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    identities: list[dict[str, Any]] = field(default_factory=list)
    values: dict[tuple[str, int], Any] = field(default_factory=dict)
    """(question, member) → the parsed value of each answered question."""
    digest: Any = field(default_factory=hashlib.sha256)
    """SHA-256 of the block's payload lines: equal for byte-identical copies of an interview."""

    @property
    def id(self) -> str:
        return str(self.interview["id"])

    @property
    def row_hash(self) -> str:
        return str(self.digest.hexdigest())


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected text")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _number(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("expected a whole number >= 0")
    return value


def _optional_number(value: Any) -> int | None:
    return None if value is None else _number(value)


def _time(value: Any) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(_text(value))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _optional_time(value: Any) -> dt.datetime | None:
    return None if value is None else _time(value)


def _sealed(value: Any) -> bytes:
    try:
        decoded = base64.b64decode(_text(value), validate=True)
    except binascii.Error:
        raise ValueError("expected base64") from None
    if base64.b64encode(decoded).decode("ascii") != value:
        raise ValueError("expected canonical base64")
    return decoded


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "S": _text,
    "n": _optional_text,
    "I": _number,
    "i": _optional_number,
    "T": _time,
    "t": _optional_time,
    "B": _sealed,
}
_TYPES = {"i": "SSSSSSSSSnnSITtT", "a": "SISST", "r": "SI", "p": "TSnIin", "s": "SISB"}
_CONVERTERS = {tag: tuple(_CONVERT[kind] for kind in kinds) for tag, kinds in _TYPES.items()}
_COUNT_NAMES = {
    "i": "interviews",
    "a": "answers",
    "r": "roster_members",
    "p": "paradata",
    "s": "identities",
}


class _RowProblem(ValueError):
    pass


class RowChecker:
    """Feed payload lines in order; get an InterviewBlock each time an interview is complete.

    ``collect=False`` checks without keeping rows (pass 1). Without ``strict`` the first
    problem is kept in ``problem`` and the rest is only counted; with it, it is raised.
    """

    def __init__(
        self, manifest: BundleManifest, where: str, *, collect: bool, strict: bool = False
    ) -> None:
        self.manifest = manifest
        self.where = where
        self.collect = collect
        self.strict = strict
        self.problem: BundleError | None = None
        self._hashes = manifest.form_hashes()
        self._block: InterviewBlock | None = None
        self._keys: set[tuple[str, Any, Any]] = set()
        self._last_id = ""
        self._counts: Counter[str] = Counter()
        self._forms: Counter[tuple[str, str, str]] = Counter()
        self._enumerators: Counter[str] = Counter()

    def feed(self, line: bytes, lineno: int) -> InterviewBlock | None:
        if self.problem is not None:
            return None
        try:
            return self._feed(line, lineno)
        except (_RowProblem, ValueError, TypeError) as error:
            self._fail(lineno, str(error) or type(error).__name__)
            return None

    def finish(self, payload_bytes: int, payload_lines: int) -> InterviewBlock | None:
        del payload_bytes  # compared with the signed manifest by the signature check
        if self.problem is None:
            try:
                self._compare_totals(payload_lines)
            except _RowProblem as error:
                self._fail(None, str(error))
        block, self._block = self._block, None
        return block if self.problem is None and self.collect else None

    # -- internals ------------------------------------------------------------------------

    def _fail(self, lineno: int | None, why: str) -> None:
        where = f"line {lineno}: " if lineno is not None else ""
        error = BundleError(
            f"the bundle's rows contradict its manifest: {where}{why}",
            code="FK-BUNDLE-010",
            location=Location(self.where),
            hint="the laptop's fieldkit made a bad bundle: report it, and do not merge this file",
        )
        if self.strict:
            raise error
        self.problem = error

    def _feed(self, line: bytes, lineno: int) -> InterviewBlock | None:
        item = json.loads(line.decode("utf-8"))
        if not isinstance(item, list) or not item or item[0] not in COLUMNS:
            raise _RowProblem("unknown kind of row")
        tag = item[0]
        converters = _CONVERTERS[tag]
        if len(item) != len(converters) + 1:
            raise _RowProblem(f"'{tag}' row has {len(item) - 1} fields, expected {len(converters)}")
        values = [convert(value) for convert, value in zip(converters, item[1:], strict=False)]
        self._counts[_COUNT_NAMES[tag]] += 1
        if tag == "i":
            done = self._interview(dict(zip(COLUMNS["i"], values, strict=True)), lineno)
        else:
            self._child(tag, values)
            done = None
        if self.collect and self._block is not None:
            self._block.digest.update(line)
        return done

    def _interview(self, values: dict[str, Any], lineno: int) -> InterviewBlock | None:
        self._check_interview(values)
        self._last_id = values["id"]
        self._keys.clear()
        self._counts[f"status_{values['status']}"] += 1
        self._forms[(values["form_id"], values["form_hash"], values["protocol_id"])] += 1
        self._enumerators[values["enumerator"]] += 1
        done, self._block = self._block, InterviewBlock(values, lineno)
        return done if self.collect else None

    def _check_interview(self, values: dict[str, Any]) -> None:
        if values["id"] <= self._last_id:
            raise _RowProblem(f"interview {values['id']} is repeated or out of order")
        if values["device_id"] != self.manifest.device_id:
            raise _RowProblem(f"interview {values['id']} was made on another device")
        if values["status"] not in FINISHED_STATUSES:
            raise _RowProblem(f"interview {values['id']} is a {values['status']}, not finished")
        if values["form_hash"] not in self._hashes:
            raise _RowProblem(f"interview {values['id']} uses a form the manifest does not list")

    def _child(self, tag: str, values: list[Any]) -> None:
        block = self._block
        if block is None:
            raise _RowProblem("a row comes before any interview")
        if tag != "p":  # answers, roster members, identities: (name, member) once each
            key = (tag, values[0], values[1])
            if key in self._keys:
                raise _RowProblem(f"interview {block.id} repeats a '{tag}' row {key[1:]}")
            self._keys.add(key)
        if tag == "a":
            value = json.loads(values[2])
            if self.collect and values[3] == "answered":
                block.values[(values[0], values[1])] = value
        elif tag == "r" and values[1] < 1:
            raise _RowProblem("roster members are numbered from 1")
        if not self.collect:
            return
        row = dict(zip(COLUMNS[tag], values, strict=True))
        if tag == "s":
            row["reference"] = block.interview["reference"]
            block.identities.append(row)
        else:
            row["interview_id"] = block.id
            {"a": block.answers, "r": block.members, "p": block.events}[tag].append(row)

    def _compare_totals(self, payload_lines: int) -> None:
        manifest = self.manifest
        counts = {k: v for k, v in self._counts.items() if v}
        declared = {k: v for k, v in manifest.counts.items() if v}
        if counts != declared:
            raise _RowProblem(f"row counts {counts} differ from the manifest's {declared}")
        forms = {(f.form_id, f.form_hash, f.protocol_id): f.interviews for f in manifest.forms}
        if dict(self._forms) != {k: v for k, v in forms.items() if v}:
            raise _RowProblem("interviews per form differ from the manifest")
        if dict(self._enumerators) != {k: v for k, v in manifest.enumerators.items() if v}:
            raise _RowProblem("interviews per enumerator differ from the manifest")
        if payload_lines != manifest.payload.lines:
            raise _RowProblem("the number of rows differs from the manifest")
