"""The interview's pages: the current screen, answering it, moving, rosters, review, the end.

Each POST is one engine action whose step is saved by the interview's recorder before the
response is sent; then the browser is sent to the interview's page (GET), which shows the
engine's current prompt. A refused answer is shown at once with its message beside the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fieldkit.capture import Prompt, PromptKind, Session, Step
from fieldkit.capture.messages import localized
from fieldkit.store.records import InterviewStatus
from fieldkit.web.desk import Live
from fieldkit.web.guard import checked_form
from fieldkit.web.pages import Web
from fieldkit.web.routes_home import see_other
from fieldkit.web.screens import Typed, build_screen, submit_screen

__all__ = ["InterviewPages", "RosterPanel", "interview_routes"]

ENDED = (InterviewStatus.REFUSED, InterviewStatus.STOPPED)


@dataclass(frozen=True, slots=True)
class RosterPanel:
    """The roster the current question belongs to: its members, and whether they can be
    added and removed here (an open-ended roster) or follow an earlier answer."""

    roster: str
    label: str
    members: tuple[int, ...]
    names: tuple[str, ...]
    """Each member as the roster's member_label names them, from this session only ("")."""
    current: int
    open_ended: bool


def _panel(live: Live, prompt: Prompt) -> RosterPanel | None:
    if prompt.roster is not None:
        roster, current = prompt.roster.roster, prompt.roster.member
    elif prompt.kind is PromptKind.ROSTER_COUNT:
        roster, current = prompt.name, 0
    else:
        return None
    question = live.form.questions[roster]
    label = localized(question.label, live.session.language, live.form.default_language)
    session = live.session
    members = session.members(roster)
    names = tuple(session.texts.member_name(roster, m, session.language) for m in members)
    return RosterPanel(roster, label, members, names, current, question.count is None)


def _member(form: FormData) -> int:
    text = form.get("member")
    return int(text) if isinstance(text, str) and text.isdigit() else 0


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


class InterviewPages:
    def __init__(self, web: Web) -> None:
        self.web = web
        self.desk = web.desk

    def routes(self) -> list[Route]:
        base = "/interviews/{interview}"
        return [
            Route(base, self.show, methods=["GET"]),
            Route(f"{base}/answer", self.answer, methods=["POST"]),
            Route(f"{base}/review", self.review, methods=["GET"]),
            Route(f"{base}/finish", self.finish, methods=["POST"]),
            Route(f"{base}/confirm/{{action:str}}", self.confirm, methods=["GET"]),
            Route(f"{base}/{{action:str}}", self.act, methods=["POST"]),
        ]

    # -- pages ----------------------------------------------------------------------------------

    def screen_page(
        self,
        live: Live,
        *,
        typed: Typed | None = None,
        error: tuple[str, str] | None = None,
        notice: str | None = None,
        confirm: tuple[str, str] | None = None,
    ) -> Response:
        session = live.session
        screen = build_screen(session, live.form, typed=typed, error=error)
        if screen is None:
            return self.review_page(live, notice=notice)
        return self.web.page(
            "interview.html",
            language=session.language,
            status=422 if error or notice else 200,
            live=live,
            screen=screen,
            panel=_panel(live, screen.first),
            notice=notice,
            confirm=confirm,
        )

    def review_page(self, live: Live, notice: str | None = None) -> Response:
        session, form = live.session, live.form
        sections = {
            s.name: localized(s.label, session.language, form.default_language)
            for s in form.sections
        }
        return self.web.page(
            "review.html",
            language=session.language,
            live=live,
            rows=session.summary(),
            sections=sections,
            complete=session.current() is None and session.status is InterviewStatus.COMPLETE,
            notice=notice,
        )

    def current(self, request: Request) -> Live | Response:
        """The interview of the address, or the page to show instead (locked, ended)."""
        if self.desk.locked:
            return see_other("/")
        interview_id = request.path_params["interview"]
        found = self.desk.interview(interview_id)
        if isinstance(found, InterviewStatus):
            return self.web.page("ended.html", interview_id=interview_id, ended=found)
        if found.session.status in ENDED:
            self.desk.ended(found)
            return self.web.page(
                "ended.html", interview_id=interview_id, ended=found.session.status
            )
        return found

    # -- routes ---------------------------------------------------------------------------------

    async def show(self, request: Request) -> Response:
        found = self.current(request)
        return found if isinstance(found, Response) else self.screen_page(found)

    async def review(self, request: Request) -> Response:
        found = self.current(request)
        return found if isinstance(found, Response) else self.review_page(found)

    async def answer(self, request: Request) -> Response:
        form = await checked_form(request, self.web.keys)
        found = self.current(request)
        if isinstance(found, Response):
            return found
        keys = _text(form, "screen").split()
        read = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in keys}
        specials = {key: _text(form, key + ":special") for key in keys}
        shapes = {key: _text(form, key + ":shape") for key in keys}
        confirmed = _text(form, "confirm")
        outcome = submit_screen(found, keys, read, specials, shapes, confirmed=confirmed)
        if found.session.status in ENDED or outcome.complete:
            return _here(found)
        return self.screen_page(
            found, typed=outcome.typed, error=outcome.error, confirm=outcome.confirm
        )

    async def act(self, request: Request) -> Response:
        """Back, clear, go to, add or remove a member, withdraw: one engine action each."""
        form = await checked_form(request, self.web.keys)
        found = self.current(request)
        if isinstance(found, Response):
            return found
        action = request.path_params["action"]
        step = _action(found.session, action, form, confirm=_text(form, "confirm") == "1")
        if step is None:
            return _here(found)
        found.record(step)
        if step.confirm is not None:  # it would delete answers: the engine's message, asked
            fields = {name: _text(form, name) for name in ("roster", "member", "question")}
            return self.confirm_page(found, action, step.confirm.message, fields)
        if step.ok or step.status in ENDED:
            return _here(found)
        return self.screen_page(found, notice=step.message)

    def confirm_page(
        self, live: Live, action: str, message: str, fields: dict[str, str] | None = None
    ) -> Response:
        """Asks before an action that deletes answers; yes repeats it with confirm=1."""
        return self.web.page(
            "confirm.html",
            language=live.session.language,
            live=live,
            action=action,
            message=message,
            fields={name: value for name, value in (fields or {}).items() if value},
        )

    async def finish(self, request: Request) -> Response:
        await checked_form(request, self.web.keys)
        found = self.current(request)
        if isinstance(found, Response):
            return found
        if found.session.current() is None:
            self.desk.finish(found)
        return _here(found)

    async def confirm(self, request: Request) -> Response:
        """Removing a member and the respondent's withdrawal are asked first."""
        found = self.current(request)
        if isinstance(found, Response):
            return found
        action = request.path_params["action"]
        words = self.web.words(found.session.language)
        if action != "remove":
            return self.confirm_page(found, "withdraw", words["withdraw_question"])
        roster = request.query_params.get("roster", "")
        member = request.query_params.get("member", "")
        members = found.session.members(roster) if roster in found.form.questions else ()
        if not member.isdigit() or int(member) not in members:
            return _here(found)
        label = localized(
            found.form.questions[roster].label, found.session.language, found.form.default_language
        )
        index = members.index(int(member)) + 1
        message = words["remove_question"].format(index=index, label=label)
        return self.confirm_page(found, "remove", message, {"roster": roster, "member": member})


def _here(live: Live) -> Response:
    return see_other(f"/interviews/{live.id}")


def _action(session: Session, action: str, form: FormData, *, confirm: bool) -> Step | None:
    """One engine action; those that may delete answers go ahead only with ``confirm``."""
    roster, member = _text(form, "roster"), _member(form)
    actions: dict[str, Callable[[], Step]] = {
        "back": session.back,
        "clear": lambda: session.clear(confirm=confirm),
        "withdraw": lambda: session.withdraw(confirm=confirm),
        "goto": lambda: session.goto(_text(form, "question"), member),
        "add": lambda: session.add_member(roster),
        "remove": lambda: session.remove_member(roster, member, confirm=confirm),
    }
    chosen = actions.get(action)
    return None if chosen is None else chosen()


def interview_routes(web: Web) -> list[Route]:
    return InterviewPages(web).routes()
