"""Security headers on every page, and rate limits on logins and anonymous lookups."""

from __future__ import annotations

import pytest

from app import create_app


@pytest.fixture
def limited(database_url, app):
    """An app of its own with small limits switched on (the shared test app has them off)."""
    limited_app = create_app({
        "ENVIRONMENT": "testing", "DATABASE_URL": database_url, "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "3 per minute", "LOOKUP_RATE_LIMIT": "2 per minute",
    })
    yield limited_app
    limited_app.extensions["db"].engine.dispose()


def _login(client, email: str, ip: str):
    return client.post("/login", data={"email": email, "password": "wrong"}, environ_base={"REMOTE_ADDR": ip})


def test_every_page_carries_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite(client, login_as):
    login_as("citizen")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_logins_from_one_address_are_limited_with_a_message_that_reveals_nothing(limited):
    client = limited.test_client()
    for n in range(3):
        assert _login(client, f"user{n}@example.org", "10.0.0.1").status_code == 200
    blocked = _login(client, "someone@example.org", "10.0.0.1")
    assert blocked.status_code == 429 and "Too many attempts" in blocked.get_data(as_text=True)
    assert _login(client, "someone@example.org", "10.0.0.2").status_code == 200


def test_logins_to_one_account_are_limited_from_any_address(limited):
    client = limited.test_client()
    for n in range(3):
        assert _login(client, "target@example.org", f"10.0.1.{n}").status_code == 200
    assert _login(client, "TARGET@example.org", "10.0.1.9").status_code == 429


def test_receipt_code_guessing_is_limited(limited):
    client = limited.test_client()
    codes = [client.post("/track/receipt", data={"receipt": f"{n:016d}"}).status_code for n in range(3)]
    assert codes == [404, 404, 429]


def test_limits_of_one_app_do_not_leak_into_another(limited, client):
    limited.test_client()
    for _ in range(5):
        assert _login(client, "same@example.org", "10.0.2.1").status_code == 200


def test_nul_characters_are_refused_before_reaching_the_database(client):
    assert client.post("/track", data={"tracking_number": "TN-2026-000001", "email": "a\x00@b"}).status_code == 400
    assert client.get("/tasks/?q=a%00b").status_code == 400
