"""Account pages through the test client: what a citizen or an administrator would see."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from tests.factories import DEFAULT_PASSWORD, make_body, make_user

LoginAs = Callable[..., User]
SAME_LOGIN_ERROR = "Invalid e-mail address or password."
SAME_FORGOT_ANSWER = "If an account uses this address"


def registration(**overrides: str) -> dict[str, str]:
    data = {
        "full_name": "أميرة بن علي",
        "email": "Amira@Example.org",
        "preferred_language": "ar",
        "password": "a-long-enough-password",
        "confirm": "a-long-enough-password",
    }
    data.update(overrides)
    return data


def csrf_token_of(page: bytes) -> str:
    found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found is not None, "the page has no CSRF token"
    return found.group(1).decode()


class TestRegisterLoginLogout:
    def test_register_logs_the_citizen_in_and_logout_logs_out(
        self, client: FlaskClient, session: Session
    ) -> None:
        response = client.post("/register", data=registration())

        assert response.status_code == 302
        user = session.scalars(select(User)).one()
        assert (user.email, user.full_name, user.role) == (
            "amira@example.org",
            "أميرة بن علي",
            Role.CITIZEN,
        )
        page = client.get("/password/forgot").get_data(as_text=True)
        assert "أميرة بن علي" in page and 'action="/logout"' in page

        assert client.post("/logout").status_code == 302
        page = client.get("/password/forgot").get_data(as_text=True)
        assert 'action="/logout"' not in page and 'href="/login"' in page

    def test_register_refuses_a_duplicate_email_next_to_the_field(
        self, client: FlaskClient, session: Session
    ) -> None:
        make_user(session, email="amira@example.org")

        response = client.post("/register", data=registration())

        assert response.status_code == 200
        assert "An account with this e-mail address already exists." in response.get_data(
            as_text=True
        )
        assert len(session.scalars(select(User)).all()) == 1

    def test_register_marks_an_invalid_national_id_for_screen_readers(
        self, client: FlaskClient
    ) -> None:
        page = client.post("/register", data=registration(national_id="12345")).get_data(
            as_text=True
        )

        assert 'aria-invalid="true"' in page
        assert 'aria-describedby="national_id-hint national_id-error"' in page
        assert 'id="national_id-error"' in page

    def test_login_then_logout_with_get_is_refused(
        self, client: FlaskClient, login_as: LoginAs
    ) -> None:
        login_as("citizen")

        assert client.get("/logout").status_code == 405

    def test_login_fails_with_same_message_when_email_unknown(
        self, client: FlaskClient, session: Session
    ) -> None:
        make_user(session, email="leila@example.org")

        unknown = client.post(
            "/login", data={"email": "nobody@example.org", "password": DEFAULT_PASSWORD}
        )
        wrong = client.post(
            "/login", data={"email": "leila@example.org", "password": "wrong-password"}
        )

        assert unknown.status_code == wrong.status_code == 200
        assert SAME_LOGIN_ERROR in unknown.get_data(as_text=True)
        assert SAME_LOGIN_ERROR in wrong.get_data(as_text=True)

    def test_login_fails_with_same_message_when_account_inactive(
        self, client: FlaskClient, session: Session
    ) -> None:
        make_user(session, email="gone@example.org", is_active=False)

        response = client.post(
            "/login", data={"email": "gone@example.org", "password": DEFAULT_PASSWORD}
        )

        assert SAME_LOGIN_ERROR in response.get_data(as_text=True)

    def test_login_redirects_to_a_same_site_next_path(
        self, client: FlaskClient, session: Session
    ) -> None:
        user = make_user(session)

        response = client.post(
            "/login?next=/password/forgot%3Fa%3D1",
            data={"email": user.email, "password": DEFAULT_PASSWORD},
        )

        assert response.headers["Location"] == "/password/forgot?a=1"

    @pytest.mark.parametrize(
        "target",
        [
            "//evil.example/x",
            "https://evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "/%0a/x",
        ],
    )
    def test_login_ignores_a_next_that_leaves_the_site(
        self, client: FlaskClient, session: Session, target: str
    ) -> None:
        user = make_user(session)

        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": user.email, "password": DEFAULT_PASSWORD},
        )

        assert response.status_code == 302
        assert "evil" not in response.headers["Location"]
        assert response.headers["Location"].startswith("/")
        assert not response.headers["Location"].startswith("//")

    def test_deactivated_user_is_logged_out_on_the_next_request(
        self, client: FlaskClient, session: Session, login_as: LoginAs
    ) -> None:
        admin = login_as("admin")
        assert client.get("/admin/users").status_code == 200

        admin.is_active = False
        session.commit()

        assert client.get("/admin/users").status_code == 302

    def test_session_is_dropped_when_the_browser_changes(
        self, client: FlaskClient, login_as: LoginAs
    ) -> None:
        login_as("admin")

        response = client.get("/admin/users", headers={"User-Agent": "another browser"})

        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


class TestPasswordResetPages:
    def test_forgot_password_answers_the_same_whether_or_not_the_email_exists(
        self, client: FlaskClient, session: Session, outbox: list[Any]
    ) -> None:
        user = make_user(session)

        known = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
        assert len(outbox) == 1
        unknown = client.post(
            "/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
        )

        assert len(outbox) == 1
        assert SAME_FORGOT_ANSWER in known.get_data(as_text=True)
        assert known.get_data() == unknown.get_data()

    def test_reset_link_sets_a_new_password_once(
        self, client: FlaskClient, session: Session, outbox: list[Any]
    ) -> None:
        user = make_user(session)
        client.post("/password/forgot", data={"email": user.email})
        path = re.search(r"http://localhost(/password/reset/\S+)", outbox[0].body)
        assert path is not None

        page = client.get(path.group(1))
        changed = client.post(
            path.group(1), data={"password": "brand-new-pass", "confirm": "brand-new-pass"}
        )
        reused = client.get(path.group(1))

        assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
        assert changed.status_code == 302 and changed.headers["Location"] == "/login"
        assert reused.status_code == 400
        login = client.post("/login", data={"email": user.email, "password": "brand-new-pass"})
        assert login.status_code == 302


class TestCsrf:
    def test_post_without_csrf_token_is_rejected(
        self, app: Flask, client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
        user = make_user(session)
        credentials = {"email": user.email, "password": DEFAULT_PASSWORD}

        refused = client.post("/login", data=credentials)
        token = csrf_token_of(client.get("/login").get_data())
        accepted = client.post("/login", data={**credentials, "csrf_token": token})

        assert refused.status_code == 400
        assert accepted.status_code == 302

    def test_logout_without_csrf_token_is_rejected(
        self, app: Flask, client: FlaskClient, login_as: LoginAs, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        login_as("citizen")
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

        assert client.post("/logout").status_code == 400
        token = csrf_token_of(client.get("/password/forgot").get_data())
        assert client.post("/logout", data={"csrf_token": token}).status_code == 302


class TestStaffAdmin:
    @pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new"])
    def test_anonymous_visitor_is_sent_to_login(self, client: FlaskClient, path: str) -> None:
        response = client.get(path)

        assert response.status_code == 302
        assert response.headers["Location"] == f"/login?next={path.replace('/', '%2F')}"

    @pytest.mark.parametrize("role", ["citizen", "relations_agent", "body_agent", "coordinator"])
    @pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new"])
    def test_non_admin_gets_403(
        self, client: FlaskClient, login_as: LoginAs, role: str, path: str
    ) -> None:
        login_as(role)

        response = client.get(path)

        assert response.status_code == 403
        assert '<main id="main"' in response.get_data(as_text=True)

    def test_admin_creates_a_staff_account_and_the_person_is_mailed(
        self, client: FlaskClient, session: Session, login_as: LoginAs, outbox: list[Any]
    ) -> None:
        login_as("admin")
        body = make_body(session, code="min-health", name_en="Ministry of Health")

        response = client.post(
            "/admin/users/new",
            data={
                "full_name": "نادية الشابي",
                "email": "Nadia@Example.org",
                "role": "body_agent",
                "body_id": str(body.id),
                "preferred_language": "ar",
            },
        )
        listing = client.get("/admin/users").get_data(as_text=True)

        assert response.status_code == 302
        assert "nadia@example.org" in listing and "Ministry of Health" in listing
        assert [message.to for message in outbox] == ["nadia@example.org"]

    def test_admin_form_refuses_an_agent_without_a_body(
        self, client: FlaskClient, session: Session, login_as: LoginAs
    ) -> None:
        login_as("admin")

        response = client.post(
            "/admin/users/new",
            data={
                "full_name": "X",
                "email": "x@example.org",
                "role": "coordinator",
                "body_id": "0",
                "preferred_language": "en",
            },
        )

        assert response.status_code == 200
        assert "Choose the public body this person works for." in response.get_data(as_text=True)
        assert session.scalars(select(User).where(User.email == "x@example.org")).first() is None


class TestLayout:
    @pytest.mark.parametrize(
        ("query", "headers", "lang", "direction"),
        [
            ("?lang=ar", {}, "ar", "rtl"),
            ("", {"Accept-Language": "fr-FR,fr;q=0.9"}, "fr", "ltr"),
            ("", {"Accept-Language": "de"}, "en", "ltr"),
        ],
    )
    def test_page_language_and_direction_follow_the_chosen_locale(
        self, client: FlaskClient, query: str, headers: dict[str, str], lang: str, direction: str
    ) -> None:
        page = client.get("/login" + query, headers=headers).get_data(as_text=True)

        assert f'<html lang="{lang}" dir="{direction}">' in page

    def test_language_chosen_by_link_sticks_for_the_session(self, client: FlaskClient) -> None:
        client.get("/login?lang=ar")

        assert '<html lang="ar" dir="rtl">' in client.get("/register").get_data(as_text=True)

    def test_signed_in_users_preferred_language_is_used(
        self, client: FlaskClient, login_as: LoginAs
    ) -> None:
        login_as("citizen", preferred_language="fr")

        assert '<html lang="fr"' in client.get("/password/forgot").get_data(as_text=True)

    def test_admin_link_is_shown_to_admins_only(
        self, client: FlaskClient, login_as: LoginAs
    ) -> None:
        login_as("body_agent")
        assert 'href="/admin/"' not in client.get("/login").get_data(as_text=True)
        client.post("/logout")

        login_as("admin")
        assert 'href="/admin/"' in client.get("/admin/users").get_data(as_text=True)

    def test_unknown_page_is_a_404_inside_the_layout(self, client: FlaskClient) -> None:
        response = client.get("/no/such/page")

        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert '<a class="skip-link" href="#main">' in page and "Page not found" in page
