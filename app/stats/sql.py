"""Dialect-aware date bucketing for aggregate queries.

Statistics group timestamps by UTC month and UTC day. PostgreSQL stores ``timestamptz`` and
truncates with ``date_trunc`` after ``AT TIME ZONE 'UTC'``; SQLite stores text and formats it
with ``strftime``. The helpers return SQL expressions for the query and a ``parse`` function
for what comes back (a datetime/date on PostgreSQL, a string on SQLite), so callers never
branch on the dialect themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement


def _utc(column: Any) -> Any:
    return func.timezone(literal_column("'UTC'"), column)


def month_of(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC month of a timestamp column, as a value ``month_key`` turns into ``YYYY-MM``."""
    if dialect == "postgresql":
        return func.date_trunc("month", _utc(column))
    return func.strftime("%Y-%m", column)


def day_of(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column (``as_date`` turns it into a ``date``)."""
    if dialect == "postgresql":
        return cast(_utc(column), Date)
    return func.date(column)


def month_key(value: Any) -> str:
    """``YYYY-MM`` from what ``month_of`` returned."""
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value)[:7]


def as_date(value: Any) -> date:
    """A ``date`` from what ``day_of`` returned."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
