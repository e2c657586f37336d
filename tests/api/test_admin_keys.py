"""``/admin/api-clients``: administrators only; a key is shown once and stored hashed; audited."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from app.api.models import ApiClient
from app.audit.models import Action, AuditEvent
from tests.api.conftest import WSGI_ADAPTER_WARNING
from tests.api.open311_client import Open311ApiError, Open311Client

PAGES = [
    ("get", "/admin/api-clients"),
    ("get", "/admin/api-clients/new"),
    ("post", "/admin/api-clients/new"),
    ("get", "/admin/api-clients/{id}/revoke"),
    ("post", "/admin/api-clients/{id}/revoke"),
]
NEW = {"name": "Sfax municipality app", "contact_email": "Dev@Sfax.example"}


def _key_on(page: str) -> str:
    match = re.search(r'<code class="api-key">([^<]+)</code>', page)
    assert match, "the key is not on the page"
    return match.group(1)


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_anonymous_visitors_are_sent_to_login(client, make_key, method, path):
    existing, _key = make_key()
    response = getattr(client, method)(path.format(id=existing.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["citizen", "relations_agent", "body_agent", "coordinator"])
@pytest.mark.parametrize(("method", "path"), PAGES)
def test_other_roles_are_refused(client, login_as, make_key, session, role, method, path):
    existing, _key = make_key()
    login_as(role)
    response = getattr(client, method)(path.format(id=existing.id), data=NEW)
    assert response.status_code == 403
    session.expire_all()
    assert session.scalar(select(ApiClient).where(ApiClient.name == NEW["name"])) is None
    assert session.get(ApiClient, existing.id).revoked_at is None


def test_the_admin_home_links_to_the_key_pages(client, login_as):
    login_as("admin")
    assert 'href="/admin/api-clients"' in client.get("/admin/").get_data(as_text=True)


class TestIssuing:
    def test_the_key_is_shown_once_and_stored_as_its_sha256(self, client, login_as, session):
        admin = login_as("admin")
        response = client.post("/admin/api-clients/new", data=NEW)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        key = _key_on(response.get_data(as_text=True))
        assert len(key) >= 40

        stored = session.scalars(select(ApiClient)).one()
        assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert stored.key_prefix == key[:8]
        assert (stored.name, stored.contact_email, stored.created_by) == (
            NEW["name"],
            "dev@sfax.example",
            admin.id,
        )
        assert key not in repr([getattr(stored, c.key) for c in ApiClient.__table__.columns])

        listing = client.get("/admin/api-clients").get_data(as_text=True)
        assert NEW["name"] in listing and key[:8] in listing and key not in listing

    def test_issuing_is_audited_without_the_key(self, client, login_as, session):
        admin = login_as("admin")
        key = _key_on(client.post("/admin/api-clients/new", data=NEW).get_data(as_text=True))
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.API_CLIENT_ISSUED)
        ).one()
        client_id = session.scalars(select(ApiClient.id)).one()
        assert (event.target, event.actor_id) == (f"api-client:{client_id}", admin.id)
        assert key not in event.details and key[:8] in event.details

    @pytest.mark.parametrize(
        "data",
        [
            {"name": "", "contact_email": "a@b.example"},
            {"name": "App", "contact_email": "not an address"},
            {"name": "x" * 201, "contact_email": "a@b.example"},
            {"name": "App\x00", "contact_email": "a@b.example"},
        ],
    )
    def test_an_invalid_form_issues_nothing(self, client, login_as, session, data):
        login_as("admin")
        response = client.post("/admin/api-clients/new", data=data)
        assert response.status_code == 400 and "api-key" not in response.get_data(as_text=True)
        assert session.scalars(select(ApiClient)).first() is None

    def test_the_form_needs_its_csrf_token(self, app, client, login_as, session, monkeypatch):
        login_as("admin")
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
        assert client.post("/admin/api-clients/new", data=NEW).status_code == 400
        assert session.scalars(select(ApiClient)).first() is None


@pytest.mark.filterwarnings(WSGI_ADAPTER_WARNING)
class TestRevoking:
    def test_revoking_asks_first_then_stops_the_key_at_once(
        self, client, login_as, make_key, session, http, portal
    ):
        login_as("admin")
        existing, key = make_key()
        open311 = Open311Client(http, "json")
        open311.create(
            key, "complaint", {"subject": "Before"}, description="x", email="a@example.org"
        )

        confirm = client.get(f"/admin/api-clients/{existing.id}/revoke")
        assert confirm.status_code == 200 and existing.key_prefix in confirm.get_data(as_text=True)
        session.expire_all()
        assert session.get(ApiClient, existing.id).revoked_at is None

        response = client.post(f"/admin/api-clients/{existing.id}/revoke")
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/admin/api-clients"
        )
        session.expire_all()
        assert session.get(ApiClient, existing.id).revoked_at is not None
        with pytest.raises(Open311ApiError) as refused:
            open311.create(
                key, "complaint", {"subject": "After"}, description="x", email="a@example.org"
            )
        assert refused.value.status == 403
        assert "Revoked on" in client.get("/admin/api-clients").get_data(as_text=True)

    def test_revoking_is_audited_once(self, client, login_as, make_key, session):
        login_as("admin")
        existing, _key = make_key()
        client.post(f"/admin/api-clients/{existing.id}/revoke")
        client.post(f"/admin/api-clients/{existing.id}/revoke")
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.API_CLIENT_REVOKED)
        ).all()
        assert [e.target for e in events] == [f"api-client:{existing.id}"]

    def test_an_unknown_client_is_a_404(self, client, login_as):
        login_as("admin")
        assert client.get("/admin/api-clients/999/revoke").status_code == 404
