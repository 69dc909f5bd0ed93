"""XLSForm language names (``English (en)``) to fieldkit language codes (``en``) and back."""

from __future__ import annotations

import re
from typing import Final

from fieldkit.capture.messages import LANGUAGE_NAMES

__all__ = ["code_of", "header_name"]

_WITH_CODE: Final = re.compile(
    r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\)$"
)
_BY_NAME: Final = {
    **{name.lower(): code for code, name in LANGUAGE_NAMES.items()},
    "english": "en",
    "french": "fr",
    "spanish": "es",
    "portuguese": "pt",
    "arabic": "ar",
    "swahili": "sw",
    "bambara": "bm",
    "russian": "ru",
    "chinese": "zh",
    "hindi": "hi",
    "bengali": "bn",
    "urdu": "ur",
    "amharic": "am",
    "somali": "so",
    "yoruba": "yo",
    "igbo": "ig",
    "fula": "ff",
    "fulfulde": "ff",
    "nepali": "ne",
    "khmer": "km",
    "burmese": "my",
    "indonesian": "id",
    "turkish": "tr",
    "german": "de",
    "italian": "it",
    "dutch": "nl",
}


def code_of(language: str) -> tuple[str, bool]:
    """The code for an XLSForm language name, and whether it was written in the header.

    ``English (en)`` → (``en``, True); ``French`` → (``fr``, False); an unknown name becomes
    a lower-case slug (``Tigrinya`` → ``tigrinya``), which the caller reports.
    """
    found = _WITH_CODE.match(language.strip())
    if found:
        return found.group("code").lower().replace("-", "_"), True
    lowered = language.strip().lower()
    if lowered in _BY_NAME:
        return _BY_NAME[lowered], False
    if re.fullmatch(r"[a-z]{2,3}", lowered):
        return lowered, True
    slug = re.sub(r"[^a-z0-9]+", "_", lowered).strip("_")
    return slug or "default", False


def header_name(code: str) -> str:
    """``en`` → ``English (en)``: the form ODK's documentation shows, so ODK Collect and
    KoboToolbox label the language by name and fieldkit reads the code back."""
    name = {"en": "English"}.get(code) or LANGUAGE_NAMES.get(code) or code
    return f"{name} ({code})"
