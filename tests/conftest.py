"""Fixtures: one fresh database per test run (and per xdist worker), emptied after each test.

``EPEOPLE_TEST_DATABASE`` picks the database: ``sqlite`` (default, a file in a temp dir) or a
PostgreSQL admin URL, under which a database ``epeople_test_<run>_<worker>`` is created for
the run and dropped at its end, so runs never leak into each other.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app import create_app
from app.cli import deploy_default_processes
from app.db import Database, temporary_database
from app.engine.forms import FormRegistry
from app.engine.runtime import Runtime
from app.models import Base
from app.org.models import Body
from app.org.services import BodyService


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with temporary_database(os.environ.get("EPEOPLE_TEST_DATABASE", "sqlite"), f"epeople_test_{worker}") as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app({"ENVIRONMENT": "testing", "DATABASE_URL": database_url})
    Base.metadata.create_all(app.extensions["db"].engine)
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests commit for real (locking and the worker need it); rows are removed afterwards."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    db: Database = app.extensions["db"]
    with db.engine.begin() as conn:
        if db.is_postgresql:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    # Holiday dates are cached per app: rows just removed must not linger in the cache.
    app.extensions["calendar"].invalidate()


@pytest.fixture
def portal(app: Flask, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Body]:
    """The demo bodies and the default diagrams, as ``init-db`` deploys them; uploads go to a
    temporary folder."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    BodyService(session).seed(os.path.join(app.config["DEMO_DIR"], "bodies.json"))
    with app.app_context():
        deploy_default_processes()
    return {b.code: b for b in session.scalars(select(Body))}


@pytest.fixture
def db(app: Flask) -> Database:
    database: Database = app.extensions["db"]
    return database


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def runtime() -> Runtime:
    """An engine runtime over the scenario diagrams' forms (tests/engine/data/forms)."""
    from tests.engine.diagrams import DATA

    return Runtime(FormRegistry(os.path.join(DATA, "forms")), max_steps=10_000, time_limit=1.0)


@pytest.fixture
def postgres_only(db: Database) -> None:
    if not db.is_postgresql:
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass of `make test`")


# --- accounts (app/auth): the mail outbox and a login helper ---------------------------------

from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402


@pytest.fixture
def outbox(app: Flask) -> Iterator[list[Any]]:
    """The messages the memory mailer received during this test."""
    sent: list[Any] = app.extensions["mailer"].outbox
    sent.clear()
    yield sent
    sent.clear()


@pytest.fixture
def login_as(client: FlaskClient, session: Session) -> Callable[..., Any]:
    """Log the test client in through the real ``POST /login``; returns the user.

    ``login_as("admin")`` makes a user with that role (and a body when the role needs one);
    ``login_as(user, password=...)`` logs an existing user in.
    """
    from tests.factories import DEFAULT_PASSWORD, make_user

    def login(role_or_user: Any = "citizen", password: str = DEFAULT_PASSWORD, **fields: Any) -> Any:
        if isinstance(role_or_user, str):
            user = make_user(session, role=role_or_user, password=password, **fields)
        else:
            user = role_or_user
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, f"login as {user.email} failed"
        return user

    return login
