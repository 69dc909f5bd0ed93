"""The web form as an ASGI application: routes, static files, and the guard around them.

    app = create_app(desk, keys)      # keys = Keys.fresh(port); served by fieldkit.web.server

Pages are rendered on the server (Jinja2, autoescaped); one small script in ``static/``
adds keyboard shortcuts. Nothing is loaded from anywhere but this server.
"""

from __future__ import annotations

from typing import Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from fieldkit.errors import FieldkitError
from fieldkit.web.desk import Desk
from fieldkit.web.guard import Guard, Keys
from fieldkit.web.pages import STATIC, Web, environment
from fieldkit.web.routes_home import home_routes
from fieldkit.web.routes_interview import interview_routes

__all__ = ["create_app"]

NOT_FOUND_CODES: Final = frozenset({"FK-STORE-005", "FK-INS-019"})


def create_app(desk: Desk, keys: Keys) -> ASGIApp:
    """The guarded application serving ``desk``'s interviews."""
    web = Web(desk, keys, environment())

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, FieldkitError)
        status = 404 if exc.code in NOT_FOUND_CODES else 409
        return web.page("problem.html", status=status, error=exc)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return PlainTextResponse(exc.detail, status_code=exc.status_code)

    app = Starlette(
        routes=[
            *home_routes(web),
            *interview_routes(web),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={FieldkitError: problem, HTTPException: refused},
    )
    return Guard(app, keys)
