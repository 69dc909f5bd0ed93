"""The XLSForm family of codes (FK-XLS), in one place.

Mistakes that stop an import or export are raised as `XlsformError`. Everything found inside
a workbook is a row-level `Issue` instead: an unsupported construct is a warning (an error
with ``--strict``), a translation the importer made is a note.
"""

from __future__ import annotations

from typing import Final

from fieldkit.errors import FieldkitError

__all__ = ["XlsformError"]


class XlsformError(FieldkitError):
    default_code = "FK-XLS-000"


# -- the command's mistakes (raised) ---------------------------------------------------------
NO_FILE: Final = "FK-XLS-001"
NOT_XLSX: Final = "FK-XLS-002"
NO_SURVEY: Final = "FK-XLS-003"
NO_TYPE_COLUMN: Final = "FK-XLS-004"
BAD_OUT: Final = "FK-XLS-005"
NO_PROTOCOL: Final = "FK-XLS-006"
CANNOT_EXPORT: Final = "FK-XLS-030"

# -- unsupported constructs (warnings; errors with --strict) ---------------------------------
UNBALANCED: Final = "FK-XLS-007"
UNSUPPORTED_TYPE: Final = "FK-XLS-010"
OR_OTHER: Final = "FK-XLS-011"
UNSUPPORTED_COLUMN: Final = "FK-XLS-012"
UNSUPPORTED_APPEARANCE: Final = "FK-XLS-013"
UNKNOWN_FUNCTION: Final = "FK-XLS-014"
UNREADABLE_EXPRESSION: Final = "FK-XLS-015"
NESTED_REPEAT: Final = "FK-XLS-016"
MISSING_REFERENCE: Final = "FK-XLS-017"
UNSUPPORTED_SETTING: Final = "FK-XLS-018"
UNREAD_SHEET: Final = "FK-XLS-019"
ANSWER_IN_TEXT: Final = "FK-XLS-020"
ROW_SKIPPED: Final = "FK-XLS-021"
COMPILER_DROPPED: Final = "FK-XLS-022"
LEFT_TO_AUTHOR: Final = "FK-XLS-023"

# -- notes: what the importer translated (never errors) --------------------------------------
METADATA: Final = "FK-XLS-050"
RENAMED: Final = "FK-XLS-051"
TEXT_COPIED: Final = "FK-XLS-052"
MESSAGE_WRITTEN: Final = "FK-XLS-053"
GROUP_FLATTENED: Final = "FK-XLS-054"
LOOSE_QUESTIONS: Final = "FK-XLS-055"
EXPRESSION_TRANSLATED: Final = "FK-XLS-056"
PROPOSED: Final = "FK-XLS-057"
CONSENT_BLOCK: Final = "FK-XLS-058"
OWN_CONSENT: Final = "FK-XLS-059"
LANGUAGE_ASSUMED: Final = "FK-XLS-060"
BOOKKEEPING: Final = "FK-XLS-061"

# -- export notes ----------------------------------------------------------------------------
NO_DONT_KNOW_ON_ODK: Final = "FK-XLS-070"
REWRITTEN_FOR_ODK: Final = "FK-XLS-071"
PII_ON_ODK: Final = "FK-XLS-072"
CHECKS_ON_ODK: Final = "FK-XLS-073"
