"""The HTTP baseline: a bare Flask + SQLAlchemy endpoint that inserts one row per request.

Served by gunicorn with the same settings as epeople (``config/gunicorn.py``) by
``benchmarks.web``, so the ratio shows what epeople's own work costs (sessions, CSRF,
validation, the engine, the petition record) on top of one web request plus one INSERT+COMMIT.

    BARE_DATABASE_URL=postgresql+psycopg://… gunicorn -c config/gunicorn.py 'benchmarks.bare_app:create_app()'
"""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Integer, String, Text, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "bench_bare_row"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)


def create_table(url: str) -> None:
    """Once, before gunicorn starts (its workers would race to create it)."""
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()


def create_app() -> Flask:
    app = Flask(__name__)
    # SQLAlchemy's defaults: no ping at checkout (epeople pings only connections that sat idle),
    # so the baseline is the least a request that stores a row costs.
    engine = create_engine(os.environ["BARE_DATABASE_URL"])

    @app.post("/insert")
    def insert() -> tuple[str, int]:
        with Session(engine) as session, session.begin():
            session.add(Row(subject=request.form.get("subject", ""), description=request.form.get("description", "")))
        return "", 201

    return app
