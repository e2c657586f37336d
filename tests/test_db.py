"""The connection pool: a connection that died while idle in the pool is replaced unseen."""

from sqlalchemy import text

from app import db as database_module
from app.db import make_engine


def _backend_pid(engine):
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar()


def test_a_connection_killed_while_idle_is_replaced_before_use(db, postgres_only, monkeypatch):
    engine = make_engine(db.url, pool_size=1, max_overflow=0)
    try:
        dead = _backend_pid(engine)
        with db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
        monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been idle "long"

        assert _backend_pid(engine) != dead
    finally:
        engine.dispose()
