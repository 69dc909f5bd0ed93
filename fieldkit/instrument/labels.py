"""Texts per language: every label, hint and message exists in every language of the file."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from fieldkit.errors import Location
from fieldkit.instrument.schema import Label
from fieldkit.report import Issue

__all__ = ["localize"]

MISSING_TRANSLATION = "FK-INS-009"


def localize(
    label: Label | None,
    languages: Sequence[str],
    location: Location,
    what: str,
    *,
    required: bool = True,
    code: str = MISSING_TRANSLATION,
) -> tuple[MappingProxyType[str, str], list[Issue]]:
    """A mapping language → text, and an issue for each language that has no text."""
    if label is None:
        if not required:
            return MappingProxyType({}), []
        return MappingProxyType({}), [
            Issue(code, f"{what} has no text", location, f"add {what}: {{{_example(languages)}}}")
        ]
    if isinstance(label, str):
        texts = {languages[0]: label} if len(languages) == 1 else {}
        if len(languages) > 1:
            return MappingProxyType({lang: label for lang in languages}), [
                Issue(
                    code,
                    f"{what} is a plain string but the file has languages {', '.join(languages)}",
                    location,
                    f"write {what}: {{{_example(languages)}}}",
                )
            ]
        return MappingProxyType(texts), []
    missing = [lang for lang in languages if not str(label.get(lang, "")).strip()]
    extra = [lang for lang in label if lang not in languages]
    issues = [
        Issue(code, f"{what} has no '{lang}' text", location, f"add {lang}: ... to {what}")
        for lang in missing
    ]
    issues += [
        Issue(
            code,
            f"{what} has text in '{lang}', which is not one of the file's languages",
            location,
            f"add '{lang}' to languages, or remove it here",
        )
        for lang in extra
    ]
    return MappingProxyType({lang: label[lang] for lang in languages if lang in label}), issues


def _example(languages: Sequence[str]) -> str:
    return ", ".join(f"{lang}: ..." for lang in languages)
