"""Plain-text messages from Jinja templates, in the recipient's language.

Templates live in ``templates/notifications/{email,sms}/``. An e-mail template's first line is
the subject, the rest the body; an SMS template is the whole text. They are rendered with the
app's Jinja environment (so ``_()``, ``ngettext`` and the ``local_date`` filter of ``app.i18n``
work) without autoescaping: the output is plain text, never HTML.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import force_locale
from jinja2 import Environment, FileSystemLoader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import BABEL_LOCALES, DEFAULT_LANGUAGE, LANGUAGES
from app.org.models import Body

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


def language_or_default(language: str | None) -> str:
    """One of ``LANGUAGES``: a stored preference may be a longer tag ('fr_TN') or unknown."""
    short = (language or "")[:2].lower()
    return short if short in LANGUAGES else DEFAULT_LANGUAGE


def public_url(app: Flask, endpoint: str, **values: Any) -> str:
    """An absolute link under ``PUBLIC_URL``: mail leaves from the worker, with no request to
    take the host from, and a printed QR code must not carry whatever host a request named."""
    base = urlsplit(app.config["PUBLIC_URL"])
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


class Renderer:
    """Renders messages and builds the links they hold (needs an app context to render)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.env: Environment = app.jinja_env.overlay(
            loader=FileSystemLoader(TEMPLATES), autoescape=False, trim_blocks=True,
            lstrip_blocks=True,
        )

    def email(self, template: str, language: str, /, **context: Any) -> tuple[str, str]:
        """(subject, body) of ``notifications/email/<name>.txt`` in ``language``."""
        text = self._render(f"notifications/email/{template}.txt", language, context)
        subject, _, body = text.partition("\n")
        return " ".join(subject.split()), body.strip("\n") + "\n"

    def sms(self, template: str, language: str, /, **context: Any) -> str:
        text = self._render(f"notifications/sms/{template}.txt", language, context)
        return " ".join(text.split())

    def _render(self, template: str, language: str, context: dict[str, Any]) -> str:
        with force_locale(BABEL_LOCALES[language_or_default(language)]):
            return self.env.get_template(template).render(**context)

    def url(self, endpoint: str, **values: Any) -> str:
        return public_url(self.app, endpoint, **values)

    @staticmethod
    def body_names(session: Session, codes: set[str | None], language: str) -> dict[str | None, str]:
        """Public bodies' names in ``language`` by code, in one query (a code stands for a body
        that no longer exists; no code, an empty name)."""
        wanted = {code for code in codes if code}
        names: dict[str | None, str] = {code: code for code in wanted}
        names[None] = ""
        if wanted:
            for body in session.scalars(select(Body).where(Body.code.in_(wanted))):
                names[body.code] = body.display_name(language)
        return names
