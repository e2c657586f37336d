"""Languages: Arabic (official, right-to-left), French and English.

The locale is picked per request, most explicit first: a ``?lang=`` link (remembered in the
session, so the language switcher sticks), then the session, then the signed-in user's
preference, then the browser's Accept-Language, then English. Catalogs come later; every
user-facing string is already wrapped in ``_()`` so they can be extracted with pybabel.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, get_locale

LANGUAGES: tuple[str, ...] = ("ar", "fr", "en")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar"})
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}


def _user_language() -> str | None:
    # Imported here: flask_login's proxy needs the login manager, which auth sets up later.
    from flask_login import current_user

    if hasattr(current_app, "login_manager") and current_user.is_authenticated:
        language: str | None = getattr(current_user, "preferred_language", None)
        return language
    return None


def select_locale() -> str:
    """The locale for this request, always one of ``LANGUAGES``."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in LANGUAGES:
        return str(remembered)
    preferred = _user_language()
    if preferred in LANGUAGES:
        return str(preferred)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The two-letter code of the active locale (``get_locale`` returns a babel ``Locale``)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def _template_context() -> dict[str, Any]:
    language = current_language()
    return {
        "current_locale": language,
        "text_direction": "rtl" if language in RTL_LANGUAGES else "ltr",
        "language_names": LANGUAGE_NAMES,
    }


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    Babel(app, locale_selector=select_locale)
    app.context_processor(_template_context)
