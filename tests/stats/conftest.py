"""A hand-computed fixture: twelve petitions with known dates, types, bodies and ratings, and
two holidays (Friday 2026-03-20 and Thursday 2026-04-09). The expected numbers are worked out
in ``EXPECTED`` from the dates below, not from the code under test."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.calendar.models import Holiday
from app.petitions.models import Petition
from app.stats.refresh import StatsRefresher
from tests.factories import make_user

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
UNIT = "anti-corruption-unit"
MARKERS = {
    "subject": "SUBJECT-MARKER-7f3a",
    "description": "DESCRIPTION-MARKER-91bc",
    "email": "email-marker-5d2e@example.org",
    "name": "NAME-MARKER-Zoubeida",
    "answer": "ANSWER-MARKER-44aa",
    "comment": "COMMENT-MARKER-0c0c",
    "identity": "IDENTITY-MARKER-e8e8",
}


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=timezone.utc)


# number, type, channel, competent body, status, created, answered, closed, due, rating
ROWS: list[tuple[Any, ...]] = [
    ("P1", "complaint", "web", "ministry-a", "closed", at(3, 2), at(3, 5), at(3, 6), at(3, 10), 5),
    ("P2", "complaint", "web", "ministry-a", "closed", at(3, 2), at(3, 2, 15), at(3, 3), at(3, 10), 4),
    ("P3", "inquiry", "counter", "ministry-a", "answered", at(3, 18), at(3, 23), None, at(3, 20), 2),
    ("P4", "inquiry", "phone", "ministry-b", "answered", at(3, 16), at(3, 27), None, at(4, 1), None),
    ("P5", "suggestion", "web", "ministry-b", "abandoned", at(3, 30), None, at(4, 10), None, None),
    ("P6", "complaint", "email", "ministry-b", "closed", at(4, 1), at(4, 15), at(4, 16), at(4, 14), 1),
    ("P7", "complaint", "web", "ministry-a", "in_progress", at(4, 2), None, None, at(4, 10), None),
    ("P8", "inquiry", "web", "ministry-b", "received", at(4, 6), None, None, datetime(2099, 1, 1, tzinfo=timezone.utc), None),
    ("P9", "guidance", "letter", "ministry-a", "rejected", at(4, 7), None, at(4, 8), at(4, 8), None),
    ("P10", "corruption", "web", "ministry-b", "under_review", at(4, 13), None, None, at(4, 20), None),
    ("P11", "complaint", "open311", "ministry-a", "closed", at(2, 2), at(2, 4), at(2, 5), at(2, 10), 3),
    ("P12", "complaint", "web", "ministry-b", "answered", at(4, 14), at(4, 28), None, at(4, 21), None),
]

# Working days to answer (or close): P1 3, P2 0, P3 2 (the 20th is a holiday), P4 8, P5 8
# (the 9th is a holiday), P6 9, P9 1, P11 2, P12 10 → sorted 0 1 2 2 3 8 8 9 10.
EXPECTED = {
    "received": 12,
    "closed": 6,
    "received_by_month": {"2026-02": 1, "2026-03": 5, "2026-04": 6},
    "closed_by_month": {"2026-02": 1, "2026-03": 2, "2026-04": 3},
    "by_type": {"complaint": 6, "inquiry": 3, "corruption": 1, "guidance": 1, "suggestion": 1},
    "by_body": {"ministry-a": 6, "ministry-b": 5, UNIT: 1},
    "by_channel": {"web": 7, "counter": 1, "email": 1, "letter": 1, "open311": 1, "phone": 1},
    "answer_working_days": {"count": 9, "median": 3.0, "p90": 9.2},
    "answered_with_deadline": 7,
    "answered_within_deadline": 4,
    "within_deadline_share": round(4 / 7, 4),
    "overdue_now": 2,
    "ratings": 5,
    "rating_average": 3.0,
}
WORKING_DAYS = {"P1": 3, "P2": 0, "P3": 2, "P4": 8, "P5": 8, "P6": 9, "P9": 1, "P11": 2, "P12": 10}



@pytest.fixture
def petitions(session: Session) -> dict[str, Petition]:
    citizen = make_user(session, full_name=MARKERS["name"], email="citizen-" + MARKERS["email"])
    session.add_all([Holiday(day=date(2026, 3, 20), name_en="Independence Day"), Holiday(day=date(2026, 4, 9), name_en="Martyrs' Day")])
    made = {}
    for number, kind, channel, body, status, created, answered, closed, due, rating in ROWS:
        petition = Petition(
            tracking_number=f"EP-{number}",
            type=kind,
            subject=MARKERS["subject"],
            description=MARKERS["description"],
            citizen_id=citizen.id,
            contact_email=MARKERS["email"],
            channel=channel,
            current_office=UNIT if kind == "corruption" else body,
            competent_body=body,
            target_body=body,
            reporter_identity=MARKERS["identity"] if kind == "corruption" else None,
            status=status,
            created_at=created,
            updated_at=created,
            answered_at=answered,
            answer=MARKERS["answer"] if answered else None,
            closed_at=closed,
            response_due_at=due,
            rating=rating,
            rating_comment=MARKERS["comment"] if rating else None,
        )
        session.add(petition)
        made[number] = petition
    session.commit()
    refresh(session)
    return made


def refresh(session: Session, full: bool = False) -> None:
    """Bring the statistics summary up to date (the worker does it in production)."""
    StatsRefresher(session, UNIT, lookback=timedelta(minutes=10)).refresh(full=full)
