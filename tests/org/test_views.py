"""The /admin/bodies pages: administrators only; list, create, edit, deactivate."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.auth.models import User
from app.org.services import BodyService
from tests.factories import make_body

LoginAs = Callable[..., User]
PATHS = ["/admin/bodies", "/admin/bodies/new", "/admin/bodies/min-health/edit"]


def body_form(**overrides: str) -> dict[str, str]:
    data = {
        "code": "mun-sfax",
        "kind": "municipality",
        "name_ar": "بلدية صفاقس",
        "name_fr": "Commune de Sfax",
        "name_en": "Municipality of Sfax",
        "parent_code": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def health(session: Session) -> None:
    make_body(session, code="min-health", name_en="Ministry of Health", name_ar="وزارة الصحة")


@pytest.mark.usefixtures("health")
class TestAccess:
    @pytest.mark.parametrize("path", PATHS)
    def test_anonymous_is_redirected_to_login(self, client: FlaskClient, path: str) -> None:
        response = client.get(path)

        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")

    @pytest.mark.parametrize("role", ["citizen", "relations_agent", "body_agent", "coordinator"])
    @pytest.mark.parametrize("path", PATHS)
    def test_role_required_gives_403_to_non_admins(
        self, client: FlaskClient, login_as: LoginAs, role: str, path: str
    ) -> None:
        login_as(role)

        assert client.get(path).status_code == 403

    def test_citizen_cannot_deactivate_a_body(
        self, client: FlaskClient, session: Session, login_as: LoginAs
    ) -> None:
        login_as("citizen")

        assert client.post("/admin/bodies/min-health/deactivate").status_code == 403
        session.expire_all()
        assert BodyService(session).get_by_code("min-health").is_active


class TestAdminPages:
    def test_admin_sees_bodies_named_in_the_chosen_language(
        self, client: FlaskClient, login_as: LoginAs, health: None
    ) -> None:
        login_as("admin")

        assert "Ministry of Health" in client.get("/admin/bodies?lang=en").get_data(as_text=True)
        assert "وزارة الصحة" in client.get("/admin/bodies?lang=ar").get_data(as_text=True)

    def test_admin_creates_a_body_under_a_parent(
        self, client: FlaskClient, session: Session, login_as: LoginAs, health: None
    ) -> None:
        login_as("admin")

        response = client.post("/admin/bodies/new", data=body_form(parent_code="min-health"))

        assert response.status_code == 302
        body = BodyService(session).get_by_code("mun-sfax")
        assert (body.name_ar, body.parent.code if body.parent else None) == (
            "بلدية صفاقس",
            "min-health",
        )

    def test_create_form_shows_the_error_when_the_code_is_taken(
        self, client: FlaskClient, login_as: LoginAs, health: None
    ) -> None:
        login_as("admin")

        response = client.post("/admin/bodies/new", data=body_form(code="min-health"))

        assert response.status_code == 200
        assert "already used" in response.get_data(as_text=True)

    def test_admin_edits_a_body(
        self, client: FlaskClient, session: Session, login_as: LoginAs, health: None
    ) -> None:
        login_as("admin")
        form = client.get("/admin/bodies/min-health/edit").get_data(as_text=True)
        assert 'value="وزارة الصحة"' in form

        response = client.post(
            "/admin/bodies/min-health/edit",
            data=body_form(code="min-health", kind="ministry", name_en="Ministry of Public Health"),
        )

        assert response.status_code == 302
        session.expire_all()
        assert BodyService(session).get_by_code("min-health").name_en == "Ministry of Public Health"

    def test_admin_deactivates_then_reactivates_a_body(
        self, client: FlaskClient, session: Session, login_as: LoginAs, health: None
    ) -> None:
        login_as("admin")
        bodies = BodyService(session)

        assert client.post("/admin/bodies/min-health/deactivate").status_code == 302
        session.expire_all()
        assert not bodies.get_by_code("min-health").is_active
        assert "Reactivate" in client.get("/admin/bodies").get_data(as_text=True)

        client.post("/admin/bodies/min-health/activate")
        session.expire_all()
        assert bodies.get_by_code("min-health").is_active

    def test_deactivate_is_post_only(
        self, client: FlaskClient, login_as: LoginAs, health: None
    ) -> None:
        login_as("admin")

        assert client.get("/admin/bodies/min-health/deactivate").status_code == 405

    def test_unknown_body_is_404(self, client: FlaskClient, login_as: LoginAs) -> None:
        login_as("admin")

        assert client.get("/admin/bodies/nowhere/edit").status_code == 404
