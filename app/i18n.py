"""Languages: Arabic (official, right-to-left), French and English.

The locale is picked per request, most explicit first: a ``?lang=`` link (remembered in the
session and, for a signed-in person, saved as their ``preferred_language``, so the language
switcher sticks), then the session, then the signed-in user's preference, then the browser's
Accept-Language, then English.

English is the source language: every user-facing string is wrapped in ``_()``/``gettext``/
``lazy_gettext``; ``app/translations/messages.pot`` is extracted with ``babel.cfg`` and the
Arabic and French catalogs (``.po``) are compiled to ``.mo`` by ``make install`` (the ``.mo``
files are not committed). ``make translations`` re-extracts and updates the catalogs.

Dates and numbers: Arabic is formatted with Babel's ``ar_TN`` data (Tunisian month names such
as «جانفي», and Western digits, as Tunisia writes them); French with ``fr`` (24-hour times).
Templates format dates with the ``local_date`` and ``local_datetime`` filters, never
``strftime``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any
from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, format_date, format_datetime, get_locale, gettext

from app.db import get_session

LANGUAGES: tuple[str, ...] = ("ar", "fr", "en")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar"})
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
# The Babel locale behind each language: its catalogs are found by the language alone
# (ar_TN falls back to ar/), its dates use the territory's conventions.
BABEL_LOCALES = {"ar": "ar_TN", "fr": "fr", "en": "en"}
# Patterns of the local_date / local_datetime filters (Unicode CLDR date patterns).
DATE_PATTERNS = {"ar": "d MMMM y", "fr": "d MMM y", "en": "d MMM y"}
DATETIME_PATTERNS = {"ar": "d MMMM y، HH:mm", "fr": "d MMM y, HH:mm", "en": "d MMM y, HH:mm"}
# Arabic-Indic and Extended Arabic-Indic digits → Western digits (a guard: Babel's ar_TN
# already writes Western digits, but Tunisia never uses the others).
_WESTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _user_language() -> str | None:
    # Imported here: flask_login's proxy needs the login manager, which auth sets up later.
    from flask_login import current_user

    if hasattr(current_app, "login_manager") and current_user.is_authenticated:
        language: str | None = getattr(current_user, "preferred_language", None)
        return language
    return None


def select_locale() -> str:
    """The language for this request, always one of ``LANGUAGES``."""
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


def _babel_locale() -> str:
    return BABEL_LOCALES[select_locale()]


def current_language() -> str:
    """The two-letter code of the active locale (``get_locale`` returns a babel ``Locale``)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def remember_language() -> None:
    """A ``?lang=`` choice is kept in the session and, for a signed-in person, in the account.

    Runs before each request, so the account is saved once, when the switcher is used; later
    requests find the language in the session.
    """
    asked = request.args.get("lang")
    if asked not in LANGUAGES:
        return
    session["lang"] = asked
    from flask_login import current_user

    if not hasattr(current_app, "login_manager") or not current_user.is_authenticated:
        return
    if getattr(current_user, "preferred_language", asked) != asked:
        current_user.preferred_language = asked
        get_session().commit()


def language_url(language: str) -> str:
    """This page in ``language``: the same path and query, with ``lang`` replaced."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', language)])}"


def _western_digits(text: str) -> str:
    return text.translate(_WESTERN_DIGITS)


def local_date(value: date | datetime | None, style: str = "medium") -> str:
    """A date in the reader's language; ``style`` is short, medium, long, full or a pattern.

    "medium" is the compact form of tables and summaries: «12 مارس 2026», « 12 mars 2026 »,
    "12 Mar 2026". Datetimes are shown in the app's timezone (``BABEL_DEFAULT_TIMEZONE``).
    """
    if value is None:
        return ""
    if style == "medium":
        style = DATE_PATTERNS[current_language()]
    return _western_digits(format_date(value, style))


def local_datetime(value: datetime | None, style: str = "medium") -> str:
    """A date and a 24-hour time in the reader's language: «12 مارس 2026، 14:05»."""
    if value is None:
        return ""
    if style == "medium":
        style = DATETIME_PATTERNS[current_language()]
    return _western_digits(format_datetime(value, style))


def translated(text: str | None) -> str:
    """``text`` from the catalogs when it comes from data (a routing diagram's task names,
    extracted by ``extract_bpmn``); unknown text is shown as it is."""
    return gettext(text) if text else ""


def _template_context() -> dict[str, Any]:
    language = current_language()
    return {
        "current_locale": language,
        "text_direction": "rtl" if language in RTL_LANGUAGES else "ltr",
        "language_names": LANGUAGE_NAMES,
        "language_url": language_url,
    }


def extract_bpmn(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extractor (``babel.cfg``): the names of the tasks people see in the tasklist, and
    of the processes (the admin's list of routing diagrams)."""
    from lxml import etree

    tree = etree.parse(fileobj, etree.XMLParser(resolve_entities=False, no_network=True))
    for element in tree.iter("{*}process", "{*}userTask", "{*}manualTask"):
        name = " ".join((element.get("name") or "").split())
        if name:
            kind = "Process" if etree.QName(element).localname == "process" else "Task"
            yield element.sourceline or 0, None, name, [f"{kind} {element.get('id')} of a routing diagram"]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    Babel(app, locale_selector=_babel_locale)
    app.before_request(remember_language)
    app.context_processor(_template_context)
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(translated, "translated")
