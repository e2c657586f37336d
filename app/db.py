"""Database plumbing: the declarative base, one engine per app, one session per app context.

We use SQLAlchemy directly (no Flask-SQLAlchemy) so that services take a plain ``Session`` and
can be driven from the CLI, the timer worker, benchmarks and tests without a request.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event, exc, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored as UTC and always come back timezone-aware.

    SQLite drops the offset, PostgreSQL keeps it; normalising here means comparisons and
    arithmetic behave the same on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def make_engine(url: str, pool_size: int = 5, max_overflow: int = 10) -> Engine:
    """An engine for ``url``; on PostgreSQL with a pool of ``pool_size`` kept connections
    (one per thread that works at the same time) plus ``max_overflow`` for bursts."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow)
    _ping_when_idle(engine)
    return engine


# A pooled connection idle for longer than this is tested before use (SQLAlchemy's
# ``pool_pre_ping`` tests every checkout: a round trip more in every request).
PING_AFTER_IDLE_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Test a connection at checkout only if it sat idle in the pool; a dead one (the database
    restarted, a firewall dropped it) is then replaced before the request uses it. A connection
    returned moments ago is alive unless the server went away in between, when the request
    that gets it fails once and the pool replaces it, as without the ping."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _last_used(dbapi_connection: Any, record: Any) -> None:
        record.info["last_used"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("last_used", 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError() from error  # the pool reconnects and retries
            raise


class Database:
    """An engine and its session factory, kept in ``app.extensions['db']``."""

    def __init__(self, url: str, pool_size: int = 5, max_overflow: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size, max_overflow)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for work outside a request (CLI, worker): rolled back unless committed."""
        session = self.sessionmaker()
        try:
            yield session
        finally:
            session.close()


@contextmanager
def temporary_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database for one test or benchmark run, dropped afterwards.

    ``admin_url`` is ``sqlite`` (a file in a temporary directory) or a PostgreSQL URL whose
    user may create databases. Runs never share tables, so they cannot leak into each other.
    """
    if admin_url == "sqlite":
        with tempfile.TemporaryDirectory(prefix=prefix) as folder:
            yield "sqlite:///" + os.path.join(folder, "db.sqlite3")
        return
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def init_app(app: Flask) -> None:
    app.extensions["db"] = Database(
        app.config["DATABASE_URL"], app.config["DATABASE_POOL_SIZE"], app.config["DATABASE_MAX_OVERFLOW"]
    )
    app.teardown_appcontext(_close_session)


def database() -> Database:
    db: Database = current_app.extensions["db"]
    return db


def get_session() -> Session:
    """The session of the current app context, created on first use."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
