"""The Alembic migrations build exactly the schema the models describe, on this database."""

from __future__ import annotations

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.cli import upgrade_database
from app.db import make_engine, temporary_database
from app.models import Base


def test_upgrade_head_matches_the_models():
    with temporary_database(os.environ.get("EPEOPLE_TEST_DATABASE", "sqlite"), "epeople_migrations") as url:
        upgrade_database(url)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                differences = compare_metadata(context, Base.metadata)
                tables = set(inspect(conn).get_table_names())
        finally:
            engine.dispose()
    assert differences == []
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
