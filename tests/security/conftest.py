"""The world the security tests attack: two citizens, staff of two bodies, an administrator,
and real objects (a petition of citizen A routed to body X with an open task, an attachment,
a corruption report with its receipt code, a holiday, an API client)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.keys import hash_key
from app.api.models import ApiClient
from app.auth.models import User
from app.calendar.models import Holiday
from app.engine.models import HumanTask
from app.petitions.models import Petition
from tests.petitions.conftest import open_task, person, petition_of, submit  # noqa: F401  (fixtures)

BODY_X = "min-health"
BODY_Y = "mun-sfax"
# Who is who in the matrix: role, body.
PEOPLE = {
    "anonymous": None,
    "citizen_a": ("citizen", None),
    "citizen_b": ("citizen", None),
    "relations_x": ("relations_agent", BODY_X),
    "relations_y": ("relations_agent", BODY_Y),
    "agent_x": ("body_agent", BODY_X),
    "coordinator_x": ("coordinator", BODY_X),
    "admin": ("admin", None),
}
PDF = b"%PDF-1.4 evidence"


@dataclass
class World:
    clients: dict[str, FlaskClient]
    users: dict[str, User]
    petition: Petition
    task_id: str
    attachment_id: int
    receipt: str
    holiday: str
    api_client_id: int
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def world(app: Flask, session: Session, person: Callable[..., Any], portal: Any) -> World:
    clients: dict[str, FlaskClient] = {"anonymous": app.test_client()}
    users: dict[str, User] = {}
    for name, spec in PEOPLE.items():
        if spec is None:
            continue
        users[name], clients[name] = person(spec[0], spec[1])
    number = submit(
        clients["citizen_a"], target_body=BODY_X,
        attachments=(io.BytesIO(PDF), "evidence.pdf"),
    )
    session.expire_all()
    petition = session.scalars(select(Petition).where(Petition.tracking_number == number)).one()
    task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == petition.instance_id))
    assert task_id is not None
    report = app.test_client().post(
        "/petitions/new/corruption",
        data={"subject": "Bribe at the permit desk", "facts": "Asked for 200 TND.", "target_body": BODY_X},
    )
    page = report.get_data(as_text=True)
    receipt = page.split('class="receipt-code"')[1].split(">", 1)[1].split("<", 1)[0].strip() if 'class="receipt-code"' in page else ""
    intake = clients["relations_x"].post("/office/intake/complaint", data={
        "subject": "Broken lift", "description": "At the hospital.", "intake_channel": "phone",
        "intake_office": BODY_X, "citizen_name": "Hedi Trabelsi", "citizen_phone": "20123456",
    })
    assert intake.status_code == 302, intake.get_data(as_text=True)[:2000]
    session.add(Holiday(day=date(2026, 1, 1), name_en="New year", name_fr="Nouvel an", name_ar="رأس السنة"))
    api_client = ApiClient(name="City app", contact_email="dev@example.org", key_hash=hash_key("k" * 43), key_prefix="kkkkkkkk")
    session.add(api_client)
    session.commit()
    return World(
        clients=clients, users=users, petition=petition, task_id=task_id,
        attachment_id=petition.attachments[0].id, receipt=receipt, holiday="2026-01-01",
        api_client_id=api_client.id, extra={"intake_number": intake.headers["Location"].rsplit("/", 1)[-1]},
    )
