"""``/admin/``: administrators only; cards to each admin area and live counts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app import create_app
from app.auth.models import Role, User
from tests.factories import DEFAULT_PASSWORD, make_body, make_user

LoginAs = Callable[..., User]
Add = Callable[..., Any]


class TestAccess:
    def test_anonymous_visitor_is_sent_to_login(self, client: FlaskClient) -> None:
        response = client.get("/admin/")

        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")

    @pytest.mark.parametrize("role", ["citizen", "relations_agent", "body_agent", "coordinator"])
    def test_other_roles_get_403(self, client: FlaskClient, login_as: LoginAs, role: str) -> None:
        login_as(role)

        assert client.get("/admin/").status_code == 403

    def test_admin_opens_the_page(self, client: FlaskClient, login_as: LoginAs) -> None:
        login_as("admin")

        response = client.get("/admin/")

        assert response.status_code == 200
        assert "<h1>Administration</h1>" in response.get_data(as_text=True)

    def test_layout_admin_link_points_here_for_administrators(
        self, client: FlaskClient, login_as: LoginAs
    ) -> None:
        login_as("admin")

        page = client.get("/admin/holidays").get_data(as_text=True)

        assert '<a href="/admin/">Admin</a>' in page

    def test_layout_has_no_admin_link_for_other_staff(
        self, client: FlaskClient, login_as: LoginAs
    ) -> None:
        login_as("relations_agent")

        page = client.get("/tasks/").get_data(as_text=True)

        assert 'href="/admin/"' not in page


class TestCards:
    def test_cards_link_to_bodies_staff_accounts_and_holidays(
        self, client: FlaskClient, login_as: LoginAs
    ) -> None:
        login_as("admin")

        page = client.get("/admin/").get_data(as_text=True)

        for path, title in [
            ("/admin/bodies", "Public bodies"),
            ("/admin/users", "Staff accounts"),
            ("/admin/holidays", "Public holidays"),
        ]:
            assert f'<h2><a href="{path}">{title}</a></h2>' in page

    def test_diagram_and_operations_cards_follow_their_endpoints(
        self, app: Flask, client: FlaskClient, login_as: LoginAs
    ) -> None:
        login_as("admin")

        page = client.get("/admin/").get_data(as_text=True)

        assert ("Routing diagrams" in page) == ("admin.processes" in app.view_functions)
        assert ("Operations" in page) == ("admin.operations" in app.view_functions)


@pytest.fixture
def app_with_admin_pages(database_url: str) -> Iterator[Flask]:
    """An app of its own where ``admin.processes`` and ``admin.operations`` exist (stubs for those
    app/admin does not provide yet: routes cannot be added to the shared app once it served)."""
    app = create_app({"ENVIRONMENT": "testing", "DATABASE_URL": database_url})
    for name in ("processes", "operations"):
        if f"admin.{name}" not in app.view_functions:
            app.add_url_rule(
                f"/stub-admin/{name}", endpoint=f"admin.{name}", view_func=lambda: "stub"
            )
    yield app
    app.extensions["db"].engine.dispose()


def test_diagram_and_operations_cards_appear_when_their_pages_exist(
    app_with_admin_pages: Flask, session: Session, add_incident: Add
) -> None:
    add_incident()
    admin = make_user(session, role=Role.ADMIN)
    client = app_with_admin_pages.test_client()
    assert (
        client.post("/login", data={"email": admin.email, "password": DEFAULT_PASSWORD}).status_code
        == 302
    )

    with app_with_admin_pages.test_request_context():
        processes, operations = url_for("admin.processes"), url_for("admin.operations")
    page = client.get("/admin/").get_data(as_text=True)

    assert f'<h2><a href="{processes}">Routing diagrams</a></h2>' in page
    assert f'<h2><a href="{operations}">Operations</a></h2>' in page
    assert "1 open incident" in page


class TestCounts:
    def test_page_shows_live_counts(
        self,
        client: FlaskClient,
        session: Session,
        login_as: LoginAs,
        add_task: Add,
        add_incident: Add,
        add_petition: Add,
    ) -> None:
        ministry = make_body(session)
        make_body(session)
        make_user(session, role=Role.RELATIONS_AGENT, body=ministry)
        make_user(session, role=Role.CITIZEN)
        login_as("admin")  # the third staff account
        now = datetime.now(timezone.utc)
        add_task(due_at=now - timedelta(days=1))
        add_task(due_at=now + timedelta(days=5))
        add_incident()
        add_incident(resolved_at=now)
        for status in ["received", "received", "in_progress", "closed"]:
            add_petition(status=status)

        page = client.get("/admin/").get_data(as_text=True)

        def count_of(label: str) -> str:
            found = re.search(rf"<dt>{label}</dt>\s*<dd[^>]*>(\d+)</dd>", page)
            assert found is not None, label
            return found.group(1)

        def petitions_of(label: str) -> str:
            found = re.search(rf'<th scope="row">{label}</th><td>(\d+)</td>', page)
            assert found is not None, label
            return found.group(1)

        # The two bodies made above (administrators belong to none); the citizen is not staff.
        assert count_of("Active public bodies") == "2"
        assert count_of("Active staff accounts") == "2"
        assert (count_of("Open tasks"), count_of("Overdue tasks"), count_of("Open incidents")) == (
            "2",
            "1",
            "1",
        )
        assert (
            petitions_of("Received"),
            petitions_of("Being answered"),
            petitions_of("Closed"),
        ) == ("2", "1", "1")
        assert petitions_of("Under review") == "0"
        assert petitions_of("All petitions") == "4"
        assert "2 active bodies" in page and "2 active accounts" in page
