"""Only the local user may use the web form.

- The server listens on 127.0.0.1 only (``fieldkit.web.server``), and refuses a request whose
  Host is not that address and port (a web page elsewhere cannot reach it by DNS rebinding).
- The address printed at start carries a secret made for this start. The first visit trades
  it for a cookie (HttpOnly, SameSite=Strict) and is sent on to ``/`` so the secret leaves
  the address bar; any request without the cookie is refused.
- Every POST carries this start's CSRF token and, when the browser says where it comes
  from, comes from this origin; otherwise it is refused before anything is read or changed.
- Every response forbids inline scripts and anything from elsewhere
  (Content-Security-Policy), framing, sniffing, referrers to elsewhere and caching.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Final
from urllib.parse import parse_qs

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["COOKIE", "CSP", "Guard", "Keys", "checked_form"]

COOKIE: Final = "fieldkit"
CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
HEADERS: Final = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # Origin stays on our own POSTs
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
NO_STORE: Final = (b"cache-control", b"no-store")
"""Pages hold answers: never kept in the browser's cache. The package's static files may be."""
STATIC_CACHE: Final = (b"cache-control", b"private, max-age=86400")
REFUSED: Final = b"Refused: open the address that 'fieldkit serve' printed, on this computer.\n"


@dataclass(frozen=True, slots=True)
class Keys:
    """This start's secrets: nothing of them outlives the server process."""

    address: str
    """In the address printed at start; traded for the cookie on the first visit."""
    cookie: str
    csrf: str
    hosts: frozenset[str]
    """Host headers accepted: ``127.0.0.1:PORT`` and ``localhost:PORT``."""

    @classmethod
    def fresh(cls, port: int) -> Keys:
        return cls(
            address=secrets.token_urlsafe(32),
            cookie=secrets.token_urlsafe(32),
            csrf=secrets.token_urlsafe(32),
            hosts=frozenset({f"127.0.0.1:{port}", f"localhost:{port}"}),
        )

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.hosts)


class Guard:
    """ASGI middleware: host check, secret-to-cookie, refusal without it, security headers."""

    def __init__(self, app: ASGIApp, keys: Keys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope["headers"])
        cookie = _cookie(headers.get("cookie", ""))
        if headers.get("host") not in self.keys.hosts:
            await _plain(send, 421, REFUSED)
        elif cookie is not None and secrets.compare_digest(
            cookie.encode(), self.keys.cookie.encode()
        ):
            static = scope["path"].startswith("/static/")
            await self.app(scope, receive, _secured(send, STATIC_CACHE if static else NO_STORE))
        elif self._first_visit(scope):
            await _welcome(send, self.keys.cookie)
        else:
            await _plain(send, 403, REFUSED)

    def _first_visit(self, scope: Scope) -> bool:
        if scope["method"] != "GET" or scope["path"] != "/":
            return False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.get("token", [""])[0]
        return secrets.compare_digest(given.encode(), self.keys.address.encode())


async def checked_form(request: Request, keys: Keys) -> FormData:
    """The POSTed form, once it is known to come from this origin with this start's token."""
    origin = request.headers.get("origin")
    if origin is not None and origin not in keys.origins:
        raise HTTPException(403, "refused: a request from another origin")
    site = request.headers.get("sec-fetch-site")
    if site not in (None, "same-origin", "none"):
        raise HTTPException(403, "refused: a request from another site")
    form = await request.form()
    token = form.get("csrf")
    if not isinstance(token, str) or not secrets.compare_digest(token.encode(), keys.csrf.encode()):
        raise HTTPException(403, "refused: the form's token is missing or wrong")
    return form


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw}


def _cookie(header: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except (KeyError, ValueError):
        return None
    morsel = jar.get(COOKIE)
    return None if morsel is None else morsel.value


def _secured(send: Send, cache: tuple[bytes, bytes]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", []), *HEADERS, cache]
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


async def _plain(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS, NO_STORE],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _welcome(send: Send, cookie: str) -> None:
    """Trade the address's secret for the cookie and leave the secret out of the address."""
    value = f"{COOKIE}={cookie}; HttpOnly; SameSite=Strict; Path=/"
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", b"/"),
                (b"set-cookie", value.encode()),
                *HEADERS,
                NO_STORE,
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})
