"""How saves reach the database (app/engine/writes.py): one statement on PostgreSQL, several on
SQLite, with the same guarantees on both."""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import event, func, select

from app.engine.forms import FormRegistry
from app.engine.models import HumanTask, InstanceEvent, ProcessInstance
from app.engine.runtime import Runtime
from app.engine.service import EngineService
from app.engine.store import Event, InstanceStore
from app.engine.types import StaleInstance

from tests.engine.diagrams import DATA, read_diagram

START = {"subject": "Road repair", "target_body": "mun-sfax"}


def test_start_runs_on_a_version_another_process_deployed_after_this_one_cached_the_latest(
    deploy, engine, session
):
    deploy("approval.bpmn")
    first = engine.start("approval", START)  # this process now knows version 1 as the latest
    session.commit()
    elsewhere = Runtime(FormRegistry(os.path.join(DATA, "forms")))  # another worker's memory
    EngineService(session, elsewhere).deploy(read_diagram("approval.bpmn") + b"\n<!-- v2 -->\n", "approval.bpmn")
    session.commit()

    second = engine.start("approval", START)
    session.commit()

    assert (first.version, second.version) == (1, 2)
    stored = session.scalars(select(ProcessInstance.version_id).order_by(ProcessInstance.id)).all()
    assert len(stored) == 2 and stored[0] != stored[1]


def test_a_save_that_lost_the_race_writes_no_history_and_no_task(deploy, engine, session, db, runtime):
    deploy("approval.bpmn")
    task_id = engine.start("approval", START).ready_tasks[0].id
    session.commit()
    instance_id = session.scalar(select(HumanTask.instance_id).where(HumanTask.id == task_id))
    with db.session() as late:
        behind = InstanceStore(late, runtime).load(instance_id)
    engine.complete_task(task_id, {"decision": "accept"}, actor="first")
    session.commit()
    events = session.scalar(select(func.count()).select_from(InstanceEvent))
    tasks = set(session.scalars(select(HumanTask.id)))

    with db.session() as late:
        runtime.complete(behind.workflow, task_id, {"decision": "reject"})
        runtime.run_steps(behind.workflow)
        behind.events.append(Event("task_completed", actor="second", task_id=task_id))
        with pytest.raises(StaleInstance):
            InstanceStore(late, runtime).save(behind)
        late.commit()

    session.expire_all()
    assert session.scalar(select(func.count()).select_from(InstanceEvent)) == events
    assert set(session.scalars(select(HumanTask.id))) == tasks
    assert session.scalar(select(ProcessInstance.revision).where(ProcessInstance.id == instance_id)) == 2


def test_saves_of_any_size_send_one_sql_text_so_postgresql_can_prepare_it(
    deploy, engine, db, postgres_only
):
    deploy("approval.bpmn")
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        info = engine.start("approval", START)
        # One task done and one new; then the last one done, no new task, two history rows.
        info = engine.complete_task(info.ready_tasks[0].id, {"decision": "accept"})
        done = engine.complete_task(info.ready_tasks[0].id, {"answer_text": "Fixed on Monday"})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert done.status == "completed"
    updates = [s for s in statements if s.startswith("WITH inst AS (UPDATE")]
    assert len(updates) == 2 and len(set(updates)) == 1
