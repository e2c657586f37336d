"""UserService: registration rules, login checks, password resets, staff and demo seeding."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.errors import (
    EmailTaken,
    InvalidAccountData,
    InvalidCredentials,
    InvalidResetToken,
    StaffBodyRequired,
)
from app.auth.models import Role, User
from app.auth.passwords import Passwords
from app.auth.services import UserService
from app.db import utcnow
from app.notifications.mail import MemoryMailer
from app.org.services import BodyService
from tests.factories import DEFAULT_PASSWORD, make_body, make_user

DEMO_DIR = Path(__file__).resolve().parents[2] / "config" / "demo"


@pytest.fixture
def service(app: Flask, session: Session) -> Any:
    with app.test_request_context():
        yield UserService(session, MemoryMailer())


def link(token: str) -> str:
    return f"https://epeople.example/password/reset/{token}"


def register(service: UserService, **overrides: Any) -> User:
    fields: dict[str, Any] = {
        "email": "Amira@Example.org",
        "full_name": "أميرة بن علي",
        "password": "a-long-enough-password",
    }
    fields.update(overrides)
    return service.register(**fields)


def reset_token(service: UserService) -> str:
    mailer = service.mailer
    assert isinstance(mailer, MemoryMailer)
    body = mailer.outbox[-1].body
    return body.split("/password/reset/")[1].split()[0]


class TestRegister:
    def test_register_stores_email_lower_case_and_an_argon2id_hash(
        self, service: UserService
    ) -> None:
        user = register(service)

        assert user.email == "amira@example.org"
        assert user.role is Role.CITIZEN
        assert user.body_id is None
        assert user.password_hash.startswith("$argon2id$")
        assert "a-long-enough-password" not in user.password_hash

    def test_register_keeps_an_arabic_name_intact(
        self, service: UserService, session: Session
    ) -> None:
        user = register(service, full_name="  محمد   العياري ")

        session.expire_all()
        stored = session.get(User, user.id)
        assert stored is not None and stored.full_name == "محمد العياري"

    def test_register_refuses_an_email_already_used_in_another_case(
        self, service: UserService
    ) -> None:
        register(service)

        with pytest.raises(EmailTaken):
            register(service, email="AMIRA@example.org")

    @pytest.mark.parametrize("national_id", ["1234567", "123456789", "1234567a", "١٢٣٤٥٦٧٨"])
    def test_register_refuses_a_national_id_that_is_not_8_ascii_digits(
        self, service: UserService, national_id: str
    ) -> None:
        with pytest.raises(InvalidAccountData) as raised:
            register(service, national_id=national_id)
        assert raised.value.field == "national_id"

    def test_register_accepts_a_national_id_with_leading_zeros(self, service: UserService) -> None:
        assert register(service, national_id="01234567").national_id == "01234567"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("email", "not-an-address"),
            ("email", "a" * 250 + "@example.org"),
            ("full_name", "   "),
            ("full_name", "x" * 201),
            ("password", "short"),
            ("password", "p" * 129),
            ("phone", "call me"),
        ],
    )
    def test_register_refuses_malformed_or_too_long_fields(
        self, service: UserService, field: str, value: str
    ) -> None:
        with pytest.raises(InvalidAccountData) as raised:
            register(service, **{field: value})
        assert raised.value.field == field

    def test_register_falls_back_to_the_default_language_when_unsupported(
        self, service: UserService
    ) -> None:
        assert register(service, preferred_language="de").preferred_language == "en"


class TestAuthenticate:
    def test_authenticate_returns_the_user_and_records_the_login(
        self, service: UserService, session: Session
    ) -> None:
        user = make_user(session, email="leila@example.org")

        found = service.authenticate(" Leila@Example.org ", DEFAULT_PASSWORD)

        assert found.id == user.id
        assert found.last_login_at is not None
        assert utcnow() - found.last_login_at < timedelta(minutes=1)

    def test_login_fails_with_same_message_when_email_unknown(
        self, service: UserService, session: Session
    ) -> None:
        make_user(session, email="leila@example.org")

        with pytest.raises(InvalidCredentials) as unknown:
            service.authenticate("nobody@example.org", DEFAULT_PASSWORD)
        with pytest.raises(InvalidCredentials) as wrong:
            service.authenticate("leila@example.org", "wrong-password")

        assert type(unknown.value) is type(wrong.value) is InvalidCredentials
        assert str(unknown.value) == str(wrong.value)

    def test_authenticate_refuses_an_inactive_account_even_with_the_right_password(
        self, service: UserService, session: Session
    ) -> None:
        make_user(session, email="gone@example.org", is_active=False)

        with pytest.raises(InvalidCredentials):
            service.authenticate("gone@example.org", DEFAULT_PASSWORD)

    def test_authenticate_rehashes_when_argon2_parameters_changed(
        self, app: Flask, session: Session
    ) -> None:
        user = make_user(session)  # hashed with time_cost=1
        stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
        old_hash = user.password_hash

        with app.test_request_context():
            UserService(session, MemoryMailer(), passwords=stronger).authenticate(
                user.email, DEFAULT_PASSWORD
            )

        assert user.password_hash != old_hash
        assert "t=2" in user.password_hash
        assert not stronger.needs_rehash(user.password_hash)


class TestPasswordReset:
    def test_request_password_reset_mails_a_link_in_the_users_language(
        self, service: UserService, session: Session
    ) -> None:
        user = make_user(session, preferred_language="fr")

        service.request_password_reset(user.email.upper(), link)

        assert isinstance(service.mailer, MemoryMailer)
        [message] = service.mailer.outbox
        assert message.to == user.email
        assert "https://epeople.example/password/reset/" in message.body

    def test_request_password_reset_sends_nothing_when_email_unknown(
        self, service: UserService
    ) -> None:
        service.request_password_reset("nobody@example.org", link)

        assert isinstance(service.mailer, MemoryMailer)
        assert service.mailer.outbox == []

    def test_reset_token_works_once(self, service: UserService, session: Session) -> None:
        user = make_user(session)
        service.request_password_reset(user.email, link)
        token = reset_token(service)

        service.reset_password(token, "my-new-password-1")

        assert service.authenticate(user.email, "my-new-password-1").id == user.id
        with pytest.raises(InvalidResetToken):
            service.reset_password(token, "another-password-2")

    def test_reset_token_expires_after_one_hour(
        self, service: UserService, session: Session
    ) -> None:
        user = make_user(session)
        with time_machine.travel(utcnow(), tick=False) as traveller:
            service.request_password_reset(user.email, link)
            token = reset_token(service)
            traveller.shift(timedelta(minutes=59))
            assert service.user_for_reset_token(token).id == user.id
            traveller.shift(timedelta(minutes=2))

            with pytest.raises(InvalidResetToken) as raised:
                service.reset_password(token, "my-new-password-1")

        assert raised.value.reason == "expired"
        with pytest.raises(InvalidCredentials):
            service.authenticate(user.email, "my-new-password-1")

    @pytest.mark.parametrize("token", ["", "garbage", "MQ.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"])
    def test_reset_refuses_a_forged_token(self, service: UserService, token: str) -> None:
        with pytest.raises(InvalidResetToken):
            service.reset_password(token, "my-new-password-1")

    def test_reset_token_of_one_user_does_not_work_for_another(
        self, service: UserService, session: Session
    ) -> None:
        first, second = make_user(session), make_user(session)
        token = service.tokens.make(first.id, second.password_hash)

        with pytest.raises(InvalidResetToken):
            service.reset_password(token, "my-new-password-1")


class TestStaff:
    @pytest.mark.parametrize("role", [Role.RELATIONS_AGENT, Role.BODY_AGENT, Role.COORDINATOR])
    def test_staff_require_a_body(self, service: UserService, role: Role) -> None:
        with pytest.raises(StaffBodyRequired):
            service.create_staff(
                email="agent@example.org",
                full_name="Agent",
                role=role,
                body=None,
                password="x" * 12,
            )

    def test_create_staff_refuses_the_citizen_role(
        self, service: UserService, session: Session
    ) -> None:
        with pytest.raises(InvalidAccountData):
            service.create_staff(
                email="c@example.org", full_name="C", role="citizen", body=make_body(session)
            )

    def test_create_staff_refuses_a_deactivated_body(
        self, service: UserService, session: Session
    ) -> None:
        body = make_body(session, is_active=False)

        with pytest.raises(InvalidAccountData) as raised:
            service.create_staff(email="a@example.org", full_name="A", role="body_agent", body=body)
        assert raised.value.field == "body"

    def test_an_admin_may_have_no_body(self, service: UserService) -> None:
        user = service.create_staff(
            email="root@example.org",
            full_name="Root",
            role=Role.ADMIN,
            body=None,
            password="x" * 12,
        )
        assert user.body is None

    def test_create_staff_without_password_mails_a_link_to_choose_one(
        self, service: UserService, session: Session
    ) -> None:
        body = make_body(session)

        user = service.create_staff(
            email="new.agent@example.org",
            full_name="New Agent",
            role="relations_agent",
            body=body,
            link_for=link,
        )
        service.reset_password(reset_token(service), "chosen-by-me-1")

        assert user.body_id == body.id
        assert service.authenticate("new.agent@example.org", "chosen-by-me-1").id == user.id

    def test_list_staff_leaves_citizens_out(self, service: UserService, session: Session) -> None:
        make_user(session, role=Role.CITIZEN)
        agent = make_user(session, role=Role.BODY_AGENT)

        assert [user.id for user in service.list_staff()] == [agent.id]


class TestSeedDemo:
    def test_seed_demo_is_idempotent_and_gives_every_staff_member_a_body(
        self, service: UserService, session: Session
    ) -> None:
        BodyService(session).seed(DEMO_DIR / "bodies.json")

        created = service.seed_demo(DEMO_DIR / "users.json")
        again = service.seed_demo(DEMO_DIR / "users.json")

        assert created == 11
        assert again == 0
        assert session.scalar(select(func.count()).select_from(User)) == 11
        users = session.scalars(select(User)).all()
        assert all(user.body is not None for user in users if user.role.needs_body)
        assert {user.role for user in users} == set(Role)

    def test_seeded_demo_accounts_log_in_with_their_documented_password(
        self, service: UserService, session: Session
    ) -> None:
        BodyService(session).seed(DEMO_DIR / "bodies.json")
        service.seed_demo(DEMO_DIR / "users.json")

        admin = service.authenticate("admin@example.org", "demo-password-1")

        assert admin.role is Role.ADMIN
