"""Answers shown inside texts: ``${first_name}`` in a label, a hint or a message (XLSForm).

The engine fills each ``${name}`` with the answer as the interview holds it (an identifying
answer only from what was typed in the live session; see fieldkit/capture/texts.py). Here the
compiler checks every such reference as it checks an expression's: the question exists, can
be seen from where the text is shown (top level, or the same roster member), and has been
asked by the time the text is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Final

from fieldkit.instrument.builder import Draft, Outline
from fieldkit.instrument.schema import QuestionType
from fieldkit.instrument.source import NodePath, SourceDocument
from fieldkit.instrument.validation import did_you_mean
from fieldkit.report import Issue

__all__ = ["TEMPLATE_REFERENCE", "check_templates"]

TEMPLATE_REFERENCE: Final = re.compile(r"\$\{([^}]*)\}")
"""``${name}`` in a text (the engine fills it; anything else in a text is shown as written)."""


def check_templates(outline: Outline, doc: SourceDocument) -> list[Issue]:
    return list(_Checker(outline, doc).run())


class _Checker:
    def __init__(self, outline: Outline, doc: SourceDocument) -> None:
        self.doc = doc
        self.drafts = {d.name: d for d in outline.drafts}
        self.order = {d.name: i for i, d in enumerate(outline.drafts)}

    def run(self) -> Iterator[Issue]:
        for draft in self.drafts.values():
            for key in ("label", "hint", "constraint_message"):
                texts: Mapping[str, str] = getattr(draft, key)
                yield from self._texts(draft, (*draft.path, key), texts, draft.repeat, True)
            if draft.type is QuestionType.REPEAT:
                where = (*draft.path, "member_label")
                yield from self._texts(draft, where, draft.member_label, draft.name, False)
                for index, message in enumerate(draft.check_messages):
                    where = (*draft.path, "checks", index, "message")
                    yield from self._texts(draft, where, message, draft.name, False)

    def _texts(
        self,
        draft: Draft,
        path: NodePath,
        texts: Mapping[str, str],
        scope: str | None,
        ordered: bool,
    ) -> Iterator[Issue]:
        for language, text in texts.items():
            own = (*path, language) if (*path, language) in self.doc.values else path
            for match in TEMPLATE_REFERENCE.finditer(text):
                where = self.doc.expression_start(own).shifted(0, match.start() + 1)
                problem = self._problem(draft, match.group(1).strip(), scope, ordered)
                if problem is not None:
                    code, message, hint = problem
                    yield Issue(code, message, where, hint)

    def _problem(
        self, draft: Draft, name: str, scope: str | None, ordered: bool
    ) -> tuple[str, str, str] | None:
        target = self.drafts.get(name)
        if target is None:
            hint = did_you_mean(name, self.drafts) or "name a question of this instrument"
            return "FK-EXPR-002", f"unknown question ${{{name}}} in a text", hint
        if target.type is QuestionType.REPEAT:
            return (
                "FK-EXPR-003",
                f"${{{name}}} is a roster: a text can only show an answer",
                ("show one of its questions' answers, or count it in a calculate"),
            )
        if target.repeat is not None and target.repeat != scope:
            return (
                "FK-EXPR-006",
                (
                    f"${{{name}}} is asked once per member of roster {target.repeat}: this text"
                    " has no single member to show it for"
                ),
                "show it in a text of that roster, or a calculate's value",
            )
        if ordered and self.order[name] >= self.order[draft.name]:
            return (
                "FK-EXPR-009",
                (
                    f"the text of '{draft.name}' shows ${{{name}}}, which is not yet answered"
                    " at that point"
                ),
                f"move '{name}' earlier, or show a question asked before",
            )
        return None
