"""How long the web form takes to answer one question, against the engine step alone.

    .venv/bin/python bench/web_answer.py [--instrument household] [--rounds 3]

Runs the real ``fieldkit serve`` (a subprocess on 127.0.0.1) and answers the household example
(``examples/household_complete.yaml``) page by page over HTTP, as a browser does: POST the
answer with the page's token, follow the redirect, read the next page. One page response is
that POST plus the GET, timed on the client. In the same run and on the same answers:

- floor, the engine step alone: ``session.answer(text)`` + ``session.current()``;
- the engine step plus its durable save (``InterviewRecorder.record``: one SQLite transaction
  with ``synchronous=FULL``), which every web answer includes;
- the same POST and GET through the application in this process (no sockets): what the web
  layer itself adds.

Prints medians, the 90th percentile and the ratio to the floor (bench/README.md).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from fieldkit.capture import Engine, Prompt, PromptKind, Session
from fieldkit.capture.recorder import open_interview
from fieldkit.instrument.schema import QuestionType
from fieldkit.privacy.keys import ProjectPublicKeys, load_project_keys
from fieldkit.project import resolve_form
from fieldkit.store import LaptopStore, StoreKey

REPO = Path(__file__).resolve().parent.parent
FIELDKIT = (sys.executable, "-c", "from fieldkit.cli import main; main()")
ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)")
PASSPHRASE = "bench passphrase, not a secret"
"""The laptop store's (encrypted at rest): set on the first unlock, typed twice."""
UNLOCK = {"enumerator": "E07", "ui": "en", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE}


def answer_text(prompt: Prompt, session: Session, data: dict[str, Any]) -> str:
    """The example file's answer to ``prompt``, as typed."""
    answers = data.get("answers", {})
    if prompt.kind is PromptKind.ROSTER_COUNT:
        more = len(session.members(prompt.name)) < len(answers.get(prompt.name, []))
        return "1" if more else "2"
    top, _, name = prompt.name.partition(".")
    if top in ("screening", "consent") and name:
        value = data.get(top, {}).get(name)
    elif prompt.roster is not None:
        value = answers[prompt.roster.roster][prompt.roster.index - 1].get(prompt.name)
    else:
        value = answers.get(prompt.name)
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def scripted(session: Session, data: dict[str, Any]) -> Iterator[tuple[Prompt, str]]:
    while (prompt := session.current()) is not None:
        text = answer_text(prompt, session, data)
        yield prompt, text
        assert session.answer(text).ok, prompt.name


def study(root: Path) -> Path:
    folder = root / "study"
    shutil.copytree(REPO / "instruments", folder / "instruments")
    shutil.copytree(REPO / "protocols", folder / "protocols")
    (folder / "keys").mkdir()
    keys = [X25519PrivateKey.generate().public_key() for _ in range(2)]
    (folder / "keys" / "project.pub").write_bytes(ProjectPublicKeys(*keys).text())
    return folder


class Browserless:
    """A keep-alive HTTP connection holding the server's cookie, as a browser would."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.cookie = ""
        response, _ = self.request("GET", f"/?token={token}")
        self.cookie = response.getheader("set-cookie", "").split(";")[0]
        page = self.request("GET", "/")[1].decode()
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found is not None
        self.csrf = found.group(1)

    def request(
        self, method: str, path: str, body: dict[str, str | list[str]] | None = None
    ) -> tuple[Any, bytes]:
        headers = {"cookie": self.cookie, "host": f"127.0.0.1:{self.conn.port}"}
        data = None
        if body is not None:
            fields = {"csrf": self.csrf, **body} if self.cookie else body
            data = urllib.parse.urlencode(fields, doseq=True)
            headers["content-type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        return response, response.read()

    def answer(self, interview: str, prompt: Prompt, text: str) -> float:
        key = f"{prompt.name}@{prompt.member}"
        choices = ",".join(choice.value for choice in prompt.choices)
        value: str | list[str] = text
        if prompt.type is QuestionType.SELECT_MULTIPLE:
            value = text.split()  # a browser sends one value per box ticked
        fields = {"screen": key, key: value, f"{key}:shape": f"{int(prompt.required)}:{choices}"}
        start = time.perf_counter()
        posted, _ = self.request("POST", f"/interviews/{interview}/answer", fields)
        assert posted.status == 303, (prompt.name, posted.status)
        page, _ = self.request("GET", posted.getheader("location"))
        took = time.perf_counter() - start
        assert page.status == 200
        return took


def web_times(folder: Path, data: dict[str, Any], form: Any) -> list[float]:
    db = folder / f"web-{time.monotonic_ns()}.sqlite"
    command = [*FIELDKIT, "serve", "--db", str(db), "--study", str(folder), "--port", "0"]
    server = subprocess.Popen(
        [*command, "--no-browser"], cwd=folder, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        match = ADDRESS.search(server.stdout.readline())
        assert match is not None
        client = Browserless(int(match.group(1)), match.group(2))
        client.request("POST", "/unlock", UNLOCK)
        started, _ = client.request(
            "POST", "/interviews", {"instrument": form.id, "language": "en"}
        )
        interview = started.getheader("location").rsplit("/", 1)[1]
        mirror = Engine(form).start("en")
        return [client.answer(interview, p, text) for p, text in scripted(mirror, data)]
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()


def in_process_times(folder: Path, form: Any, data: dict[str, Any]) -> list[float]:
    """The same POST and GET through the ASGI app in this process (Starlette's TestClient):
    the web layer's own cost, without sockets, processes and their scheduling."""
    from starlette.testclient import TestClient  # noqa: PLC0415 - a dev dependency

    from fieldkit.web import Desk, Keys, create_app, load_study  # noqa: PLC0415

    key = load_project_keys(folder / "keys" / "project.pub")
    desk = Desk(load_study(folder), folder / f"asgi-{time.monotonic_ns()}.sqlite", key)
    keys = Keys.fresh(8765)
    client = TestClient(create_app(desk, keys), base_url="http://127.0.0.1:8765")
    client.follow_redirects = False
    client.get(f"/?token={keys.address}")
    client.post("/unlock", data={"csrf": keys.csrf, **UNLOCK})
    started = client.post("/interviews", data={"csrf": keys.csrf, "instrument": form.id})
    path = started.headers["location"]
    times = []
    for prompt, text in scripted(Engine(form).start("en"), data):
        key_ = f"{prompt.name}@{prompt.member}"
        value: str | list[str] = text
        if prompt.type is QuestionType.SELECT_MULTIPLE:
            value = text.split()
        choices = ",".join(choice.value for choice in prompt.choices)
        fields = {"csrf": keys.csrf, "screen": key_, key_: value}
        fields[f"{key_}:shape"] = f"{int(prompt.required)}:{choices}"
        start = time.perf_counter()
        posted = client.post(f"{path}/answer", data=fields)
        client.get(posted.headers["location"])
        times.append(time.perf_counter() - start)
    desk.close()
    return times


def engine_times(form: Any, data: dict[str, Any]) -> list[float]:
    session, times = Engine(form).start("en"), []
    while (prompt := session.current()) is not None:
        text = answer_text(prompt, session, data)
        start = time.perf_counter()
        step = session.answer(text)
        session.current()
        times.append(time.perf_counter() - start)
        assert step.ok
    return times


def saved_times(folder: Path, form: Any, data: dict[str, Any]) -> list[float]:
    keys = load_project_keys(folder / "keys" / "project.pub")
    times = []
    raw = StoreKey(os.urandom(32))  # encrypted as in the field; the passphrase step is not timed
    with LaptopStore.open(folder / "saved.sqlite", project_keys=keys, key=raw) as store:
        session, recorder = open_interview(store, form, enumerator="E07", language="en")
        while (prompt := session.current()) is not None:
            text = answer_text(prompt, session, data)
            start = time.perf_counter()
            recorder.record(session.answer(text))
            session.current()
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instrument", default="household")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = yaml.safe_load((REPO / "examples" / f"{args.instrument}_complete.yaml").read_text())
    form = resolve_form(REPO / "instruments" / f"{args.instrument}.yaml")
    web: list[float] = []
    engine: list[float] = []
    saved: list[float] = []
    asgi: list[float] = []
    with tempfile.TemporaryDirectory(prefix="fk-bench-web-") as tmp:
        folder = study(Path(tmp))
        for _ in range(args.rounds):
            engine += engine_times(form, data)
            saved += saved_times(folder, form, data)
            asgi += in_process_times(folder, form, data)
            web += web_times(folder, data, form)
    floor = statistics.median(engine)
    print(f"{len(web)} page responses ({args.rounds} x {args.instrument}), load {_load()}")
    print("| measure | median | p90 | ratio to engine step |")
    print("|---|---:|---:|---:|")
    for name, times in (
        ("engine step (floor)", engine),
        ("+ durable save", saved),
        ("web page, in process", asgi),
        ("web page", web),
    ):
        median, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
        print(f"| {name} | {median * 1e3:.2f} ms | {p90 * 1e3:.2f} ms | {median / floor:.0f}x |")


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


if __name__ == "__main__":
    main()
