"""`flask epeople worker --once`: fires due timers, then delivers the outbox, and reports both."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import func, select

from app.db import Database
from app.engine.models import DueTimer, InstanceEvent, ProcessInstance
from app.engine.service import EngineService
from tests.engine.diagrams import DATA, read_diagram
from tests.locking import a_lock_is_awaited

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_worker_once_fires_a_due_timer(app, session, runtime, monkeypatch):
    monkeypatch.setitem(app.extensions, "engine", runtime)  # the scenario diagrams' forms
    engine = EngineService(session, runtime)
    with time_machine.travel(T0, tick=False) as clock:
        engine.deploy(read_diagram("deadline.bpmn"), "deadline.bpmn")
        info = engine.start("deadline", {})
        session.commit()
        clock.move_to(T0 + timedelta(days=2))
        result = app.test_cli_runner().invoke(args=["epeople", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "fired=1" in result.output
    session.expire_all()
    assert [t.name for t in engine.instance(info.id).ready_tasks] == ["escalated"]


def test_worker_once_refreshes_the_statistics(app, session):
    result = app.test_cli_runner().invoke(args=["epeople", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "full refresh of 0 month(s)" in result.output  # the first refresh is a full one
    again = app.test_cli_runner().invoke(args=["epeople", "worker", "--once"])
    assert "incremental refresh of 0 month(s)" in again.output


# --- a worker killed between claiming a timer and committing its step (PostgreSQL) -----------

LEASE_SECONDS = 2


def _worker(database_url: str) -> subprocess.Popen[bytes]:
    """The real ``flask epeople worker`` loop in its own process, on the test database, with a
    short lease and the scenario diagrams' forms."""
    env = {
        **os.environ,
        "EPEOPLE_ENV": "testing",
        "DATABASE_URL": database_url,
        "EPEOPLE_FORMS_DIR": os.path.join(DATA, "forms"),
        "EPEOPLE_TIMER_LEASE_SECONDS": str(LEASE_SECONDS),
        "EPEOPLE_TIMER_POLL_SECONDS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "epeople", "worker"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting: {what}")


def _timer(db: Database, instance_id: int) -> DueTimer | None:
    with db.session() as session:
        return session.scalars(select(DueTimer).where(DueTimer.instance_id == instance_id)).one_or_none()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)  # reaps it and closes its pipe


def test_a_timer_claimed_by_a_killed_worker_fires_once_after_its_lease(
    app, session, runtime, db, database_url, postgres_only
):
    engine = EngineService(session, runtime)
    engine.deploy(read_diagram("deadline.bpmn"), "deadline.bpmn")
    with time_machine.travel(datetime.now(timezone.utc) - timedelta(days=2), tick=False):
        instance_id = engine.start("deadline", {}).id  # its one-day timer is a day overdue
    session.commit()
    revision = engine.instance(instance_id).revision

    # The test holds the instance row, so the first worker claims the timer, runs the step and
    # then waits on its UPDATE: killed there, it never commits.
    holder = db.sessionmaker()
    holder.execute(select(ProcessInstance).where(ProcessInstance.id == instance_id).with_for_update())
    first = _worker(database_url)
    try:
        _until(lambda: (_timer(db, instance_id) or DueTimer()).lease_owner is not None, "first worker's claim")
        _until(lambda: a_lock_is_awaited(db), "first worker blocked before committing")
        first.send_signal(signal.SIGKILL)
    finally:
        _stop(first)
        holder.rollback()
        holder.close()
    claimed = _timer(db, instance_id)
    assert claimed is not None and claimed.lease_owner.endswith(f":{first.pid}")
    session.expire_all()
    assert engine.instance(instance_id).revision == revision  # nothing of the first worker landed

    second = _worker(database_url)
    try:
        _until(lambda: _timer(db, instance_id) is None, "second worker fires the timer after the lease")
    finally:
        _stop(second)
    assert first.returncode == -signal.SIGKILL
    session.expire_all()
    instance = engine.instance(instance_id)
    assert instance.revision == revision + 1
    assert [t.name for t in instance.ready_tasks] == ["escalated"]
    fired = session.scalar(
        select(func.count()).select_from(InstanceEvent).where(
            InstanceEvent.instance_id == instance_id, InstanceEvent.kind == "timer_fired"
        )
    )
    assert fired == 1
