"""Petition statistics: counts per month, type, body and channel, answer times, deadlines.

Every number comes from aggregate SQL over the petition table's own columns, never from
loading workflows. Three scans answer a whole dashboard: a small "cube" (received month × type
× body × channel, with the deadline, overdue and rating sums), the closing months, and the
(received day, answered day) pairs with their counts. Working days are computed in Python over
those pairs, with the holiday set loaded once and ``HolidayDates.working_days_between`` (pure
arithmetic: weeks × 5 plus the remainder, minus the holidays in range found by bisection).

The period filter selects petitions *received* in it; they are then counted in the month they
were closed, whenever that is. Corruption reports are always attributed to the receiving unit
(``corruption_unit``), never to the body they concern, in every aggregate and in open data.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.calendar.models import Holiday
from app.calendar.service import HolidayDates
from app.petitions.models import Petition, PetitionType, Status
from app.stats.sql import as_date, day_of, month_key, month_of

FINAL_STATUSES = tuple(s.value for s in Status if s.is_final)


class StatsError(ValueError):
    """A filter value that cannot be used (a malformed month, a period ending before it starts)."""


@dataclass(frozen=True)
class StatsFilters:
    """What to count: petitions received from ``start`` to ``end`` (``YYYY-MM``, inclusive)."""

    start: str | None = None
    end: str | None = None
    petition_type: str | None = None
    body: str | None = None

    def __post_init__(self) -> None:
        for month in (self.start, self.end):
            if month is not None:
                _first_day(month)
        if self.start and self.end and self.start > self.end:
            raise StatsError("the period ends before it starts")
        if self.petition_type is not None and self.petition_type not in set(PetitionType):
            raise StatsError(f"unknown petition type {self.petition_type!r}")

    def as_query(self) -> dict[str, str]:
        """The filters as URL query arguments (the names the views read)."""
        values = {"from": self.start, "to": self.end, "type": self.petition_type, "body": self.body}
        return {key: value for key, value in values.items() if value}


def _first_day(month: str) -> datetime:
    try:
        year, number = (int(part) for part in month.split("-"))
        if len(month) != 7:
            raise ValueError
        return datetime(year, number, 1, tzinfo=timezone.utc)
    except ValueError:
        raise StatsError(f"{month!r} is not a month (YYYY-MM)") from None


def _next_month(month: str) -> datetime:
    first = _first_day(month)
    return first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)


@dataclass(frozen=True)
class AnswerTimes:
    """Working days from receipt to answer (or to closing, when there was no answer)."""

    count: int
    median: float | None
    p90: float | None


@dataclass
class Summary:
    """One dashboard's numbers. Lists of (key, count) are sorted for display."""

    received: int = 0
    closed: int = 0
    received_by_month: list[tuple[str, int]] = field(default_factory=list)
    closed_by_month: list[tuple[str, int]] = field(default_factory=list)
    by_type: list[tuple[str, int]] = field(default_factory=list)
    by_body: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    overdue_by_body: list[tuple[str, int]] = field(default_factory=list)
    answer_times: AnswerTimes = AnswerTimes(0, None, None)
    answered_with_deadline: int = 0
    answered_within_deadline: int = 0
    overdue_now: int = 0
    ratings: int = 0
    rating_average: float | None = None

    @property
    def within_deadline_share(self) -> float | None:
        """Share of answered petitions (with a deadline) answered on or before it."""
        if not self.answered_with_deadline:
            return None
        return self.answered_within_deadline / self.answered_with_deadline

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the open-data JSON and the charts read this)."""
        share = self.within_deadline_share
        return {
            "received": self.received,
            "closed": self.closed,
            "received_by_month": dict(self.received_by_month),
            "closed_by_month": dict(self.closed_by_month),
            "by_type": dict(self.by_type),
            "by_body": dict(self.by_body),
            "by_channel": dict(self.by_channel),
            "answer_working_days": {
                "count": self.answer_times.count,
                "median": self.answer_times.median,
                "p90": self.answer_times.p90,
            },
            "answered_with_deadline": self.answered_with_deadline,
            "answered_within_deadline": self.answered_within_deadline,
            "within_deadline_share": None if share is None else round(share, 4),
            "overdue_now": self.overdue_now,
            "ratings": self.ratings,
            "rating_average": None if self.rating_average is None else round(self.rating_average, 2),
        }


def weighted_quantile(counts: Iterable[tuple[float, int]], q: float) -> float | None:
    """The ``q`` quantile of values given with their counts, interpolated linearly between
    the two nearest ranks (numpy's default and ``statistics.quantiles(method='inclusive')``),
    so the 0.5 quantile is the usual median."""
    pairs = sorted((value, n) for value, n in counts if n > 0)
    if not pairs:
        return None
    cumulative = list(_accumulate(n for _value, n in pairs))
    position = q * (cumulative[-1] - 1)
    low, high = math.floor(position), math.ceil(position)

    def value_at(rank: int) -> float:
        return pairs[bisect.bisect_right(cumulative, rank)][0]

    low_value, high_value = value_at(low), value_at(high)
    return low_value + (high_value - low_value) * (position - low)


def _accumulate(values: Iterable[int]) -> Iterator[int]:
    total = 0
    for value in values:
        total += value
        yield total


class StatsService:
    """Read-only statistics over ``session``'s database; never writes."""

    def __init__(self, session: Session, corruption_unit: str, holidays: HolidayDates | None = None) -> None:
        self.session = session
        self.corruption_unit = corruption_unit
        self._holidays = holidays
        self.dialect = session.get_bind().dialect.name

    @property
    def holidays(self) -> HolidayDates:
        if self._holidays is None:
            self._holidays = HolidayDates.of(self.session.scalars(select(Holiday.day)))
        return self._holidays

    # Expressions --------------------------------------------------------------------------
    def body_expression(self) -> ColumnElement[Any]:
        """The body a petition counts for: its competent body, else the office holding it;
        always the receiving unit for corruption reports."""
        return case(
            (Petition.type == PetitionType.CORRUPTION.value, literal(self.corruption_unit)),
            else_=func.coalesce(Petition.competent_body, Petition.current_office),
        )

    def _where(self, filters: StatsFilters) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if filters.start:
            conditions.append(Petition.created_at >= _first_day(filters.start))
        if filters.end:
            conditions.append(Petition.created_at < _next_month(filters.end))
        if filters.petition_type:
            conditions.append(Petition.type == filters.petition_type)
        if filters.body:
            conditions.append(self.body_expression() == filters.body)
        return conditions

    # The dashboard ------------------------------------------------------------------------
    def summary(self, filters: StatsFilters, now: datetime | None = None) -> Summary:
        now = now or datetime.now(timezone.utc)
        summary = Summary()
        self._fill_cube(summary, filters, now)
        self._fill_closed(summary, filters)
        summary.answer_times = self.answer_times(filters)
        return summary

    def _fill_cube(self, summary: Summary, filters: StatsFilters, now: datetime) -> None:
        month = month_of(Petition.created_at, self.dialect).label("month")
        body = self.body_expression().label("body")
        answered_due = and_(Petition.answered_at.is_not(None), Petition.response_due_at.is_not(None))
        overdue = and_(
            Petition.status.not_in(FINAL_STATUSES),
            Petition.answered_at.is_(None),
            Petition.response_due_at < now,
        )
        query = (
            select(
                month,
                Petition.type,
                body,
                Petition.channel,
                func.count(),
                # COUNT(*) FILTER (WHERE …): PostgreSQL and SQLite (3.30+); cheaper than SUM(CASE).
                func.count().filter(answered_due),
                func.count().filter(and_(answered_due, Petition.answered_at <= Petition.response_due_at)),
                func.count().filter(overdue),
                func.count(Petition.rating),
                func.sum(Petition.rating),
            )
            .where(*self._where(filters))
            .group_by(month, Petition.type, body, Petition.channel)
        )
        by_month: Counter[str] = Counter()
        by_type: Counter[str] = Counter()
        by_body: Counter[str] = Counter()
        by_channel: Counter[str] = Counter()
        overdue_by_body: Counter[str] = Counter()
        rating_sum = 0
        for row in self.session.execute(query):
            raw_month, kind, body_code, channel, count, with_due, within, late, rated, rating_total = row
            count = int(count)
            summary.received += count
            by_month[month_key(raw_month)] += count
            by_type[kind] += count
            by_body[body_code] += count
            by_channel[channel] += count
            summary.answered_with_deadline += int(with_due or 0)
            summary.answered_within_deadline += int(within or 0)
            summary.overdue_now += int(late or 0)
            if late:
                overdue_by_body[body_code] += int(late)
            summary.ratings += int(rated or 0)
            rating_sum += int(rating_total or 0)
        summary.rating_average = rating_sum / summary.ratings if summary.ratings else None
        summary.received_by_month = _months_filled(by_month)
        summary.by_type = _by_count(by_type)
        summary.by_body = _by_count(by_body)
        summary.by_channel = _by_count(by_channel)
        summary.overdue_by_body = _by_count(overdue_by_body)

    def _fill_closed(self, summary: Summary, filters: StatsFilters) -> None:
        month = month_of(Petition.closed_at, self.dialect).label("month")
        query = (
            select(month, func.count())
            .where(Petition.closed_at.is_not(None), *self._where(filters))
            .group_by(month)
        )
        closed = Counter({month_key(raw): int(count) for raw, count in self.session.execute(query)})
        summary.closed = sum(closed.values())
        summary.closed_by_month = _months_filled(closed)

    def answer_times(self, filters: StatsFilters) -> AnswerTimes:
        """Median and 90th percentile of working days to answer, over the petitions answered
        (or closed without an answer). SQL returns distinct (received day, end day) pairs with
        their counts, so the Python side stays small however many petitions there are."""
        end = func.coalesce(Petition.answered_at, Petition.closed_at)
        start_day = day_of(Petition.created_at, self.dialect).label("start_day")
        end_day = day_of(end, self.dialect).label("end_day")
        query = (
            select(start_day, end_day, func.count())
            .where(end.is_not(None), *self._where(filters))
            .group_by(start_day, end_day)
        )
        durations: Counter[int] = Counter()
        for start, finish, count in self.session.execute(query):
            durations[self.working_days(as_date(start), as_date(finish))] += int(count)
        total = sum(durations.values())
        return AnswerTimes(
            total,
            weighted_quantile(durations.items(), 0.5),
            weighted_quantile(durations.items(), 0.9),
        )

    def working_days(self, start: date, end: date) -> int:
        """Working days after ``start`` up to ``end`` (0 when answered the day it arrived)."""
        midnight = datetime.min.time()
        return self.holidays.working_days_between(
            datetime.combine(start, midnight, timezone.utc), datetime.combine(end, midnight, timezone.utc)
        )

    # Open data, one row per petition --------------------------------------------------------
    def petition_rows(self, filters: StatsFilters, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Anonymised rows for ``petitions.csv``: no names, contact data or free text, and for
        corruption reports no body other than the receiving unit. Streamed in batches."""
        query = (
            select(
                Petition.tracking_number,
                Petition.type,
                Petition.channel,
                self.body_expression(),
                Petition.status,
                Petition.created_at,
                Petition.answered_at,
                Petition.closed_at,
                Petition.response_due_at,
                Petition.rating,
            )
            .where(*self._where(filters))
            .order_by(Petition.id)
            .execution_options(yield_per=batch)
        )
        for number, kind, channel, body, status, created, answered, closed, due, rating in self.session.execute(query):
            end = answered or closed
            yield {
                "tracking_number": number or "",
                "type": kind,
                "channel": channel,
                "body": body,
                "status": status,
                "created_month": f"{created.year:04d}-{created.month:02d}",
                "answered_on": answered.date().isoformat() if answered else "",
                "closed_on": closed.date().isoformat() if closed else "",
                "working_days_to_answer": "" if end is None else self.working_days(created.date(), end.date()),
                "within_deadline": "" if answered is None or due is None else int(answered <= due),
                "rating": "" if rating is None else rating,
            }


def _by_count(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _months_filled(counter: Counter[str]) -> list[tuple[str, int]]:
    """Months in order, with the empty months between the first and the last as zeros."""
    if not counter:
        return []
    first, last = min(counter), max(counter)
    filled: dict[str, int] = defaultdict(int)
    month = first
    while month <= last:
        filled[month] = counter.get(month, 0)
        following = _next_month(month)
        month = f"{following.year:04d}-{following.month:02d}"
    return list(filled.items())
