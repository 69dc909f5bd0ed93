"""fieldkit serve as a user runs it: one line and a non-zero exit for each mistake."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from pathlib import Path

from tests.capture_helpers import FIELDKIT, make_study


def _serve(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FIELDKIT, "serve", "--no-browser", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str], code: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and code in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = _serve(study, "--port", str(port), "--db", str(tmp_path / "laptop.sqlite"))
    _one_line(result, "FK-WEB-001")
    assert not (tmp_path / "laptop.sqlite").exists()  # nothing opened, nothing created


def test_a_folder_without_instruments_is_one_line(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    empty = tmp_path / "empty"
    (empty / "instruments").mkdir(parents=True)
    key = study / "keys" / "project.pub"
    result = _serve(tmp_path, "--study", str(empty), "--key", str(key), "--port", "0")
    _one_line(result, "FK-WEB-002")


def test_a_study_without_the_project_key_is_one_line(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    (study / "keys" / "project.pub").unlink()
    _one_line(_serve(study, "--port", "0"), "FK-KEY-007")


def test_serve_has_help() -> None:
    result = subprocess.run(
        [*FIELDKIT, "serve", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert "127.0.0.1" in result.stdout and "--no-browser" in result.stdout


def test_small_responses_are_not_held_back_by_nagle() -> None:
    """The server's connections send at once (TCP_NODELAY): asyncio sets it only on sockets
    that say they are TCP, and without it every page waited ~40 ms for a delayed ACK."""
    from fieldkit.web.server import bind

    async def nodelay() -> int:
        listening = bind(0)
        client = socket.create_connection(listening.getsockname())
        accepted, _ = listening.accept()
        accepted.setblocking(False)
        loop = asyncio.get_running_loop()
        transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, sock=accepted)
        flag = transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        transport.close()
        client.close()
        listening.close()
        return int(flag)

    assert asyncio.run(nodelay()) == 1
