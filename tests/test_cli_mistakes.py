"""Every command x the usual mistakes: one line, a stable code, a non-zero exit, no traceback.

Commands are discovered from the typer app, so a new command joins by being registered:
``test_every_command_is_in_the_matrix`` fails until MATRIX says, for each kind of mistake,
what the command answers (a `Case`) or why the mistake cannot happen to it (`NotApplicable`).
Each mistake has its own code: the last-resort guard's FK-CLI-099 (a bug) never counts.

Commands run in this process through ``fieldkit.cli.run``, the function ``main`` calls, in a
study folder built with the real commands on the shipped instruments (``world``).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main
from sqlalchemy import select

from fieldkit.cli import app, run
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import capture_table
from tests.conftest import REPO, read_only

KINDS = (
    "missing_path",
    "directory",
    "existing_file",
    "read_only",
    "empty_file",
    "wrong_kind",
    "unsupported_url",
    "bad_option",
)
BUG = "FK-CLI-099"
MYSQL = "mysql://fieldkit@db.example.org/hq"
PASSPHRASE = "correct horse battery staple"


@dataclass
class World:
    """A study with one interview carried through every stage, and files to mistake."""

    root: Path

    @property
    def study(self) -> Path:
        return self.root / "study"

    def instrument(self, name: str = "household") -> str:
        return str(self.study / "instruments" / f"{name}.yaml")

    @property
    def protocol(self) -> str:
        return str(self.study / "protocols" / "household_child_labour.yaml")

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def passphrase(self) -> str:
        return str(self.root / "passphrase.txt")

    @property
    def laptop(self) -> str:
        return str(self.root / "laptop.sqlite")

    @property
    def merge_key(self) -> str:
        return str(self.keys / "merge.key")

    def share(self, name: str = "ama") -> str:
        """A custodian's share with its passphrase's source (``PATH=file:PASSPHRASE``)."""
        return f"{self.keys / 'shares' / f'share-{name}.txt'}=file:{self.passphrase}"

    @property
    def reference(self) -> str:
        """The reference of the interview merged at HQ (what reveal opens)."""
        return (self.root / "reference.txt").read_text().strip()

    @property
    def staff(self) -> str:
        return str(self.root / "staff.yaml")

    @property
    def staff_names(self) -> str:
        return str(self.root / "staff-names.yaml")

    @property
    def device_public(self) -> str:
        return str(next(self.root.glob("device-*.pub")))

    @property
    def device_id(self) -> str:
        return Path(self.device_public).stem.removeprefix("device-")

    @property
    def bundle(self) -> str:
        return str(self.root / "north-1.fkb")

    @property
    def store(self) -> str:
        return str(self.root / "hq.sqlite")

    def missing(self, name: str) -> str:
        return str(self.root / "no-such" / name)

    @property
    def folder(self) -> str:
        return str(self.root / "a-folder")

    @property
    def empty(self) -> str:
        return str(self.root / "empty.yaml")

    @property
    def notes(self) -> str:
        return str(self.root / "notes.txt")

    @property
    def binary(self) -> str:
        return str(self.root / "photo.jpg")

    @property
    def xlsform(self) -> str:
        return str(self.root / "household.xlsx")

    @property
    def empty_xlsx(self) -> str:
        return str(self.root / "empty.xlsx")

    @property
    def read_only(self) -> Path:
        return self.root / "read-only"

    def export(self, *args: str) -> list[str]:
        return ["export", "--store", self.store, "-i", "household_cl", *args]

    def tables(self, *args: str) -> list[str]:
        return ["tables", "--store", self.store, "-i", "household_cl", *args]


Args = Callable[[World], list[str]]


@dataclass(frozen=True)
class Case:
    args: Args
    code: str
    report: bool = False
    """The command reports on what is inside the files (check, merge): the problem's line
    comes with the report's own lines; still no traceback and a non-zero exit."""


@dataclass(frozen=True)
class NotApplicable:
    reason: str


READS_ONLY = NotApplicable("the command writes nothing")
SURVEY_CSV = str(REPO / "tests" / "data" / "estimate_survey.csv")
NO_URL = NotApplicable("the command takes no database URL")
ADDS_TO_STORE = NotApplicable("adding to an existing store is what the command is for")

MATRIX: dict[str, dict[str, Case | NotApplicable | tuple[Case, ...]]] = {
    "check": {
        "missing_path": Case(lambda w: ["check", w.missing("x.yaml")], "FK-YAML-005"),
        "directory": Case(lambda w: ["check", w.folder], "FK-YAML-033"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: ["check", w.empty], "FK-YAML-005", report=True),
        "wrong_kind": (
            Case(lambda w: ["check", w.binary], "FK-YAML-005", report=True),
            Case(lambda w: ["check", "/dev/zero"], "FK-YAML-005", report=True),
        ),
        "unsupported_url": NO_URL,
        "bad_option": Case(lambda w: ["check"], "FK-CLI-051"),
    },
    "show": {
        "missing_path": Case(lambda w: ["show", w.missing("x.yaml")], "FK-YAML-005"),
        "directory": Case(lambda w: ["show", str(w.study / "instruments")], "FK-YAML-005"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: ["show", w.empty], "FK-YAML-005"),
        "wrong_kind": Case(lambda w: ["show", w.protocol], "FK-INS-019"),
        "unsupported_url": NO_URL,
        "bad_option": Case(lambda w: ["show", w.instrument(), "--lang", "de"], "FK-CLI-050"),
    },
    "compile": {
        "missing_path": Case(lambda w: ["compile", w.missing("x.yaml")], "FK-YAML-005"),
        "directory": Case(lambda w: ["compile", str(w.study / "instruments")], "FK-YAML-005"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: ["compile", w.empty], "FK-YAML-005"),
        "wrong_kind": Case(lambda w: ["compile", w.binary], "FK-YAML-005"),
        "unsupported_url": NO_URL,
        "bad_option": Case(lambda w: ["compile", w.instrument(), "--format", "x"], "FK-CLI-052"),
    },
    "collect": {
        "missing_path": (
            Case(lambda w: ["collect", w.missing("x.yaml")], "FK-YAML-005"),
            Case(lambda w: [*_collect(w), "--answers", w.missing("answers.yaml")], "FK-YAML-005"),
            Case(lambda w: [*_collect(w), *_answers(w), "--key", w.missing("p.pub")], "FK-KEY-002"),
        ),
        "directory": Case(lambda w: ["collect", str(w.study / "instruments")], "FK-YAML-005"),
        "existing_file": NotApplicable("collect adds interviews to an existing laptop store"),
        "read_only": Case(
            lambda w: [*_collect(w, str(w.read_only / "l.sqlite")), *_answers(w)], "FK-STORE-004"
        ),
        "empty_file": Case(lambda w: [*_collect(w), "--answers", w.empty], "FK-YAML-005"),
        "wrong_kind": (
            Case(lambda w: [*_collect(w, w.notes), *_answers(w)], "FK-KEY-030"),
            Case(lambda w: [*_collect(w, w.store), *_answers(w)], "FK-STORE-003"),
            Case(lambda w: [*_collect(w), "--answers", w.protocol], "FK-YAML-004"),
            Case(lambda w: [*_collect(w), "--assignments", w.notes], "FK-MON-055"),
        ),
        "unsupported_url": Case(
            lambda w: [*_collect(w, "sqlite:///laptop.sqlite"), *_answers(w)], "FK-STORE-004"
        ),
        "bad_option": (
            Case(lambda w: [*_collect(w), "--answers"], "FK-CLI-051"),
            Case(lambda w: [*_collect(w, w.laptop), *_answers(w, w.notes)], "FK-KEY-001"),
            Case(lambda w: [*_collect(w, w.laptop), *_answers(w)[:2]], "FK-CLI-053"),
        ),
    },
    "drafts": {
        "missing_path": Case(lambda w: ["drafts", "--db", w.missing("l.sqlite")], "FK-STORE-004"),
        "directory": Case(lambda w: ["drafts", "--db", w.folder], "FK-STORE-004"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: ["drafts", "--db", w.empty], "FK-STORE-004"),
        "wrong_kind": (
            Case(lambda w: ["drafts", "--db", w.notes, *_study_key(w), *_pass(w)], "FK-KEY-030"),
            Case(lambda w: ["drafts", "--db", w.store, *_study_key(w), *_pass(w)], "FK-STORE-003"),
        ),
        "unsupported_url": NO_URL,
        "bad_option": (
            Case(lambda w: ["drafts", "--db", w.laptop, "--key", w.missing("p.pub")], "FK-KEY-002"),
            Case(
                lambda w: ["drafts", "--db", w.laptop, *_study_key(w), *_pass(w, w.notes)],
                "FK-KEY-001",
            ),
        ),
    },
    "serve": {
        # Every mistake is caught before the server listens: none of these ever serves.
        "missing_path": Case(lambda w: _serve(w, w.missing("l.sqlite")), "FK-STORE-004"),
        "directory": Case(lambda w: _serve(w, w.folder), "FK-STORE-004"),
        "existing_file": NotApplicable("serve adds interviews to an existing laptop store"),
        "read_only": Case(lambda w: _serve(w, str(w.read_only / "l.sqlite")), "FK-STORE-004"),
        "empty_file": Case(lambda w: [*_serve(w, w.laptop)[:-2], "--key", w.empty], "FK-KEY-002"),
        "wrong_kind": (
            Case(lambda w: _serve(w, w.notes), "FK-KEY-030"),  # no unlock file: no store
            Case(lambda w: _serve(w, w.store), "FK-STORE-003"),
        ),
        "unsupported_url": Case(lambda w: _serve(w, "sqlite:///laptop.sqlite"), "FK-STORE-004"),
        "bad_option": Case(lambda w: [*_serve(w, w.laptop), "--port", "70000"], "FK-CLI-050"),
    },
    "keys init": {
        "missing_path": (
            Case(lambda w: [*_init(w), "--merge-passphrase-file", w.missing("p")], "FK-KEY-052"),
            Case(lambda w: [*_init(w, ama=w.missing("p")), *_merge_pass(w)], "FK-KEY-052"),
        ),
        "directory": Case(lambda w: [*_init(w), "--merge-passphrase-file", w.folder], "FK-KEY-052"),
        "existing_file": (
            Case(lambda w: [*_init(w, out=w.notes), *_merge_pass(w)], "FK-KEY-050"),
            Case(lambda w: [*_init(w, out=str(w.keys)), *_merge_pass(w)], "FK-KEY-003"),
        ),
        "read_only": (
            Case(lambda w: [*_init(w, out=str(w.read_only / "k")), *_merge_pass(w)], "FK-KEY-051"),
            Case(lambda w: [*_init(w, out="/proc/fieldkit-keys"), *_merge_pass(w)], "FK-KEY-051"),
        ),
        "empty_file": (
            Case(lambda w: [*_init(w), "--merge-passphrase-file", w.empty], "FK-KEY-004"),
            Case(lambda w: [*_init(w, ama=w.empty), *_merge_pass(w)], "FK-KEY-004"),
        ),
        "wrong_kind": Case(
            lambda w: [*_init(w), "--merge-passphrase-file", w.binary], "FK-KEY-052"
        ),
        "unsupported_url": NO_URL,
        "bad_option": (
            Case(lambda w: [*_init(w)], "FK-CLI-053"),  # no passphrase file, no input
            Case(lambda w: [*_init(w), "--merge-passphrase-env", "FK_NOT_SET_9"], "FK-KEY-052"),
            Case(lambda w: [*_init(w), *_merge_pass(w), "--threshold", "3"], "FK-KEY-005"),
            Case(lambda w: ["keys", "init", "--custodians", "1"], "FK-CLI-050"),
        ),
    },
    "keys rotate": {
        "missing_path": (
            Case(lambda w: _rotate(w, store=w.missing("hq.sqlite")), "FK-STORE-050"),
            Case(lambda w: _rotate(w, share=w.missing("share.txt")), "FK-KEY-002"),
            Case(lambda w: [*_rotate(w), "--keys", w.missing("p.pub")], "FK-KEY-002"),
        ),
        "directory": (
            Case(lambda w: _rotate(w, store=w.folder), "FK-STORE-004"),
            Case(lambda w: _rotate(w, share=w.folder), "FK-KEY-002"),
        ),
        "existing_file": (
            Case(lambda w: _rotate(w, out=str(w.keys)), "FK-KEY-003"),
            Case(lambda w: _rotate(w, out=w.notes), "FK-KEY-050"),
        ),
        "read_only": Case(lambda w: _rotate(w, out=str(w.read_only / "new-keys")), "FK-KEY-051"),
        "empty_file": (
            Case(lambda w: _rotate(w, store=w.empty), "FK-STORE-050"),
            Case(lambda w: _rotate(w, share=w.empty), "FK-KEY-002"),
        ),
        "wrong_kind": (
            Case(lambda w: _rotate(w, store=w.laptop), "FK-STORE-003"),
            Case(lambda w: _rotate(w, share=str(w.keys / "project.pub")), "FK-KEY-002"),
        ),
        "unsupported_url": Case(lambda w: _rotate(w, store=MYSQL), "FK-STORE-004"),
        "bad_option": (
            Case(lambda w: _rotate(w, share=w.share()), "FK-KEY-005"),  # one share, given twice
            Case(lambda w: _rotate(w, share=_wrong_passphrase(w)), "FK-KEY-001"),
            Case(lambda w: _rotate(w)[:-2], "FK-CLI-050"),  # one new custodian only
            Case(lambda w: ["keys", "rotate", "--store", w.store], "FK-CLI-051"),  # no --share
        ),
    },
    "keys show-public": {
        "missing_path": Case(lambda w: ["keys", "show-public", w.missing("p.pub")], "FK-KEY-002"),
        "directory": Case(lambda w: ["keys", "show-public", w.folder], "FK-KEY-002"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: ["keys", "show-public", w.empty], "FK-KEY-002"),
        "wrong_kind": Case(lambda w: ["keys", "show-public", w.merge_key], "FK-KEY-002"),
        "unsupported_url": NO_URL,
        "bad_option": Case(lambda w: ["keys", "show-public", "a.pub", "b.pub"], "FK-CLI-052"),
    },
    "bundle": {
        "missing_path": Case(
            lambda w: ["bundle", "--db", w.missing("l.sqlite"), "--out", "b.fkb"], "FK-BUNDLE-021"
        ),
        "directory": Case(
            lambda w: ["bundle", "--db", w.folder, "--out", "b.fkb"], "FK-BUNDLE-021"
        ),
        "existing_file": Case(
            lambda w: ["bundle", "--db", w.laptop, "--out", w.notes], "FK-BUNDLE-050"
        ),
        "read_only": Case(
            lambda w: [*_bundle(w), "--out", str(w.read_only / "b.fkb")], "FK-BUNDLE-022"
        ),
        "empty_file": Case(
            lambda w: ["bundle", "--db", w.empty, "--out", "b.fkb"], "FK-BUNDLE-021"
        ),
        "wrong_kind": (
            Case(lambda w: [*_bundle(w), "--receipt", w.notes], "FK-BUNDLE-023"),
            Case(lambda w: ["bundle", "--db", w.store, "--out", "b.fkb"], "FK-STORE-003"),
            Case(lambda w: ["bundle", "--db", w.notes, "--out", "b.fkb"], "FK-KEY-030"),
        ),
        "unsupported_url": NO_URL,
        "bad_option": (
            Case(lambda w: ["bundle", "--db", w.laptop], "FK-CLI-050"),
            Case(lambda w: [*_bundle(w, w.notes), "--out", "b.fkb"], "FK-KEY-001"),
            Case(lambda w: ["bundle", "--db", w.laptop, "--out", "b.fkb"], "FK-CLI-053"),
        ),
    },
    "device init": {
        "missing_path": Case(
            lambda w: ["device", "init", "--db", w.missing("l.sqlite")], "FK-BUNDLE-021"
        ),
        "directory": Case(lambda w: ["device", "init", "--db", w.folder], "FK-BUNDLE-021"),
        "existing_file": (
            Case(lambda w: ["device", "init", "--db", w.laptop, *_pass(w)], "FK-BUNDLE-025"),
            Case(lambda w: [*_device_init(w), "--public", w.notes], "FK-BUNDLE-050"),
        ),
        "read_only": Case(
            lambda w: [*_device_init(w), "--public", str(w.read_only / "d.pub")],
            "FK-BUNDLE-051",
        ),
        "empty_file": Case(lambda w: ["device", "init", "--db", w.empty], "FK-BUNDLE-021"),
        "wrong_kind": (
            Case(lambda w: ["device", "init", "--db", w.notes], "FK-KEY-030"),
            Case(lambda w: ["device", "init", "--db", w.store], "FK-STORE-003"),
        ),
        "unsupported_url": NO_URL,
        "bad_option": (
            Case(lambda w: ["device", "init"], "FK-CLI-051"),
            Case(lambda w: ["device", "init", "--db", w.laptop, *_pass(w, w.notes)], "FK-KEY-001"),
        ),
    },
    "device revoke": {
        "missing_path": Case(lambda w: _revoke(w, w.missing("hq.sqlite")), "FK-STORE-050"),
        "directory": Case(lambda w: _revoke(w, w.folder), "FK-STORE-004"),
        "existing_file": NotApplicable("revoking writes into an existing store, no file"),
        "read_only": NotApplicable("the store must exist; a read-only store is FK-STORE-004"),
        "empty_file": Case(lambda w: _revoke(w, w.empty), "FK-STORE-050"),
        "wrong_kind": Case(lambda w: _revoke(w, w.laptop), "FK-STORE-003"),
        "unsupported_url": Case(lambda w: _revoke(w, MYSQL), "FK-STORE-004"),
        "bad_option": (
            Case(lambda w: _revoke(w, w.store, device="no-such-device"), "FK-BUNDLE-007"),
            Case(lambda w: _revoke(w, w.store, reason=" "), "FK-BUNDLE-033"),
            Case(lambda w: [*_revoke(w, w.store), "--from-sequence", "0"], "FK-CLI-050"),
            Case(lambda w: [*_revoke(w, w.store), "--since", "yesterday"], "FK-CLI-050"),
        ),
    },
    "device register": {
        "missing_path": Case(
            lambda w: ["device", "register", w.missing("d.pub"), "--into", w.store],
            "FK-BUNDLE-026",
        ),
        "directory": (
            Case(lambda w: ["device", "register", w.folder, "--into", w.store], "FK-BUNDLE-026"),
            Case(
                lambda w: ["device", "register", w.device_public, "--into", w.folder],
                "FK-STORE-004",
            ),
        ),
        "existing_file": ADDS_TO_STORE,
        "read_only": Case(
            lambda w: [
                *["device", "register", w.device_public],
                *["--into", str(w.read_only / "hq.sqlite")],
            ],
            "FK-STORE-004",
        ),
        "empty_file": Case(
            lambda w: ["device", "register", w.empty, "--into", w.store], "FK-BUNDLE-026"
        ),
        "wrong_kind": (
            Case(
                lambda w: ["device", "register", str(w.keys / "project.pub"), "--into", w.store],
                "FK-BUNDLE-026",
            ),
            Case(
                lambda w: ["device", "register", w.device_public, "--into", w.laptop],
                "FK-STORE-003",
            ),
        ),
        "unsupported_url": Case(
            lambda w: ["device", "register", w.device_public, "--into", MYSQL], "FK-STORE-004"
        ),
        "bad_option": Case(lambda w: ["device", "register", w.device_public], "FK-CLI-051"),
    },
    "merge": {
        "missing_path": (
            Case(lambda w: _merge(w, w.missing("b.fkb"), w.store), "FK-BUNDLE-012"),
            Case(
                lambda w: [*_merge(w, w.bundle, w.store), "--merge-key", w.missing("m.key")],
                "FK-KEY-002",
            ),
        ),
        "directory": Case(lambda w: _merge(w, w.folder, w.store), "FK-BUNDLE-012"),
        "existing_file": ADDS_TO_STORE,
        "read_only": Case(
            lambda w: _merge(w, w.bundle, str(w.read_only / "hq.sqlite")), "FK-STORE-004"
        ),
        "empty_file": Case(lambda w: _merge(w, w.empty, w.store), "FK-BUNDLE-002", report=True),
        "wrong_kind": (
            Case(lambda w: _merge(w, w.notes, w.store), "FK-BUNDLE-001", report=True),
            Case(lambda w: _merge(w, w.bundle, w.laptop), "FK-STORE-003"),
            Case(
                lambda w: [
                    *_merge(w, w.bundle, w.store),
                    "--merge-key",
                    str(w.keys / "project.pub"),
                ],
                "FK-KEY-002",
            ),
        ),
        "unsupported_url": Case(lambda w: _merge(w, w.bundle, MYSQL), "FK-STORE-004"),
        "bad_option": (
            Case(
                lambda w: [*_merge(w, w.bundle, w.store), "--project", w.missing("study")],
                "FK-PROT-050",
            ),
            Case(lambda w: _merge(w, w.bundle, w.store, w.notes), "FK-KEY-001"),
            Case(lambda w: _merge(w, w.bundle, w.store)[:-2], "FK-CLI-053"),
        ),
    },
    "conflicts": {
        "missing_path": Case(
            lambda w: ["conflicts", "--store", w.missing("hq.sqlite")], "FK-STORE-050"
        ),
        "directory": Case(lambda w: ["conflicts", "--store", w.folder], "FK-STORE-004"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: ["conflicts", "--store", w.empty], "FK-STORE-050"),
        "wrong_kind": (
            Case(lambda w: ["conflicts", "--store", w.notes], "FK-STORE-001"),
            Case(lambda w: ["conflicts", "--store", w.laptop], "FK-STORE-003"),
        ),
        "unsupported_url": Case(lambda w: ["conflicts", "--store", MYSQL], "FK-STORE-004"),
        "bad_option": Case(lambda w: ["conflicts"], "FK-CLI-050"),
    },
    "conflicts resolve": {
        "missing_path": Case(lambda w: _resolve(w.missing("hq.sqlite")), "FK-STORE-050"),
        "directory": Case(lambda w: _resolve(w.folder), "FK-STORE-004"),
        "existing_file": NotApplicable("resolving writes a decision into an existing store"),
        "read_only": NotApplicable("the store must exist; a read-only store is FK-STORE-004"),
        "empty_file": Case(lambda w: _resolve(w.empty), "FK-STORE-050"),
        "wrong_kind": Case(lambda w: _resolve(w.laptop), "FK-STORE-003"),
        "unsupported_url": Case(lambda w: _resolve(MYSQL), "FK-STORE-004"),
        "bad_option": Case(lambda w: _resolve(w.store), "FK-MERGE-001"),
    },
    "quarantine": {
        "missing_path": Case(
            lambda w: ["quarantine", "--store", w.missing("hq.sqlite")], "FK-STORE-050"
        ),
        "directory": Case(lambda w: ["quarantine", "--store", w.folder], "FK-STORE-004"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: ["quarantine", "--store", w.empty], "FK-STORE-050"),
        "wrong_kind": Case(lambda w: ["quarantine", "--store", w.laptop], "FK-STORE-003"),
        "unsupported_url": Case(lambda w: ["quarantine", "--store", MYSQL], "FK-STORE-004"),
        "bad_option": Case(lambda w: ["quarantine"], "FK-CLI-051"),
    },
    "monitor": {
        "missing_path": Case(
            lambda w: ["monitor", "--store", w.missing("hq.sqlite")], "FK-STORE-050"
        ),
        "directory": (
            Case(lambda w: ["monitor", "--store", w.folder], "FK-STORE-004"),
            Case(lambda w: ["monitor", "--store", w.store, "--html", w.folder], "FK-EXPORT-050"),
        ),
        "existing_file": NotApplicable("--html replaces the last report: it is refreshed daily"),
        "read_only": Case(
            lambda w: ["monitor", "--store", w.store, "--html", str(w.read_only / "m.html")],
            "FK-EXPORT-002",
        ),
        "empty_file": Case(lambda w: ["monitor", "--store", w.empty], "FK-STORE-050"),
        "wrong_kind": Case(lambda w: ["monitor", "--store", w.laptop], "FK-STORE-003"),
        "unsupported_url": Case(lambda w: ["monitor", "--store", MYSQL], "FK-STORE-004"),
        "bad_option": Case(lambda w: ["monitor"], "FK-CLI-051"),
    },
    "assign": {
        "missing_path": (
            Case(lambda w: _assign(w, sample=w.missing("s.csv")), "FK-MON-050"),
            Case(lambda w: _assign(w, store=w.missing("hq.sqlite")), "FK-STORE-050"),
        ),
        "directory": (
            Case(lambda w: _assign(w, sample=w.folder), "FK-MON-050"),
            Case(lambda w: [*_assign(w), "--out", w.notes], "FK-EXPORT-050"),
        ),
        "existing_file": ADDS_TO_STORE,
        "read_only": Case(
            lambda w: [*_assign(w), "--out", str(w.read_only / "a")], "FK-EXPORT-002"
        ),
        "empty_file": Case(lambda w: _assign(w, sample=w.empty), "FK-MON-050"),
        "wrong_kind": (
            Case(lambda w: _assign(w, sample=w.binary), "FK-MON-050"),
            Case(lambda w: _assign(w, store=w.laptop), "FK-STORE-003"),
        ),
        "unsupported_url": Case(lambda w: _assign(w, store=MYSQL), "FK-STORE-004"),
        "bad_option": Case(lambda w: [*_assign(w)[:-2], "-i", "nowhere_cl"], "FK-INS-019"),
    },
    "review": {
        "missing_path": Case(
            lambda w: ["review", "--store", w.missing("hq.sqlite")], "FK-STORE-050"
        ),
        "directory": Case(lambda w: ["review", "--store", w.folder], "FK-STORE-004"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: ["review", "--store", w.empty], "FK-STORE-050"),
        "wrong_kind": Case(lambda w: ["review", "--store", w.laptop], "FK-STORE-003"),
        "unsupported_url": Case(lambda w: ["review", "--store", MYSQL], "FK-STORE-004"),
        "bad_option": Case(lambda w: ["review"], "FK-CLI-050"),
    },
    **{
        f"review {verb}": {
            "missing_path": Case(
                lambda w, v=verb: [
                    "review",
                    v,
                    "abcdef12",
                    "--store",
                    w.missing("hq.sqlite"),
                    "--comment",
                    "x",
                ],
                "FK-STORE-050",
            ),
            "directory": Case(
                lambda w, v=verb: ["review", v, "abcdef12", "--store", w.folder, "--comment", "x"],
                "FK-STORE-004",
            ),
            "existing_file": ADDS_TO_STORE,
            "read_only": NotApplicable("the decision goes into the store --store names"),
            "empty_file": Case(
                lambda w, v=verb: ["review", v, "abcdef12", "--store", w.empty, "--comment", "x"],
                "FK-STORE-050",
            ),
            "wrong_kind": Case(
                lambda w, v=verb: ["review", v, "abcdef12", "--store", w.laptop, "--comment", "x"],
                "FK-STORE-003",
            ),
            "unsupported_url": Case(
                lambda w, v=verb: ["review", v, "abcdef12", "--store", MYSQL, "--comment", "x"],
                "FK-STORE-004",
            ),
            "bad_option": Case(lambda w, v=verb: ["review", v, "abcdef12"], "FK-CLI-051"),
        }
        for verb in ("approve", "reject")
    },
    "backcheck draw": {
        "missing_path": Case(lambda w: _draw(w, store=w.missing("hq.sqlite")), "FK-STORE-050"),
        "directory": (
            Case(lambda w: _draw(w, store=w.folder), "FK-STORE-004"),
            Case(lambda w: [*_draw(w), "--out", w.folder], "FK-EXPORT-050"),
        ),
        "existing_file": NotApplicable("--out replaces an earlier draw's sample, as the draw does"),
        "read_only": Case(
            lambda w: [*_draw(w), "--out", str(w.read_only / "b.csv")], "FK-EXPORT-002"
        ),
        "empty_file": Case(lambda w: _draw(w, store=w.empty), "FK-STORE-050"),
        "wrong_kind": Case(lambda w: _draw(w, store=w.laptop), "FK-STORE-003"),
        "unsupported_url": Case(lambda w: _draw(w, store=MYSQL), "FK-STORE-004"),
        "bad_option": (
            Case(lambda w: [*_draw(w)[:-2], "--seed", "s", "--rate", "0"], "FK-MON-058"),
            Case(lambda w: [*_draw(w)[:-2]], "FK-CLI-051"),
        ),
    },
    "backcheck compare": {
        "missing_path": Case(
            lambda w: ["backcheck", "compare", "--store", w.missing("hq.sqlite")], "FK-STORE-050"
        ),
        "directory": Case(lambda w: ["backcheck", "compare", "--store", w.folder], "FK-STORE-004"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: ["backcheck", "compare", "--store", w.empty], "FK-STORE-050"),
        "wrong_kind": Case(lambda w: ["backcheck", "compare", "--store", w.laptop], "FK-STORE-003"),
        "unsupported_url": Case(
            lambda w: ["backcheck", "compare", "--store", MYSQL], "FK-STORE-004"
        ),
        "bad_option": Case(lambda w: ["backcheck", "compare"], "FK-CLI-051"),
    },
    "export": {
        "missing_path": Case(
            lambda w: [
                "export",
                "--store",
                w.missing("hq.sqlite"),
                "-i",
                "household_cl",
                "--xlsx",
                "x.xlsx",
            ],
            "FK-STORE-050",
        ),
        "directory": (
            Case(lambda w: w.export("--xlsx", w.folder), "FK-EXPORT-050"),
            Case(
                lambda w: ["export", "--store", w.folder, "-i", "household_cl", "--csv", "c"],
                "FK-STORE-004",
            ),
        ),
        "existing_file": Case(lambda w: w.export("--csv", w.notes), "FK-EXPORT-050"),
        "read_only": (
            Case(lambda w: w.export("--csv", str(w.read_only / "csv")), "FK-EXPORT-002"),
            Case(lambda w: w.export("--xlsx", str(w.read_only / "hh.xlsx")), "FK-EXPORT-002"),
            Case(lambda w: w.export("--dta", str(w.read_only)), "FK-EXPORT-002"),
        ),
        "empty_file": Case(
            lambda w: ["export", "--store", w.empty, "-i", "household_cl", "--xlsx", "x.xlsx"],
            "FK-STORE-050",
        ),
        "wrong_kind": Case(
            lambda w: ["export", "--store", w.laptop, "-i", "household_cl", "--xlsx", "x.xlsx"],
            "FK-STORE-003",
        ),
        "unsupported_url": Case(
            lambda w: ["export", "--store", MYSQL, "-i", "household_cl", "--xlsx", "x.xlsx"],
            "FK-STORE-004",
        ),
        "bad_option": (
            Case(lambda w: w.export("--xlsx", "x.xlsx", "--lang", "de"), "FK-DATA-050"),
            Case(lambda w: w.export(), "FK-EXPORT-051"),
            Case(
                lambda w: ["export", "--store", w.store, "-i", "nope", "--xlsx", "x.xlsx"],
                "FK-INS-019",
            ),
        ),
    },
    "estimate": {
        "missing_path": Case(lambda w: _estimate(w.missing("survey.csv")), "FK-DATA-033"),
        "directory": Case(lambda w: _estimate(w.folder), "FK-DATA-033"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: _estimate(w.empty), "FK-DATA-033"),
        "wrong_kind": (
            Case(lambda w: _estimate(w.binary), "FK-DATA-033"),
            Case(lambda w: _estimate(w.notes), "FK-DATA-034"),  # text, but no such column
        ),
        "unsupported_url": NO_URL,
        "bad_option": (
            Case(
                lambda w: ["estimate", SURVEY_CSV, "--psu", "psu", "--weight", "weight"],
                "FK-CLI-051",
            ),
            Case(lambda w: [*_estimate(SURVEY_CSV), "--threshold", "few"], "FK-CLI-050"),
            Case(lambda w: [*_estimate(SURVEY_CSV), "--threshold", "-1"], "FK-CLI-050"),
        ),
    },
    "tables": {
        "missing_path": Case(
            lambda w: ["tables", "--store", w.missing("hq.sqlite"), "-i", "household_cl"],
            "FK-STORE-050",
        ),
        "directory": Case(
            lambda w: ["tables", "--store", w.folder, "-i", "household_cl"], "FK-STORE-004"
        ),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(
            lambda w: ["tables", "--store", w.empty, "-i", "household_cl"], "FK-STORE-050"
        ),
        "wrong_kind": Case(
            lambda w: ["tables", "--store", w.laptop, "-i", "household_cl"], "FK-STORE-003"
        ),
        "unsupported_url": Case(
            lambda w: ["tables", "--store", MYSQL, "-i", "household_cl"], "FK-STORE-004"
        ),
        "bad_option": (
            Case(lambda w: w.tables("--lang", "de"), "FK-DATA-050"),
            Case(lambda w: w.tables("--by", "shoe_size"), "FK-DATA-007"),
        ),
    },
    "profile": {
        "missing_path": Case(lambda w: _profile(w.missing("hq.sqlite")), "FK-STORE-050"),
        "directory": Case(lambda w: _profile(w.folder), "FK-STORE-004"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: _profile(w.empty), "FK-STORE-050"),
        "wrong_kind": Case(lambda w: _profile(w.laptop), "FK-STORE-003"),
        "unsupported_url": Case(lambda w: _profile(MYSQL), "FK-STORE-004"),
        "bad_option": (
            Case(lambda w: [*_profile(w.store), "--by", "shoe_size"], "FK-DATA-007"),
            Case(lambda w: [*_profile(w.store), "--outcome", "shoe_size"], "FK-DATA-007"),
            Case(lambda w: [*_profile(w.store), "--reference", "sex"], "FK-CLI-050"),
            Case(lambda w: [*_profile(w.store), "--lang", "de"], "FK-DATA-050"),
        ),
    },
    "routes": {
        "missing_path": Case(lambda w: _routes(w.missing("hq.sqlite")), "FK-STORE-050"),
        "directory": (
            Case(lambda w: _routes(w.folder), "FK-STORE-004"),
            Case(lambda w: [*_routes(w.store), "--geojson", w.folder], "FK-EXPORT-050"),
        ),
        "existing_file": NotApplicable("the GeoJSON file is replaced whole, as an export's"),
        "read_only": Case(
            lambda w: [*_routes(w.store), "--geojson", str(w.read_only / "f.geojson")],
            "FK-EXPORT-002",
        ),
        "empty_file": Case(lambda w: _routes(w.empty), "FK-STORE-050"),
        "wrong_kind": Case(lambda w: _routes(w.laptop), "FK-STORE-003"),
        "unsupported_url": Case(lambda w: _routes(MYSQL), "FK-STORE-004"),
        "bad_option": Case(lambda w: [*_routes(w.store), "--lang", "de"], "FK-DATA-050"),
    },
    "recode": {
        "missing_path": (
            Case(lambda w: _recode(w.missing("hq.sqlite")), "FK-STORE-050"),
            Case(lambda w: [*_recode(w.store), "--merge-key", w.missing("m.key")], "FK-KEY-002"),
        ),
        "directory": Case(lambda w: _recode(w.folder), "FK-STORE-004"),
        "existing_file": Case(lambda w: [*_recode(w.store), "--recodes", w.notes], "FK-EXPORT-050"),
        "read_only": Case(
            lambda w: [*_recode(w.store), *_unlock_merge(w), "--recodes", str(w.read_only)],
            "FK-EXPORT-002",
        ),
        "empty_file": Case(lambda w: _recode(w.empty), "FK-STORE-050"),
        "wrong_kind": (
            Case(lambda w: _recode(w.laptop), "FK-STORE-003"),
            Case(
                lambda w: [*_recode(w.store), "--merge-key", str(w.keys / "project.pub")],
                "FK-KEY-002",
            ),
        ),
        "unsupported_url": Case(lambda w: _recode(MYSQL), "FK-STORE-004"),
        "bad_option": (
            Case(lambda w: [*_recode(w.store), "-q", "shoe_size"], "FK-RELEASE-031"),
            Case(
                lambda w: [*_recode(w.store), *_unlock_merge(w, w.notes), "--recodes", "r"],
                "FK-KEY-001",
            ),
        ),
    },
    "reveal": {
        "missing_path": (
            Case(lambda w: _reveal(w, store=w.missing("hq.sqlite")), "FK-STORE-050"),
            Case(lambda w: _reveal(w, share=w.missing("share.txt")), "FK-KEY-002"),
            Case(lambda w: [*_reveal(w), "--keys", w.missing("p.pub")], "FK-KEY-002"),
        ),
        "directory": (
            Case(lambda w: _reveal(w, store=w.folder), "FK-STORE-004"),
            Case(lambda w: _reveal(w, share=w.folder), "FK-KEY-002"),
        ),
        "existing_file": NotApplicable("reveal prints one record's fields; it writes no file"),
        "read_only": NotApplicable("the store must exist; a read-only store is FK-STORE-004"),
        "empty_file": (
            Case(lambda w: _reveal(w, store=w.empty), "FK-STORE-050"),
            Case(lambda w: _reveal(w, share=w.empty), "FK-KEY-002"),
        ),
        "wrong_kind": (
            Case(lambda w: _reveal(w, store=w.laptop), "FK-STORE-003"),
            Case(lambda w: _reveal(w, share=str(w.keys / "project.pub")), "FK-KEY-002"),
            Case(lambda w: [*_reveal(w), "--keys", w.merge_key], "FK-KEY-002"),
        ),
        "unsupported_url": Case(lambda w: _reveal(w, store=MYSQL), "FK-STORE-004"),
        "bad_option": (
            # each refusal is written to the audit log, whose new head is printed too
            Case(lambda w: _reveal(w, record="0" * 32), "FK-PRIV-002", report=True),
            Case(lambda w: _reveal(w, share=w.share()), "FK-PRIV-002", report=True),  # twice
            Case(lambda w: _reveal(w, reason="curious"), "FK-PRIV-002", report=True),
            Case(lambda w: _reveal(w, record="%"), "FK-PRIV-002", report=True),
            Case(lambda w: _reveal(w, share=_wrong_passphrase(w)), "FK-KEY-001"),
            Case(lambda w: _reveal(w)[:3], "FK-CLI-051"),  # no --reason, --store, --share
        ),
    },
    "audit verify": {
        "missing_path": Case(lambda w: _verify(w.missing("hq.sqlite")), "FK-STORE-050"),
        "directory": Case(lambda w: _verify(w.folder), "FK-STORE-004"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: _verify(w.empty), "FK-STORE-050"),
        "wrong_kind": (
            Case(lambda w: _verify(w.laptop), "FK-STORE-003"),
            Case(lambda w: _verify(w.notes), "FK-STORE-001"),
        ),
        "unsupported_url": Case(lambda w: _verify(MYSQL), "FK-STORE-004"),
        "bad_option": (
            Case(lambda w: [*_verify(w.store), "--anchor", "yesterday's head"], "FK-PRIV-005"),
            Case(lambda w: [*_verify(w.store), "--anchor", "#1:" + "0" * 64], "FK-PRIV-003"),
            Case(lambda w: ["audit", "verify"], "FK-CLI-051"),
        ),
    },
    "retention apply": {
        "missing_path": (
            Case(lambda w: _retention(w.missing("hq.sqlite")), "FK-STORE-050"),
            Case(lambda w: [*_retention(w.store), "--project", w.missing("study")], "FK-PROT-050"),
        ),
        "directory": Case(lambda w: _retention(w.folder), "FK-STORE-004"),
        "existing_file": NotApplicable("retention deletes inside an existing store, no file"),
        "read_only": NotApplicable("the store must exist; a read-only store is FK-STORE-004"),
        "empty_file": Case(lambda w: _retention(w.empty), "FK-STORE-050"),
        "wrong_kind": Case(lambda w: _retention(w.laptop), "FK-STORE-003"),
        "unsupported_url": Case(lambda w: _retention(MYSQL), "FK-STORE-004"),
        "bad_option": Case(lambda w: ["retention", "apply", "--dry-run"], "FK-CLI-051"),
    },
    "staff check": {
        "missing_path": (
            Case(lambda w: _staff(w.missing("staff.yaml"), w.store), "FK-YAML-005"),
            Case(lambda w: _staff(w.staff, w.missing("hq.sqlite")), "FK-STORE-050"),
        ),
        "directory": (
            Case(lambda w: _staff(w.folder, w.store), "FK-YAML-005"),
            Case(lambda w: _staff(w.staff, w.folder), "FK-STORE-004"),
        ),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": (
            Case(lambda w: _staff(w.empty, w.store), "FK-YAML-005"),
            Case(lambda w: _staff(w.staff, w.empty), "FK-STORE-050"),
        ),
        "wrong_kind": (
            Case(lambda w: _staff(w.notes, w.store), "FK-PRIV-007"),
            Case(lambda w: _staff(w.binary, w.store), "FK-YAML-005"),
            Case(lambda w: _staff("/dev/zero", w.store), "FK-YAML-005"),
            Case(lambda w: _staff(w.staff, w.laptop), "FK-STORE-003"),
        ),
        "unsupported_url": Case(lambda w: _staff(w.staff, MYSQL), "FK-STORE-004"),
        "bad_option": (
            Case(lambda w: _staff(w.staff_names, w.store), "FK-PRIV-007"),  # names, not codes
            Case(lambda w: ["staff", "check", "--store", w.store], "FK-CLI-051"),
        ),
    },
    "users add": {
        "missing_path": Case(
            lambda w: [*_user(w, w.store), "--passphrase-file", w.missing("p")], "FK-USER-001"
        ),
        "directory": (
            Case(lambda w: [*_user(w, w.store), "--passphrase-file", w.folder], "FK-USER-001"),
            Case(lambda w: [*_user(w, w.folder), *_pass(w)], "FK-STORE-004"),
        ),
        "existing_file": ADDS_TO_STORE,
        "read_only": Case(
            lambda w: [*_user(w, str(w.read_only / "hq.sqlite")), *_pass(w)], "FK-STORE-004"
        ),
        "empty_file": Case(
            lambda w: [*_user(w, w.store), "--passphrase-file", w.empty], "FK-USER-004"
        ),
        "wrong_kind": Case(lambda w: [*_user(w, w.laptop), *_pass(w)], "FK-STORE-003"),
        "unsupported_url": Case(lambda w: [*_user(w, MYSQL), *_pass(w)], "FK-STORE-004"),
        "bad_option": Case(
            lambda w: ["users", "add", "ama", "--store", w.store, "--role", "king", *_pass(w)],
            "FK-USER-005",
        ),
    },
    "users list": {
        "missing_path": Case(
            lambda w: ["users", "list", "--store", w.missing("hq.sqlite")], "FK-STORE-050"
        ),
        "directory": Case(lambda w: ["users", "list", "--store", w.folder], "FK-STORE-004"),
        "existing_file": READS_ONLY,
        "read_only": READS_ONLY,
        "empty_file": Case(lambda w: ["users", "list", "--store", w.empty], "FK-STORE-050"),
        "wrong_kind": Case(lambda w: ["users", "list", "--store", w.laptop], "FK-STORE-003"),
        "unsupported_url": Case(lambda w: ["users", "list", "--store", MYSQL], "FK-STORE-004"),
        "bad_option": Case(lambda w: ["users", "list"], "FK-CLI-051"),
    },
    "xlsform import": {
        "missing_path": Case(lambda w: _xls_import(w, w.missing("form.xlsx")), "FK-XLS-001"),
        "directory": Case(lambda w: _xls_import(w, w.folder), "FK-XLS-001"),
        "existing_file": Case(
            lambda w: [*_xls_import(w, w.xlsform)[:-2], "--out", w.instrument()], "FK-XLS-005"
        ),
        "read_only": Case(
            lambda w: [*_xls_import(w, w.xlsform)[:-2], "--out", str(w.read_only / "f.yaml")],
            "FK-XLS-005",
        ),
        "empty_file": Case(lambda w: _xls_import(w, w.empty_xlsx), "FK-XLS-002"),
        "wrong_kind": Case(lambda w: _xls_import(w, w.notes), "FK-XLS-002"),
        "unsupported_url": NO_URL,
        "bad_option": Case(
            lambda w: [*_xls_import(w, w.xlsform), "--kind", "palace"], "FK-CLI-050"
        ),
    },
    "xlsform export": {
        "missing_path": Case(lambda w: _xls_export(w.missing("x.yaml"), "f.xlsx"), "FK-YAML-005"),
        "directory": Case(
            lambda w: _xls_export(str(w.study / "instruments"), "f.xlsx"), "FK-YAML-005"
        ),
        "existing_file": Case(lambda w: _xls_export(w.instrument(), w.notes), "FK-XLS-005"),
        "read_only": Case(
            lambda w: _xls_export(w.instrument(), str(w.read_only / "f.xlsx")), "FK-XLS-005"
        ),
        "empty_file": Case(lambda w: _xls_export(w.empty, "f.xlsx"), "FK-YAML-005"),
        "wrong_kind": Case(lambda w: _xls_export(w.protocol, "f.xlsx"), "FK-INS-019"),
        "unsupported_url": NO_URL,
        "bad_option": Case(lambda w: _xls_export(w.instrument(), "form.txt"), "FK-XLS-005"),
    },
    "demo": {
        "missing_path": Case(lambda w: ["demo", "--root", w.missing("study")], "FK-PROT-050"),
        "directory": Case(lambda w: ["demo", "--out", str(w.study)], "FK-DEMO-050"),
        "existing_file": Case(lambda w: ["demo", "--out", w.notes], "FK-DEMO-050"),
        "read_only": Case(
            lambda w: ["demo", "--out", str(w.read_only / "demo"), "--households", "1"],
            "FK-DEMO-051",
        ),
        "empty_file": Case(lambda w: ["demo", "--root", w.empty], "FK-PROT-050"),
        "wrong_kind": Case(lambda w: ["demo", "--root", w.instrument()], "FK-PROT-050"),
        "unsupported_url": NO_URL,
        "bad_option": (
            Case(lambda w: ["demo", "--households", "0"], "FK-CLI-050"),
            Case(lambda w: ["demo", "--households", "-3"], "FK-CLI-050"),
            Case(lambda w: ["demo", "--households", "many"], "FK-CLI-050"),
        ),
    },
}


def _pass(w: World, file: str | None = None) -> list[str]:
    return ["--passphrase-file", file or w.passphrase]


def _merge_pass(w: World) -> list[str]:
    return ["--merge-passphrase-file", w.passphrase]


def _wrong_passphrase(w: World) -> str:
    """Ama's share, opened with a passphrase that is not hers."""
    return f"{w.keys / 'shares' / 'share-ama.txt'}=file:{w.notes}"


def _profile(store: str) -> list[str]:
    return ["profile", "--store", store, "-i", "household_cl"]


def _routes(store: str) -> list[str]:
    return ["routes", "--store", store, "-i", "household_cl"]


def _recode(store: str) -> list[str]:
    return ["recode", "--store", store, "-i", "household_cl"]


def _unlock_merge(w: World, passphrase: str | None = None) -> list[str]:
    return ["--merge-key", w.merge_key, *_pass(w, passphrase)]


def _merge(w: World, bundle: str, store: str, passphrase: str | None = None) -> list[str]:
    return ["merge", bundle, "--into", store, *_unlock_merge(w, passphrase)]


def _user(w: World, store: str) -> list[str]:
    return ["users", "add", "ama", "--store", store, "--role", "coordinator"]


def _xls_import(w: World, form: str) -> list[str]:
    return ["xlsform", "import", form, "--protocol", "household_child_labour", "--out", "f.yaml"]


def _xls_export(instrument: str, out: str) -> list[str]:
    return ["xlsform", "export", instrument, "--out", out]


def _study_key(w: World) -> list[str]:
    return ["--key", str(w.keys / "project.pub")]


def _serve(w: World, db: str) -> list[str]:
    study = ["--study", str(w.study), "--port", "0", "--no-browser"]
    return ["serve", *study, "--db", db, *_study_key(w)]


def _init(w: World, *, out: str | None = None, ama: str | None = None) -> list[str]:
    """keys init with two custodians (their passphrases from files); the merge key's
    passphrase is left to each case."""
    custodians = ["--custodian", f"Ama=file:{ama or w.passphrase}"]
    custodians += ["--custodian", f"Yaw=file:{w.passphrase}"]
    return ["keys", "init", "--out", out or str(w.root / "new-keys"), *custodians]


def _rotate(
    w: World, *, store: str | None = None, share: str | None = None, out: str | None = None
) -> list[str]:
    """keys rotate with Ama's and (unless ``share`` replaces it) Yaw's shares, to two new
    custodians (the last two arguments: the second new custodian)."""
    shares = ["--share", w.share(), "--share", share or w.share("yaw")]
    new = ["--custodian", f"Kofi=file:{w.passphrase}", "--custodian", f"Efua=file:{w.passphrase}"]
    where = ["--store", store or w.store, "--keys", str(w.keys / "project.pub")]
    return ["keys", "rotate", *where, *shares, "--out", out or str(w.root / "rotated"), *new]


def _reveal(
    w: World,
    *,
    store: str | None = None,
    share: str | None = None,
    record: str | None = None,
    reason: str = "referral of the child to the district social welfare office",
) -> list[str]:
    shares = ["--share", w.share(), "--share", share or w.share("yaw")]
    return [
        *["reveal", record or w.reference, "--reason", reason, "--store", store or w.store],
        *shares,
        *["--keys", str(w.keys / "project.pub")],
    ]


def _verify(store: str) -> list[str]:
    return ["audit", "verify", "--store", store]


def _retention(store: str) -> list[str]:
    return ["retention", "apply", "--store", store, "--dry-run"]


def _staff(register: str, store: str) -> list[str]:
    return ["staff", "check", "--register", register, "--store", store]


def _revoke(
    w: World, store: str, *, device: str | None = None, reason: str = "laptop stolen"
) -> list[str]:
    return ["device", "revoke", device or w.device_id, "--reason", reason, "--store", store]


def _assign(w: World, *, sample: str | None = None, store: str | None = None) -> list[str]:
    default = w.root / "sample.csv"
    if not default.exists():
        default.write_text("cluster,hh_number,enumerator\n101,1,E01\n", encoding="utf-8")
    chosen = sample or str(default)
    return ["assign", "--store", store or w.store, "--sample", chosen, "-i", "household_cl"]


def _draw(w: World, *, store: str | None = None) -> list[str]:
    return ["backcheck", "draw", "--store", store or w.store, "--rate", "0.5", "--seed", "s"]


def _collect(w: World, db: str | None = None) -> list[str]:
    return ["collect", w.instrument(), "--db", db or str(w.root / "other-laptop.sqlite")]


def _answers(w: World, passphrase: str | None = None) -> list[str]:
    answers = str(REPO / "examples" / "household_complete.yaml")
    return ["--answers", answers, *_pass(w, passphrase)]


def _bundle(w: World, passphrase: str | None = None) -> list[str]:
    return ["bundle", "--db", w.laptop, *_pass(w, passphrase)]


def _device_init(w: World) -> list[str]:
    fresh = w.root / "fresh-laptop.sqlite"
    return ["device", "init", "--db", str(fresh), *_pass(w)]


def _estimate(path: str) -> list[str]:
    return ["estimate", path, "--var", "cl", "--psu", "psu", "--weight", "weight"]


def _resolve(store: str) -> list[str]:
    return ["conflicts", "resolve", "U-none", "--keep", "x", "--reason", "r", "--store", store]


# -- the world ------------------------------------------------------------------------------


def _run(args: list[str]) -> int:
    return run(args)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Keys (two custodians' shares, the merge key), an encrypted laptop with the household
    example interview, its device, a bundle and a coordinator store that merged it: all made
    with the commands a user types."""
    w = World(tmp_path_factory.mktemp("world"))
    shutil.copytree(REPO / "instruments", w.study / "instruments")
    shutil.copytree(REPO / "protocols", w.study / "protocols")
    Path(w.passphrase).write_text(PASSPHRASE + "\n")
    Path(w.folder).mkdir()
    Path(w.empty).write_text("")
    Path(w.notes).write_text("shopping list: rice, oil\n")
    Path(w.binary).write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    Path(w.empty_xlsx).write_bytes(b"")
    Path(w.staff).write_text("E07: {name: Fatmata Kamara, role: enumerator}\n")
    Path(w.staff_names).write_text("Fatmata Kamara: {name: Fatmata Kamara, role: enumerator}\n")
    laptop = ["--db", w.laptop, *_pass(w)]
    steps = [
        [*_init(w, out=str(w.keys)), *_merge_pass(w)],
        ["collect", w.instrument(), *laptop, *_answers(w)[:2], *_study_key(w)],
    ]
    for args in steps:
        assert _run(args) == 0, args
    for suffix in ("", ".unlock", "-wal"):  # a second laptop store, without a device key yet
        if Path(w.laptop + suffix).exists():
            shutil.copy(w.laptop + suffix, str(w.root / "fresh-laptop.sqlite") + suffix)
    assert _run(["device", "init", *laptop]) == 0
    (w.study / "keys").mkdir()
    shutil.copy(w.keys / "project.pub", w.study / "keys" / "project.pub")
    for args in (
        ["device", "register", w.device_public, "--into", w.store],
        ["bundle", *laptop, "--out", w.bundle],
        [*_merge(w, w.bundle, w.store), "--project", str(w.study)],
        ["xlsform", "export", w.instrument(), "--out", w.xlsform],
    ):
        assert _run(args) == 0, args
    with open_coordinator(w.store, create=False) as db, db.read() as conn:
        [reference] = conn.execute(select(capture_table("interviews").c.reference)).scalars()
    (w.root / "reference.txt").write_text(reference)
    with read_only(w.read_only):
        yield w


# -- the matrix -----------------------------------------------------------------------------


def _command_paths(command: object, prefix: tuple[str, ...] = ()) -> Iterator[str]:
    subcommands = getattr(command, "commands", None)
    if prefix and (not subcommands or getattr(command, "invoke_without_command", False)):
        yield " ".join(prefix)
    for name, sub in (subcommands or {}).items():
        yield from _command_paths(sub, (*prefix, name))


def test_every_command_is_in_the_matrix() -> None:
    commands = set(_command_paths(typer.main.get_command(app)))
    assert "keys init" in commands and "conflicts" in commands
    assert commands == set(MATRIX), (
        f"add to MATRIX: {sorted(commands - set(MATRIX))}; "
        f"no longer commands: {sorted(set(MATRIX) - commands)}"
    )
    for command, entries in MATRIX.items():
        assert set(entries) == set(KINDS), (command, sorted(set(KINDS) ^ set(entries)))


def _cases() -> Iterator[object]:
    for command, entries in MATRIX.items():
        for kind, entry in entries.items():
            cases = entry if isinstance(entry, tuple) else (entry,)
            for number, case in enumerate(cases):
                if isinstance(case, Case):
                    yield pytest.param(case, id=f"{command}-{kind}-{number}")


@pytest.mark.parametrize("case", list(_cases()))
def test_a_mistake_is_one_line_with_its_code(
    case: Case, world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workdir = world.root / "work"
    workdir.mkdir(exist_ok=True)
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("FIELDKIT_PROJECT", str(world.study))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    status = _run(case.args(world))
    out, err = capsys.readouterr()
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert status != 0, lines
    assert "Traceback" not in out + err
    assert BUG not in out + err, lines
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and case.code in errors[0], lines
    if not case.report:
        assert lines == errors, lines


def test_without_the_mistake_the_commands_of_the_world_work(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The control: each protection command, as the matrix calls it minus the mistake, runs
    (so each case above fails for its own reason)."""
    monkeypatch.chdir(world.root)
    monkeypatch.setenv("FIELDKIT_PROJECT", str(world.study))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    for args in (
        _reveal(world),
        _verify(world.store),
        _retention(world.store),
        _staff(world.staff, world.store),
        [*_recode(world.store), *_unlock_merge(world), "--recodes", str(world.root / "r")],
    ):
        assert _run(args) == 0, (args, capsys.readouterr())
    assert "Kwasi Nyamekye" in capsys.readouterr().out  # the respondent, revealed


# -- a device or a pipe given as a file -------------------------------------------------------

DEVICE_CASES = {
    "estimate": (lambda w, bad: _estimate(bad), "FK-DATA-033"),
    "xlsform import": (_xls_import, "FK-XLS-002"),
    "keys init": (
        lambda w, bad: [*_init(w), "--merge-passphrase-file", bad],
        "FK-KEY-052",
    ),
    "keys init --custodian": (
        lambda w, bad: [*_init(w, ama=bad), *_merge_pass(w)],
        "FK-KEY-052",
    ),
    "bundle": (
        lambda w, bad: ["bundle", "--db", w.laptop, "--out", "b.fkb", *_pass(w, bad)],
        "FK-KEY-052",
    ),
    "users add": (
        lambda w, bad: [*_user(w, str(w.root / "users.sqlite")), "--passphrase-file", bad],
        "FK-USER-001",
    ),
    "collect --answers": (
        lambda w, bad: [*_collect(w), "--answers", bad, *_study_key(w), *_pass(w)],
        "FK-YAML-005",
    ),
    "merge": (
        lambda w, bad: ["merge", bad, "--into", w.store, *_unlock_merge(w)],
        "FK-BUNDLE-012",
    ),
}


@pytest.mark.parametrize("bad", ["/dev/zero", "fifo"])
@pytest.mark.parametrize("command", sorted(DEVICE_CASES))
def test_a_device_or_a_pipe_is_refused_without_reading_it(
    command: str, bad: str, world: World
) -> None:
    """/dev/zero never ends and a FIFO waits for a writer: either given where a file is
    expected is one line, at once. Run in a child process with a memory limit and a timeout,
    so a regression fails here instead of filling the machine's memory or hanging."""
    if bad == "fifo":
        bad = str(world.root / "a-pipe")
        if not Path(bad).exists():
            os.mkfifo(bad)
    build, code = DEVICE_CASES[command]
    script = (
        "import resource, sys; from fieldkit.cli import run; "
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
        "sys.exit(run(sys.argv[1:]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *build(world, bad)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=world.root,
        env={**os.environ, "FIELDKIT_PROJECT": str(world.study)},
        stdin=subprocess.DEVNULL,
        check=False,
    )
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 1, lines
    assert "Traceback" not in done.stderr and BUG not in done.stderr, lines
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and code in errors[0], lines
