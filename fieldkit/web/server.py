"""Serving the web form on this laptop only: 127.0.0.1, a fresh secret per start.

    study = load_study(Path("."))                       # the study's compiled instruments
    desk = Desk(study, Path("laptop.sqlite"), load_project_keys(Path("keys/project.pub")))
    serve(desk, 8765, ready=lambda address: ...)        # blocks until Ctrl-C

The socket is bound (and listening) before ``ready`` is called with the address to open,
so a browser opened then finds the server; port 0 picks a free port.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import uvicorn

from fieldkit.errors import FieldkitError, InstrumentError, Location
from fieldkit.instrument.form import Form
from fieldkit.project import load_project
from fieldkit.web.app import create_app
from fieldkit.web.desk import Desk
from fieldkit.web.guard import Keys

__all__ = ["HOST", "address_of", "bind", "load_study", "serve"]

HOST = "127.0.0.1"
"""The only address the form is ever served on: nothing off this computer can reach it."""


def load_study(root: Path) -> dict[str, Form]:
    """Every instrument under ``root/instruments``, compiled with ``root/protocols``."""
    project = load_project([root / "instruments"], extra_protocols=[root / "protocols"])
    if not project.report.ok:
        first = project.report.errors[0]
        raise InstrumentError(
            first.message, code=first.code, location=first.location, hint=first.hint
        )
    if not project.forms:
        raise FieldkitError(
            "no instrument to collect with",
            code="FK-WEB-002",
            location=Location(str(root / "instruments")),
            hint="run fieldkit serve in the study folder (with instruments/ and protocols/),"
            " or pass --study",
        )
    return project.forms


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:``port`` (0: any free port)."""
    # IPPROTO_TCP named, not left 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets
    # that say they are TCP, and with it on every small response waited ~40 ms for an ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(64)
    except OSError as error:
        sock.close()
        raise FieldkitError(
            f"cannot listen on {HOST}:{port}: {error.strerror or error}",
            code="FK-WEB-001",
            hint="another program (or another fieldkit serve) uses that port: pick another"
            " with --port",
        ) from None
    return sock


def address_of(sock: socket.socket, keys: Keys) -> str:
    port = sock.getsockname()[1]
    return f"http://{HOST}:{port}/?token={keys.address}"


def serve(desk: Desk, port: int, *, ready: Callable[[str], None]) -> None:
    """Serve ``desk`` until interrupted; the store is closed on the way out. A port in use
    fails before the store is touched, a store that does not open before the address is
    printed."""
    sock = bind(port)
    try:
        desk.check()
        keys = Keys.fresh(sock.getsockname()[1])
        config = uvicorn.Config(
            create_app(desk, keys),
            access_log=False,  # the first request's address carries the secret
            log_level="warning",
            lifespan="off",
            server_header=False,
            date_header=False,
        )
        server = uvicorn.Server(config)
        ready(address_of(sock, keys))
        server.run(sockets=[sock])
    finally:
        sock.close()
        desk.close()
