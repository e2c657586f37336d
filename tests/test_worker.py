"""`flask epeople worker --once`: fires due timers, then delivers the outbox, and reports both."""

from datetime import datetime, timedelta, timezone

import time_machine

from app.engine.service import EngineService
from tests.engine.diagrams import read_diagram

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
