"""The timer worker fires a claimed batch in one transaction, one savepoint per instance: what
one instance does wrong stays with it, and a batch that never commits leaves its timers due."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select, update

from app.engine.models import DueTimer, InstanceEvent, ProcessInstance
from app.engine.store import InstanceStore
from app.engine import timers
from app.engine.timers import TimerWorker

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
OVERDUE = T0 + timedelta(days=1, minutes=1)
LEASE = timedelta(seconds=60)


@pytest.fixture
def worker(db, runtime):
    return TimerWorker(db, runtime, owner="test-worker", batch_size=10, lease_seconds=int(LEASE.total_seconds()))


def _start(deploy, engine, session, process_id, starts):
    deploy(f"{process_id}.bpmn")
    with time_machine.travel(T0, tick=False):
        ids = [engine.start(process_id, data).id for data in starts]
    session.commit()
    return ids


def _timer_fired_count(session, instance_id):
    return session.scalar(
        select(func.count()).select_from(InstanceEvent).where(
            InstanceEvent.instance_id == instance_id, InstanceEvent.kind == "timer_fired"
        )
    )


def test_worker_fires_a_whole_batch_of_due_instances_in_one_round(deploy, engine, session, worker):
    ids = _start(deploy, engine, session, "deadline", [{}] * 5)
    with time_machine.travel(OVERDUE, tick=False):
        report = worker.run_once()
    assert (report.claimed, report.fired, report.conflicts, report.failed) == (5, 5, 0, [])
    session.expire_all()
    assert all([t.name for t in engine.instance(i).ready_tasks] == ["escalated"] for i in ids)
    assert session.scalar(select(func.count()).select_from(DueTimer)) == 0


def test_a_batch_larger_than_one_commit_fires_each_instance_once(deploy, engine, session, worker, monkeypatch):
    ids = _start(deploy, engine, session, "deadline", [{}] * 5)
    monkeypatch.setattr(timers, "SAVEPOINTS_PER_COMMIT", 2)
    with time_machine.travel(OVERDUE, tick=False):
        report = worker.run_once()
    assert (report.claimed, report.fired, report.failed) == (5, 5, [])
    assert [_timer_fired_count(session, i) for i in ids] == [1] * 5


def test_a_failing_escalation_script_becomes_an_incident_and_the_batch_fires_on(deploy, engine, session, worker):
    ok, broken, also_ok = _start(
        deploy, engine, session, "escalation_script", [{"office": "north"}, {}, {"office": "south"}]
    )
    with time_machine.travel(OVERDUE, tick=False):
        report = worker.run_once()
    assert (report.claimed, report.fired, report.failed) == (3, 3, [])
    session.expire_all()
    failed = engine.instance(broken)
    assert failed.status == "error"
    assert [i.task_name for i in failed.incidents] == ["pick_office"]
    for instance_id in (ok, also_ok):
        instance = engine.instance(instance_id)
        assert (instance.status, [t.name for t in instance.ready_tasks]) == ("running", ["escalated"])
    assert session.scalar(select(func.count()).select_from(DueTimer)) == 0


def test_an_instance_whose_listener_fails_rolls_back_alone_and_fires_after_its_lease(
    deploy, engine, session, db, runtime, worker, monkeypatch
):
    first, broken, last = _start(deploy, engine, session, "deadline", [{}] * 3)
    broken_revision = engine.instance(broken).revision

    def listener(listener_session, info):
        listener_session.add(InstanceEvent(instance_id=info.id, kind="listener_note", created_at=T0))
        if info.id == broken:
            listener_session.flush()  # written inside the instance's savepoint, then undone
            raise RuntimeError("listener bug")

    monkeypatch.setattr(runtime, "step_listeners", [listener])
    with time_machine.travel(OVERDUE, tick=False):
        report = worker.run_once()
    assert (report.claimed, report.fired, report.failed) == (3, 2, [broken])
    session.expire_all()
    assert engine.instance(broken).revision == broken_revision
    assert [e.kind for e in engine.history(broken)].count("listener_note") == 0
    assert [_timer_fired_count(session, i) for i in (first, broken, last)] == [1, 0, 1]

    monkeypatch.setattr(runtime, "step_listeners", [])  # the bug is fixed
    with time_machine.travel(OVERDUE + LEASE + timedelta(seconds=1), tick=False):
        report = TimerWorker(db, runtime, owner="next-worker").run_once()
    assert (report.claimed, report.fired) == (1, 1)
    assert [_timer_fired_count(session, i) for i in (first, broken, last)] == [1, 1, 1]


def test_a_batch_that_dies_before_its_commit_leaves_every_timer_to_fire_once_later(
    deploy, engine, session, db, runtime, worker, monkeypatch, postgres_only
):
    # PostgreSQL only: on SQLite, pysqlite commits when the outermost savepoint is released,
    # so each instance of a batch commits alone there (development database).
    ids = _start(deploy, engine, session, "deadline", [{}] * 3)
    revisions = [engine.instance(i).revision for i in ids]

    def die(*_args):
        raise RuntimeError("the process was killed before the commit")

    monkeypatch.setattr(worker, "_release", die)  # the last step inside the batch's transaction
    with time_machine.travel(OVERDUE, tick=False):
        report = worker.run_once()
    assert (report.claimed, report.fired, report.failed) == (3, 0, ids)
    session.expire_all()
    assert [engine.instance(i).revision for i in ids] == revisions
    assert session.scalar(select(func.count()).select_from(DueTimer).where(DueTimer.lease_owner == "test-worker")) == 3

    with time_machine.travel(OVERDUE + LEASE + timedelta(seconds=1), tick=False):
        report = TimerWorker(db, runtime, owner="next-worker").run_once()
    assert (report.claimed, report.fired) == (3, 3)
    assert [_timer_fired_count(session, i) for i in ids] == [1, 1, 1]


def test_an_instance_saved_by_someone_else_during_the_batch_is_a_conflict_retried_next_round(
    deploy, engine, session, db, runtime, worker, monkeypatch
):
    untouched, changed = _start(deploy, engine, session, "deadline", [{}] * 2)
    prefetch = InstanceStore.prefetch

    def prefetch_then_someone_saves(store, instance_ids):
        prefetch(store, instance_ids)
        with db.session() as other, other.begin():
            other.execute(update(ProcessInstance).where(ProcessInstance.id == changed)
                          .values(revision=ProcessInstance.revision + 1))

    monkeypatch.setattr(InstanceStore, "prefetch", prefetch_then_someone_saves)
    with time_machine.travel(OVERDUE, tick=False):
        report = worker.run_once()
        assert (report.claimed, report.fired, report.conflicts, report.failed) == (2, 1, 1, [])
        assert session.scalar(select(DueTimer.lease_owner).where(DueTimer.instance_id == changed)) is None
        monkeypatch.setattr(InstanceStore, "prefetch", prefetch)
        report = worker.run_once()
    assert (report.claimed, report.fired) == (1, 1)
    assert [_timer_fired_count(session, i) for i in (untouched, changed)] == [1, 1]
