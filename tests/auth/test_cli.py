"""``flask epeople create-user`` and ``flask epeople seed-people``."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import Role, User
from app.auth.services import UserService
from app.notifications.mail import MemoryMailer
from app.org.models import Body
from tests.factories import make_body

PASSWORD_TWICE = "a-strong-password\na-strong-password\n"


def test_create_user_makes_the_first_admin_with_a_prompted_password(
    app: Flask, session: Session
) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "epeople",
            "create-user",
            "--email",
            "Root@Example.org",
            "--role",
            "admin",
            "--name",
            "Root",
        ],
        input=PASSWORD_TWICE,
    )

    assert result.exit_code == 0, result.output
    assert "a-strong-password" not in result.output
    with app.test_request_context():
        user = UserService(session, MemoryMailer()).authenticate(
            "root@example.org", "a-strong-password"
        )
    assert user.role is Role.ADMIN


def test_create_user_attaches_an_agent_to_the_named_body(app: Flask, session: Session) -> None:
    body = make_body(session, code="mun-sfax")

    result = app.test_cli_runner().invoke(
        args=[
            "epeople",
            "create-user",
            "--email",
            "a@example.org",
            "--role",
            "body_agent",
            "--body",
            "mun-sfax",
            "--name",
            "Walid Feki",
        ],
        input=PASSWORD_TWICE,
    )

    assert result.exit_code == 0, result.output
    assert session.scalars(select(User)).one().body_id == body.id


def test_create_user_fails_cleanly_when_an_agent_has_no_body(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "epeople",
            "create-user",
            "--email",
            "a@example.org",
            "--role",
            "coordinator",
            "--name",
            "A",
        ],
        input=PASSWORD_TWICE,
    )

    assert result.exit_code == 1
    assert "public body" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_seed_people_loads_demo_bodies_and_accounts_once(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()

    first = runner.invoke(args=["epeople", "seed-people"])
    second = runner.invoke(args=["epeople", "seed-people"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "0 bodies and 0 accounts" in second.output
    assert session.scalar(select(func.count()).select_from(User)) == 11
    assert session.scalar(select(func.count()).select_from(Body)) == 10


def test_init_db_demo_loads_people_before_any_other_demo_loader(
    app: Flask, session: Session
) -> None:
    loaders = app.extensions["demo_loaders"]
    with app.app_context():
        message = loaders[0]()

    assert "10 bodies and 11 accounts" in message
    assert session.scalar(select(func.count()).select_from(User)) == 11
