"""The enumerator's terminal front end: one question at a time, every answer saved at once.

Commands start with a colon so they never collide with an answer:
``:b`` back, ``:s`` summary, ``:g NAME [MEMBER]`` go to a question, ``:a ROSTER`` add a
member, ``:r ROSTER MEMBER`` remove one, ``:c`` clear an optional answer, ``:w`` the respondent
withdraws, ``:q`` save and quit, ``:h`` help. Ctrl-C and Ctrl-D save and quit too: nothing
acknowledged is ever lost, because the store commits before the next question is shown.
"""

from __future__ import annotations

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
    "[bold]:b[/] back  [bold]:s[/] summary  [bold]:g NAME [MEMBER][/] go to  "
    "[bold]:a ROSTER[/] add member  [bold]:r ROSTER N[/] remove member  [bold]:c[/] clear  "
    "[bold]:w[/] respondent withdraws  [bold]:q[/] save and quit  [bold]:h[/] help"
)


_SAVED_AS_DRAFT = "[yellow]saved as a draft: resume it later[/]"
_CONFIRM = (
    "All questions are answered. Enter saves the interview as complete; "
    ":b, :s or :g first to review it. > "
)


@dataclass
class TerminalInterview:
    session: Session
    recorder: InterviewRecorder
    console: Console
    read: Callable[[str], str]
    """Reads one line (``console.input``); raises EOFError/KeyboardInterrupt to stop."""

    def run(self) -> InterviewStatus:
        """Ask until the interview ends or the enumerator quits; returns the status."""
        self.console.print(f"[dim]{HELP}[/]")
        while True:
            prompt = self.session.current()
            if prompt is None:
                if self.session.status is not InterviewStatus.COMPLETE:
                    return self._finished()
                line = self._read_or_quit(_CONFIRM)
                if line is None:
                    return InterviewStatus.DRAFT
                if not line.startswith(":"):
                    return self._finished()
            else:
                self._show(prompt)
                line = self._read_or_quit("> ")
                if line is None:
                    return InterviewStatus.DRAFT
                if not line.startswith(":"):
                    self._apply(self.session.answer(line))
                    continue
            if self._command(line) == "quit":
                self.console.print(_SAVED_AS_DRAFT)
                return InterviewStatus.DRAFT

    def _read_or_quit(self, prompt: str) -> str | None:
        """A line typed, or None when the enumerator pressed Ctrl-C or Ctrl-D."""
        try:
            return self.read(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            self.console.print("\n" + _SAVED_AS_DRAFT)
            return None

    # -- showing ------------------------------------------------------------------------------

    def _show(self, prompt: Prompt) -> None:
        self.console.print()
        self.console.rule(self._heading(prompt), style="cyan")
        self.console.print(f"[bold]{escape(prompt.label)}[/]")
        if prompt.hint:
            self.console.print(f"[dim]{escape(prompt.hint)}[/]")
        for choice in prompt.choices:
            self.console.print(f"  [cyan]{choice.number:>2}[/]  {escape(choice.label)}")
        extras = []
        if prompt.allow_dont_know:
            extras.append("[cyan]dk[/] don't know")
        if prompt.allow_refused:
            extras.append("[cyan]rf[/] refused")
        if not prompt.required and prompt.kind is PromptKind.QUESTION:
            extras.append("[dim]Enter to skip[/]")
        if extras:
            self.console.print("  " + "   ".join(extras))
        if prompt.answer is not None:
            self.console.print(f"  [green]current answer:[/] {escape(prompt.answer)}")

    def _heading(self, prompt: Prompt) -> str:
        parts = []
        if prompt.kind is not PromptKind.QUESTION:
            parts.append("consent and safety")
        elif prompt.section_label:
            parts.append(escape(prompt.section_label))
        if prompt.roster is not None:
            place = prompt.roster
            parts.append(f"{escape(place.label)}: member {place.index} of {place.total}")
        parts.append(f"{prompt.progress.percent}% done")
        return " · ".join(parts)

    # -- acting -------------------------------------------------------------------------------

    def _apply(self, step: Step) -> bool:
        """Save what the step produced (even a refused answer's paradata); say why if refused."""
        self.recorder.record(step)
        if not step.ok:
            self.console.print(f"[bold red]✗ {escape(step.message or 'not accepted')}[/]")
        return step.ok

    def _command(self, line: str) -> str | None:
        word, *args = line[1:].split() if line[1:].strip() else ("h",)
        actions: dict[str, Callable[[list[str]], Step | None]] = {
            "b": lambda _: self.session.back(),
            "c": lambda _: self.session.clear(),
            "w": lambda _: self.session.withdraw(),
            "g": self._goto,
            "a": lambda a: self.session.add_member(a[0]) if a else None,
            "r": self._remove,
        }
        key = word[:1].lower()
        if key == "q":
            return "quit"
        if key == "s":
            self._summary()
        elif key in actions:
            step = actions[key](args)
            if step is None:
                self.console.print("[red]missing argument[/]: " + HELP)
            else:
                self._apply(step)
        else:
            self.console.print(HELP)
        return None

    def _goto(self, args: list[str]) -> Step | None:
        if not args:
            return None
        member = int(args[1]) if len(args) > 1 and args[1].isdigit() else 0
        return self.session.goto(args[0], member)

    def _remove(self, args: list[str]) -> Step | None:
        if len(args) < 2 or not args[1].isdigit():
            return None
        return self.session.remove_member(args[0], int(args[1]))

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
