"""The pages around the interviews: unlock, home (new interview, drafts), today's list."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fieldkit.web.guard import checked_form
from fieldkit.web.pages import Web
from fieldkit.web.texts import UI_LANGUAGES

__all__ = ["HomePages", "home_routes", "see_other"]


def see_other(path: str) -> RedirectResponse:
    """After a POST, the next page is fetched anew (reloading it never repeats the POST)."""
    return RedirectResponse(path, status_code=303)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


class HomePages:
    """Unlock, home and today's list."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.desk = web.desk

    def routes(self) -> list[Route]:
        return [
            Route("/", self.home, methods=["GET"]),
            Route("/unlock", self.unlock, methods=["POST"]),
            Route("/interviews", self.start, methods=["POST"]),
            Route("/interviews/{interview}/resume", self.resume, methods=["POST"]),
            Route("/today", self.today, methods=["GET"]),
        ]

    def locked_page(self, error: str | None = None, status: int = 200) -> Response:
        return self.web.page(
            "locked.html",
            status=status,
            needs_passphrase=self.desk.needs_passphrase,
            new_store=self.desk.new_store,
            enumerator=self.desk.enumerator,
            error=error,
        )

    async def home(self, request: Request) -> Response:
        desk = self.desk
        if desk.locked:
            return self.locked_page()
        forms = sorted(desk.forms.values(), key=lambda f: f.id)
        now = dt.datetime.now()
        # The protocol says when to collect; the enumerator is told, not stopped (clocks drift).
        outside = {f.id for f in forms if f.protocol.collection_window(now) is None}
        return self.web.page(
            "home.html",
            forms=forms,
            outside=outside,
            drafts=desk.drafts(),
            enumerator=desk.enumerator,
        )

    async def unlock(self, request: Request) -> Response:
        form = await checked_form(request, self.web.keys)
        language = _text(form.get("ui"))
        if language in UI_LANGUAGES:
            self.web.ui_language = language
        enumerator = _text(form.get("enumerator"))
        if not enumerator:
            return self.locked_page(error="enumerator", status=422)
        passphrase = form.get("passphrase")
        passphrase = passphrase if isinstance(passphrase, str) else None
        if self.desk.new_store and passphrase != form.get("passphrase_again"):
            # a new store's passphrase is typed twice: a typo would lock it for ever
            return self.locked_page(error="passphrase_again", status=422)
        self.desk.unlock(passphrase, enumerator)
        return see_other("/")

    async def start(self, request: Request) -> Response:
        form = await checked_form(request, self.web.keys)
        if self.desk.locked:
            return see_other("/")
        language = _text(form.get("language")) or None
        live = self.desk.start(_text(form.get("instrument")), language)
        return see_other(f"/interviews/{live.id}")

    async def resume(self, request: Request) -> Response:
        await checked_form(request, self.web.keys)
        if self.desk.locked:
            return see_other("/")
        live = self.desk.reopen(request.path_params["interview"])
        return see_other(f"/interviews/{live.id}")

    async def today(self, request: Request) -> Response:
        if self.desk.locked:
            return see_other("/")
        return self.web.page("today.html", interviews=self.desk.today())


def home_routes(web: Web) -> list[Route]:
    return HomePages(web).routes()
