"""Cross-site request forgery: with tokens switched on (as in production), every state-changing
POST of the HTML app without a token is refused with 400 before the view runs.

The routes come from the URL map, so a new POST route is covered without editing this file.
The machine API (blueprint ``api``) is exempt by design: it has no cookies and checks keys.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

from app import create_app
from app.audit.models import AuditEvent
from app.petitions.models import Petition
from tests.factories import DEFAULT_PASSWORD, make_user

SAMPLE_VALUES = {
    "tracking_number": "TN-2026-000001", "task_id": "00000000-0000-0000-0000-000000000000",
    "petition_type": "complaint", "token": "forged", "code": "min-health", "day": "2026-01-01",
    "process_id": "petition", "instance_id": 1, "client_id": 1, "name": "qualify.json", "fmt": "json",
}


@pytest.fixture
def protected(database_url: str, app: Flask) -> Iterator[Flask]:
    """An app of its own with CSRF protection on (the shared test app has it off)."""
    protected_app = create_app({"ENVIRONMENT": "testing", "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": True})
    yield protected_app
    protected_app.extensions["db"].engine.dispose()


def _post_routes(app: Flask) -> list[tuple[str, str]]:
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "POST" not in (rule.methods or ()) or rule.endpoint.startswith("api."):
                continue
            values = {name: SAMPLE_VALUES[name] for name in rule.arguments}
            routes.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return sorted(routes)


def test_post_routes_are_found(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _ in _post_routes(app)}
    assert {"auth.login", "auth.close_account", "petitions.submit_form", "tasks.complete", "org.create_body"} <= endpoints


@pytest.mark.parametrize("who", ["anonymous", "citizen", "admin"])
def test_every_post_without_a_token_is_refused(protected: Flask, session, who: str) -> None:
    client = protected.test_client()
    if who != "anonymous":
        user = make_user(session, role=who)
        # Logging in needs a token too: take it from the login page, as a browser would.
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        assert client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD,
                                           "csrf_token": token}).status_code == 302
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    refused = {}
    for endpoint, url in _post_routes(protected):
        response = client.post(url, data={"subject": "forged", "password": DEFAULT_PASSWORD})
        refused[endpoint] = response.status_code
    assert {endpoint: code for endpoint, code in refused.items() if code != 400} == {}
    assert session.scalar(select(func.count()).select_from(Petition)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_a_post_with_the_token_goes_through(protected: Flask) -> None:
    client = protected.test_client()
    page = client.get("/password/forgot").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/password/forgot", data={"email": "nobody@example.org", "csrf_token": token})
    assert response.status_code == 302
