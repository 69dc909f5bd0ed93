"""Shared by the capture tests: study folders, the real CLI, the laptop database, and a tmux
driver for the terminal front end.

Everything here drives fieldkit as an enumerator would: the real ``fieldkit collect`` in a
subprocess (or in a real terminal under tmux), reading back what it stored with SQLCipher's
``sqlite3`` driver and the store's key, never through the store's own API.

The laptop store is encrypted: ``collect_command`` unlocks it with ``--passphrase-env`` (the
variable is set here), and a store it is about to create is set up first with a cheap scrypt
cost so that each run does not spend a third of a second deriving the key.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
import yaml
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from fieldkit.capture import Engine, Prompt, PromptKind, Session
from fieldkit.instrument.form import Form
from fieldkit.privacy.keys import ProjectPublicKeys
from fieldkit.project import resolve_form
from fieldkit.store import create_store_key, unlock_store
from fieldkit.store.cipher import new_store_allowed

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
PASSPHRASE = "correct horse battery staple"
PASSPHRASE_ENV = "FIELDKIT_TEST_LAPTOP_PASSPHRASE"
os.environ.setdefault(PASSPHRASE_ENV, PASSPHRASE)  # the enumerator's, for every collect run
UNLOCK = ("--passphrase-env", PASSPHRASE_ENV)
FIELDKIT = (sys.executable, "-c", "from fieldkit.cli import main; main()")
"""The real entry point (``fieldkit``), whatever the virtual environment is called."""

HOUSEHOLD = EXAMPLES / "household_complete.yaml"
PLANTED = (
    "Kwasi Nyamekye",
    "Kwasi",
    "Nyamekye",
    "Fiifi",
    "Abenaa",
    "+233245550147",
    "233245550147",
    "Tindan borehole",
)
"""The identifying answers of ``examples/household_complete.yaml`` (names, phone, address)."""
DISTINCTIVE = tuple(text for text in PLANTED if text != "Kwasi")
"""For files fieldkit did not write as well: a bare "Kwasi" is also in "Kwasio", a language
name in other programs' data."""


@dataclass(frozen=True)
class Example:
    file: str
    instrument: str
    status: str
    outcome: str


EXAMPLE_FILES = (
    Example("household_complete.yaml", "household", "complete", "given"),
    Example("household_refusal.yaml", "household", "refused", "refused"),
    Example("street_assent_refused.yaml", "street", "refused", "assent_refused"),
    Example("street_exception.yaml", "street", "complete", "exception"),
    Example("establishment_complete.yaml", "establishment", "complete", "given"),
    Example("school_complete.yaml", "school", "complete", "given"),
    Example("rapid_key_informant.yaml", "rapid_assessment", "complete", "given"),
    Example("rapid_observation.yaml", "rapid_assessment", "complete", "given"),
)


# -- a study folder and the real CLI ---------------------------------------------------------


@functools.cache
def _public_key() -> bytes:
    keys = ProjectPublicKeys(
        X25519PrivateKey.generate().public_key(), X25519PrivateKey.generate().public_key()
    )
    return keys.text()


def make_study(root: Path) -> Path:
    """A fresh study folder as a laptop has it: instruments, protocols, the public key only."""
    study = root / "study"
    shutil.copytree(REPO / "instruments", study / "instruments")
    shutil.copytree(REPO / "protocols", study / "protocols")
    (study / "keys").mkdir()
    (study / "keys" / "project.pub").write_bytes(_public_key())
    return study


def collect_command(study: Path, instrument: str, db: Path, *args: str) -> list[str]:
    if new_store_allowed(db) and db.parent.is_dir():
        create_store_key(db, PASSPHRASE, log_n=10)  # what the first collect would set up
    path = study / "instruments" / f"{instrument}.yaml"
    return [*FIELDKIT, "collect", str(path), "--db", str(db), *UNLOCK, *args]


def run_collect(
    study: Path, instrument: str, db: Path, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        collect_command(study, instrument, db, *args),
        capture_output=True,
        text=True,
        cwd=study,
        timeout=timeout,
        check=False,
    )


@functools.cache
def form_of(instrument: str) -> Form:
    return resolve_form(REPO / "instruments" / f"{instrument}.yaml")


# -- reading the laptop database back --------------------------------------------------------


@contextmanager
def database(db: Path) -> Iterator[sqlite3.Connection]:
    """The encrypted laptop store, opened with the enumerator's passphrase."""
    key = unlock_store(db, PASSPHRASE)
    with closing(sqlcipher3.connect(str(db))) as conn:
        conn.execute(f'PRAGMA key = "{key.sqlcipher}"')
        conn.row_factory = sqlcipher3.Row
        yield conn


def interviews(db: Path) -> list[dict[str, Any]]:
    with database(db) as conn:
        rows = conn.execute("SELECT * FROM interviews ORDER BY sequence").fetchall()
    return [dict(row) for row in rows]


AnswerRow = tuple[str, int, str | None, str]


@dataclass(frozen=True)
class Stored:
    """One interview as the laptop database holds it."""

    interview: dict[str, Any]
    answers: frozenset[AnswerRow]
    """(question, member, value as JSON text, status); identifying answers as value None."""
    identities: frozenset[tuple[str, int, str]]
    members: tuple[tuple[str, int], ...]
    paradata: tuple[tuple[str, str | None, int], ...]
    """(event, question, member) in order."""

    @property
    def consent(self) -> dict[str, Any]:
        text = self.interview["consent"]
        return json.loads(text) if text else {}

    @property
    def all_answers(self) -> frozenset[AnswerRow]:
        """Answers and identities together, identities without their (sealed) value."""
        return self.answers | {(q, m, None, s) for q, m, s in self.identities}


def stored(db: Path, interview_id: str) -> Stored:
    with database(db) as conn:
        row = conn.execute("SELECT * FROM interviews WHERE id = ?", (interview_id,)).fetchone()
        assert row is not None, interview_id
        answers = conn.execute(
            "SELECT question, member, value, status FROM answers WHERE interview_id = ?",
            (interview_id,),
        ).fetchall()
        identities = conn.execute(
            "SELECT question, member, status FROM identities WHERE reference = ?",
            (row["reference"],),
        ).fetchall()
        members = conn.execute(
            "SELECT roster, member FROM roster_members WHERE interview_id = ? "
            "ORDER BY roster, member",
            (interview_id,),
        ).fetchall()
        paradata = conn.execute(
            "SELECT event, question, member FROM paradata WHERE interview_id = ? ORDER BY id",
            (interview_id,),
        ).fetchall()
    return Stored(
        interview=dict(row),
        answers=frozenset(tuple(a) for a in answers),  # type: ignore[misc]
        identities=frozenset(tuple(i) for i in identities),  # type: ignore[misc]
        members=tuple(tuple(m) for m in members),  # type: ignore[misc]
        paradata=tuple(tuple(p) for p in paradata),  # type: ignore[misc]
    )


def only_interview(db: Path) -> Stored:
    rows = interviews(db)
    assert len(rows) == 1, rows
    return stored(db, rows[0]["id"])


def decrypted_copy(db: Path, target: Path) -> Path:
    """A plain SQLite copy of the encrypted store, made with its key: what the store holds in
    the clear once unlocked (the scans show they can see by finding plain answers there)."""
    key = unlock_store(db, PASSPHRASE)
    target.unlink(missing_ok=True)
    with closing(sqlcipher3.connect(str(db))) as conn:
        conn.execute(f'PRAGMA key = "{key.sqlcipher}"')
        conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target),))
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    return target


def file_bytes(folder: Path, prefix: str) -> dict[str, bytes]:
    """The database file and its -wal / -shm companions, byte for byte."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob(prefix + "*"))}


# -- the answers of an example file, as an enumerator types them ---------------------------


def load_example(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def typed(value: object) -> str:
    """What an enumerator types for a value of an answers file."""
    if isinstance(value, bool):
        return "1" if value else "2"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return "" if value is None else str(value)


def text_for(prompt: Prompt, session: Session, data: dict[str, Any]) -> str:
    """The answer the file gives to ``prompt`` (blank: the file skips it)."""
    answers = data.get("answers", {})
    if prompt.kind is PromptKind.ROSTER_COUNT:
        listed = answers.get(prompt.name, [])
        return "1" if len(session.members(prompt.name)) < len(listed) else "2"
    top, _, name = prompt.name.partition(".")
    if top in ("screening", "consent") and name:
        return typed(data.get(top, {}).get(name))
    if prompt.roster is not None:
        member = answers[prompt.roster.roster][prompt.roster.index - 1]
        return typed(member.get(prompt.name))
    return typed(answers.get(prompt.name))


def mirror(instrument: str, language: str | None = "en") -> Session:
    """An in-process session of the same engine: it tells which prompt the terminal shows."""
    return Engine(form_of(instrument)).start(language)


# -- a real terminal under tmux ------------------------------------------------------------

RULE = "───"
DONE = "% done"


def tmux_or_skip() -> str:
    found = shutil.which("tmux")
    if found is None:
        pytest.skip("tmux is not installed: the terminal front end is tested in a real terminal")
    return found


# The pane runs this wrapper, which runs the program and writes its exit status to a file:
# it ignores Ctrl-C itself (the program, started afresh, gets the default handling), so the
# status is known however the program ends.
WRAPPER = """\
import signal, subprocess, sys
signal.signal(signal.SIGINT, lambda *_: None)
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as status:
    status.write(str(code))
"""


# The program must see the pane's own size (not a COLUMNS of the test run), and tmux must not
# think it is nested in another tmux.
_TERMINAL_ENV = {
    key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES", "TMUX")
}


class Terminal:
    """``fieldkit collect`` in a detached 200x50 tmux session on a private server socket.

    The pane stays after the program exits (``remain-on-exit``) so its last words can be
    read. Only this server is ever killed, by its own socket.
    """

    def __init__(self, command: list[str], cwd: Path, *, timeout: float = 60) -> None:
        self.tmux = tmux_or_skip()
        self.folder = Path(tempfile.mkdtemp(prefix="fk-tmux-"))  # short: a socket path limit
        self.socket = self.folder / "s"
        self.status = self.folder / "status"
        config = self.folder / "tmux.conf"
        config.write_text("set -g history-limit 100000\nset -g remain-on-exit on\n")
        self.timeout = timeout
        self._tmux(
            "-f", str(config), "new-session", "-d", "-s", "fk", "-x", "200", "-y", "50",
            "-c", str(cwd), sys.executable, "-c", WRAPPER, str(self.status), *command,
        )  # fmt: skip

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            [self.tmux, "-S", str(self.socket), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
            env=_TERMINAL_ENV,
        )
        assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    def close(self) -> None:
        subprocess.run(
            [self.tmux, "-S", str(self.socket), "kill-server"], capture_output=True, check=False
        )
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------

    def screen(self) -> list[str]:
        """Everything printed so far (wrapped lines joined), trailing blanks removed."""
        text = self._tmux("capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "fk")
        lines = [line.rstrip() for line in text.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def dead(self) -> int | None:
        """The program's exit status once it has exited (negative: killed by that signal)."""
        try:
            return int(self.status.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def wait(self, ready: Callable[[list[str]], bool], what: str) -> list[str]:
        deadline = time.monotonic() + self.timeout
        while True:
            lines = self.screen()
            if ready(lines):
                return lines
            if time.monotonic() > deadline:
                tail = "\n".join(lines[-40:])
                raise AssertionError(f"waiting for {what}; the terminal shows:\n{tail}")
            time.sleep(0.02)

    def wait_exit(self) -> int:
        deadline = time.monotonic() + self.timeout
        while (status := self.dead()) is None:
            if time.monotonic() > deadline:
                tail = "\n".join(self.screen()[-40:])
                raise AssertionError(f"the program did not exit; the terminal shows:\n{tail}")
            time.sleep(0.05)
        return status

    @staticmethod
    def shown(lines: list[str]) -> int:
        """How many questions the terminal has shown (each opens with a rule and progress)."""
        return sum(1 for line in lines if RULE in line and DONE in line)

    def wait_prompt(self, count: int, label: str) -> list[str]:
        """Wait until question number ``count`` is shown, reads ``label`` and awaits input."""

        def ready(lines: list[str]) -> bool:
            if self.shown(lines) != count or not lines or lines[-1] != ">":
                return False
            start = max(i for i, line in enumerate(lines) if RULE in line and DONE in line)
            return any(label in line for line in lines[start:])

        return self.wait(ready, f"question {count}: {label!r}")

    # -- typing -------------------------------------------------------------------------------

    def type(self, text: str) -> None:
        if text:
            self._tmux("send-keys", "-t", "fk", "-l", "--", text)
        self._tmux("send-keys", "-t", "fk", "Enter")

    def keys(self, text: str) -> None:
        """Type without pressing Enter."""
        self._tmux("send-keys", "-t", "fk", "-l", "--", text)

    def interrupt(self) -> None:
        self._tmux("send-keys", "-t", "fk", "C-c")


def since(lines: list[str], marker: str) -> list[str]:
    """The lines after the last one that contains ``marker``."""
    last = max(i for i, line in enumerate(lines) if marker in line)
    return lines[last + 1 :]


class Typist:
    """Types the example file into the terminal, keeping the mirror session in step."""

    def __init__(self, term: Terminal, session: Session, answers: Path = HOUSEHOLD) -> None:
        self.term = term
        self.session = session
        self.data = load_example(answers)
        self.shown = 1
        """Questions shown so far, the one waiting included: every line typed shows one more."""

    def wait(self, prompt: Prompt) -> list[str]:
        return self.term.wait_prompt(self.shown, prompt.label)

    def send(self, text: str) -> None:
        self.term.type(text)
        self.shown += 1

    def answer(self, prompt: Prompt, *, keep: bool = False) -> None:
        """Type the file's answer; with ``keep``, Enter to keep an answer already given."""
        given = keep and prompt.answer is not None
        text = "" if given else text_for(prompt, self.session, self.data)
        step = self.session.answer(text)
        assert step.ok, (prompt.name, prompt.member, text, step.message)
        self.send(text)


# -- planted names: a byte-for-byte scan -------------------------------------------------------


def needles(texts: tuple[str, ...]) -> dict[bytes, str]:
    found: dict[bytes, str] = {}
    for text in texts:
        for variant in (text, text.lower(), text.upper()):
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                found[variant.encode(encoding)] = text
    return found


def files_under(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith("bash_")]  # tool machinery, not ours
        for name in files:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                yield path


def leaks(paths: list[Path], texts: tuple[str, ...] = PLANTED) -> list[tuple[str, str]]:
    table = needles(texts)
    found = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        found += [(str(path), text) for needle, text in table.items() if needle in data]
    return found


def new_temp_files(since_time: float, exclude: tuple[Path, ...] = ()) -> list[Path]:
    """Our files under the temp folder written since ``since_time`` (not under ``exclude``):
    fieldkit runs as this user, so any temp file it writes is this user's."""
    recent = []
    for path in files_under(Path(tempfile.gettempdir())):
        if any(path.is_relative_to(folder) for folder in exclude):
            continue
        try:
            info = path.stat()
        except OSError:
            continue
        if info.st_uid != os.getuid():
            continue
        if info.st_mtime >= since_time and info.st_size < 64 * 2**20:
            recent.append(path)
    return recent
