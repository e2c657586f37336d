"""Checks and normalisation of account fields, shared by the service and the forms.

The service is the authority (the CLI and seeding have no form); forms use the same patterns
and limits so a person sees the problem next to the field before the service would refuse it.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from app.auth.errors import InvalidAccountData
from app.auth.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES

EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 200
PHONE_MAX_LENGTH = 32
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 .()-]{5,30}$")
# Tunisia's national identity card (CIN) number: exactly eight digits, leading zeros kept.
NATIONAL_ID_PATTERN = re.compile(r"^[0-9]{8}$")


def clean_language(language: str | None) -> str:
    """One of the supported languages; anything else becomes the default."""
    return language if language is not None and language in LANGUAGES else DEFAULT_LANGUAGE


def clean_email(email: str) -> str:
    """The address, validated (syntax only: no DNS) and lower-cased as it is stored."""
    email = email.strip()
    if len(email) > EMAIL_MAX_LENGTH:
        raise InvalidAccountData("email", _l("This e-mail address is too long."))
    try:
        normalized = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidAccountData("email", _l("Enter a valid e-mail address.")) from None
    return normalized.lower()


def clean_name(full_name: str) -> str:
    full_name = " ".join(full_name.split())
    if not full_name or len(full_name) > NAME_MAX_LENGTH:
        raise InvalidAccountData(
            "full_name", _l("Enter a name of 1 to %(max)d characters.", max=NAME_MAX_LENGTH)
        )
    return full_name


def clean_phone(phone: str | None) -> str | None:
    phone = (phone or "").strip()
    if not phone:
        return None
    if len(phone) > PHONE_MAX_LENGTH or not PHONE_PATTERN.match(phone):
        raise InvalidAccountData(
            "phone", _l("Enter a phone number with digits, spaces and an optional +.")
        )
    return phone


def clean_national_id(national_id: str | None) -> str | None:
    """None when empty; otherwise the eight digits of a Tunisian CIN."""
    national_id = (national_id or "").strip()
    if not national_id:
        return None
    if not NATIONAL_ID_PATTERN.match(national_id):
        raise InvalidAccountData(
            "national_id", _l("A national identity card number has exactly 8 digits.")
        )
    return national_id


def check_password(password: str) -> str:
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise InvalidAccountData(
            "password",
            _l(
                "Choose a password of %(min)d to %(max)d characters.",
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
            ),
        )
    return password
