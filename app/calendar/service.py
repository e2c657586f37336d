"""Working days: Monday to Friday, minus public holidays.

``CalendarService`` is the one place that reads and changes holidays (the admin pages, the
seed command and the tasklist all go through it). Deadlines are also computed inside workflow
steps, where there is no request: for those, ``HolidayCache`` keeps the holiday dates of one
app in memory, loads them lazily through the app's ``Database``, and is invalidated by the
service whenever a holiday is added, renamed or removed (immediately, and again when that
transaction commits). Other processes (the timer worker, other web workers) see a change after
at most ``ttl`` seconds (5 minutes by default).

All datetimes are handled in UTC and returned timezone-aware; a naive datetime is taken as UTC.
The weekday and holiday of a moment are those of its UTC date.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.calendar.models import Holiday
from app.db import Database

WEEKEND = (5, 6)  # Saturday, Sunday (date.weekday())
MAX_WORKING_DAYS = 3660  # about 14 years: a bigger offset is a bug in a diagram, not a deadline
DEFAULT_TTL_SECONDS = 300.0

# Tunisia's fixed-date public holidays (month, day, English, French, Arabic). The Islamic
# holidays move every year and are added by an administrator.
TUNISIA_FIXED_HOLIDAYS: tuple[tuple[int, int, str, str, str], ...] = (
    (1, 1, "New Year's Day", "Jour de l'an", "رأس السنة الإدارية"),
    (3, 20, "Independence Day", "Fête de l'indépendance", "عيد الاستقلال"),
    (4, 9, "Martyrs' Day", "Journée des martyrs", "عيد الشهداء"),
    (5, 1, "Labour Day", "Fête du travail", "عيد الشغل"),
    (7, 25, "Republic Day", "Fête de la République", "عيد الجمهورية"),
    (8, 13, "Women's Day", "Fête de la femme", "عيد المرأة"),
    (10, 15, "Evacuation Day", "Fête de l'évacuation", "عيد الجلاء"),
    (12, 17, "Revolution Day", "Fête de la révolution", "عيد الثورة"),
)


class CalendarError(ValueError):
    """A holiday change that cannot be made (duplicate day, unknown day, bad value)."""


# Pure working-day arithmetic ---------------------------------------------------------------


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC, timezone-aware; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_moment(value: datetime | date | str) -> datetime:
    """A datetime from a datetime, a date (midnight UTC) or an ISO-8601 string."""
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time(), tzinfo=timezone.utc)
    if isinstance(value, str):
        try:
            return as_utc(datetime.fromisoformat(value.strip()))
        except ValueError:
            raise CalendarError(f"'{value}' is not an ISO-8601 date and time") from None
    raise CalendarError(f"expected a date and time, got {type(value).__name__}")


def _weekdays_up_to(day: date) -> int:
    """How many Mondays-to-Fridays there are from 0001-01-01 (a Monday) to ``day`` included."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


@dataclass(frozen=True)
class HolidayDates:
    """An immutable set of holiday dates, with the weekday ones sorted for counting."""

    days: frozenset[date]
    weekday_days: tuple[date, ...]

    @classmethod
    def of(cls, days: Iterable[date]) -> HolidayDates:
        unique = frozenset(days)
        return cls(unique, tuple(sorted(d for d in unique if d.weekday() not in WEEKEND)))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in WEEKEND and day not in self.days

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """``start`` moved by ``n`` working days (backwards if negative), same time of day, UTC.

        Counting begins the day after ``start``: Friday + 1 working day is the next Monday
        (or Tuesday when Monday is a holiday). ``n == 0`` returns ``start`` unchanged.
        """
        n = _check_count(n)
        start = as_utc(start)
        day = start.date()
        step = timedelta(days=1 if n > 0 else -1)
        left = abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return datetime.combine(day, start.timetz())

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after ``start``'s date up to ``end``'s date included; negative when
        ``end`` is earlier (then the days after ``end`` up to ``start``). The time of day is
        ignored, so ``working_days_between(s, add_working_days(s, n)) == n`` for n >= 0."""
        return self.working_day_number(as_utc(end).date()) - self.working_day_number(as_utc(start).date())

    def working_day_number(self, day: date) -> int:
        """How many working days there are from 0001-01-01 to ``day`` included: the working days
        between two dates are the difference of their numbers (statistics join on a table of
        these numbers to count working days in SQL)."""
        return _weekdays_up_to(day) - bisect.bisect_right(self.weekday_days, day)


def _check_count(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise CalendarError(f"the number of working days must be an integer, not {n!r}")
    if abs(n) > MAX_WORKING_DAYS:
        raise CalendarError(f"{n} working days is more than the allowed {MAX_WORKING_DAYS}")
    return n


# The in-memory cache used inside workflow steps ------------------------------------------------


class HolidayCache:
    """The holiday dates of one app, loaded lazily and kept for at most ``ttl`` seconds.

    Thread-safe. A load that raced with an invalidation is not kept, so a change committed
    while another thread was reading is never hidden for a whole ``ttl``.
    """

    def __init__(
        self, db: Database, ttl: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.db = db
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._value: HolidayDates | None = None
        self._loaded_at = 0.0
        self._generation = 0
        self.loads = 0  # how many times the database was read (for tests and diagnostics)

    def get(self) -> HolidayDates:
        with self._lock:
            if self._value is not None and self.clock() - self._loaded_at < self.ttl:
                return self._value
            generation = self._generation
        with self.db.session() as session:
            value = HolidayDates.of(session.scalars(select(Holiday.day)))
        with self._lock:
            self.loads += 1
            if generation == self._generation:
                self._value, self._loaded_at = value, self.clock()
        return value

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._value = None


# The service --------------------------------------------------------------------------------


class CalendarService:
    """Holidays and working days. Works in the caller's transaction and never commits.

    With a ``cache`` (the app's, see ``app.calendar.calendar_service``), working-day arithmetic
    reads committed holidays from it and every change invalidates it; without one, holidays
    are read through ``session`` on each call.
    """

    def __init__(self, session: Session, cache: HolidayCache | None = None) -> None:
        self.session = session
        self.cache = cache

    # Holidays ---------------------------------------------------------------------------------
    def list(self, year: int | None = None) -> list[Holiday]:
        query = select(Holiday).order_by(Holiday.day)
        if year is not None:
            query = query.where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
        return list(self.session.scalars(query))

    def get(self, day: date) -> Holiday | None:
        return self.session.scalar(select(Holiday).where(Holiday.day == day))

    def add(self, day: date, name_en: str, name_fr: str = "", name_ar: str = "") -> Holiday:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise CalendarError("a holiday is a date, without a time")
        if self.get(day) is not None:
            raise CalendarError(f"{day.isoformat()} is already a holiday")
        holiday = Holiday(day=day, **_names(name_en, name_fr, name_ar))
        self.session.add(holiday)
        self.session.flush()
        self._changed()
        return holiday

    def rename(self, day: date, name_en: str, name_fr: str = "", name_ar: str = "") -> Holiday:
        holiday = self.get(day)
        if holiday is None:
            raise CalendarError(f"{day.isoformat()} is not a holiday")
        for key, value in _names(name_en, name_fr, name_ar).items():
            setattr(holiday, key, value)
        self.session.flush()
        return holiday

    def remove(self, day: date) -> bool:
        """Remove the holiday on ``day``; False if there was none."""
        holiday = self.get(day)
        if holiday is None:
            return False
        self.session.delete(holiday)
        self.session.flush()
        self._changed()
        return True

    def seed_tunisia(self, year: int) -> list[Holiday]:
        """Add Tunisia's fixed-date holidays of ``year`` that are missing; returns those added.

        Idempotent: a day that already is a holiday (seeded or entered by hand) is kept as is.
        """
        if not 1900 <= year <= 2200:
            raise CalendarError(f"{year} is not a plausible year")
        existing = {h.day for h in self.list(year)}
        added = []
        for month, day_of_month, name_en, name_fr, name_ar in TUNISIA_FIXED_HOLIDAYS:
            day = date(year, month, day_of_month)
            if day not in existing:
                holiday = Holiday(day=day, name_en=name_en, name_fr=name_fr, name_ar=name_ar)
                self.session.add(holiday)
                added.append(holiday)
        if added:
            self.session.flush()
            self._changed()
        return added

    def _changed(self) -> None:
        """Drop the cached dates now, and again once this transaction commits: a thread that
        reloads in between still reads the old committed state."""
        cache = self.cache
        if cache is None:
            return
        cache.invalidate()
        event.listen(self.session, "after_commit", lambda _session: cache.invalidate(), once=True)

    # Working days -----------------------------------------------------------------------------
    def holidays(self) -> HolidayDates:
        if self.cache is not None:
            return self.cache.get()
        return HolidayDates.of(self.session.scalars(select(Holiday.day)))

    def is_working_day(self, day: date) -> bool:
        return self.holidays().is_working_day(day)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        return self.holidays().add_working_days(start, n)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        return self.holidays().working_days_between(start, end)


def _names(name_en: str, name_fr: str, name_ar: str) -> dict[str, str]:
    names = {"name_en": name_en, "name_fr": name_fr, "name_ar": name_ar}
    cleaned = {k: (v or "").strip() for k, v in names.items()}
    if not any(cleaned.values()):
        raise CalendarError("give the holiday a name")
    too_long = [k for k, v in cleaned.items() if len(v) > 200]
    if too_long:
        raise CalendarError(f"{', '.join(too_long)}: at most 200 characters")
    return cleaned


# Functions for routing diagrams ---------------------------------------------------------------


def diagram_functions(holidays: Callable[[], HolidayDates]) -> dict[str, Callable[..., Any]]:
    """The calendar functions diagrams call in scripts, conditions and timer expressions.

    - ``working_days(n, start=None)``: ISO-8601 UTC string (with offset) of ``start`` (an ISO
      string; default now) plus ``n`` working days, for ``timeDate`` timers and deadlines.
    - ``working_days_left(due)``: signed working days from now until ``due`` (an ISO string).
    - ``days(n)``: the ISO-8601 duration ``P{n}D`` (calendar days), for ``timeDuration`` timers.
    """

    def working_days(n: int, start: str | None = None) -> str:
        base = datetime.now(timezone.utc) if start is None else parse_moment(start)
        return holidays().add_working_days(base, n).replace(microsecond=0).isoformat()

    def working_days_left(due: str) -> int:
        return holidays().working_days_between(datetime.now(timezone.utc), parse_moment(due))

    def days(n: int) -> str:
        n = _check_count(n)
        if n < 0:
            raise CalendarError(f"a duration cannot be negative ({n} days)")
        return f"P{n}D"

    return {"working_days": working_days, "working_days_left": working_days_left, "days": days}
