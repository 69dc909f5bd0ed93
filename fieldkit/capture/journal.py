"""Changes that can be taken back: what each step of a change replaced, in order.

`Sheet` journals a change while a session decides whether to keep it (a roster check it would
break, answers it would delete without a yes): every value and relevance it replaces, and every
member it adds or removes, is one `Undo`. Taking the change back replays the journal backwards.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["ABSENT", "Journal", "Key", "Undo"]

Key = tuple[str, int]
ABSENT: Final = object()
"""The old value of an answer there was none for."""

Kind = Literal["value", "relevance", "maybe", "added", "removed"]


@dataclass(frozen=True, slots=True)
class Undo:
    """One entry of a change's journal: what an answer or a relevance was before (``key`` a
    question instance), or a member added or removed (``key`` is ``(roster, member)``)."""

    kind: Kind
    key: Key
    old: object = ABSENT


class Journal:
    """The entries of the change under way; None while nothing is journalled."""

    def __init__(self) -> None:
        self.entries: list[Undo] | None = None

    def begin(self) -> None:
        self.entries = []

    def log(self, kind: Kind, key: Key, old: object = ABSENT) -> None:
        if self.entries is not None:
            self.entries.append(Undo(kind, key, old))

    def take(self) -> list[Undo]:
        """The entries so far, and stop journalling."""
        entries, self.entries = self.entries or [], None
        return entries


def undo(
    entries: list[Undo],
    values: dict[Key, object],
    relevance: dict[Key, bool],
    maybe: set[Key],
    members: dict[str, list[int]],
) -> None:
    """Put back what ``entries`` replaced, last first."""
    for entry in reversed(entries):
        if entry.kind == "value":
            _restore(values, entry.key, entry.old)
        elif entry.kind == "relevance":
            _restore(relevance, entry.key, entry.old)  # type: ignore[arg-type]
        elif entry.kind == "maybe":
            (maybe.add if entry.old else maybe.discard)(entry.key)
        elif entry.kind == "added":
            members[entry.key[0]].remove(entry.key[1])
        else:
            insort(members[entry.key[0]], entry.key[1])


def _restore(table: dict[Key, object], key: Key, old: object) -> None:
    if old is ABSENT:
        table.pop(key, None)
    else:
        table[key] = old
