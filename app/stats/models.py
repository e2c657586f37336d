"""The statistics summary: petition counts pre-aggregated by received month, type, body and
channel, so a dashboard sums a few thousand rows instead of scanning every petition.

Three narrow tables share the four group columns rather than one wide one: the answer-time
histogram needs a row per (group, working days) and the closing counts a row per (group,
closing month), and folding either into the other would multiply the rows every query scans.
``StatsRefresh`` records what the summary reflects; ``StatsWorkingDay`` is the refresh's
working-day calendar. ``app.stats.refresh`` writes all four;
nothing else does (in particular not the submit path: a counter row updated by every submission
would serialise them on its lock).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class PetitionGroup:
    """The dimensions every filter uses. ``received_month`` is ``YYYY-MM`` (UTC) so periods
    compare as strings on every database; ``body`` is the body the petition counts for (the
    receiving unit for corruption reports)."""

    # First in every table and primary key (sort_order), so a period filter is a key range.
    received_month: Mapped[str] = mapped_column(String(7), primary_key=True, sort_order=-4)
    petition_type: Mapped[str] = mapped_column(String(20), primary_key=True, sort_order=-3)
    body: Mapped[str] = mapped_column(String(100), primary_key=True, sort_order=-2)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True, sort_order=-1)


class StatsCube(PetitionGroup, Base):
    """Per group: petitions received, answered against a deadline (and within it), ratings."""

    __tablename__ = "stats_cube"

    received: Mapped[int] = mapped_column(Integer, default=0)
    answered_with_deadline: Mapped[int] = mapped_column(Integer, default=0)
    answered_within_deadline: Mapped[int] = mapped_column(Integer, default=0)
    ratings: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)


class StatsClosed(PetitionGroup, Base):
    """Per group and UTC month of closing: petitions closed."""

    __tablename__ = "stats_closed"

    closed_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    closed: Mapped[int] = mapped_column(Integer, default=0)


class StatsAnswerDays(PetitionGroup, Base):
    """Per group and whole working days from receipt to answer (or to closing without an
    answer): how many petitions took that long. Medians and percentiles come exactly from it."""

    __tablename__ = "stats_answer_days"

    working_days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    petitions: Mapped[int] = mapped_column(Integer, default=0)


class RollupGroup:
    """The group of a rollup row: petitions of one received month, of every kind
    (``dimension`` "all", ``key`` "") or of one type, body or channel (``dimension`` the
    ``PetitionGroup`` column, ``key`` its value). A dashboard filtered by period and at most one
    other dimension reads a few thousand rollup rows by primary key instead of summing the
    detailed table, whose rows grow with the petitions (about 220 000 histogram rows at a
    million petitions)."""

    dimension: Mapped[str] = mapped_column(String(20), primary_key=True, sort_order=-3)
    key: Mapped[str] = mapped_column(String(100), primary_key=True, sort_order=-2)
    received_month: Mapped[str] = mapped_column(String(7), primary_key=True, sort_order=-1)


class StatsCubeRollup(RollupGroup, Base):
    """``StatsCube`` summed per rollup group: an unfiltered (or period-only) dashboard reads its
    totals and its counts per month, type, body and channel from these few hundred rows."""

    __tablename__ = "stats_cube_rollup"

    received: Mapped[int] = mapped_column(Integer, default=0)
    answered_with_deadline: Mapped[int] = mapped_column(Integer, default=0)
    answered_within_deadline: Mapped[int] = mapped_column(Integer, default=0)
    ratings: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)


class StatsClosedRollup(RollupGroup, Base):
    """``StatsClosed`` summed per rollup group."""

    __tablename__ = "stats_closed_rollup"

    closed_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    closed: Mapped[int] = mapped_column(Integer, default=0)


class StatsAnswerDaysRollup(RollupGroup, Base):
    """``StatsAnswerDays`` summed per rollup group."""

    __tablename__ = "stats_answer_days_rollup"

    working_days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    petitions: Mapped[int] = mapped_column(Integer, default=0)


class StatsRefresh(Base):
    """The one row saying what the summary reflects."""

    __tablename__ = "stats_refresh"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The newest petition ``updated_at`` the summary includes: the next refresh redoes the
    # months of petitions changed after it (less a look-back, for transactions still open).
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A digest of the holidays and the corruption unit the figures were computed with: when
    # either changes, every working-day count may change, so the next refresh is a full one.
    fingerprint: Mapped[str] = mapped_column(String(64), default="")


class StatsWorkingDay(Base):
    """A day and its working-day number (``HolidayDates.working_day_number``), for the days the
    refresh needs: joining a petition's received day and answer day to it counts the working
    days between them in SQL, exactly as the deadlines count them in Python."""

    __tablename__ = "stats_working_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
