"""Rendering a page: the templates, and what every page is given (words, direction, token)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from fieldkit.web.desk import Desk
from fieldkit.web.guard import Keys
from fieldkit.web.texts import UI_LANGUAGES, direction, language_name, words

__all__ = ["STATIC", "TEMPLATES", "Web", "environment"]

HERE: Final = Path(__file__).resolve().parent
TEMPLATES: Final = HERE / "templates"
STATIC: Final = HERE / "static"


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class Web:
    """What every page needs: the desk, this start's keys, the templates."""

    desk: Desk
    keys: Keys
    templates: Environment
    ui_language: str = "en"

    def words(self, language: str) -> dict[str, str]:
        return words(language)

    def page(
        self, name: str, *, language: str | None = None, status: int = 200, **context: Any
    ) -> HTMLResponse:
        lang = language or self.ui_language
        html = self.templates.get_template(name).render(
            w=words(lang),
            lang=lang,
            dir=direction(lang),
            csrf=self.keys.csrf,
            language_name=language_name,
            ui_languages=UI_LANGUAGES,
            **context,
        )
        return HTMLResponse(html, status_code=status)
