"""A citizen claims into their account a petition an office registered for them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.audit.models import Action, AuditEvent
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.petitions.conftest import submit
from tests.petitions.test_intake import number_from, register

REFUSED = "No petition without an account matches this tracking number and contact."


@pytest.fixture
def registered(person: Any) -> str:
    """A petition registered at the BCRC's counter for a citizen with an e-mail and a phone."""
    _, agent = person("relations_agent", "bcrc")
    return number_from(register(agent, email="hedi@example.org", phone="+216 20 123 456"))


def claim(client: Any, number: str, contact: str) -> Any:
    return client.post("/petitions/claim", data={"tracking_number": number, "contact": contact})


@pytest.mark.parametrize("contact", ["HEDI@example.org ", "20 123 456", "0021620123456"])
def test_citizen_claims_a_registered_petition_with_its_contact(
    session: Session, person: Any, petition_of: Any, registered: str, contact: str
) -> None:
    citizen, client = person("citizen")
    response = claim(client, registered.lower(), contact)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/petitions/{registered}")
    assert petition_of(registered).citizen_id == citizen.id
    assert registered in client.get("/petitions/mine").get_data(as_text=True)
    assert client.get(f"/petitions/{registered}").status_code == 200
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == Action.PETITION_CLAIMED)).one()
    assert (event.actor_id, event.target) == (citizen.id, f"petition:{registered}")


def test_wrong_contact_unknown_number_and_owned_petition_get_the_same_answer(
    person: Any, petition_of: Any, registered: str
) -> None:
    first, first_client = person("citizen")
    _, other = person("citizen")
    web_number = submit(first_client)
    attempts = [
        (registered, "someone@example.org"),
        (registered, "20123457"),
        (registered, ""),
        ("TN-2026-999999", "hedi@example.org"),
        (web_number, first.email),  # submitted from an account: owned already
    ]
    for number, contact in attempts:
        response = claim(other, number, contact)
        assert response.status_code == 400 and REFUSED in response.get_data(as_text=True), (number, contact)
    assert petition_of(registered).citizen_id is None

    assert claim(first_client, registered, "hedi@example.org").status_code == 302
    taken = claim(other, registered, "hedi@example.org")  # a claimed petition stays with its account
    assert taken.status_code == 400 and REFUSED in taken.get_data(as_text=True)
    assert petition_of(registered).citizen_id == first.id


def test_staff_cannot_claim_petitions(person: Any, registered: str) -> None:
    _, agent = person("relations_agent", "bcrc")
    assert claim(agent, registered, "hedi@example.org").status_code == 403


def test_claims_are_rate_limited(database_url: str, app: Flask, session: Session, portal: Any) -> None:
    limited = create_app({
        "ENVIRONMENT": "testing", "DATABASE_URL": database_url, "RATELIMIT_ENABLED": True,
        "LOOKUP_RATE_LIMIT": "2 per minute",
    })
    try:
        citizen = make_user(session)
        client = limited.test_client()
        client.post("/login", data={"email": citizen.email, "password": DEFAULT_PASSWORD})
        codes = [claim(client, "TN-2026-000001", "x@example.org").status_code for _ in range(3)]
    finally:
        limited.extensions["db"].engine.dispose()
    assert codes == [400, 400, 429]
