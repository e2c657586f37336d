"""Dialect-aware date bucketing for the statistics refresh's aggregate queries.

Statistics group timestamps by UTC month and UTC day. PostgreSQL stores ``timestamptz`` and
formats or truncates it after ``AT TIME ZONE 'UTC'``; SQLite stores UTC text and formats it
with ``strftime``/``date``. Callers never branch on the dialect themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement


def _utc(column: Any) -> Any:
    return func.timezone(literal_column("'UTC'"), column)


def month_text(column: Any, dialect: str) -> ColumnElement[str]:
    """The UTC month of a timestamp column as ``YYYY-MM`` text."""
    if dialect == "postgresql":
        return func.to_char(_utc(column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def day_of(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column, comparable with a ``Date`` column."""
    if dialect == "postgresql":
        return cast(_utc(column), Date)
    return func.date(column)
