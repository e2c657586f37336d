"""Our own JSON API (``/api/v1``): the petition types, and a petition's public status.

The status is what the ``/track`` page shows, to whoever holds the tracking number *and* the
e-mail address given with the petition: status, office, deadline, public timeline. Nothing
else (no answer draft, no internal note, no contact).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api import attributes
from app.api.open311 import NOT_OFFERED, type_label
from app.engine.forms import FormRegistry
from app.org.models import Body
from app.petitions import labels
from app.petitions.models import Petition, Status
from app.petitions.services import PetitionService, start_form_name

MAX_EMAIL = 254


def _name(schema: dict[str, Any], code: str, locale: str) -> str:
    return (
        type_label(labels.TYPES, code, locale)
        or attributes.localized(schema, "title", locale)
        or code
    )


def _iso(moment: Any) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


class PublicApi:
    def __init__(
        self, session: Session, petitions: PetitionService, type_codes: tuple[str, ...]
    ) -> None:
        self.session = session
        self.petitions = petitions
        self.forms: FormRegistry = petitions.engine.runtime.forms
        self.type_codes = type_codes

    def types(self, locale: str) -> list[dict[str, Any]]:
        found = []
        for code in self.type_codes:
            schema = self.forms.schema(start_form_name(code))
            found.append(
                {
                    "code": code,
                    "name": _name(schema, code, locale),
                    "description": type_label(labels.TYPE_DESCRIPTIONS, code, locale)
                    or attributes.localized(schema, "description", locale)
                    or "",
                    "open311": code not in NOT_OFFERED,
                    "start_form": schema,
                }
            )
        return found

    def status(self, tracking_number: str, email: str, locale: str) -> dict[str, Any] | None:
        """The public status, or None when the number and the e-mail do not match one petition."""
        if "\x00" in tracking_number + email:  # in no petition; PostgreSQL refuses it in a query
            return None
        petition = self.petitions.lookup(tracking_number, email)
        if petition is None:
            return None
        bodies = {
            body.code: body.display_name(locale) for body in self.session.scalars(select(Body))
        }
        office = petition.competent_body or petition.current_office
        schema = self.forms.schema(start_form_name(petition.type))
        with force_locale(locale):
            return {
                "tracking_number": petition.tracking_number,
                "type": petition.type,
                "type_name": _name(schema, petition.type, locale),
                "status": petition.status,
                "status_label": str(labels.STATUSES.get(petition.status, petition.status)),
                "final": Status(petition.status).is_final,
                "handled_by": {"code": office, "name": bodies.get(office, office)},
                "response_due_at": _iso(petition.response_due_at),
                "overdue": self.petitions.deadline_passed(petition),
                "extension_reason": petition.extension_reason,
                "created_at": _iso(petition.created_at),
                "updated_at": _iso(petition.updated_at),
                "timeline": self._timeline(petition, bodies),
            }

    def _timeline(self, petition: Petition, bodies: Mapping[str, str]) -> list[dict[str, Any]]:
        return [
            {
                "kind": entry.kind,
                "label": str(labels.TIMELINE.get(entry.kind, entry.kind)),
                "body": entry.body,
                "body_name": bodies.get(entry.body, entry.body) if entry.body else None,
                # The page shows a rating as stars, never its comment's text: same here.
                "text": entry.text if entry.kind != "rated" else None,
                "created_at": _iso(entry.created_at),
            }
            for entry in self.petitions.public_timeline(petition)
        ]
