"""What the importer proposes for the author to confirm: identifying fields and roles.

A form written for ODK knows nothing of fieldkit's ``pii`` marks or disaggregation roles.
The importer marks as ``pii`` every field that ``fieldkit check`` would call identifying (a
name, a phone number, a location...), so identities are sealed from the first interview,
and proposes the ``sex`` and ``age`` roles for the obvious questions. Each proposal carries
a comment in the YAML saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from fieldkit.instrument.checks import IDENTIFYING_NAME
from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.emitter import Node
from fieldkit.xlsform.report import Findings

__all__ = ["propose"]

_SEX: Final = re.compile(r"(^|_)(sex|gender)($|_)")
_AGE: Final = re.compile(r"(^|_)(age|age_years|age_in_years|years_old)($|_)")
_NOT_AGE: Final = re.compile(r"(band|group|range|cat|class|first|start|left|married|est)")
_BIRTH: Final = re.compile(r"(^|_)(dob|date_of_birth|birth_date|birthdate|birthday)($|_)")
_IDENTIFYING_TYPES: Final = ("text", "integer", "decimal")


def propose(levels: Iterable[list[Node]], findings: Findings) -> None:
    """``levels``: the top-level questions, then each roster's members."""
    for nodes in levels:
        for node in nodes:
            _pii(node, findings)
        _roles(nodes, findings)


def _identifying(node: Node) -> bool:
    kind = node.fields.get("type")
    if kind == "geopoint":
        return True
    return kind in _IDENTIFYING_TYPES and bool(IDENTIFYING_NAME.search(node.name))


def _pii(node: Node, findings: Findings) -> None:
    if node.fields.get("pii") or not _identifying(node):
        return
    node.fields["pii"] = True
    node.comments["pii"] = "proposed: looks identifying; confirm (sealed, kept apart from answers)"
    findings.note(
        codes.PROPOSED,
        node.cell,
        f"'{node.name}' looks identifying: marked pii (its answers are sealed); confirm",
    )


def _roles(nodes: list[Node], findings: Findings) -> None:
    taken = {node.fields.get("disaggregation") for node in nodes}
    for role, match in (("sex", _is_sex), ("age", _is_age), ("age", _is_birth_date)):
        if role in taken:
            continue
        found = next((node for node in nodes if match(node)), None)
        if found is None or "disaggregation" in found.fields:
            continue
        found.fields["disaggregation"] = role
        found.comments["disaggregation"] = f"proposed from the name '{found.name}'; confirm"
        taken.add(role)
        findings.note(
            codes.PROPOSED,
            found.cell,
            f"'{found.name}' proposed as the {role} for disaggregation; confirm",
        )


def _is_sex(node: Node) -> bool:
    return node.fields.get("type") == "select_one" and bool(_SEX.search(node.name))


def _is_age(node: Node) -> bool:
    exact = node.fields.get("type") in ("integer", "calculate")
    return exact and bool(_AGE.search(node.name)) and not _NOT_AGE.search(node.name)


def _is_birth_date(node: Node) -> bool:
    return node.fields.get("type") == "date" and bool(_BIRTH.search(node.name))
