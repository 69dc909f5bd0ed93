"""Answers shown in texts: ``${name}`` in a question's label, hint or constraint message.

XLSForm and fieldkit both fill such a reference with the answer (fieldkit/instrument/
templates.py). On import each reference is renamed with its question; one fieldkit cannot
show is reported at its cell and shown as ``…``, as fieldkit shows an answer not given: first
those the sheet cannot resolve (metadata, a row not imported, no such question), then those
the compiler rejects (a roster, another roster's member, a question not yet asked).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from fieldkit.instrument.templates import TEMPLATE_REFERENCE
from fieldkit.instrument.validation import did_you_mean
from fieldkit.report import Issue
from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.emitter import Node
from fieldkit.xlsform.report import Findings

__all__ = ["NOT_SHOWN", "SHOWN_TEXTS", "renamed", "unshow"]

NOT_SHOWN: Final = "…"
SHOWN_TEXTS: Final = frozenset({"label", "hint", "constraint_message", "member_label"})
"""The YAML keys of texts fieldkit shows answers in (a check's message: see build.py)."""


def renamed(
    texts: Mapping[str, str],
    where: tuple[str, str],
    node: Node | None,
    names: Mapping[str, str],
    sheet: tuple[Mapping[str, str], Mapping[str, str], Findings],
) -> dict[str, str]:
    """``texts`` with each ``${name}`` renamed. ``where``: (cell, what the text is);
    ``sheet``: the metadata rows, the rows not imported and the findings."""
    cell, key = where
    metadata, dropped, findings = sheet
    reported: set[str] = set()

    def replace(found: re.Match[str]) -> str:
        name = found.group(1).strip()
        if name in names:
            return "${" + names[name] + "}"
        if name not in reported:
            reported.add(name)
            why, hint = _why(name, names, metadata, dropped)
            message = f"{key} shows ${{{name}}}, {why}: fieldkit shows {NOT_SHOWN} instead"
            findings.problem(codes.ANSWER_IN_TEXT, cell, message, hint)
            if node is not None:
                node.remarks.append(f"{key} shows {NOT_SHOWN} for ${{{name}}} ({cell})")
        return NOT_SHOWN

    return {code: TEMPLATE_REFERENCE.sub(replace, text) for code, text in texts.items()}


def _why(
    name: str, names: Mapping[str, str], metadata: Mapping[str, str], dropped: Mapping[str, str]
) -> tuple[str, str]:
    if name in metadata:
        return f"{metadata[name]} metadata, which fieldkit records itself", "reword the text"
    if name in dropped:
        return f"from {dropped[name]}, which was not imported", "reword the text"
    return "but no question has that name in the survey sheet", (
        did_you_mean(name, names) or "check the name"
    )


def unshow(issue: Issue, node: Node, key: str, cell: str | None, findings: Findings) -> bool:
    """The compiler says a text cannot show the answer its message names: shown as … instead.
    False when there is nothing to change (the caller then leaves the issue to the author)."""
    found = TEMPLATE_REFERENCE.search(issue.message)
    texts = node.fields.get(key)
    if found is None or not isinstance(texts, dict | str):
        return False
    name = found.group(1)
    reference = re.compile(r"\$\{\s*" + re.escape(name) + r"\s*\}")
    changed: dict[str, str] | str = (
        reference.sub(NOT_SHOWN, texts)  # a member label the same in every language
        if isinstance(texts, str)
        else {lang: reference.sub(NOT_SHOWN, text) for lang, text in texts.items()}
    )
    if changed == texts:
        return False
    node.fields[key] = changed
    node.remarks.append(f"{key} shows {NOT_SHOWN} for ${{{name}}} ({cell})")
    findings.problem(
        codes.ANSWER_IN_TEXT,
        cell,
        f"{key} shows ${{{name}}}, which fieldkit cannot show there ({issue.code}"
        f" {issue.message}): fieldkit shows {NOT_SHOWN} instead",
        issue.hint,
    )
    return True
