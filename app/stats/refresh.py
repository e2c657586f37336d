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

Working days are counted in Python with ``HolidayDates.working_days_between``, the same
function the deadlines use, over the distinct (received day, end day) pairs SQL returns with
their counts. Petitions are never deleted (personal data is blanked, the record stays), so a
month's petitions only ever change, never vanish.

Concurrent refreshes (two workers, or the command while a worker runs) take turns on a row
lock of the ``stats_refresh`` row on PostgreSQL; SQLite serialises writers anyway.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Table, and_, delete, distinct, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.calendar.models import Holiday
from app.calendar.service import HolidayDates
from app.petitions.models import Petition
from app.stats.models import StatsAnswerDays, StatsClosed, StatsCube, StatsRefresh
from app.stats.services import body_expression, first_day, next_month, working_days
from app.stats.sql import as_date, day_of, month_key, month_of

CUBE: Table = StatsCube.__table__  # type: ignore[assignment]
CLOSED: Table = StatsClosed.__table__  # type: ignore[assignment]
ANSWER_DAYS: Table = StatsAnswerDays.__table__  # type: ignore[assignment]
SUMMARY_TABLES = (CUBE, CLOSED, ANSWER_DAYS)
GROUP = ("received_month", "petition_type", "body", "channel")
STATE_ID = 1
INSERT_BATCH = 5000


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
            months = self.session.scalar(select(func.count(distinct(CUBE.c.received_month)))) or 0
        else:
            changed = self._months_changed_since(state.watermark - self.lookback)  # type: ignore[operator]
            for month in changed:
                for table in SUMMARY_TABLES:
                    self.session.execute(delete(table).where(table.c.received_month == month))
                self._aggregate([Petition.created_at >= first_day(month), Petition.created_at < next_month(month)])
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

    def _month_column(self) -> ColumnElement[Any]:
        return month_of(Petition.created_at, self.dialect).label("month")

    def _months_changed_since(self, since: datetime) -> list[str]:
        month = self._month_column()
        query = select(month).where(Petition.updated_at > since).group_by(month)
        return sorted(month_key(raw) for raw in self.session.scalars(query))

    def _aggregate(self, conditions: list[ColumnElement[bool]]) -> None:
        """Insert the summary rows of the petitions matching ``conditions``."""
        month = self._month_column()
        group = (month, Petition.type, body_expression(self.corruption_unit).label("body"), Petition.channel)
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
        cube_columns = ("received", "answered_with_deadline", "answered_within_deadline", "ratings", "rating_sum")
        self._insert(CUBE, cube_columns, (
            (*_group_key(row), *(int(value) for value in row[4:])) for row in self.session.execute(cube)
        ))  # fmt: skip

        closed_month = month_of(Petition.closed_at, self.dialect).label("closed_month")
        closed = (
            select(*group, closed_month, func.count())
            .where(Petition.closed_at.is_not(None), *conditions)
            .group_by(*group, closed_month)
        )
        self._insert(CLOSED, ("closed_month", "closed"), (
            (*_group_key(row), month_key(row[4]), int(row[5])) for row in self.session.execute(closed)
        ))  # fmt: skip
        self._insert(ANSWER_DAYS, ("working_days", "petitions"), self._answer_days(group, conditions))

    def _answer_days(self, group: tuple[Any, ...], conditions: list[ColumnElement[bool]]) -> Iterable[tuple[Any, ...]]:
        """Petitions per group and working days from receipt to answer (or to closing, when
        there was none). SQL returns distinct (received day, end day) pairs with their counts;
        each distinct pair is counted in working days once."""
        end = func.coalesce(Petition.answered_at, Petition.closed_at)
        start_day = day_of(Petition.created_at, self.dialect).label("start_day")
        end_day = day_of(end, self.dialect).label("end_day")
        query = (
            select(*group, start_day, end_day, func.count())
            .where(end.is_not(None), *conditions)
            .group_by(*group, start_day, end_day)
        )
        days: dict[tuple[Any, Any], int] = {}
        histogram: Counter[tuple[Any, ...]] = Counter()
        for row in self.session.execute(query):
            pair = (row[4], row[5])
            if pair not in days:
                days[pair] = working_days(self.holidays, as_date(pair[0]), as_date(pair[1]))
            histogram[(*_group_key(row), days[pair])] += int(row[6])
        return ((*key, count) for key, count in histogram.items())

    def _insert(self, table: Table, measures: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert ``rows`` of the group columns followed by ``measures``, in batches."""
        names = GROUP + measures
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(dict(zip(names, row, strict=True)))
            if len(batch) == INSERT_BATCH:
                self.session.execute(insert(table), batch)
                batch = []
        if batch:
            self.session.execute(insert(table), batch)


def _group_key(row: Any) -> tuple[str, str, str, str]:
    return month_key(row[0]), row[1], row[2], row[3]
