"""``admin_counts``: the live numbers on the admin home page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from app.adminhome.services import admin_counts
from app.auth.models import Role
from app.petitions.models import Status
from tests.factories import make_body, make_user

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)
Add = Callable[..., Any]


def test_counts_are_zero_on_an_empty_database_with_every_status_listed(session: Session) -> None:
    counts = admin_counts(session, now=NOW)

    assert (counts.active_bodies, counts.active_staff, counts.open_tasks) == (0, 0, 0)
    assert (counts.overdue_tasks, counts.open_incidents, counts.petitions) == (0, 0, 0)
    assert list(counts.petitions_by_status) == [status.value for status in Status]


def test_only_active_bodies_and_active_staff_are_counted(session: Session) -> None:
    ministry = make_body(session)
    make_body(session, is_active=False)
    make_user(session, role=Role.RELATIONS_AGENT, body=ministry)
    make_user(session, role=Role.COORDINATOR, body=ministry)
    make_user(session, role=Role.ADMIN)
    make_user(session, role=Role.BODY_AGENT, body=ministry, is_active=False)
    make_user(session, role=Role.CITIZEN)

    counts = admin_counts(session, now=NOW)

    assert counts.active_bodies == 1
    assert counts.active_staff == 3


def test_open_tasks_count_overdue_ones_by_due_date(session: Session, add_task: Add) -> None:
    add_task(due_at=NOW - timedelta(hours=1))
    add_task(due_at=NOW + timedelta(days=3))
    add_task(due_at=None)

    counts = admin_counts(session, now=NOW)

    assert (counts.open_tasks, counts.overdue_tasks) == (3, 1)


def test_only_unresolved_incidents_are_open(session: Session, add_incident: Add) -> None:
    add_incident()
    add_incident()
    add_incident(resolved_at=NOW - timedelta(days=1))

    assert admin_counts(session, now=NOW).open_incidents == 2


def test_petitions_are_counted_by_status_in_lifecycle_order(
    session: Session, add_petition: Add
) -> None:
    for status in ["received", "received", "answered", "closed", "legacy_status"]:
        add_petition(status=status)

    counts = admin_counts(session, now=NOW)

    assert counts.petitions_by_status["received"] == 2
    assert counts.petitions_by_status["answered"] == 1
    assert counts.petitions_by_status["under_review"] == 0
    # A value no longer in Status (old data) is still counted, after the known ones.
    assert list(counts.petitions_by_status)[-1] == "legacy_status"
    assert counts.petitions == 5
