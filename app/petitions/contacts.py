"""Citizens without an account: the contact an agent takes down, and proving a petition is yours.

A petition that came by phone, letter or over a counter has no account behind it. The citizen
follows it, and may later claim it into an account, with its tracking number and the contact
given at intake (an e-mail address or a phone number); both are compared normalized, so
"+216 20 123 456" and "20123456" are the same phone.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from app.petitions.models import Petition

TUNISIA_PREFIX = "216"
LOCAL_DIGITS = 8


def normalized_phone(value: str | None) -> str:
    """Digits only, without the international prefix for Tunisian numbers ('' if none)."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith(TUNISIA_PREFIX) and len(digits) == len(TUNISIA_PREFIX) + LOCAL_DIGITS:
        digits = digits[len(TUNISIA_PREFIX):]
    return digits


def contact_matches(petition: Petition, given: str) -> bool:
    """True when ``given`` is the petition's contact e-mail or phone (in constant time)."""
    given = given.strip()
    if "@" in given:
        known, offered = (petition.contact_email or "").lower(), given.lower()
    else:
        known, offered = petition.contact_phone or "", normalized_phone(given)
    return bool(known) and hmac.compare_digest(known.encode(), offered.encode())


@dataclass(frozen=True)
class Intake:
    """A petition registered by an agent on a citizen's behalf (already checked by the
    intake service): who registered it at which body, the office it goes to, the citizen."""

    registered_by_id: int
    intake_body: str
    office: str
    name: str
    phone: str | None
    postal_address: str | None
    national_id: str | None

    def apply(self, petition: Petition) -> None:
        petition.registered_by_id = self.registered_by_id
        petition.intake_body = self.intake_body
        petition.current_office = self.office
        petition.contact_name = self.name
        petition.contact_phone = normalized_phone(self.phone) or None
        petition.postal_address = self.postal_address
        petition.national_id = self.national_id
