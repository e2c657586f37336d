"""Fixtures: one fresh database per test run (and per xdist worker), emptied after each test.

``EPEOPLE_TEST_DATABASE`` picks the database: ``sqlite`` (default, a file in a temp dir) or a
PostgreSQL admin URL, under which a database ``epeople_test_<run>_<worker>`` is created for
the run and dropped at its end, so runs never leak into each other.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app
from app.db import Database
from app.models import Base


def _postgres_database(admin_url: str, name: str) -> Iterator[str]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    choice = os.environ.get("EPEOPLE_TEST_DATABASE", "sqlite")
    if choice == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    else:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"epeople_test_{uuid.uuid4().hex[:8]}_{worker}"
        yield from _postgres_database(choice, name)


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


@pytest.fixture
def postgres_only(db: Database) -> None:
    if not db.is_postgresql:
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass of `make test`")
