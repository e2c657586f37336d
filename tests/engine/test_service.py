"""EngineService end to end on the configured database: deploy, start, complete, history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.engine.models import HumanTask, InstanceEvent, ProcessInstance, SpecBlob
from app.engine.service import EngineService
from app.engine.types import InvalidTaskData, NotFound, TaskNotReady

START = {"subject": "Water cut in El Menzah", "target_body": "mun-tunis", "urgent": True}


def test_deploying_identical_content_twice_keeps_one_version(deploy, session: Session):
    first = deploy("approval.bpmn")
    second = deploy("approval.bpmn")
    assert (first.version, first.created) == (1, True)
    assert (second.id, second.version, second.created) == (first.id, 1, False)
    assert session.scalar(select(func.count()).select_from(SpecBlob)) == 1


def test_start_projects_the_first_user_task_with_lane_body_priority_and_form(deploy, engine, session):
    deploy("approval.bpmn")
    info = engine.start("approval", START, actor="citizen:1")
    session.commit()
    assert info.status == "running"
    [task] = info.ready_tasks
    assert (task.name, task.title, task.lane, task.body, task.form, task.priority) == (
        "review", "Review the request", "relations_office", "central", "review.json", 2,
    )
    assert session.get(HumanTask, task.id) is not None


def test_instances_of_one_version_share_one_stored_spec(deploy, engine, session):
    deploy("approval.bpmn")
    engine.start("approval", START)
    engine.start("approval", START)
    session.commit()
    assert session.scalar(select(func.count()).select_from(SpecBlob)) == 1
    states = session.scalars(select(ProcessInstance.state)).all()
    assert len(states) == 2
    assert all(b'"spec"' not in s for s in states)


def test_start_form_is_validated_on_the_server(deploy, engine):
    deploy("approval.bpmn")
    with pytest.raises(InvalidTaskData) as raised:
        engine.start("approval", {"subject": "x"})
    assert set(raised.value.errors) == {"subject", "target_body"}


def test_complete_walks_accept_branch_to_the_end_and_records_history(deploy, engine, session):
    deploy("approval.bpmn")
    info = engine.start("approval", START)
    info = engine.complete_task(info.ready_tasks[0].id, {"decision": "accept"}, actor="agent:7")
    [answer] = info.ready_tasks
    assert (answer.name, answer.lane, answer.body) == ("answer", "body_agent", "mun-tunis")
    info = engine.complete_task(answer.id, {"answer_text": "Fixed on Monday"}, actor="agent:9")
    session.commit()
    assert info.status == "completed"
    assert info.data["summary"] == "Water cut in El Menzah: Fixed on Monday"
    assert info.data["words"] == 3
    assert session.scalar(select(func.count()).select_from(HumanTask)) == 0
    kinds = [(e.kind, e.actor) for e in engine.history(info.id)]
    assert kinds == [
        ("started", None), ("task_completed", "agent:7"), ("task_completed", "agent:9"), ("completed", None)
    ]


def test_reject_branch_ends_without_drafting(deploy, engine):
    deploy("approval.bpmn")
    info = engine.start("approval", START)
    info = engine.complete_task(info.ready_tasks[0].id, {"decision": "reject", "reason": "out of scope"})
    assert info.status == "completed"
    assert "answer" not in info.completed_task_names


def test_invalid_task_data_changes_nothing(deploy, engine, session):
    deploy("approval.bpmn")
    info = engine.start("approval", START)
    session.commit()
    with pytest.raises(InvalidTaskData) as raised:
        engine.complete_task(info.ready_tasks[0].id, {"decision": "maybe"})
    session.rollback()
    assert "decision" in raised.value.errors
    assert engine.instance(info.id).revision == info.revision


def test_completing_a_completed_task_is_a_conflict_and_unknown_task_is_not_found(deploy, engine, session):
    deploy("approval.bpmn")
    info = engine.start("approval", START)
    task_id = info.ready_tasks[0].id
    engine.complete_task(task_id, {"decision": "reject"})
    session.commit()
    with pytest.raises(TaskNotReady):
        engine.complete_task(task_id, {"decision": "reject"})
    with pytest.raises(NotFound):
        engine.complete_task("00000000-0000-0000-0000-000000000000", {})


def test_dates_decimals_and_arabic_text_survive_a_save(deploy, engine, session, runtime):
    deploy("approval.bpmn")
    subject = "انقطاع الماء في حي النصر — coupure d'eau (3 jours)"
    info = engine.start("approval", {**START, "subject": subject, "amount": Decimal("12.500"),
                                     "noticed_on": date(2026, 11, 20)})
    session.commit()
    engine_again = EngineService(session, runtime)
    data = engine_again.task_data(info.ready_tasks[0].id)
    assert data["subject"] == subject
    assert data["amount"] == Decimal("12.500")
    assert data["noticed_on"] == date(2026, 11, 20)
    state = session.scalar(select(ProcessInstance.state))
    assert len(state) < 4000


def test_history_keeps_the_data_a_task_changed(deploy, engine, session):
    deploy("approval.bpmn")
    info = engine.start("approval", START)
    engine.complete_task(info.ready_tasks[0].id, {"decision": "reject", "reason": "هذا خارج الاختصاص"})
    session.commit()
    event = session.scalars(select(InstanceEvent).where(InstanceEvent.kind == "task_completed")).one()
    assert "هذا خارج الاختصاص" in event.data_diff


def test_claim_is_refused_when_someone_else_claimed_first(deploy, engine, session):
    deploy("approval.bpmn")
    task_id = engine.start("approval", START).ready_tasks[0].id
    assert engine.assign(task_id, "agent:1", expected=None).assignee == "agent:1"
    from app.engine.types import Conflict

    with pytest.raises(Conflict):
        engine.assign(task_id, "agent:2", expected=None)
    assert engine.assign(task_id, None, expected="agent:1").assignee is None


def test_redact_blanks_a_field_in_every_task_and_the_workflow_goes_on(deploy, engine, session):
    deploy("approval.bpmn")
    info = engine.start("approval", START)
    info = engine.complete_task(info.ready_tasks[0].id, {"decision": "accept"}, actor="agent:7")
    session.commit()
    fields = frozenset({"subject", "not_there"})
    assert engine.redact(info.id, fields, "[removed]", actor="user:1") > 0
    assert engine.redact(info.id, fields, "[removed]") == 0  # nothing left: nothing saved
    session.commit()
    assert engine.instance(info.id).revision == 3
    [answer] = engine.instance(info.id).ready_tasks
    assert engine.task_data(answer.id)["subject"] == "[removed]"
    assert engine.task_data(answer.id)["target_body"] == "mun-tunis"
    info = engine.complete_task(answer.id, {"answer_text": "Fixed"}, actor="agent:9")
    assert info.data["summary"] == "[removed]: Fixed"
    assert [e.kind for e in engine.history(info.id)][2] == "redacted"
