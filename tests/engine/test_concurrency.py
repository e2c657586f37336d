"""Two requests completing the same task: exactly one wins, the other gets a conflict.

These need real concurrent transactions, so they run on PostgreSQL (the production database);
SQLite serializes writers at the file level and has nothing to race.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.engine.models import InstanceEvent
from app.engine.service import EngineService
from app.engine.types import Conflict, StaleInstance
from tests.locking import second_waits_for_first

START = {"subject": "Road repair", "target_body": "mun-sfax"}
pytestmark = pytest.mark.usefixtures("postgres_only")


def _started_task(deploy, engine, session) -> tuple[int, str]:
    deploy("approval.bpmn")
    info = engine.start("approval", START)
    session.commit()
    return info.id, info.ready_tasks[0].id


def test_second_of_two_open_transactions_gets_stale_instance(deploy, engine, session, db, runtime):
    instance_id, task_id = _started_task(deploy, engine, session)
    lost = second_waits_for_first(
        db,
        lambda first: EngineService(first, runtime).complete_task(task_id, {"decision": "accept"}, actor="a"),
        lambda second: EngineService(second, runtime).complete_task(task_id, {"decision": "reject"}, actor="b"),
    )
    assert isinstance(lost, StaleInstance)
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
    lost = second_waits_for_first(
        db,
        lambda first: EngineService(first, runtime).assign(task_id, "a", expected=None),
        lambda second: EngineService(second, runtime).assign(task_id, "b", expected=None),
    )
    assert isinstance(lost, Conflict) and not isinstance(lost, StaleInstance)
    session.expire_all()
    assert engine.task(task_id).assignee == "a"
    assert engine.instance(instance_id).revision == 1  # claiming does not touch the workflow
