"""Timers, messages and failed steps: what happens while an instance waits."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from app.engine.models import DueTimer, Incident
from app.engine.timers import TimerWorker
from app.engine.types import Conflict, InstanceSuspended

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def worker(db, runtime):
    return TimerWorker(db, runtime, owner="test-worker", batch_size=10, lease_seconds=60)


def _start_deadline(deploy, engine, session):
    deploy("deadline.bpmn")
    info = engine.start("deadline", {"subject": "Permit delayed"})
    session.commit()
    return info


def test_boundary_timer_sets_the_task_due_date_and_a_due_timer_row(deploy, engine, session):
    with time_machine.travel(T0, tick=False):
        info = _start_deadline(deploy, engine, session)
    [task] = info.ready_tasks
    assert task.due_at == T0 + timedelta(days=1)
    timer = session.scalars(select(DueTimer)).one()
    assert (timer.name, timer.due_at) == ("One day passed", T0 + timedelta(days=1))


def test_worker_fires_nothing_before_the_due_time(deploy, engine, session, worker):
    with time_machine.travel(T0, tick=False) as clock:
        info = _start_deadline(deploy, engine, session)
        clock.move_to(T0 + timedelta(hours=23))
        report = worker.run_once()
    assert (report.claimed, report.fired) == (0, 0)
    assert [t.name for t in engine.instance(info.id).ready_tasks] == ["answer"]


def test_worker_escalates_an_overdue_task_exactly_once(deploy, engine, session, worker, db, runtime):
    with time_machine.travel(T0, tick=False) as clock:
        info = _start_deadline(deploy, engine, session)
        clock.move_to(T0 + timedelta(days=1, minutes=1))
        report = worker.run_once()
        assert (report.claimed, report.fired) == (1, 1)
        second = TimerWorker(db, runtime, owner="other-worker").run_once()
    assert (second.claimed, second.fired) == (0, 0)
    session.expire_all()
    instance = engine.instance(info.id)
    assert [t.name for t in instance.ready_tasks] == ["escalated"]
    assert session.scalar(select(func.count()).select_from(DueTimer)) == 0
    assert [e.kind for e in engine.history(info.id)].count("timer_fired") == 1


def test_a_crashed_workers_lease_expires_and_another_worker_fires(deploy, engine, session, db, runtime):
    with time_machine.travel(T0, tick=False) as clock:
        info = _start_deadline(deploy, engine, session)
        clock.move_to(T0 + timedelta(days=2))
        crashed = TimerWorker(db, runtime, owner="crashed", lease_seconds=60)
        assert crashed.claim() == [info.id]  # claimed, then the process died before firing
        rescuer = TimerWorker(db, runtime, owner="rescuer", lease_seconds=60)
        assert rescuer.run_once().claimed == 0  # the lease still holds
        clock.move_to(T0 + timedelta(days=2, minutes=2))
        report = rescuer.run_once()
    assert (report.claimed, report.fired) == (1, 1)
    session.expire_all()
    assert [t.name for t in engine.instance(info.id).ready_tasks] == ["escalated"]


def test_answering_in_time_removes_the_timer(deploy, engine, session):
    info = _start_deadline(deploy, engine, session)
    info = engine.complete_task(info.ready_tasks[0].id, {"answer_text": "Done"})
    session.commit()
    assert info.waiting_messages == ["citizen_reply"]
    assert session.scalar(select(func.count()).select_from(DueTimer)) == 0


def test_message_resumes_a_waiting_instance_with_its_payload(deploy, engine, session):
    info = _start_deadline(deploy, engine, session)
    engine.complete_task(info.ready_tasks[0].id, {"answer_text": "Please send the permit number"})
    info = engine.send_message(info.id, "citizen_reply", {"text": "رقم الرخصة 4521"}, actor="citizen:3")
    session.commit()
    assert info.status == "completed"
    assert info.data["reply_text"] == "رقم الرخصة 4521"


def test_message_nobody_waits_for_is_a_conflict(deploy, engine, session):
    info = _start_deadline(deploy, engine, session)
    with pytest.raises(Conflict):
        engine.send_message(info.id, "citizen_reply", {"text": "too early"})


def test_runtime_script_failure_becomes_an_incident_not_an_exception(deploy, engine, session):
    deploy("failing_script.bpmn")
    info = engine.start("failing", {})
    session.commit()
    assert info.status == "error"
    [incident] = info.incidents
    assert incident.task_name == "read_file"
    assert "open" in incident.message
    assert session.scalar(select(func.count()).select_from(Incident)) == 1


def test_retry_of_a_still_broken_script_keeps_one_open_incident(deploy, engine, session):
    deploy("failing_script.bpmn")
    info = engine.start("failing", {})
    info = engine.retry(info.id, actor="admin:1")
    session.commit()
    assert info.status == "error"
    assert len(info.incidents) == 1
    assert session.scalar(select(func.count()).select_from(Incident)) == 2


def test_suspended_instance_refuses_steps_until_resumed(deploy, engine, session):
    info = _start_deadline(deploy, engine, session)
    engine.suspend(info.id, actor="admin:1")
    session.commit()
    with pytest.raises(InstanceSuspended):
        engine.complete_task(info.ready_tasks[0].id, {"answer_text": "x"})
    session.rollback()
    engine.resume(info.id, actor="admin:1")
    info = engine.complete_task(info.ready_tasks[0].id, {"answer_text": "x"})
    assert info.waiting_messages == ["citizen_reply"]
