"""Petition statistics: counts per month, type, body and channel, answer times, deadlines.

Dashboards read the pre-aggregated summary (``app.stats.models``, kept up to date by
``app.stats.refresh``), never the petitions themselves and never workflows: three small
aggregate queries over the summary tables, filtered by the same four dimensions, and one live
query for what must not wait for a refresh, the petitions overdue now, served by a partial index
over the few petitions still awaiting an answer. The figures are those of the last refresh
(``Summary.figures_as_of``); "overdue now" is always current.

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

from sqlalchemy import Select, Table, case, func, literal, select, text, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.calendar.models import Holiday
from app.calendar.service import HolidayDates
from app.petitions.models import AWAITING_ANSWER, Channel, Petition, PetitionType
from app.stats.models import (
    StatsAnswerDays,
    StatsAnswerDaysRollup,
    StatsClosed,
    StatsClosedRollup,
    StatsCube,
    StatsCubeRollup,
    StatsRefresh,
)


CUBE_DIMENSIONS = ("received_month", "petition_type", "body", "channel")


class StatsError(ValueError):
    """A filter value that cannot be used (a malformed month, a period ending before it starts)."""


@dataclass(frozen=True)
class StatsFilters:
    """What to count: petitions received from ``start`` to ``end`` (``YYYY-MM``, inclusive)."""

    start: str | None = None
    end: str | None = None
    petition_type: str | None = None
    body: str | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        for month in (self.start, self.end):
            if month is not None:
                first_day(month)
        if self.start and self.end and self.start > self.end:
            raise StatsError("the period ends before it starts")
        if self.petition_type is not None and self.petition_type not in set(PetitionType):
            raise StatsError(f"unknown petition type {self.petition_type!r}")
        if self.channel is not None and self.channel not in set(Channel):
            raise StatsError(f"unknown channel {self.channel!r}")

    def group_filters(self) -> list[tuple[str, str]]:
        """The filtered group columns of the summary tables, with their values."""
        values = (("petition_type", self.petition_type), ("body", self.body), ("channel", self.channel))
        return [(name, value) for name, value in values if value]

    def as_query(self) -> dict[str, str]:
        """The filters as URL query arguments (the names the views read)."""
        values = {
            "from": self.start, "to": self.end, "type": self.petition_type, "body": self.body,
            "channel": self.channel,
        }  # fmt: skip
        return {key: value for key, value in values.items() if value}


def first_day(month: str) -> datetime:
    """Midnight UTC on the first day of ``month`` (``YYYY-MM``)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        if len(month) != 7:
            raise ValueError
        return datetime(year, number, 1, tzinfo=timezone.utc)
    except ValueError:
        raise StatsError(f"{month!r} is not a month (YYYY-MM)") from None


def next_month(month: str) -> datetime:
    """Midnight UTC on the first day of the month after ``month``."""
    first = first_day(month)
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
    # When the summary these numbers come from was refreshed (None: never yet).
    figures_as_of: datetime | None = None

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


def body_expression(corruption_unit: str) -> ColumnElement[Any]:
    """The body a petition counts for: its competent body, else the office holding it;
    always the receiving unit for corruption reports."""
    return case(
        (Petition.type == PetitionType.CORRUPTION.value, literal(corruption_unit)),
        else_=func.coalesce(Petition.competent_body, Petition.current_office),
    )


def working_days(holidays: HolidayDates, start: date, end: date) -> int:
    """Working days after ``start`` up to ``end`` (0 when answered the day it arrived)."""
    midnight = datetime.min.time()
    return holidays.working_days_between(
        datetime.combine(start, midnight, timezone.utc), datetime.combine(end, midnight, timezone.utc)
    )


class StatsService:
    """Read-only statistics over ``session``'s database; never writes."""

    def __init__(self, session: Session, corruption_unit: str, holidays: HolidayDates | None = None) -> None:
        self.session = session
        self.corruption_unit = corruption_unit
        self._holidays = holidays

    @property
    def holidays(self) -> HolidayDates:
        if self._holidays is None:
            self._holidays = HolidayDates.of(self.session.scalars(select(Holiday.day)))
        return self._holidays

    def body_expression(self) -> ColumnElement[Any]:
        return body_expression(self.corruption_unit)

    def _petition_where(self, filters: StatsFilters) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if filters.start:
            conditions.append(Petition.created_at >= first_day(filters.start))
        if filters.end:
            conditions.append(Petition.created_at < next_month(filters.end))
        if filters.petition_type:
            conditions.append(Petition.type == filters.petition_type)
        if filters.body:
            conditions.append(self.body_expression() == filters.body)
        if filters.channel:
            conditions.append(Petition.channel == filters.channel)
        return conditions

    @staticmethod
    def _summary_where(table: Table, filters: StatsFilters) -> list[ColumnElement[bool]]:
        columns = table.c
        conditions: list[ColumnElement[bool]] = []
        if filters.start:
            conditions.append(columns.received_month >= filters.start)
        if filters.end:
            conditions.append(columns.received_month <= filters.end)
        conditions.extend(columns[name] == value for name, value in filters.group_filters())
        return conditions

    def _sum_by(self, detailed: type[Any], rollup: type[Any], kept: str, measure: str, filters: StatsFilters) -> Counter[Any]:
        """``measure`` summed per ``kept`` value over the petitions ``filters`` select: from the
        rollup when at most one group column is filtered, else from the detailed table."""
        chosen = filters.group_filters()
        if len(chosen) <= 1:
            dimension, key = chosen[0] if chosen else ("all", "")
            table: Table = rollup.__table__
            conditions = [table.c.dimension == dimension, table.c.key == key]
            conditions += self._summary_where(table, StatsFilters(start=filters.start, end=filters.end))
        else:
            table = detailed.__table__
            conditions = self._summary_where(table, filters)
        column = table.c[kept]
        query = select(column, func.sum(table.c[measure])).where(*conditions).group_by(column)
        return Counter({value: int(total) for value, total in self.session.execute(query)})

    # The dashboard ------------------------------------------------------------------------
    def summary(self, filters: StatsFilters, now: datetime | None = None) -> Summary:
        summary = Summary(figures_as_of=self.session.scalar(select(StatsRefresh.refreshed_at)))
        self._fill_cube(summary, filters)
        self._fill_closed(summary, filters)
        summary.answer_times = self.answer_times(filters)
        self._fill_overdue(summary, filters, now or datetime.now(timezone.utc))
        return summary

    def _fill_cube(self, summary: Summary, filters: StatsFilters) -> None:
        """Totals and the counts per month, type, body and channel: one round trip, summed
        by the database (``UNION ALL`` of one ``GROUP BY`` per dimension), from the rollup when
        only the period is filtered."""
        counts: dict[str, Counter[str]] = {dimension: Counter() for dimension in CUBE_DIMENSIONS}
        rating_sum = 0
        parts = self._cube_parts(filters) if filters.group_filters() else self._cube_rollup_parts(filters)
        for dimension, key, received, with_due, within, rated, rating_total in self.session.execute(union_all(*parts)):
            if dimension != "total":
                counts[dimension][key] = int(received)
                continue
            summary.received = int(received)
            summary.answered_with_deadline = int(with_due)
            summary.answered_within_deadline = int(within)
            summary.ratings = int(rated)
            rating_sum = int(rating_total)
        summary.rating_average = rating_sum / summary.ratings if summary.ratings else None
        summary.received_by_month = _months_filled(counts["received_month"])
        summary.by_type = _by_count(counts["petition_type"])
        summary.by_body = _by_count(counts["body"])
        summary.by_channel = _by_count(counts["channel"])

    def _cube_parts(self, filters: StatsFilters) -> list[Select[Any]]:
        table: Table = StatsCube.__table__  # type: ignore[assignment]
        where, sums = self._summary_where(table, filters), _cube_sums(table)
        parts = [select(literal("total"), literal(""), *sums).where(*where)]
        for dimension in CUBE_DIMENSIONS:
            key = table.c[dimension]
            parts.append(select(literal(dimension), key, *sums).where(*where).group_by(key))
        return parts

    def _cube_rollup_parts(self, filters: StatsFilters) -> list[Select[Any]]:
        table: Table = StatsCubeRollup.__table__  # type: ignore[assignment]
        columns, where, sums = table.c, self._summary_where(table, filters), _cube_sums(table)
        everything = [*where, columns.dimension == "all"]
        return [
            select(literal("total"), literal(""), *sums).where(*everything),
            select(literal("received_month"), columns.received_month, *sums).where(*everything).group_by(columns.received_month),
            select(columns.dimension, columns.key, *sums)
            .where(*where, columns.dimension != "all")
            .group_by(columns.dimension, columns.key),
        ]

    def _fill_closed(self, summary: Summary, filters: StatsFilters) -> None:
        closed = self._sum_by(StatsClosed, StatsClosedRollup, "closed_month", "closed", filters)
        summary.closed = sum(closed.values())
        summary.closed_by_month = _months_filled(closed)

    def answer_times(self, filters: StatsFilters) -> AnswerTimes:
        """Median and 90th percentile of working days to answer, over the petitions answered
        (or closed without an answer), from the summary's histogram: exact, not binned."""
        durations = self._sum_by(StatsAnswerDays, StatsAnswerDaysRollup, "working_days", "petitions", filters)
        return AnswerTimes(
            sum(durations.values()),
            weighted_quantile(durations.items(), 0.5),
            weighted_quantile(durations.items(), 0.9),
        )

    def _fill_overdue(self, summary: Summary, filters: StatsFilters, now: datetime) -> None:
        """Petitions past their deadline and still unanswered, by body, as of ``now``."""
        body = self.body_expression().label("body")
        query = (
            select(body, func.count())
            .where(text(AWAITING_ANSWER), Petition.response_due_at < now, *self._petition_where(filters))
            .group_by(body)
        )
        overdue = Counter({code: int(count) for code, count in self.session.execute(query)})
        summary.overdue_now = sum(overdue.values())
        summary.overdue_by_body = _by_count(overdue)

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
            .where(*self._petition_where(filters))
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
                "working_days_to_answer": "" if end is None else working_days(self.holidays, created.date(), end.date()),
                "within_deadline": "" if answered is None or due is None else int(answered <= due),
                "rating": "" if rating is None else rating,
            }


def _cube_sums(table: Table) -> list[ColumnElement[int]]:
    columns = table.c
    return [
        func.coalesce(func.sum(column), 0)
        for column in (columns.received, columns.answered_with_deadline, columns.answered_within_deadline,
                       columns.ratings, columns.rating_sum)
    ]  # fmt: skip


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
        following = next_month(month)
        month = f"{following.year:04d}-{following.month:02d}"
    return list(filled.items())
