"""The one shape of every user-facing failure.

    FieldkitError                 message + code + location + hint
    ├── InstrumentError           an instrument or protocol is wrong (FK-YAML, FK-INS, FK-PROT)
    ├── ExpressionError           an expression does not parse or type-check (FK-EXPR-*)
    ├── AnswerError               an answer is refused by the form (FK-ANS-*)
    ├── ConsentError              the protocol's consent rules stop an interview (FK-CONSENT-*)
    ├── StoreError                a database cannot be opened or is damaged (FK-STORE-*)
    ├── PrivacyError              keys, sealing, access to identifying data (FK-KEY-*, FK-PRIV-*)
    ├── BundleError               a bundle fails verification (FK-BUNDLE-*)
    └── MergeConflict             two interviews claim the same unit (FK-MERGE-*)

The library raises these and never prints; the CLI renders them as one line
``file:line:col: CODE message (hint)`` and exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AnswerError",
    "BundleError",
    "ConsentError",
    "ExpressionError",
    "FieldkitError",
    "InstrumentError",
    "Location",
    "MergeConflict",
    "PrivacyError",
    "StoreError",
]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file position, or a named record (bundle, interview id)."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    record: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            text = self.file
            if self.line is not None:
                text += f":{self.line}"
                if self.column is not None:
                    text += f":{self.column}"
            parts.append(text)
        if self.record is not None:
            parts.append(self.record)
        return " ".join(parts)

    def shifted(self, line_offset: int, column: int | None) -> Location:
        """The position ``column`` (1-based) inside a value that starts at this location.

        Used for expressions: the compiler passes the location of the expression's first
        character, the parser shifts it to the offending character.
        """
        line = None if self.line is None else self.line + line_offset
        if column is None:
            return Location(self.file, line, self.column, self.record)
        base = self.column if self.column is not None and line_offset == 0 else 1
        return Location(self.file, line, base + column - 1, self.record)


class FieldkitError(Exception):
    """A failure a user can act on: what went wrong, where, and how to fix it."""

    default_code = "FK-000"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        location: Location | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.location = location or Location()
        self.hint = hint

    def one_line(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.code} {self.message}" if where else f"{self.code} {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __str__(self) -> str:
        return self.one_line()


class InstrumentError(FieldkitError):
    default_code = "FK-INS-000"


class ExpressionError(FieldkitError):
    default_code = "FK-EXPR-000"


class AnswerError(FieldkitError):
    default_code = "FK-ANS-000"


class ConsentError(FieldkitError):
    default_code = "FK-CONSENT-000"


class StoreError(FieldkitError):
    default_code = "FK-STORE-000"


class PrivacyError(FieldkitError):
    default_code = "FK-PRIV-000"


class BundleError(FieldkitError):
    default_code = "FK-BUNDLE-000"


class MergeConflict(FieldkitError):
    default_code = "FK-MERGE-000"
