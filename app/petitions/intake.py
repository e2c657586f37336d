"""Assisted intake: an agent registers a petition for a citizen who came in, called or wrote.

A petition must not depend on the citizen having an account and a computer. A relations-office
agent (or the agent of a digital service house, a body of kind ``service_house``) fills in the
same start form as the portal, plus the channel and the citizen's contact; the petition then
runs like any other. Which offices an agent may register for: their own body's; any body's when
their body's kind is listed in ``INTAKE_ANY_OFFICE_KINDS`` (by default the BCRC and the
service houses, which receive citizens for every administration). Service houses handle no
petitions themselves, so they are never an office to register for.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from app.audit.models import Action
from app.audit.service import AuditLog
from app.auth.errors import InvalidAccountData
from app.auth.models import Role, User
from app.auth.privacy import citizen_event
from app.auth.validation import clean_email, clean_language, clean_name, clean_national_id, clean_phone
from app.engine.types import InvalidTaskData, NotFound
from app.notifications.models import PetitionLanguage
from app.org.models import Body, BodyKind
from app.org.services import BodyService
from app.petitions.contacts import Intake
from app.petitions.models import Channel, Petition, PetitionType
from app.petitions.services import PetitionService, UploadedFile, start_form_name

INTAKE_CHANNELS = (Channel.COUNTER, Channel.PHONE, Channel.LETTER, Channel.EMAIL)
# Corruption reports have their own confidential channel (anonymous, receipt code).
INTAKE_TYPES = tuple(t for t in PetitionType if t is not PetitionType.CORRUPTION)
ADDRESS_MAX_LENGTH = 1000


class ClaimRefused(Exception):
    """The petition cannot be claimed; one error whatever the reason, so the form reveals
    neither whether a number exists nor whether it already has an account."""


@dataclass(frozen=True)
class CitizenDetails:
    """What the agent took down about the citizen, as typed (checked by ``register``)."""

    name: str
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    national_id: str = ""
    language: str = ""


class IntakeService:
    def __init__(self, petitions: PetitionService, any_office_kinds: Collection[str]) -> None:
        self.petitions = petitions
        self.session = petitions.session
        self.any_office_kinds = frozenset(any_office_kinds)

    def may_register(self, agent: User) -> bool:
        return agent.role is Role.RELATIONS_AGENT and agent.body is not None and agent.body.is_active

    def offices(self, agent: User) -> list[Body]:
        """The bodies whose office ``agent`` may register petitions for."""
        if not self.may_register(agent):
            return []
        own = agent.body
        assert own is not None
        if own.kind not in self.any_office_kinds:
            return [] if own.kind is BodyKind.SERVICE_HOUSE else [own]
        return [b for b in BodyService(self.session).list() if b.kind is not BodyKind.SERVICE_HOUSE]

    def register(
        self, agent: User, petition_type: str, data: dict[str, Any], files: list[UploadedFile], *,
        channel: str, office: str, citizen: CitizenDetails,
    ) -> Petition:
        """Check and start the petition in the caller's transaction, and audit who registered
        it where. Raises ``InvalidTaskData`` with every problem of the form at once (the intake
        fields' keys are prefixed ``intake_`` / ``citizen_``: start forms, which administrators
        edit, may have fields of any other name)."""
        errors: dict[str, str] = {}
        if channel not in INTAKE_CHANNELS:
            errors["intake_channel"] = gettext("Choose how the petition reached the office.")
        if office not in {body.code for body in self.offices(agent)}:
            errors["intake_office"] = gettext("Choose an office you may register petitions for.")
        intake_fields = self._citizen(citizen, errors)
        if not (intake_fields["email"] or intake_fields["phone"]) and not (
            channel == Channel.LETTER and intake_fields["postal_address"]
        ):
            errors["citizen_contact"] = gettext(
                "Give an e-mail address or a phone number (or, for a letter, a postal address)."
            )
        if errors:
            form_errors = self.petitions.engine.runtime.forms.errors(start_form_name(petition_type), data)
            raise InvalidTaskData({**form_errors, **errors})
        assert agent.body is not None
        intake = Intake(
            registered_by_id=agent.id, intake_body=agent.body.code, office=office, name=intake_fields["name"],
            phone=intake_fields["phone"], postal_address=intake_fields["postal_address"],
            national_id=intake_fields["national_id"],
        )
        petition = self.petitions.submit(
            petition_type, data, files, citizen_id=None, contact_email=intake_fields["email"],
            channel=Channel(channel), intake=intake,
        ).petition
        # Messages are rendered at commit, in the citizen's language rather than the agent's.
        self.session.add(PetitionLanguage(petition_id=petition.id, language=clean_language(citizen.language)))
        self.session.flush()
        AuditLog(self.session).record(
            Action.PETITION_REGISTERED, target=f"petition:{petition.tracking_number}", actor_id=agent.id,
            details={"channel": channel, "office": office, "intake_body": agent.body.code, "type": petition.type},
        )
        return petition

    @staticmethod
    def _citizen(citizen: CitizenDetails, errors: dict[str, str]) -> dict[str, Any]:
        """The cleaned details; each bad one adds its message to ``errors``."""
        cleaned: dict[str, Any] = {}
        checks = {
            "name": lambda: clean_name(citizen.name),
            "email": lambda: clean_email(citizen.email) if citizen.email.strip() else None,
            "phone": lambda: clean_phone(citizen.phone),
            "national_id": lambda: clean_national_id(citizen.national_id),
        }
        for field, check in checks.items():
            try:
                cleaned[field] = check()
            except InvalidAccountData as error:
                errors[f"citizen_{field}"] = str(error)
                cleaned[field] = None
        address = citizen.postal_address.strip()
        if len(address) > ADDRESS_MAX_LENGTH:
            errors["citizen_postal_address"] = gettext("Write at most %(count)d characters.", count=ADDRESS_MAX_LENGTH)
        cleaned["postal_address"] = address or None
        return cleaned

    def registered_at(self, agent: User, tracking_number: str) -> Petition:
        """A petition registered at ``agent``'s office (for its receipt); any other is
        ``NotFound``, whether it exists or not."""
        petition = self.petitions.by_tracking_number(tracking_number)
        if agent.body is None or petition.intake_body != agent.body.code:
            raise NotFound("no such petition registered here")
        return petition

    def claim(self, citizen: User, tracking_number: str, contact: str) -> Petition:
        """Attach a petition registered without an account to ``citizen``'s account.

        The citizen proves it is theirs with its tracking number and the contact given at
        intake; a petition that already belongs to an account (or an anonymous report) cannot
        be claimed. Audited; the caller commits.
        """
        petition = self.petitions.lookup(tracking_number, contact)
        if citizen.role is not Role.CITIZEN or petition is None or petition.citizen_id is not None or petition.anonymous:
            raise ClaimRefused()
        petition.citizen_id = citizen.id
        citizen_event(self.session, Action.PETITION_CLAIMED, citizen.id, f"petition:{petition.tracking_number}")
        return petition
