"""What citizens are told at each public step of their petition, and where.

Recipient: the account's e-mail (and phone, for SMS) when the petition has one; else the
contact e-mail and phone given at submission (an agent's intake, Open311). An anonymous corruption report has
neither, so it sends nothing. Language: the account's ``preferred_language``; else the language
of the request that submitted the petition, remembered in ``PetitionLanguage``.

Only what the citizen already sees on the petition's page goes into a message: the public
timeline text (a transfer's reason, a question, an extension's reason, the answer), never
internal comments, never a corruption reporter's identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy.orm import Session

from app.auth.models import User
from app.i18n import DEFAULT_LANGUAGE, current_language
from app.notifications.models import Channel, OutboxMessage, PetitionLanguage
from app.notifications.outbox import new_message
from app.notifications.render import Renderer, language_or_default
from app.petitions.labels import TYPES
from app.petitions.models import Petition, TimelineEntry

# Timeline kinds that send the citizen an e-mail (each has a template of that name) ...
EMAIL_KINDS = frozenset({
    "received", "transferred", "information_requested", "deadline_extended", "answered",
    "closed", "rejected", "abandoned", "merged",
})
# ... and those that also send a short SMS when ``SMS_ENABLED`` and a phone number is known.
SMS_KINDS = frozenset({"received", "answered"})


@dataclass(frozen=True)
class Contact:
    email: str | None
    phone: str | None
    language: str
    name: str | None
    has_account: bool


def contact_of(session: Session, petition: Petition, *, submitted: bool = False) -> Contact | None:
    """Where and in which language to tell the citizen, or None (anonymous, no address).

    ``submitted``: this is the submitting request, whose language a petition without an
    account keeps for its later messages.
    """
    if petition.anonymous:
        return None
    if petition.citizen_id is not None:
        user = session.get(User, petition.citizen_id)
        if user is None or not user.is_active:
            return None
        language = language_or_default(user.preferred_language)
        return Contact(user.email, user.phone, language, user.full_name, True)
    if not petition.contact_email and not petition.contact_phone:
        return None
    remembered = session.get(PetitionLanguage, petition.id)
    if remembered is not None:
        language = remembered.language
    elif submitted:
        language = language_or_default(current_language() if has_request_context() else None)
        session.add(PetitionLanguage(petition_id=petition.id, language=language))
    else:  # submitted before notifications existed: the request now is not the citizen's
        language = DEFAULT_LANGUAGE
    return Contact(petition.contact_email, petition.contact_phone, language, petition.contact_name, False)


def citizen_messages(
    renderer: Renderer, session: Session, petition: Petition, entry: TimelineEntry
) -> list[OutboxMessage]:
    if entry.kind not in EMAIL_KINDS:
        return []
    contact = contact_of(session, petition, submitted=entry.kind == "received")
    if contact is None:
        return []
    language = contact.language
    link = (
        renderer.url("petitions.detail", tracking_number=petition.tracking_number)
        if contact.has_account else renderer.url("petitions.track", tracking_number=petition.tracking_number)
    )
    bodies = renderer.body_names(session, {petition.current_office, entry.body}, language)
    context: dict[str, Any] = {
        "number": petition.tracking_number,
        "name": contact.name,
        "subject": petition.subject,
        "type_label": TYPES.get(petition.type, petition.type),
        "office": bodies[petition.current_office or None],
        "body_name": bodies[entry.body or None],
        "text": entry.text or "",
        "due": petition.response_due_at,
        "link": link,
        "has_account": contact.has_account,
        "reply_days": current_app.config["INFORMATION_REPLY_WORKING_DAYS"],
    }
    messages = []
    if contact.email:
        subject, body = renderer.email(entry.kind, language, **context)
        messages.append(
            new_message(Channel.EMAIL, entry.kind, contact.email, body, subject=subject)
        )
    if contact.phone and entry.kind in SMS_KINDS and current_app.config.get("SMS_ENABLED"):
        text = renderer.sms(entry.kind, language, **context)
        messages.append(new_message(Channel.SMS, entry.kind, contact.phone, text))
    return messages
