"""Sign-in with a national e-ID, end to end against a real OpenID Connect provider."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import Action, AuditEvent
from app.auth.models import OidcLink, Role, User
from tests.auth.eid_provider import Provider, running_provider
from tests.factories import make_user


@pytest.fixture
def provider(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    with running_provider() as running:
        for name, value in {
            "OIDC_ISSUER": running.issuer, "OIDC_CLIENT_ID": "epeople", "OIDC_CLIENT_SECRET": "s3cret",
            "OIDC_LABEL": "Mobile ID", "OIDC_NATIONAL_ID_CLAIM": "cin",
        }.items():
            monkeypatch.setitem(app.config, name, value)
        yield running


def sign_in(client: FlaskClient, provider: Provider, subject: str) -> Any:
    """Start at our button, choose ``subject`` at the provider, come back with the code."""
    start = client.get("/login/eid")
    assert start.status_code == 302 and start.headers["Location"].startswith(provider.issuer)
    back = provider.authorize(start.headers["Location"], subject)
    assert back.startswith("http://localhost/login/eid/callback?")
    return client.get(back.removeprefix("http://localhost"))


def signed_in_as(client: FlaskClient) -> str | None:
    page = client.get("/account/data").get_data(as_text=True)
    return page.split('class="account-name">', 1)[1].split("<", 1)[0] if 'class="account-name"' in page else None


def test_button_and_routes_are_absent_when_not_configured(client: FlaskClient) -> None:
    assert "/login/eid" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/eid").status_code == 404
    assert client.get("/login/eid/callback?code=x&state=y").status_code == 404


def test_authorization_request_uses_pkce_s256_state_and_nonce(client: FlaskClient, provider: Provider) -> None:
    assert "Sign in with Mobile ID" in client.get("/login").get_data(as_text=True)
    query = parse_qs(urlsplit(client.get("/login/eid").headers["Location"]).query)
    assert query["response_type"] == ["code"] and query["client_id"] == ["epeople"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0] and "openid" in query["scope"][0].split()


def test_new_person_gets_a_citizen_account_linked_to_the_subject(
    client: FlaskClient, session: Session, provider: Provider
) -> None:
    provider.set_user("tn-123", email="Nour@Example.org", email_verified=True, name="Nour Ben Amor", cin="09876543")
    response = sign_in(client, provider, "tn-123")
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    assert signed_in_as(client) == "Nour Ben Amor"
    user = session.scalars(select(User).where(User.email == "nour@example.org")).one()
    assert (user.role, user.national_id) == (Role.CITIZEN, "09876543")
    link = session.scalars(select(OidcLink)).one()
    assert (link.user_id, link.issuer, link.subject) == (user.id, provider.issuer, "tn-123")
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)) == Action.ACCOUNT_OIDC_CREATED
    assert provider.pkce.refused == 0

    client.post("/logout")
    provider.set_user("tn-123", email="new-address@example.org", email_verified=True, name="Nour")
    sign_in(client, provider, "tn-123")  # the link, not the address, finds the account
    assert signed_in_as(client) == "Nour Ben Amor"
    assert session.query(User).count() == 1


def test_existing_account_is_linked_by_verified_email(client: FlaskClient, session: Session, provider: Provider) -> None:
    amira = make_user(session, email="amira@example.org", full_name="Amira")
    provider.set_user("tn-9", email="amira@example.org", email_verified=True)
    sign_in(client, provider, "tn-9")
    assert signed_in_as(client) == "Amira"
    session.expire_all()
    assert session.scalars(select(OidcLink.user_id)).one() == amira.id
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == Action.ACCOUNT_OIDC_LINKED)).one()
    assert event.actor_id == amira.id and '"by": "email"' in event.details


def test_existing_account_is_linked_by_national_id_number(client: FlaskClient, session: Session, provider: Provider) -> None:
    make_user(session, email="leila@example.org", full_name="Leila", national_id="01234567")
    provider.set_user("tn-7", email="other@example.org", email_verified=False, cin="01234567")
    sign_in(client, provider, "tn-7")
    assert signed_in_as(client) == "Leila"


def test_unverified_email_of_an_existing_account_is_not_linked(
    client: FlaskClient, session: Session, provider: Provider
) -> None:
    make_user(session, email="amira@example.org", full_name="Amira")
    provider.set_user("intruder", email="amira@example.org", email_verified=False)
    response = sign_in(client, provider, "intruder")
    assert response.headers["Location"].endswith("/login")
    assert "has not verified it" in client.get("/login").get_data(as_text=True)
    assert signed_in_as(client) is None
    assert session.scalars(select(OidcLink)).all() == []


def test_staff_accounts_are_not_linked(client: FlaskClient, session: Session, provider: Provider) -> None:
    make_user(session, role="admin", email="admin@example.org")
    provider.set_user("tn-admin", email="admin@example.org", email_verified=True)
    sign_in(client, provider, "tn-admin")
    assert signed_in_as(client) is None and session.scalars(select(OidcLink)).all() == []


def test_callback_with_a_forged_state_is_refused(client: FlaskClient, session: Session, provider: Provider) -> None:
    provider.set_user("tn-1", email="a@example.org", email_verified=True)
    start = client.get("/login/eid")
    back = provider.authorize(start.headers["Location"], "tn-1")
    forged = back.replace("state=", "state=x")
    response = client.get(forged.removeprefix("http://localhost"))
    assert response.headers["Location"].endswith("/login")
    assert "did not start here" in client.get("/login").get_data(as_text=True)
    assert signed_in_as(client) is None and session.query(User).count() == 0


def _change_saved_state(client: FlaskClient, change: Any) -> None:
    """Alter what the app kept in the session for the sign-in under way."""
    with client.session_transaction() as cookie:
        keys = [k for k in cookie if k.startswith("_state_eid_")]
        assert keys
        for key in keys:
            change(cookie[key]["data"])
        cookie.modified = True


@pytest.mark.parametrize(
    ("change", "pkce_refusals"),
    [
        (lambda data: data.pop("code_verifier"), 1),  # the provider refuses the code without it
        (lambda data: data.update(nonce="replayed"), 0),  # the id_token's nonce no longer matches
    ],
    ids=["no-pkce-verifier", "wrong-nonce"],
)
def test_sign_in_fails_when_pkce_or_nonce_do_not_match(
    client: FlaskClient, session: Session, provider: Provider, change: Any, pkce_refusals: int
) -> None:
    provider.set_user("tn-2", email="b@example.org", email_verified=True)
    start = client.get("/login/eid")
    back = provider.authorize(start.headers["Location"], "tn-2")
    _change_saved_state(client, change)
    response = client.get(back.removeprefix("http://localhost"))
    assert response.headers["Location"].endswith("/login") and provider.pkce.refused == pkce_refusals
    assert "did not succeed" in client.get("/login").get_data(as_text=True)
    assert session.query(User).count() == 0


def test_provider_down_gives_a_friendly_message(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(app.config, "OIDC_ISSUER", f"http://127.0.0.1:{port}")
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", "epeople")
    response = client.get("/login/eid")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "cannot be reached now" in client.get("/login").get_data(as_text=True)
