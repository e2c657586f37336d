"""Rebuilding the statistics summary (``app.stats.models``) from the petition table.

The summary is a function of each petition's received month, type, body, channel, answer and
closing dates, deadline and rating, and of the holidays. A petition's received month never
changes, so whatever else changes about it, only the summary rows of that month can change:
an incremental refresh finds the months of the petitions changed since the last refresh (by the
indexed ``updated_at``) and recomputes those months whole, from the petitions received in them
(by the indexed ``created_at``). Recomputing a whole month, rather than patching counts, makes a
refresh idempotent and lets a petition move between groups (a transfer changes its body)
without the summary having to know where it was before.

A full refresh recomputes every month. It happens on demand (``flask epeople stats-refresh
--full``), on the first refresh, and whenever the holidays or the corruption unit differ from
those the summary was computed with (a new holiday changes working-day counts in every month
around it).

Every summary row is computed in the database (``INSERT … SELECT … GROUP BY``). Working days
are too: the refresh writes, for each day the petitions span, its working-day number
(``HolidayDates.working_day_number``, the arithmetic behind the deadlines' own
``working_days_between``), and the working days between two days are the difference of their
numbers. Petitions are never deleted (personal data is blanked, the record stays), so a
month's petitions only ever change, never vanish.

Concurrent refreshes (two workers, or the command while a worker runs) take turns on a row
lock of the ``stats_refresh`` row on PostgreSQL; SQLite serialises writers anyway.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Select, Table, and_, delete, distinct, func, insert, literal, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from app.calendar.models import Holiday
from app.calendar.service import HolidayDates
from app.petitions.models import Petition
from app.stats.models import (
    StatsAnswerDays,
    StatsAnswerDaysRollup,
    StatsClosed,
    StatsClosedRollup,
    StatsCube,
    StatsCubeRollup,
    StatsRefresh,
    StatsWorkingDay,
)
from app.stats.services import body_expression, first_day, next_month
from app.stats.sql import day_of, month_text

CUBE: Table = StatsCube.__table__  # type: ignore[assignment]
CLOSED: Table = StatsClosed.__table__  # type: ignore[assignment]
ANSWER_DAYS: Table = StatsAnswerDays.__table__  # type: ignore[assignment]
CLOSED_ROLLUP: Table = StatsClosedRollup.__table__  # type: ignore[assignment]
ANSWER_DAYS_ROLLUP: Table = StatsAnswerDaysRollup.__table__  # type: ignore[assignment]
CUBE_ROLLUP: Table = StatsCubeRollup.__table__  # type: ignore[assignment]
SUMMARY_TABLES = (CUBE, CLOSED, ANSWER_DAYS, CUBE_ROLLUP, CLOSED_ROLLUP, ANSWER_DAYS_ROLLUP)
CUBE_MEASURES = ("received", "answered_with_deadline", "answered_within_deadline", "ratings", "rating_sum")
# Each rollup table and the detailed table it sums, with the columns it keeps and its measures.
ROLLUPS = (
    (CUBE_ROLLUP, CUBE, (), CUBE_MEASURES),
    (CLOSED_ROLLUP, CLOSED, ("closed_month",), ("closed",)),
    (ANSWER_DAYS_ROLLUP, ANSWER_DAYS, ("working_days",), ("petitions",)),
)
GROUP = ("received_month", "petition_type", "body", "channel")
STATE_ID = 1
INSERT_BATCH = 1000  # calendar rows per INSERT (two parameters each; SQLite allows 32 766)


@dataclass(frozen=True)
class RefreshResult:
    full: bool
    months: int
    seconds: float

    def __str__(self) -> str:
        kind = "full" if self.full else "incremental"
        return f"{kind} refresh of {self.months} month(s) in {self.seconds:.2f} s"


class StatsRefresher:
    """Brings the summary up to date in ``session`` and commits."""

    def __init__(self, session: Session, corruption_unit: str, lookback: timedelta) -> None:
        self.session = session
        self.corruption_unit = corruption_unit
        self.lookback = lookback
        self.dialect = session.get_bind().dialect.name
        self.holidays = HolidayDates.of(session.scalars(select(Holiday.day)))

    def fingerprint(self) -> str:
        days = ",".join(sorted(day.isoformat() for day in self.holidays.days))
        return hashlib.sha256(f"{self.corruption_unit}|{days}".encode()).hexdigest()

    def refresh(self, full: bool = False) -> RefreshResult:
        began = time.perf_counter()
        state = self._locked_state()
        fingerprint = self.fingerprint()
        full = full or state.watermark is None or state.fingerprint != fingerprint
        now = datetime.now(timezone.utc)
        # Read before the petitions: a change committed while this refresh runs is newer, so
        # the next refresh redoes its month even if this one already counted it.
        watermark = self.session.scalar(select(func.max(Petition.updated_at))) or now
        if full:
            for table in SUMMARY_TABLES:
                self.session.execute(delete(table))
            self._aggregate([])
            self._roll_up(None)
            months = self.session.scalar(select(func.count(distinct(CUBE.c.received_month)))) or 0
        else:
            changed = self._months_changed_since(state.watermark - self.lookback)  # type: ignore[operator]
            for month in changed:
                for table in SUMMARY_TABLES:
                    self.session.execute(delete(table).where(table.c.received_month == month))
                self._aggregate([Petition.created_at >= first_day(month), Petition.created_at < next_month(month)])
                self._roll_up(month)
            months = len(changed)
        state.refreshed_at = now
        state.watermark = watermark
        state.fingerprint = fingerprint
        self.session.commit()
        return RefreshResult(full, months, time.perf_counter() - began)

    def _locked_state(self) -> StatsRefresh:
        state = self.session.scalar(select(StatsRefresh).where(StatsRefresh.id == STATE_ID).with_for_update())
        if state is None:
            state = StatsRefresh(id=STATE_ID)
            self.session.add(state)
            self.session.flush()
        return state

    def _month_column(self) -> ColumnElement[str]:
        return month_text(Petition.created_at, self.dialect).label("month")

    def _months_changed_since(self, since: datetime) -> list[str]:
        month = self._month_column()
        return sorted(self.session.scalars(select(month).where(Petition.updated_at > since).group_by(month)))

    def _aggregate(self, conditions: list[ColumnElement[bool]]) -> None:
        """Insert the summary rows of the petitions matching ``conditions``, each table with
        one INSERT … SELECT … GROUP BY: no petition row leaves the database."""
        group = (self._month_column(), Petition.type, body_expression(self.corruption_unit).label("body"), Petition.channel)
        answered_due = and_(Petition.answered_at.is_not(None), Petition.response_due_at.is_not(None))
        cube = (
            select(
                *group,
                func.count(),
                # COUNT(*) FILTER (WHERE …): PostgreSQL and SQLite (3.30+); cheaper than SUM(CASE).
                func.count().filter(answered_due),
                func.count().filter(and_(answered_due, Petition.answered_at <= Petition.response_due_at)),
                func.count(Petition.rating),
                func.coalesce(func.sum(Petition.rating), 0),
            )
            .where(*conditions)
            .group_by(*group)
        )
        self._insert(CUBE, CUBE_MEASURES, cube)

        closed_month = month_text(Petition.closed_at, self.dialect)
        closed = (
            select(*group, closed_month, func.count())
            .where(Petition.closed_at.is_not(None), *conditions)
            .group_by(*group, closed_month)
        )
        self._insert(CLOSED, ("closed_month", "closed"), closed)

        # Working days from receipt to answer (or to closing, when there was none): the
        # difference of the two days' working-day numbers.
        end = func.coalesce(Petition.answered_at, Petition.closed_at)
        self._fill_calendar(conditions, end)
        received_day, end_day = aliased(StatsWorkingDay), aliased(StatsWorkingDay)
        days = (end_day.number - received_day.number).label("working_days")
        answer_days = (
            select(*group, days, func.count())
            .select_from(Petition)
            .join(received_day, received_day.day == day_of(Petition.created_at, self.dialect))
            .join(end_day, end_day.day == day_of(end, self.dialect))
            .where(end.is_not(None), *conditions)
            .group_by(*group, days)
        )
        self._insert(ANSWER_DAYS, ("working_days", "petitions"), answer_days)

    def _roll_up(self, month: str | None) -> None:
        """Sum the detailed rows of ``month`` (every month when None) into the rollup tables:
        once over everything, once per value of each of the other group columns."""
        for rollup, detailed, kept, measures in ROLLUPS:
            columns = detailed.c
            for dimension in ("all", *GROUP[1:]):
                key = literal("") if dimension == "all" else columns[dimension]
                grouping = [columns.received_month, *(columns[name] for name in kept)]
                if dimension != "all":
                    grouping.append(key)
                query = (
                    select(
                        literal(dimension), key, columns.received_month, *(columns[name] for name in kept),
                        *(func.sum(columns[name]) for name in measures),
                    )
                    .where(*([] if month is None else [columns.received_month == month]))
                    .group_by(*grouping)
                )  # fmt: skip
                names = ["dimension", "key", "received_month", *kept, *measures]
                self.session.execute(insert(rollup).from_select(names, query))

    def _fill_calendar(self, conditions: list[ColumnElement[bool]], end: ColumnElement[Any]) -> None:
        """Write the working-day numbers of every day from the earliest to the latest date the
        petitions matching ``conditions`` were received, answered or closed."""
        created = day_of(Petition.created_at, self.dialect)
        ended = day_of(end, self.dialect)
        query = select(func.min(created), func.max(created), func.min(ended), func.max(ended)).where(*conditions)
        days = [_as_date(value) for value in self.session.execute(query).one() if value is not None]
        self.session.execute(delete(StatsWorkingDay))
        if not days:
            return
        first, last = min(days), max(days)
        rows = [
            {"day": first + timedelta(days=offset), "number": self.holidays.working_day_number(first + timedelta(days=offset))}
            for offset in range((last - first).days + 1)
        ]
        for start in range(0, len(rows), INSERT_BATCH):
            self.session.execute(insert(StatsWorkingDay).values(rows[start : start + INSERT_BATCH]))

    def _insert(self, table: Table, measures: tuple[str, ...], query: Select[Any]) -> None:
        """``INSERT INTO table (group columns, measures) <query>``."""
        self.session.execute(insert(table).from_select([*GROUP, *measures], query))


def _as_date(value: Any) -> date:
    """A ``date`` from what ``day_of`` returned (a date on PostgreSQL, text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
