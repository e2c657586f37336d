"""Portal fixtures: the real diagrams deployed, the demo bodies, and one logged-in test client
per person, so a journey can switch between the citizen and each office."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.engine.models import HumanTask
from app.org.models import Body
from app.petitions.models import Petition
from tests.factories import DEFAULT_PASSWORD, make_user




@pytest.fixture
def person(app: Flask, session: Session, portal: dict[str, Body]) -> Callable[..., tuple[User, FlaskClient]]:
    """``person(role, body_code)`` → a new user and a test client logged in as them."""

    def make(role: str = "citizen", body: str | None = None, **fields: Any) -> tuple[User, FlaskClient]:
        user = make_user(session, role=Role(role), body=portal[body] if body else None, **fields)
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        return user, client

    return make


@pytest.fixture
def open_task(session: Session) -> Callable[[Petition, str], str]:
    """The id of the open task named ``name`` of a petition (as the tasklist links it)."""

    def find(petition: Petition, name: str) -> str:
        session.expire_all()
        task_id = session.scalar(
            select(HumanTask.id).where(HumanTask.instance_id == petition.instance_id, HumanTask.task_name == name)
        )
        assert task_id is not None, f"no open task {name!r}"
        return task_id

    return find


@pytest.fixture
def petition_of(session: Session) -> Callable[[str], Petition]:
    def find(tracking_number: str) -> Petition:
        session.expire_all()
        return session.scalars(select(Petition).where(Petition.tracking_number == tracking_number)).one()

    return find


def submit(client: FlaskClient, petition_type: str = "complaint", **fields: Any) -> str:
    """Submit through the real form; returns the tracking number."""
    data = {"subject": "Water cut in El Menzah 6", "description": "No running water since Monday.", **fields}
    response = client.post(f"/petitions/new/{petition_type}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[-1]
