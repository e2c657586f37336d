"""Who sees which task, claiming and completing, on the projection tables."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from app.engine.service import EngineService
from app.engine.types import Conflict, NotFound, TaskNotReady
from app.petitions.models import Petition
from app.petitions.services import PetitionService
from app.petitions.uploads import UploadStore
from app.tasks.services import NotYourTask, TaskFilters, TaskService
from tests.engine.diagrams import read_diagram
from tests.factories import make_body, make_user


@pytest.fixture
def setup(session, runtime, tmp_path):
    engine = EngineService(session, runtime)
    engine.deploy(read_diagram("approval.bpmn"), "approval.bpmn")
    central = make_body(session, code="central")
    health = make_body(session, code="min-health")
    petitions = PetitionService(session, engine, UploadStore(str(tmp_path), 1024), settings=None)  # type: ignore[arg-type]
    return TaskService(session, petitions), engine, central, health


def _petition(session, engine, subject="Hospital queue", target="min-health"):
    info = engine.start("approval", {"subject": subject, "target_body": target})
    petition = Petition(type="complaint", subject=subject, description="الانتظار طويل جدا",
                        current_office="central", instance_id=info.id)
    session.add(petition)
    session.commit()
    petition.tracking_number = f"TN-2026-{petition.id:06d}"
    session.commit()
    return petition, info.ready_tasks[0]


def test_relations_agent_sees_only_tasks_of_their_body_and_lane(setup, session):
    tasks, engine, central, health = setup
    _petition(session, engine)
    central_agent = make_user(session, role=Role.RELATIONS_AGENT, body=central)
    health_agent = make_user(session, role=Role.RELATIONS_AGENT, body=health)
    central_body_agent = make_user(session, role=Role.BODY_AGENT, body=central)
    assert tasks.list(central_agent, TaskFilters()).total == 1
    assert tasks.list(health_agent, TaskFilters()).total == 0
    assert tasks.list(central_body_agent, TaskFilters()).total == 0
    assert tasks.list(make_user(session, role=Role.ADMIN), TaskFilters()).total == 1


def test_another_bodys_task_is_not_found(setup, session):
    tasks, engine, central, health = setup
    _, task = _petition(session, engine)
    with pytest.raises(NotFound):
        tasks.get(task.id, make_user(session, role=Role.RELATIONS_AGENT, body=health))


def test_search_finds_arabic_words_and_tracking_numbers(setup, session):
    tasks, engine, central, _ = setup
    petition, _ = _petition(session, engine)
    _petition(session, engine, subject="Road works")
    agent = make_user(session, role=Role.RELATIONS_AGENT, body=central)
    assert tasks.list(agent, TaskFilters(text="طويل")).total == 2
    assert [r.petition.id for r in tasks.list(agent, TaskFilters(text=petition.tracking_number)).rows] == [petition.id]
    assert tasks.list(agent, TaskFilters(text="queue")).total == 1


def test_claimed_task_cannot_be_claimed_or_completed_by_a_colleague(setup, session):
    tasks, engine, central, _ = setup
    _, task = _petition(session, engine)
    first = make_user(session, role=Role.RELATIONS_AGENT, body=central)
    second = make_user(session, role=Role.RELATIONS_AGENT, body=central)
    tasks.claim(task.id, first)
    session.commit()
    with pytest.raises(Conflict):
        tasks.claim(task.id, second)
    with pytest.raises(NotYourTask):
        tasks.complete(task.id, second, {"decision": "reject"})
    assert tasks.list(first, TaskFilters(assigned="me")).total == 1
    assert tasks.list(second, TaskFilters(assigned="unassigned")).total == 0


def test_completed_task_is_a_conflict_for_the_next_attempt(setup, session):
    tasks, engine, central, _ = setup
    _, task = _petition(session, engine)
    agent = make_user(session, role=Role.RELATIONS_AGENT, body=central)
    tasks.complete(task.id, agent, {"decision": "reject", "reason": "out of scope"})
    session.commit()
    with pytest.raises(TaskNotReady):
        tasks.complete(task.id, agent, {"decision": "reject"})


def test_reassign_only_to_colleagues_of_the_same_body_and_role(setup, session):
    tasks, engine, central, health = setup
    _, task = _petition(session, engine)
    agent = make_user(session, role=Role.RELATIONS_AGENT, body=central)
    colleague = make_user(session, role=Role.RELATIONS_AGENT, body=central)
    outsider = make_user(session, role=Role.RELATIONS_AGENT, body=health)
    with pytest.raises(NotFound):
        tasks.reassign(task.id, agent, outsider.id)
    assert tasks.reassign(task.id, agent, colleague.id).assignee == str(colleague.id)


def test_status_and_type_filters(setup, session):
    tasks, engine, central, _ = setup
    first, _ = _petition(session, engine)
    _petition(session, engine, subject="Road works")
    first.status = "information_requested"
    session.commit()
    agent = make_user(session, role=Role.RELATIONS_AGENT, body=central)
    assert [r.petition.id for r in tasks.list(agent, TaskFilters(status="information_requested")).rows] == [first.id]
    assert tasks.list(agent, TaskFilters(petition_type="complaint")).total == 2
    assert tasks.list(agent, TaskFilters(petition_type="suggestion")).total == 0
