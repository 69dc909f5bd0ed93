"""Shared by the web form's tests: the real ``fieldkit serve``, a headless Chromium, a driver
that answers an example file through the pages, and a canonical dump of a laptop database.

The browser is Debian's ``chromium`` driven by Playwright (its own browser download cannot
work offline). The driver keeps an in-process session of the same engine in lockstep, as
the terminal tests do: it says which question the page must show, and is fed the same answers.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from fieldkit.capture import Prompt, PromptKind, Session
from fieldkit.instrument.schema import QuestionType
from fieldkit.web.screens import field_key
from tests.capture_helpers import FIELDKIT, PASSPHRASE, REPO, database, text_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "screenshots"
"""Where the tests leave pictures of the main screens (gitignored; README links it)."""
VIEWPORT = {"width": 1366, "height": 768}


def chromium_or_skip() -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed here (apt-get install chromium; .ci/run"
            " installs it): the web form's browser tests drive a real browser"
        )


@contextmanager
def browser() -> Iterator[Any]:
    """One headless Chromium (a fresh profile) for a test module: a Playwright context."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="fk-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
        )
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


# -- the real server -------------------------------------------------------------------------

ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=\S+")


class Server:
    """``fieldkit serve --port 0 --no-browser`` in a subprocess, stopped by its own pid."""

    def __init__(self, study: Path, db: Path, timeout: float = 60) -> None:
        command = [*FIELDKIT, "serve", "--db", str(db), "--study", str(study)]
        self.process = subprocess.Popen(
            [*command, "--port", "0", "--no-browser"],
            cwd=study,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.address, self.port = self._address(timeout)
        self.base = f"http://127.0.0.1:{self.port}"

    def _address(self, timeout: float) -> tuple[str, int]:
        found: list[str] = []

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                found.append(line)
                if ADDRESS.search(line):
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        match = ADDRESS.search("".join(found))
        if match is None:
            self.process.kill()
            _, stderr = self.process.communicate(timeout=30)
            raise AssertionError(f"fieldkit serve printed no address: {found} {stderr}")
        return match.group(0), int(match.group(1))

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, as when the power goes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._close()

    def _close(self) -> None:
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close()
        return self.process.returncode

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def open_form(context: Any, server: Server, enumerator: str = "E07", ui: str = "en") -> Any:
    """A new page on the server: the address with its secret, then the unlock step."""
    page = context.new_page()
    page.goto(server.address)
    if page.locator("#enumerator").count():
        page.fill("#passphrase", PASSPHRASE)  # the laptop store's: encrypted at rest
        if page.locator("#passphrase_again").count():  # a new store: typed twice
            page.fill("#passphrase_again", PASSPHRASE)
        page.fill("#enumerator", enumerator)
        page.select_option("#ui", ui)
        with page.expect_navigation():
            page.click("form[action='/unlock'] button[type=submit]")
    return page


def start(page: Any, instrument: str, language: str = "en") -> str:
    """Start an interview from the home page; returns its id."""
    form = page.locator(f"form.start:has(input[name=instrument][value='{instrument}'])")
    form.locator("select[name=language]").select_option(language)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    return str(page.url.rsplit("/", 1)[1])


# -- answering through the pages ---------------------------------------------------------------

SPECIAL_WORDS = {"dk": "dk", "rf": "rf"}
DATE_TYPES = (QuestionType.DATE, QuestionType.TIME, QuestionType.DATETIME)
"""Typed into the browser's own date and time boxes, whose keystrokes follow the locale."""


class FormDriver:
    """Answers the pages as an enumerator would, from an example's answers, keeping the mirror
    session in step. Single-question pages are answered by keyboard alone (number keys for
    choices, typing, Enter); a page of several questions is filled, then Continue clicked."""

    def __init__(self, page: Any, mirror: Session, data: dict[str, Any]) -> None:
        self.page = page
        self.mirror = mirror
        self.data = data
        self.pages = 0

    def run(self, until: Callable[[Prompt], bool] | None = None) -> None:
        while (prompt := self.mirror.current()) is not None:
            if until is not None and until(prompt):
                return
            self.answer_page()

    def keys(self) -> list[str]:
        return str(self.page.locator("input[name=screen]").get_attribute("value")).split()

    def answer_page(self) -> None:
        keys = self.keys()
        first = self.mirror.current()
        assert first is not None
        assert keys[0] == field_key(first), (keys, field_key(first))
        label = self.page.locator(f"[data-field='{keys[0]}'] .label").first.inner_text()
        assert first.label.strip() in label, (label, first.label)
        single = len(keys) == 1
        for key in keys:
            prompt = self.mirror.current()
            if prompt is None or field_key(prompt) != key or not self._same_choices(key, prompt):
                break
            text = text_for(prompt, self.mirror, self.data)
            self._enter(key, prompt, text, keyboard=single)
            step = self.mirror.answer(text)
            assert step.ok, (prompt.name, text, step.message)
        self.pages += 1
        with self.page.expect_navigation(wait_until="domcontentloaded"):
            if single:
                self.page.keyboard.press("Enter")
            else:
                self.page.click("#continue")

    def _same_choices(self, key: str, prompt: Prompt) -> bool:
        if not prompt.choices:
            return True
        shown = self.page.locator(f"[name='{key}']").evaluate_all("els => els.map(e => e.value)")
        return list(shown) == [c.value for c in prompt.choices]

    def _enter(self, key: str, prompt: Prompt, text: str, *, keyboard: bool) -> None:
        page = self.page
        special = text.strip().lower()
        if special in SPECIAL_WORDS and (prompt.allow_dont_know or prompt.allow_refused):
            page.check(f"[name='{key}:special'][value='{special}']")
            return
        if prompt.choices:
            values = text.split() if prompt.type is QuestionType.SELECT_MULTIPLE else [text]
            for value in filter(None, values):
                shown = next(c.key for c in prompt.choices if c.value == value)
                if keyboard and len(values) == 1:
                    for digit in shown:  # the key shown beside the choice, digit by digit
                        page.keyboard.press(f"Digit{digit}")
                    assert page.locator(f"[name='{key}'][value='{value}']").is_checked()
                else:
                    page.check(f"[name='{key}'][value='{value}']")
            return
        if prompt.type is QuestionType.NOTE or prompt.kind is PromptKind.ROSTER_COUNT:
            return
        box = page.locator(f"[name='{key}']")
        if keyboard and prompt.type not in DATE_TYPES:
            box.focus()
            page.keyboard.press("Control+A")
            page.keyboard.type(text) if text else page.keyboard.press("Delete")
        else:
            box.fill(text)


# -- the laptop database, canonically -----------------------------------------------------------

_DROPPED = {
    "device": {"device_id"},
    "interviews": {"id", "device_id", "reference", "started_at", "ended_at", "updated_at"},
    "answers": {"changed_at"},
    "paradata": {"id", "at", "elapsed_ms"},
    "identities": {"sealed"},
    "schema_migrations": {"applied_at"},
    "audit_log": {"at", "hash", "prev_hash"},
}
"""What differs between two entries of the same answers: random ids and references, clocks,
timings, and sealed ciphertext (a fresh nonce each time)."""


def canonical_laptop(db: Path) -> list[str]:
    """Every row of every table of a laptop database, with what is random or timed left out
    and interviews named by their sequence number: two entries of the same answers, the same."""
    with database(db) as conn:
        ids = {r["id"]: r["sequence"] for r in conn.execute("SELECT id, sequence FROM interviews")}
        refs = {
            r["reference"]: r["sequence"]
            for r in conn.execute("SELECT reference, sequence FROM interviews")
        }
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        lines: list[str] = []
        for table in tables:
            order = "id" if table == "paradata" else "rowid"
            rows = [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY {order}")]
            kept = [_canonical_row(table, row, ids, refs) for row in rows]
            if table != "paradata":
                kept.sort()
            lines += [f"{table}\t{line}" for line in kept]
    return lines


def _canonical_row(
    table: str, row: dict[str, Any], ids: dict[str, int], refs: dict[str, int]
) -> str:
    if "interview_id" in row:
        row["interview_id"] = ids[row["interview_id"]]
    if table == "identities":
        row["reference"] = refs[row["reference"]]
    if table == "interviews" and row.get("consent"):
        consent = json.loads(row["consent"])
        consent.pop("recorded_at", None)
        row["consent"] = consent
    for name in _DROPPED.get(table, ()):
        row.pop(name, None)
    return json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)


def integrity(db: Path) -> str:
    with database(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
