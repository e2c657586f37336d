"""Assisted intake: an agent registers a petition for a citizen, who gets a receipt."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import Action, AuditEvent
from app.notifications.models import OutboxMessage
from app.petitions.models import Petition
from app.petitions.retention import Blanked, blank_personal_data

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
INTAKE_NAMES = {
    "channel": "intake_channel", "office": "intake_office", **{
        field: f"citizen_{field}" for field in ("name", "email", "phone", "postal_address", "national_id", "language")
    },
}
FORM = {"subject": "Streetlight out", "description": "The lamp at the corner has been dark for a week."}


def register(client: Any, petition_type: str = "complaint", **fields: Any) -> Any:
    """Post the intake form; ``channel``, ``office`` and the citizen's ``name``, ``email``,
    ``phone``, ``postal_address``, ``national_id``, ``language`` are named without their prefix."""
    data = {**FORM, "channel": "counter", "office": "min-health", "name": "Hedi Trabelsi",
            "email": "hedi@example.org", **fields}
    prefixed = {(INTAKE_NAMES[k] if k in INTAKE_NAMES else k): v for k, v in data.items() if v is not None}
    return client.post(f"/office/intake/{petition_type}", data=prefixed)


def number_from(response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.headers["Location"].rsplit("/", 1)[-1]


def petitions(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Petition)) or 0


@pytest.mark.parametrize(
    ("channel", "contact"),
    [
        ("counter", {"email": "hedi@example.org"}),
        ("phone", {"email": "", "phone": "+216 20 123 456"}),
        ("letter", {"email": "", "postal_address": "12 rue de Marseille, 1000 Tunis"}),
        ("email", {"email": "Hedi@Example.org"}),
    ],
)
def test_agent_registers_a_petition_for_each_channel(
    app: Flask, session: Session, person: Any, petition_of: Any, channel: str, contact: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "SMS_ENABLED", True)
    agent, client = person("relations_agent", "bcrc")
    number = number_from(register(client, channel=channel, national_id="01234567", **contact))

    petition = petition_of(number)
    assert (petition.channel, petition.intake_body, petition.registered_by_id) == (channel, "bcrc", agent.id)
    assert petition.citizen_id is None and petition.current_office == "min-health"
    assert petition.contact_name == "Hedi Trabelsi" and petition.national_id == "01234567"
    assert petition.contact_email == (contact["email"].lower() or None)
    assert petition.contact_phone == ("20123456" if "phone" in contact else None)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == Action.PETITION_REGISTERED)).one()
    assert event.actor_id == agent.id and event.target == f"petition:{number}"
    assert json.loads(event.details)["channel"] == channel and "Hedi" not in event.details
    queued = {(m.channel, m.recipient) for m in session.scalars(select(OutboxMessage))}
    expected = set()
    if contact["email"]:
        expected.add(("email", contact["email"].lower()))
    if "phone" in contact:
        expected.add(("sms", "20123456"))
    assert queued == expected
    for message in session.scalars(select(OutboxMessage)):  # the link fills the number in
        assert f"/track?tracking_number={number}" in message.body


def test_citizen_is_written_to_in_the_language_the_agent_chose(session: Session, person: Any) -> None:
    _, client = person("relations_agent", "bcrc")
    number = number_from(register(client, language="fr"))
    message = session.scalars(select(OutboxMessage)).one()
    assert message.subject == f"Requête {number} reçue"


def test_intake_without_any_contact_is_refused_and_stores_nothing(session: Session, person: Any) -> None:
    _, client = person("relations_agent", "bcrc")
    response = register(client, channel="phone", email="", subject="")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give an e-mail address or a phone number" in page
    assert 'id="error-subject"' in page  # the start form's own errors are shown at the same time
    assert petitions(session) == 0


@pytest.mark.parametrize(
    ("field", "value"), [("email", "not-an-address"), ("phone", "call me"), ("national_id", "123"), ("name", " ")]
)
def test_bad_citizen_details_are_refused(session: Session, person: Any, field: str, value: str) -> None:
    _, client = person("relations_agent", "bcrc")
    response = register(client, **{"phone": "20123456", field: value})
    assert response.status_code == 400 and f'id="error-citizen_{field}"' in response.get_data(as_text=True)
    assert petitions(session) == 0


def test_web_and_open311_are_not_intake_channels(session: Session, person: Any) -> None:
    _, client = person("relations_agent", "bcrc")
    for channel in ("web", "open311"):
        assert register(client, channel=channel).status_code == 400
    assert petitions(session) == 0


def test_scan_of_the_letter_is_attached_and_checked(session: Session, person: Any, petition_of: Any) -> None:
    agent, client = person("relations_agent", "bcrc")
    number = number_from(register(client, channel="letter", attachments=(io.BytesIO(PDF), "letter.pdf")))
    (scan,) = petition_of(number).attachments
    assert (scan.original_name, scan.uploaded_by) == ("letter.pdf", agent.id)

    refused = register(client, channel="letter", attachments=(io.BytesIO(b"MZ\x90\x00"), "letter.pdf"))
    assert refused.status_code == 400 and 'id="error-attachments"' in refused.get_data(as_text=True)
    assert petitions(session) == 1


class TestWhichOffices:
    def test_agent_registers_for_their_own_body_only(self, session: Session, person: Any) -> None:
        _, health = person("relations_agent", "min-health")
        response = register(health, office="mun-sfax")
        assert response.status_code == 400 and 'id="error-intake_office"' in response.get_data(as_text=True)
        assert petitions(session) == 0
        assert register(health, office="min-health").status_code == 302

    def test_other_bodies_are_allowed_when_configured(
        self, app: Flask, person: Any, petition_of: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(app.config, "INTAKE_ANY_OFFICE_KINDS", ["ministry"])
        _, health = person("relations_agent", "min-health")
        assert petition_of(number_from(register(health, office="mun-sfax"))).current_office == "mun-sfax"

    def test_service_house_registers_for_any_office_but_a_service_house(
        self, session: Session, person: Any, petition_of: Any
    ) -> None:
        _, house = person("relations_agent", "sh-kasserine")
        page = house.get("/office/intake/complaint").get_data(as_text=True)
        offices = page.split('id="f-intake_office"', 1)[1].split("</select>", 1)[0]
        assert 'value="mun-sfax"' in offices and 'value="sh-kasserine"' not in offices
        assert petition_of(number_from(register(house, office="mun-sfax"))).intake_body == "sh-kasserine"
        assert register(house, office="sh-tataouine").status_code == 400

    def test_service_house_without_the_setting_cannot_register(
        self, app: Flask, person: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(app.config, "INTAKE_ANY_OFFICE_KINDS", [])
        _, house = person("relations_agent", "sh-kasserine")
        assert house.get("/office/intake").status_code == 403
        assert register(house, office="sh-kasserine").status_code == 403

    @pytest.mark.parametrize("role", ["body_agent", "coordinator", "citizen"])
    def test_other_roles_cannot_register(self, person: Any, role: str) -> None:
        _, client = person(role, None if role == "citizen" else "bcrc")
        assert register(client).status_code == 403

    def test_corruption_reports_are_not_registered_by_agents(self, person: Any) -> None:
        _, client = person("relations_agent", "bcrc")
        assert client.get("/office/intake/corruption").status_code == 404


class TestReceipt:
    def test_receipt_shows_the_number_and_a_qr_code_to_the_public_status_page(
        self, app: Flask, person: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(app.config, "PUBLIC_URL", "https://epeople.example.tn/portal")
        _, client = person("relations_agent", "bcrc")
        number = number_from(register(client))
        response = client.get(f"/office/receipts/{number}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert number in page and "Ministry of Health" in page and "Complaint" in page
        assert f"https://epeople.example.tn/portal/track?tracking_number={number}" in page
        assert '<svg' in page and 'class="segno"' in page and "style=" not in page.split("<svg", 1)[1].split("</svg>")[0]

    def test_qr_link_opens_the_lookup_with_the_number_filled_in(self, client: Any, person: Any) -> None:
        _, agent = person("relations_agent", "bcrc")
        number = number_from(register(agent, email="", phone="20 123 456"))
        page = client.get(f"/track?tracking_number={number}").get_data(as_text=True)
        assert f'value="{number}"' in page
        found = client.post("/track", data={"tracking_number": number, "email": "+216 20123456"})
        assert found.status_code == 200 and 'id="status-title"' in found.get_data(as_text=True)
        assert client.post("/track", data={"tracking_number": number, "email": "20123457"}).status_code == 404

    def test_receipt_is_for_the_registering_office_only(self, person: Any) -> None:
        _, bcrc = person("relations_agent", "bcrc")
        number = number_from(register(bcrc))
        _, colleague = person("coordinator", "bcrc")
        assert colleague.get(f"/office/receipts/{number}").status_code == 200
        _, health = person("relations_agent", "min-health")  # the office it was registered for
        assert health.get(f"/office/receipts/{number}").status_code == 404
        assert bcrc.get("/office/receipts/TN-2026-999999").status_code == 404
        _, citizen = person("citizen")
        assert citizen.get(f"/office/receipts/{number}").status_code == 403


def test_retention_blanks_the_contact_taken_at_intake(session: Session, person: Any, petition_of: Any) -> None:
    _, client = person("relations_agent", "bcrc")
    number = number_from(register(client, channel="letter", phone="20123456", national_id="01234567",
                                  postal_address="12 rue de Marseille"))
    petition = petition_of(number)
    blank_personal_data(petition, Blanked())
    session.commit()
    petition = petition_of(number)
    assert (petition.contact_name, petition.contact_email, petition.contact_phone, petition.postal_address,
            petition.national_id) == (None, None, None, None, None)
