"""Shared fixtures: instruments and protocols written inline, as in the docs."""

from __future__ import annotations

import contextlib
import os
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldkit.demo.journey import DemoResult
from fieldkit.instrument.compiler import CompileResult, compile_text
from fieldkit.instrument.source import parse_source
from fieldkit.protocol.compiler import compile_protocol_document
from fieldkit.protocol.model import Protocol

REPO = Path(__file__).resolve().parent.parent

PROTOCOL_YAML = """\
id: test_protocol
title: {en: Test study, fr: Étude test}
languages: [en, fr]
purpose: {en: Measure child labour, fr: Mesurer le travail des enfants}
population: {en: Households, fr: Ménages}
definitions:
  - term: child
    definition: {en: Anyone under 18, fr: Toute personne de moins de 18 ans}
collection:
  windows:
    - {name: main, start: 2027-01-01, end: 2027-03-31}
tools: [household, street, school, establishment]
ethics:
  screening:
    - name: safe_to_proceed
      label: {en: "Is it safe to continue?", fr: "Peut-on continuer en sécurité ?"}
      stop_when: [2]
  consent:
    adult: {en: "Do you agree?", fr: "Acceptez-vous ?"}
    guardian: {en: "Do you agree for your child?", fr: "Acceptez-vous pour votre enfant ?"}
    child_assent: {en: "Do you want to take part?", fr: "Veux-tu participer ?"}
  exceptions:
    - id: street_living
      label: {en: Street-living child, fr: Enfant vivant dans la rue}
  exception_reasons:
    - id: no_family_contact
      label: {en: No contact with family, fr: Aucun contact avec la famille}
  distress_protocol: {en: Stop and refer, fr: Arrêter et orienter}
  referral: {en: Call the helpline, fr: Appeler la ligne d'aide}
roles:
  enumerator: {answers: own, identities: none}
  statistician: {answers: all}
data_use_statement: {en: Used for statistics only, fr: Utilisé pour la statistique seulement}
small_cell_threshold: 5
identity_retention_days: 365
"""

HEADER = """\
id: mini
title: {en: Mini, fr: Mini}
kind: household
protocol: test_protocol
languages: [en, fr]
respondents: [adult]
"""


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    found, issues = compile_protocol_document(parse_source(PROTOCOL_YAML, "p.yaml"))
    assert found is not None, [i.one_line() for i in issues]
    return found


def compile_with(protocol: Protocol, body: str, header: str = HEADER) -> CompileResult:
    return compile_text(header + dedent(body), {protocol.id: protocol}, file="i.yaml")


@pytest.fixture
def compile_yaml(protocol: Protocol):  # type: ignore[no-untyped-def]
    """Compile an instrument body (sections and choices) under the standard header."""

    def run(body: str, header: str = HEADER) -> CompileResult:
        return compile_with(protocol, body, header)

    return run


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """The demo journey once per test worker: interviews of all five shipped instruments
    through scripted entry, bundled, merged and exported (tests read it, never change it)."""
    from fieldkit.demo.journey import run_demo

    return run_demo(tmp_path_factory.mktemp("demo") / "out", REPO, per_district=3)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` made so nothing can be written in it, even by root: a read-only tmpfs
    mounted on it when the tests run as root (as in CI containers), else no write permission.
    Skips the test where neither is possible."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "fieldkit-test", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only folder: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True, check=False)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nothing can be written in (see ``read_only``)."""
    with read_only(tmp_path / "read-only") as folder:
        yield folder
