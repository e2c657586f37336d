"""Two requests completing the same task: exactly one wins, the other gets a conflict.

These need real concurrent transactions, so they run on PostgreSQL (the production database);
SQLite serializes writers at the file level and has nothing to race.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text

from app.engine.models import InstanceEvent
from app.engine.service import EngineService
from app.engine.types import Conflict, StaleInstance

START = {"subject": "Road repair", "target_body": "mun-sfax"}
pytestmark = pytest.mark.usefixtures("postgres_only")


def _started_task(deploy, engine, session) -> tuple[int, str]:
    deploy("approval.bpmn")
    info = engine.start("approval", START)
    session.commit()
    return info.id, info.ready_tasks[0].id


def _wait_until_a_lock_is_awaited(db, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar()
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("the second transaction never waited for the first")


def test_second_of_two_open_transactions_gets_stale_instance(deploy, engine, session, db, runtime):
    instance_id, task_id = _started_task(deploy, engine, session)
    first = db.sessionmaker()
    second = db.sessionmaker()
    outcome: dict[str, object] = {}

    def complete_in_second() -> None:
        try:
            EngineService(second, runtime).complete_task(task_id, {"decision": "reject"}, actor="b")
            second.commit()
            outcome["second"] = "won"
        except Conflict as error:
            second.rollback()
            outcome["second"] = error

    try:
        EngineService(first, runtime).complete_task(task_id, {"decision": "accept"}, actor="a")
        thread = threading.Thread(target=complete_in_second)
        thread.start()
        _wait_until_a_lock_is_awaited(db)
        first.commit()
        thread.join(timeout=30)
    finally:
        first.close()
        second.close()
    assert isinstance(outcome["second"], StaleInstance)
    session.expire_all()
    instance = engine.instance(instance_id)
    assert [t.name for t in instance.ready_tasks] == ["answer"]  # the first (accept) won
    events = session.scalars(select(InstanceEvent.actor).where(InstanceEvent.kind == "task_completed"))
    assert list(events) == ["a"]


def test_many_threads_completing_one_task_have_exactly_one_winner(deploy, engine, session, db, runtime):
    instance_id, task_id = _started_task(deploy, engine, session)
    barrier = threading.Barrier(8)
    results: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        own = db.sessionmaker()
        try:
            barrier.wait()
            EngineService(own, runtime).complete_task(task_id, {"decision": "accept"}, actor=f"t{n}")
            own.commit()
            outcome = "won"
        except Conflict:
            own.rollback()
            outcome = "conflict"
        finally:
            own.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["conflict"] * 7 + ["won"]
    completed = session.scalar(
        select(func.count()).select_from(InstanceEvent).where(InstanceEvent.kind == "task_completed")
    )
    assert completed == 1
    assert engine.instance(instance_id).revision == 2


def test_second_of_two_open_transactions_claiming_a_task_gets_a_conflict(deploy, engine, session, db, runtime):
    """Claiming is one conditional UPDATE (assignee still empty): the second claimant waits for
    the first's row lock, then finds the task taken."""
    instance_id, task_id = _started_task(deploy, engine, session)
    first = db.sessionmaker()
    second = db.sessionmaker()
    outcome: dict[str, object] = {}

    def claim_in_second() -> None:
        try:
            EngineService(second, runtime).assign(task_id, "b", expected=None)
            second.commit()
            outcome["second"] = "won"
        except Conflict as error:
            second.rollback()
            outcome["second"] = error

    try:
        EngineService(first, runtime).assign(task_id, "a", expected=None)
        thread = threading.Thread(target=claim_in_second)
        thread.start()
        _wait_until_a_lock_is_awaited(db)
        first.commit()
        thread.join(timeout=30)
    finally:
        first.close()
        second.close()
    assert isinstance(outcome["second"], Conflict) and not isinstance(outcome["second"], StaleInstance)
    session.expire_all()
    assert engine.task(task_id).assignee == "a"
    assert engine.instance(instance_id).revision == 1  # claiming does not touch the workflow
