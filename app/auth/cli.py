"""``flask epeople create-user`` and ``flask epeople seed-people``, and the demo loader.

The first bootstraps the first administrator (no admin page exists before it); the second
loads the demo bodies and accounts, as ``init-db --demo`` does through ``load_demo_people``
(registered in ``app.extensions['demo_loaders']`` by ``app.auth.init_app``). All reuse the
services, so the CLI obeys the same rules.
"""

from __future__ import annotations

import os

import click
from flask import current_app
from sqlalchemy.orm import Session

from app.auth.errors import AuthError
from app.auth.models import Role
from app.auth.services import UserService
from app.cli import epeople
from app.db import database, get_session
from app.notifications import mailer
from app.notifications.mail import Mailer
from app.org.services import BodyService, OrgError


def seed_demo_people(session: Session, sender: Mailer, demo_dir: str) -> tuple[int, int]:
    """Load ``bodies.json`` then ``users.json`` from ``demo_dir``; return (bodies, users) created.

    Idempotent, so ``init-db --demo`` (or a second ``seed-people``) can call it every time.
    """
    created_bodies = BodyService(session).seed(os.path.join(demo_dir, "bodies.json"))
    created_users = UserService(session, sender).seed_demo(os.path.join(demo_dir, "users.json"))
    return created_bodies, created_users


def load_demo_people() -> str:
    """``init-db --demo`` loader: bodies and accounts first, so later loaders can use them."""
    bodies, accounts = seed_demo_people(get_session(), mailer(), current_app.config["DEMO_DIR"])
    return f"demo people: {bodies} bodies and {accounts} accounts created"


@epeople.command("create-user")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="citizen, relations_agent, body_agent, coordinator or admin.",
)
@click.option("--body", "body_code", default=None, help="Code of the body (required for agents).")
@click.option("--name", "full_name", required=True, help="Full name, as shown to others.")
def create_user(email: str, role: str, body_code: str | None, full_name: str) -> None:
    """Create an account; the password is asked for, never given on the command line."""
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with database().session() as session:
        try:
            body = BodyService(session).get_by_code(body_code) if body_code else None
            service = UserService(session, mailer())
            if Role(role) is Role.CITIZEN:
                if body is not None:
                    raise click.UsageError("a citizen does not belong to a body: drop --body")
                user = service.register(email=email, full_name=full_name, password=password)
            else:
                user = service.create_staff(
                    email=email, full_name=full_name, role=role, body=body, password=password
                )
        except (AuthError, OrgError) as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@epeople.command("seed-people")
def seed_people() -> None:
    """Load the demo bodies and accounts from DEMO_DIR (config/demo); safe to run twice."""
    with database().session() as session:
        bodies, accounts = seed_demo_people(session, mailer(), current_app.config["DEMO_DIR"])
    click.echo(f"Demo data: {bodies} bodies and {accounts} accounts created.")
