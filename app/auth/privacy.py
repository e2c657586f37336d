"""A person's own data: download it, or close the account.

Closing does not delete rows: petitions stay with the administration (their handling, the
answers and the statistics are public business), but the account is anonymised and every
petition of it is detached from personal data (``app.petitions.retention``). Other sessions of
the account end because the user loader refuses inactive accounts.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from app.audit.models import Action, AuditEvent
from app.audit.service import AuditLog
from app.auth.errors import InvalidCredentials
from app.auth.models import User
from app.auth.passwords import Passwords
from app.petitions.models import Petition
from app.notifications.outbox import forget_recipient
from app.petitions.retention import REMOVED, Blanked

if TYPE_CHECKING:  # app.petitions imports the account views, which import this module
    from app.petitions.services import PetitionService


def citizen_event(session: Session, action: Action, user_id: int | None, target: str, **details: Any) -> AuditEvent:
    """Audit a citizen's action by account id only: no e-mail and no address in the chain.

    The audit log cannot be edited, so it must not keep what closing an account or the
    retention rule erase elsewhere; an anonymous reporter (``user_id`` None) leaves no trace.
    """
    return AuditLog(session).record(action, target=target, details=details, actor_id=user_id)


def anonymise(user: User, placeholder_email: str, passwords: Passwords) -> None:
    """Remove the personal data of an account that stays as a row (others point at it) and
    make it unusable: inactive, its sessions end, and nobody knows its password."""
    user.email = placeholder_email
    user.full_name = ""
    user.phone = None
    user.national_id = None
    user.is_active = False
    user.password_hash = passwords.hash(secrets.token_urlsafe(32))


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _petition(petition: Petition, service: PetitionService) -> dict[str, Any]:
    return {
        "tracking_number": petition.tracking_number,
        "type": petition.type,
        "subject": petition.subject,
        "description": petition.description,
        "details": json.loads(petition.details or "{}"),
        "contact_email": petition.contact_email,
        "contact_name": petition.contact_name,
        "contact_phone": petition.contact_phone,
        "postal_address": petition.postal_address,
        "national_id": petition.national_id,
        "channel": petition.channel,
        "reporter_identity": petition.reporter_identity,
        "status": petition.status,
        "created_at": _when(petition.created_at),
        "closed_at": _when(petition.closed_at),
        "answer": petition.answer,
        "rating": petition.rating,
        "rating_comment": petition.rating_comment,
        "timeline": [
            {"kind": entry.kind, "body": entry.body, "text": entry.text, "at": _when(entry.created_at)}
            for entry in service.public_timeline(petition)
        ],
        "attachments": [
            {"name": a.original_name, "content_type": a.content_type, "size": a.size}
            for a in petition.attachments
        ],
    }


class PrivacyService:
    """Export and account closing; built with the request's session and petition service."""

    def __init__(self, session: Session, petitions: PetitionService, passwords: Passwords) -> None:
        self.session = session
        self.petitions = petitions
        self.passwords = passwords

    def export(self, user: User) -> dict[str, Any]:
        """Everything we hold about ``user`` that they may see (no internal comments), audited.

        Anonymous corruption reports are not linked to the account, so they are not in it.
        """
        citizen_event(self.session, Action.ACCOUNT_DATA_EXPORTED, user.id, f"user:{user.id}")
        self.session.commit()
        return {
            "account": {
                "email": user.email,
                "full_name": user.full_name,
                "phone": user.phone,
                "national_id": user.national_id,
                "role": str(user.role),
                "preferred_language": user.preferred_language,
                "created_at": _when(user.created_at),
                "last_login_at": _when(user.last_login_at),
            },
            "petitions": [_petition(p, self.petitions) for p in self.petitions.of_citizen(user.id)],
        }

    def close(self, user: User, password: str) -> int:
        """Anonymise ``user`` and blank their petitions; return how many petitions were blanked.

        Raises ``InvalidCredentials`` when ``password`` is wrong (nothing changes then).
        """
        if not self.passwords.verify(user.password_hash, password):
            raise InvalidCredentials()
        blanked = Blanked()
        for petition in self.petitions.of_citizen(user.id):
            self.petitions.forget(petition, blanked, actor=f"user:{user.id}")
        forget_recipient(self.session, [a for a in (user.email, user.phone) if a], REMOVED)
        citizen_event(
            self.session, Action.ACCOUNT_CLOSED, user.id, f"user:{user.id}", petitions=len(blanked.tracking_numbers)
        )
        anonymise(user, f"closed-{user.id}@invalid", self.passwords)
        self.session.commit()
        blanked.remove_files(self.petitions.uploads)
        return len(blanked.tracking_numbers)
