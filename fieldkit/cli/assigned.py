"""The terminal front end's list of assigned units (``collect --assignments FILE``).

The enumerator picks a unit from the assignment file; its unit key and preloaded fields are
then typed in for them when the interview reaches those questions (shown, and changeable
afterwards with ``:g``), so the interview is keyed to the sampled unit without retyping it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from fieldkit.cli.render import console

if TYPE_CHECKING:
    from fieldkit.capture import Session
    from fieldkit.monitor.assignments import AssignmentFile

__all__ = ["choose_unit", "preloading"]

Read = Callable[[str], str]


def choose_unit(assigned: AssignmentFile, read: Read) -> dict[str, Any]:
    """Show the assigned units and return the preload of the one picked."""
    console.print(f"[bold]Units assigned to {escape(assigned.enumerator)}[/]")
    for number, entry in enumerate(assigned.units, 1):
        unit = ", ".join(f"{k} {v}" for k, v in entry["unit"].items())
        extra = ", ".join(f"{k} {v}" for k, v in entry["preload"].items() if k not in entry["unit"])
        console.print(
            f"  {number}. {escape(unit)}" + (f" [dim]({escape(extra)})[/]" if extra else "")
        )
    line = read(f"Unit to visit (1-{len(assigned.units)}): ").strip()
    if not line.isdigit() or not 1 <= int(line) <= len(assigned.units):
        raise typer.BadParameter(f"'{line}' is not a unit of the list", param_hint="unit")
    return dict(assigned.units[int(line) - 1]["preload"])


def preloading(session: Session, preload: dict[str, Any], read: Read) -> Read:
    """``read`` that answers a preloaded question itself, once, the first time it is asked."""
    from fieldkit.capture.prompts import PromptKind

    pending = dict(preload)

    def answer(text: str) -> str:
        prompt = session.current()
        if prompt is None or prompt.kind is not PromptKind.QUESTION or prompt.member:
            return read(text)
        if prompt.name not in pending:
            return read(text)
        value = str(pending.pop(prompt.name))
        typed = next((c.key for c in prompt.choices if c.value == value), value)
        console.print(f"> {escape(typed)} [dim](from the assignment)[/]")
        return typed

    return answer
