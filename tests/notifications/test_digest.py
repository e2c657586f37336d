"""The daily digest of overdue tasks: to the staff whose tasklist shows them, once a day."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from app.engine.timers import TimerWorker
from app.notifications.cli import today
from app.notifications.digest import OverdueDigest
from tests.petitions.conftest import submit
from tests.petitions.test_journeys import complete

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday
LATE = T0 + timedelta(days=25)  # 19 working days later: past the 15-day deadline


@pytest.fixture
def overdue(app, db, person, open_task, petition_of):
    """A complaint whose drafting at the Ministry of Health is overdue and escalated, and the
    staff of several bodies and roles; returns (tracking number, staff by name)."""
    with time_machine.travel(T0, tick=False) as clock:
        _, citizen_client = person("citizen")
        staff = {
            "health_agent": person("body_agent", "min-health")[0],
            "health_coordinator": person("coordinator", "min-health", preferred_language="ar")[0],
            "health_relations": person("relations_agent", "min-health")[0],
            "bcrc_agent": person("relations_agent", "bcrc")[0],
            "sfax_agent": person("body_agent", "mun-sfax")[0],
            "sfax_coordinator": person("coordinator", "mun-sfax")[0],
            "admin": person("admin")[0],
        }
        bcrc = person("relations_agent", "bcrc")[1]
        number = submit(citizen_client)
        complete(bcrc, open_task(petition_of(number), "qualify"), decision="accept", competent_body="min-health")
        clock.move_to(LATE)
        assert TimerWorker(db, app.extensions["engine"], owner="t").run_once().fired
    return number, staff


def run_digest(app, db, day, now):
    with app.app_context():
        return OverdueDigest(db, app.extensions["notifier"].renderer).run(day, now=now)


def test_digest_goes_only_to_the_staff_who_see_overdue_tasks(app, db, overdue, outbox_rows, deliver, inbox):
    number, staff = overdue
    report = run_digest(app, db, LATE.date(), LATE)
    with time_machine.travel(LATE, tick=False):
        deliver()

    assert report.queued == 2
    recipients = {staff["health_agent"].email, staff["health_coordinator"].email}
    assert {row.recipient for row in outbox_rows("overdue_digest")} == recipients
    agent_mail = inbox.to(staff["health_agent"].email)[0]
    assert agent_mail.subject == "1 overdue task at Ministry of Health"
    assert f"- {number} · Draft the answer · Water cut in El Menzah 6" in agent_mail.body
    assert "due 23 Mar 2026, 4 days late" in agent_mail.body
    assert "http://127.0.0.1:5000/tasks/?overdue=1" in agent_mail.body
    coordinator_mail = inbox.to(staff["health_coordinator"].email)[0]
    assert "وزارة الصحة" in coordinator_mail.subject  # the coordinator reads Arabic
    assert "متابعة الإجابة المتأخّرة" in coordinator_mail.body  # the escalation the worker opened


def test_digest_is_queued_once_a_day(app, db, overdue, outbox_rows):
    first = run_digest(app, db, LATE.date(), LATE)
    again = run_digest(app, db, LATE.date(), LATE + timedelta(hours=3))
    next_day = run_digest(app, db, LATE.date() + timedelta(days=1), LATE + timedelta(days=1))

    assert (first.queued, again.queued, again.already_queued, next_day.queued) == (2, 0, 2, 2)
    assert len(outbox_rows("overdue_digest")) == 4


def test_nothing_is_queued_before_the_deadline(app, db, person, open_task, petition_of, outbox_rows):
    with time_machine.travel(T0, tick=False):
        _, citizen_client = person("citizen")
        person("body_agent", "min-health")
        _, bcrc = person("relations_agent", "bcrc")
        number = submit(citizen_client)
        complete(bcrc, open_task(petition_of(number), "qualify"), decision="accept", competent_body="min-health")
    report = run_digest(app, db, T0.date(), T0 + timedelta(days=1))

    assert report.queued == 0 and outbox_rows("overdue_digest") == []


def test_notify_overdue_command_counts_what_it_queued(app, overdue):
    runner = app.test_cli_runner()
    with time_machine.travel(LATE, tick=False):
        first = runner.invoke(args=["epeople", "notify-overdue", "--day", "2026-03-27"])
        second = runner.invoke(args=["epeople", "notify-overdue"])

    assert first.exit_code == 0, first.output
    assert first.output.startswith("2026-03-27: 2 digest(s) queued, 0 already queued today")
    assert second.output.startswith("2026-03-27: 0 digest(s) queued, 2 already queued today")


def test_the_digest_day_is_the_operators_calendar_day():
    late_evening_utc = datetime(2026, 3, 26, 23, 30, tzinfo=timezone.utc)
    assert today("Africa/Tunis", late_evening_utc) == date(2026, 3, 27)
    assert today("UTC", late_evening_utc) == date(2026, 3, 26)
