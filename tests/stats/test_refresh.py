"""The statistics summary and its refresh: incremental equals full, idempotent, holidays, and
the summary's answers against a plain-Python count over a random set of petitions."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.calendar.models import Holiday
from app.calendar.service import HolidayDates
from app.petitions.models import Channel, Petition, PetitionType, Status
from app.stats.refresh import SUMMARY_TABLES, RefreshResult, StatsRefresher
from app.stats.services import StatsFilters, StatsService
from tests.factories import make_user
from tests.stats.conftest import EXPECTED, NOW, UNIT, refresh

LOOKBACK = timedelta(minutes=10)


def refresher(session: Session) -> StatsRefresher:
    return StatsRefresher(session, UNIT, lookback=LOOKBACK)


def summary_rows(session: Session) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of the summary tables."""
    return {table.name: {tuple(row) for row in session.execute(select(table))} for table in SUMMARY_TABLES}


def summary(session: Session, filters: StatsFilters | None = None) -> dict[str, Any]:
    return StatsService(session, UNIT).summary(filters or StatsFilters(), now=NOW).as_dict()


class TestIncrementalRefresh:
    def test_new_petitions_closures_and_transfers_equal_a_full_rebuild(
        self, session: Session, petitions: dict[str, Petition]
    ) -> None:
        citizen = make_user(session)
        session.add(Petition(
            tracking_number="EP-NEW", type="complaint", subject="s", description="d", citizen_id=citizen.id,
            channel="phone", current_office="ministry-a", competent_body="ministry-a", status="received",
            created_at=at_hours_ago(1), response_due_at=NOW + timedelta(days=30),
        ))  # fmt: skip
        petitions["P7"].status, petitions["P7"].answered_at = Status.CLOSED, at(4, 20)
        petitions["P7"].closed_at = at(4, 21)
        petitions["P4"].competent_body = "ministry-a"  # a transfer: P4 changes groups
        session.commit()

        result = refresher(session).refresh()
        assert (result.full, result.months) == (False, 3)  # March (P4), April (P7), the new one's month
        incremental = summary_rows(session)
        data = summary(session)
        assert data["received"] == 13
        assert data["closed"] == 7
        assert data["by_body"]["ministry-a"] == 8  # P1 P2 P3 P7 P9 P11 + P4 + the new one
        assert data["overdue_now"] == 1  # P7 is answered now; P10 is still late

        refresher(session).refresh(full=True)
        assert summary_rows(session) == incremental

    def test_only_the_months_of_changed_petitions_are_recomputed(
        self, session: Session, petitions: dict[str, Petition]
    ) -> None:
        petitions["P11"].rating = 5  # received in February
        session.commit()
        result = StatsRefresher(session, UNIT, lookback=timedelta(0)).refresh()
        assert (result.full, result.months) == (False, 1)
        assert summary(session)["rating_average"] == round((5 + 4 + 2 + 1 + 5) / 5, 2)

    def test_the_look_back_redoes_the_months_changed_just_before_the_last_refresh(
        self, session: Session, petitions: dict[str, Petition]
    ) -> None:
        # P12 (April) is the newest change the fixture's refresh saw; a transaction that
        # stamped a petition a little earlier could have committed after that refresh.
        assert refresher(session).refresh().months == 1

    def test_is_idempotent(self, session: Session, petitions: dict[str, Petition]) -> None:
        before = summary_rows(session)
        refresher(session).refresh()
        assert summary_rows(session) == before
        refresher(session).refresh(full=True)
        refresher(session).refresh(full=True)
        assert summary_rows(session) == before
        assert summary(session) == EXPECTED

    def test_counts_nothing_before_the_first_refresh(self, session: Session) -> None:
        data = StatsService(session, UNIT).summary(StatsFilters(), now=NOW)
        assert (data.received, data.figures_as_of) == (0, None)


class TestHolidayChange:
    def test_a_new_holiday_makes_the_next_refresh_a_full_one(self, session: Session, petitions: dict[str, Petition]) -> None:
        # Wednesday 2026-03-04 falls inside P1's answer time (Monday 2 to Thursday 5 March):
        # 3 working days become 2, and the sorted times 0 1 2 2 2 8 8 9 10 have median 2.
        session.add(Holiday(day=date(2026, 3, 4), name_en="A new holiday"))
        session.commit()
        result = refresher(session).refresh()
        assert result.full
        assert summary(session)["answer_working_days"] == {"count": 9, "median": 2.0, "p90": 9.2}
        assert refresher(session).refresh().full is False

    def test_a_removed_holiday_counts_again_after_a_full_refresh(self, session: Session, petitions: dict[str, Petition]) -> None:
        session.execute(Holiday.__table__.delete().where(Holiday.day == date(2026, 3, 20)))
        session.commit()
        refresh(session, full=True)
        # Both inquiries span Friday 20 March: P3 (18 to 23 March) takes 3 working days instead
        # of 2, P4 (16 to 27 March) 9 instead of 8.
        assert summary(session, StatsFilters(petition_type="inquiry"))["answer_working_days"]["median"] == 6.0


def test_cli_command_refreshes(app: Flask, session: Session, petitions: dict[str, Petition]) -> None:
    result = app.test_cli_runner().invoke(args=["epeople", "stats-refresh", "--full"])
    assert result.exit_code == 0, result.output
    assert "full refresh of 3 month(s)" in result.output


def test_refresh_result_reads_well() -> None:
    assert str(RefreshResult(False, 2, 0.25)) == "incremental refresh of 2 month(s) in 0.25 s"


# The summary against a plain-Python count ----------------------------------------------------

BODIES = ("ministry-a", "ministry-b", "ministry-c")
HOLIDAYS = (date(2025, 12, 17), date(2026, 1, 1), date(2026, 3, 20), date(2026, 4, 9))


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=timezone.utc)


def at_hours_ago(hours: int) -> datetime:
    return datetime.now(timezone.utc) - timedelta(hours=hours)


def random_petition(rng: random.Random, number: int, citizen_id: int) -> Petition:
    kind = rng.choice(list(PetitionType))
    # Any minute from November to April: late-evening petitions test the UTC month and day.
    created = datetime(2025, 11, 1, tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(181 * 24 * 60))
    answered = closed = rating = None
    status = rng.choice([Status.RECEIVED, Status.UNDER_REVIEW, Status.IN_PROGRESS])
    if rng.random() < 0.6:
        answered = created + timedelta(hours=rng.randrange(0, 40 * 24))
        status = Status.ANSWERED
        if rng.random() < 0.6:
            closed, status = answered + timedelta(hours=rng.randrange(1, 200)), Status.CLOSED
            rating = rng.choice([None, 1, 2, 3, 4, 5])
    elif rng.random() < 0.3:
        closed = created + timedelta(hours=rng.randrange(1, 30 * 24))
        status = rng.choice([Status.REJECTED, Status.ABANDONED])
    due = rng.choice([None, created + timedelta(days=rng.randrange(5, 40))])
    body = rng.choice(BODIES)
    return Petition(
        tracking_number=f"EP-R{number}", type=kind, subject="s", description="d", citizen_id=citizen_id,
        channel=rng.choice(list(Channel)), current_office=rng.choice(BODIES),
        competent_body=rng.choice([None, body]), status=status, created_at=created, updated_at=created,
        answered_at=answered, closed_at=closed, response_due_at=due, rating=rating,
    )  # fmt: skip


def expected(petitions: list[Petition], filters: StatsFilters, now: datetime) -> dict[str, Any]:
    """The dashboard's numbers counted one petition at a time, with the calendar's own
    working-day function and the standard library's median and quantiles."""
    holidays = HolidayDates.of(HOLIDAYS)

    def month(moment: datetime) -> str:
        return moment.astimezone(timezone.utc).strftime("%Y-%m")

    def body(petition: Petition) -> str:
        return UNIT if petition.type == "corruption" else petition.competent_body or petition.current_office

    chosen = [
        p for p in petitions
        if (not filters.start or month(p.created_at) >= filters.start)
        and (not filters.end or month(p.created_at) <= filters.end)
        and (not filters.petition_type or p.type == filters.petition_type)
        and (not filters.body or body(p) == filters.body)
        and (not filters.channel or p.channel == filters.channel)
    ]  # fmt: skip
    days = sorted(
        holidays.working_days_between(p.created_at, p.answered_at or p.closed_at)  # type: ignore[arg-type]
        for p in chosen if (p.answered_at or p.closed_at)
    )  # fmt: skip
    with_due = [p for p in chosen if p.answered_at and p.response_due_at]
    within = [p for p in with_due if p.answered_at <= p.response_due_at]  # type: ignore[operator]
    ratings = [p.rating for p in chosen if p.rating is not None]
    overdue = [
        p for p in chosen
        if not Status(p.status).is_final and p.answered_at is None and p.response_due_at and p.response_due_at < now
    ]  # fmt: skip
    return {
        "received": len(chosen),
        "closed": sum(1 for p in chosen if p.closed_at),
        "received_by_month": filled(Counter(month(p.created_at) for p in chosen)),
        "closed_by_month": filled(Counter(month(p.closed_at) for p in chosen if p.closed_at)),
        "by_type": dict(Counter(p.type for p in chosen)),
        "by_body": dict(Counter(body(p) for p in chosen)),
        "by_channel": dict(Counter(p.channel for p in chosen)),
        "answer_working_days": {
            "count": len(days),
            "median": statistics.median(days) if days else None,
            "p90": (statistics.quantiles(days, n=10, method="inclusive")[-1] if len(days) > 1 else days[0]) if days else None,
        },
        "answered_with_deadline": len(with_due),
        "answered_within_deadline": len(within),
        "within_deadline_share": round(len(within) / len(with_due), 4) if with_due else None,
        "overdue_now": len(overdue),
        "ratings": len(ratings),
        "rating_average": round(sum(ratings) / len(ratings), 2) if ratings else None,
    }


def filled(counter: Counter[str]) -> dict[str, int]:
    if not counter:
        return {}
    months, month = {}, min(counter)
    while month <= max(counter):
        months[month] = counter.get(month, 0)
        year, number = int(month[:4]), int(month[5:])
        month = f"{year + number // 12:04d}-{number % 12 + 1:02d}"
    return months


RANDOM_FILTERS = [
    StatsFilters(),
    StatsFilters(start="2025-12", end="2026-02"),
    StatsFilters(start="2026-03"),
    StatsFilters(petition_type="complaint"),
    StatsFilters(petition_type="corruption", body=UNIT),
    StatsFilters(body="ministry-b", channel="web"),
    StatsFilters(channel="phone", end="2026-01"),
    StatsFilters(start="2026-01", end="2026-04", petition_type="inquiry", body="ministry-a", channel="web"),
]


@pytest.fixture
def random_petitions(session: Session) -> list[Petition]:
    rng = random.Random(6)
    citizen = make_user(session)
    session.add_all(Holiday(day=day, name_en=day.isoformat()) for day in HOLIDAYS)
    made = [random_petition(rng, n, citizen.id) for n in range(400)]
    session.add_all(made)
    session.commit()
    refresh(session)
    return made


@pytest.mark.parametrize("filters", RANDOM_FILTERS, ids=lambda f: str(f.as_query()) or "all")
def test_summary_equals_counting_each_petition(
    session: Session, random_petitions: list[Petition], filters: StatsFilters
) -> None:
    got = summary(session, filters)
    want = expected(random_petitions, filters, NOW)
    assert got.pop("answer_working_days") == pytest.approx(want.pop("answer_working_days"))
    assert got == want


def test_summary_after_random_changes_and_an_incremental_refresh(
    session: Session, random_petitions: list[Petition]
) -> None:
    rng = random.Random(60)
    for petition in rng.sample(random_petitions, 40):
        if petition.answered_at is None:
            petition.answered_at = petition.created_at + timedelta(days=rng.randrange(1, 20))
            petition.status = Status.ANSWERED
        petition.competent_body = rng.choice(BODIES)
        petition.rating = rng.choice([None, 3, 5])
    session.commit()
    assert refresher(session).refresh().full is False
    for filters in RANDOM_FILTERS:
        got, want = summary(session, filters), expected(random_petitions, filters, NOW)
        assert got.pop("answer_working_days") == pytest.approx(want.pop("answer_working_days"))
        assert got == want
