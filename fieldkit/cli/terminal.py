"""The enumerator's terminal front end: one question at a time, every answer saved at once.

What is typed has one reading. An answer is typed as shown: the key beside a choice (its code
or its place, see fieldkit/capture/keys.py), ``dk`` / ``rf`` where shown. Commands start with a
colon and are whole words (a one-letter form where it cannot be mistaken):
``:b`` back, ``:s`` summary, ``:g NAME [K]`` go to a question (of member K as shown),
``:a ROSTER`` add a member, ``:r ROSTER K`` remove member K, ``:c`` clear an optional
answer, ``:withdraw`` the respondent withdraws, ``:discard`` throw this draft away, ``:q``
save and quit, ``:h`` help. ``:w`` (vim's "write") does nothing but say that every answer is
already saved. Anything that deletes answers (withdrawing, discarding, a smaller household,
a changed answer that makes others stop applying) says what it deletes and waits for ``yes``.
Ctrl-C and Ctrl-D save and quit too: nothing acknowledged is ever lost, because the store
commits before the next question is shown.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from fieldkit.capture import Prompt, PromptKind, Session, Step
from fieldkit.capture.recorder import InterviewRecorder
from fieldkit.store.records import InterviewStatus

__all__ = ["TerminalInterview"]

HELP = (
    "[bold]:b[/] back  [bold]:s[/] summary  [bold]:g NAME [K][/] go to  "
    "[bold]:a ROSTER[/] add member  [bold]:r ROSTER K[/] remove member K  [bold]:c[/] clear  "
    "[bold]:withdraw[/] the respondent withdraws  [bold]:discard[/] throw this draft away  "
    "[bold]:q[/] save and quit  [bold]:h[/] help"
)
_SAVED_AS_DRAFT = "[yellow]saved as a draft: resume it later[/]"
_CONFIRM = (
    "All questions are answered (100% done). Enter saves the interview as complete; "
    ":b, :s or :g first to review it. > "
)
_YES = ("yes", "oui")
_ASK_YES = "Type yes to go ahead; anything else keeps everything as it is. > "
_ALREADY_SAVED = (
    "Every answer is saved the moment it is given: there is nothing to write. "
    ":q saves and quits; :withdraw if the respondent withdraws."
)
_DISCARD = (
    "Discard this draft: the interview and every answer typed in it are deleted from this "
    "laptop, and nothing of it is kept, not even a refusal. Use it for an interview started "
    "by mistake; if the respondent withdraws, use :withdraw instead."
)
_WORDS = {
    "b": "back",
    "back": "back",
    "s": "summary",
    "summary": "summary",
    "g": "goto",
    "go": "goto",
    "goto": "goto",
    "a": "add",
    "add": "add",
    "r": "remove",
    "remove": "remove",
    "c": "clear",
    "clear": "clear",
    "withdraw": "withdraw",
    "discard": "discard",
    "q": "quit",
    "quit": "quit",
    "wq": "quit",
    "x": "quit",
    "w": "write",
    "write": "write",
    "h": "help",
    "help": "help",
}


class _Quit(Exception):
    """Ctrl-C or Ctrl-D: save and quit (everything acknowledged is already stored)."""


@dataclass
class TerminalInterview:
    session: Session
    recorder: InterviewRecorder
    console: Console
    read: Callable[[str], str]
    """Reads one line (``console.input``); raises EOFError/KeyboardInterrupt to stop."""

    def run(self) -> InterviewStatus | None:
        """Ask until the interview ends or the enumerator quits; returns the status (None:
        the draft was discarded)."""
        self.console.print(f"[dim]{HELP}[/]")
        try:
            return self._loop()
        except _Quit:
            self.console.print("\n" + _SAVED_AS_DRAFT)
            return InterviewStatus.DRAFT

    def _loop(self) -> InterviewStatus | None:
        while True:
            prompt = self.session.current()
            if prompt is None:
                if self.session.status is not InterviewStatus.COMPLETE:
                    return self._finished()
                line = self._read(_CONFIRM)
                if not line:
                    return self._finished()
                if not line.startswith(":"):
                    self.console.print("[red]Press Enter to save, or type a command.[/]")
                    continue
            else:
                self._show(prompt)
                line = self._read("> ")
                if not line.startswith(":"):
                    again = functools.partial(self.session.answer, line, confirm=True)
                    self._act(self.session.answer(line), again)
                    continue
            outcome = self._command(line)
            if outcome == "quit":
                self.console.print(_SAVED_AS_DRAFT)
                return InterviewStatus.DRAFT
            if outcome == "discarded":
                self.console.print(Panel("the draft was discarded: nothing of it is kept"))
                return None

    def _read(self, prompt: str) -> str:
        """A line typed; `_Quit` when the enumerator pressed Ctrl-C or Ctrl-D."""
        try:
            return self.read(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            raise _Quit from None

    def _yes(self, message: str) -> bool:
        """Say what an action would do, and whether the enumerator typed yes."""
        self.console.print(f"[bold yellow]! {escape(message)}[/]")
        return self._read(_ASK_YES).lower() in _YES

    # -- showing ------------------------------------------------------------------------------

    def _show(self, prompt: Prompt) -> None:
        self.console.print()
        self.console.rule(self._heading(prompt), style="cyan")
        self.console.print(f"[bold]{escape(prompt.label)}[/]")
        if prompt.hint:
            self.console.print(f"[dim]{escape(prompt.hint)}[/]")
        width = max((len(c.key) for c in prompt.choices), default=2)
        for choice in prompt.choices:
            self.console.print(f"  [cyan]{choice.key:>{width}}[/]  {escape(choice.label)}")
        extras = [f"[cyan]{s.key}[/] {escape(s.label.lower())}" for s in prompt.specials]
        if not prompt.required and prompt.kind is PromptKind.QUESTION:
            extras.append("[dim]Enter to skip[/]")
        if extras:
            self.console.print("  " + "   ".join(extras))
        if prompt.answer is not None:
            self.console.print(f"  [green]current answer:[/] {escape(prompt.answer)}")
        for failure in self.session.failing():  # a resumed draft that breaks a roster check
            if failure.at == (prompt.name, prompt.member):
                self.console.print(f"[bold red]✗ {escape(failure.message)}[/]")

    def _heading(self, prompt: Prompt) -> str:
        parts = []
        if prompt.kind is not PromptKind.QUESTION:
            parts.append("consent and safety")
        elif prompt.section_label:
            parts.append(escape(prompt.section_label))
        if prompt.roster is not None:
            place = prompt.roster
            text = f"{escape(place.label)}: member {place.index} of {place.total}"
            if place.index != place.member:
                text += f", line {place.member}"
            if place.name:
                text += f" ({escape(place.name)})"
            parts.append(text)
        parts.append(f"{prompt.progress.percent}% done")
        return " · ".join(parts)

    # -- acting -------------------------------------------------------------------------------

    def _act(self, step: Step, confirmed: Callable[[], Step] | None = None) -> bool:
        """Save what the step produced (even a refused answer's paradata); when it asks first
        (it would delete answers), say what, and on yes do it confirmed; else say why not."""
        self.recorder.record(step)
        if step.confirm is not None and confirmed is not None:
            if self._yes(step.confirm.message):
                return self._act(confirmed())
            self.console.print("[green]nothing was changed[/]")
            return False
        if not step.ok:
            self.console.print(f"[bold red]✗ {escape(step.message or 'not accepted')}[/]")
        return step.ok

    def _command(self, line: str) -> str | None:
        word, *args = line[1:].split() or ["help"]
        command = _WORDS.get(word.lower())
        session = self.session
        if command == "quit":
            return "quit"
        if command == "discard":
            return self._discard()
        actions: dict[str, Callable[[], object]] = {
            "back": lambda: self._act(session.back()),
            "clear": lambda: self._act(session.clear(), lambda: session.clear(confirm=True)),
            "withdraw": lambda: self._act(
                session.withdraw(), lambda: session.withdraw(confirm=True)
            ),
            "summary": self._summary,
            "goto": lambda: self._goto(args),
            "add": lambda: self._add(args),
            "remove": lambda: self._remove(args),
            "write": lambda: self.console.print(f"[yellow]{_ALREADY_SAVED}[/]"),
        }
        action = actions.get(command or "")
        if action is None:
            unknown = "" if command == "help" else f"[red]'{escape(line)}' is not a command.[/] "
            self.console.print(unknown + HELP)
        else:
            action()
        return None

    def _discard(self) -> str | None:
        if not self._yes(_DISCARD):
            self.console.print("[green]nothing was changed[/]")
            return None
        self.recorder.discard()
        return "discarded"

    def _member(self, roster: str, place: str) -> int | None:
        """The member shown as number ``place`` of ``roster`` ("member 2 of 3")."""
        members = self.session.members(roster) if roster in self.session.plan.kids else ()
        if place.isdigit() and 1 <= int(place) <= len(members):
            return members[int(place) - 1]
        self.console.print(f"[red]no member {escape(place)} in '{escape(roster)}'[/]")
        return None

    def _goto(self, args: list[str]) -> None:
        if not args:
            self.console.print("[red]missing argument[/]: :g NAME [K]")
            return
        name = args[0]
        roster = self.session.plan.repeat_of.get(name)
        member = 0
        if roster is not None and len(args) > 1:
            found = self._member(roster, args[1])
            if found is None:
                return
            member = found
        elif roster is not None:  # the member being asked, when in the same roster
            current = self.session.current()
            place = None if current is None else current.roster
            member = place.member if place is not None and place.roster == roster else 0
        self._act(self.session.goto(name, member))

    def _add(self, args: list[str]) -> None:
        if not args:
            self.console.print("[red]missing argument[/]: :a ROSTER")
            return
        self._act(self.session.add_member(args[0]))

    def _remove(self, args: list[str]) -> None:
        if len(args) < 2:
            self.console.print("[red]missing argument[/]: :r ROSTER K")
            return
        member = self._member(args[0], args[1])
        if member is None:
            return
        roster = args[0]
        self._act(
            self.session.remove_member(roster, member),
            lambda: self.session.remove_member(roster, member, confirm=True),
        )

    def _summary(self) -> None:
        table = Table(title="Answers so far", show_lines=False)
        for column in ("question", "member", "answer"):
            table.add_column(column)
        for row in self.session.summary():
            table.add_row(
                escape(row.label or row.question), str(row.member or ""), escape(row.value)
            )
        self.console.print(table)

    def _finished(self) -> InterviewStatus:
        status = self.session.status
        if status is InterviewStatus.COMPLETE:
            self.recorder.store.finish(self.recorder.interview_id, status)
        messages = {
            InterviewStatus.COMPLETE: ("green", "interview complete and saved"),
            InterviewStatus.REFUSED: ("yellow", "the interview ended: only the refusal is kept"),
            InterviewStatus.STOPPED: (
                "yellow",
                "stopped by the safety screen: only that is kept; follow the referral protocol",
            ),
        }
        colour, text = messages.get(status, ("yellow", str(status)))
        self.console.print(Panel(text, style=colour))
        return status
