"""Moving running instances between versions: the dry run says who can move and why not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.engine.migration import Migrator
from app.engine.models import HumanTask
from app.engine.types import Conflict
from tests.engine.diagrams import read_diagram

START = {"subject": "Street lights", "target_body": "mun-sfax"}
V1 = read_diagram("approval.bpmn")
LEGAL_REVIEW = b"""
    <bpmn:userTask id="legal_review" name="Legal review">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="review.json" />
          <spiffworkflow:property name="body" value="'legal'" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3b" sourceRef="legal_review" targetRef="summarise" />
"""
# v2 adds a legal review between drafting and the summary, and renames the review.
V2 = (
    V1.replace(b'<bpmn:sequenceFlow id="f3" sourceRef="answer" targetRef="summarise" />',
               b'<bpmn:sequenceFlow id="f3" sourceRef="answer" targetRef="legal_review" />' + LEGAL_REVIEW)
    .replace(b"<bpmn:flowNodeRef>answer</bpmn:flowNodeRef>",
             b"<bpmn:flowNodeRef>answer</bpmn:flowNodeRef><bpmn:flowNodeRef>legal_review</bpmn:flowNodeRef>")
    .replace(b'name="Review the request"', b'name="Check the request"')
)
# v3 drops drafting: an accepted request goes straight to the summary.
V3 = (
    V1.replace(b'targetRef="answer">', b'targetRef="summarise">')
    .replace(b'<bpmn:sequenceFlow id="f3" sourceRef="answer" targetRef="summarise" />', b"")
    .replace(b"<bpmn:flowNodeRef>answer</bpmn:flowNodeRef>", b"")
)
V3 = V3[: V3.index(b'<bpmn:userTask id="answer"')] + V3[V3.index(b"</bpmn:userTask>", V3.index(b'<bpmn:userTask id="answer"')) + 16:]
V3 = V3.replace(b'summary = subject + ": " + answer_text', b"summary = subject").replace(
    b"for part in answer_text.split():", b"for part in subject.split():")

# v4 is v2 without drafting: an accepted request goes to the legal review, then the summary.
V4 = (
    V3.replace(b'sourceRef="accepted_gw" targetRef="summarise">', b'sourceRef="accepted_gw" targetRef="legal_review">')
    .replace(b'<bpmn:sequenceFlow id="f4"', LEGAL_REVIEW + b'<bpmn:sequenceFlow id="f4"')
    .replace(b"<bpmn:flowNodeRef>review</bpmn:flowNodeRef>",
             b"<bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>legal_review</bpmn:flowNodeRef>")
)


@pytest.fixture
def versions(engine, session):
    deployed = [engine.deploy(xml, "approval.bpmn", "tester") for xml in (V1, V2, V3)]
    session.commit()
    return deployed


@pytest.fixture
def migrator(session, runtime):
    return Migrator(session, runtime)


def test_version_diff_lists_added_removed_and_changed_elements(versions, migrator):
    v1, v2, v3 = versions
    diff = migrator.version_diff(v1.id, v2.id)
    assert diff.added == ["legal_review"] and diff.removed == []
    assert "bpmn_name" in diff.changed["review"]
    assert migrator.version_diff(v1.id, v3.id).removed == ["answer"]


def test_dry_run_explains_who_can_move(versions, engine, migrator, session):
    v1, _, v3 = versions
    at_review = engine.start("approval", START, version=1)
    at_answer = engine.start("approval", START, version=1)
    engine.complete_task(at_answer.ready_tasks[0].id, {"decision": "accept"})
    session.commit()
    checks = {c.instance_id: c for c in (migrator.check(i, v3.id) for i in migrator.running_instances(v1.id))}
    assert checks[at_review.id].can_migrate
    refused = checks[at_answer.id]
    assert not refused.can_migrate and "Draft the answer" in refused.reason and "version 3" in refused.reason


def test_migrated_instance_reaches_the_new_task_and_is_reprojected(versions, engine, migrator, session):
    v1, v2, _ = versions
    info = engine.start("approval", START, version=1)
    task_id = info.ready_tasks[0].id
    engine.assign(task_id, "agent:1", expected=None)
    session.commit()
    migrator.migrate(info.id, v2.id, actor="admin:1")
    session.commit()
    row = session.get(HumanTask, task_id)
    session.refresh(row)
    assert (row.title, row.assignee) == ("Check the request", "agent:1")
    info = engine.complete_task(task_id, {"decision": "accept"})
    info = engine.complete_task(info.ready_tasks[0].id, {"answer_text": "Repaired"})
    assert [t.name for t in info.ready_tasks] == ["legal_review"]
    assert info.version == 2
    assert "migrated" in [e.kind for e in engine.history(info.id)]


def test_refused_migration_leaves_the_instance_untouched(versions, engine, migrator, session):
    _, _, v3 = versions
    info = engine.start("approval", START, version=1)
    info = engine.complete_task(info.ready_tasks[0].id, {"decision": "accept"})
    session.commit()
    with pytest.raises(Conflict):
        migrator.migrate(info.id, v3.id)
    session.rollback()
    after = engine.instance(info.id)
    assert (after.version, after.revision) == (1, info.revision)
    assert session.scalars(select(HumanTask.task_name)).all() == ["answer"]


def test_a_task_deleted_from_the_history_does_not_stop_a_move(versions, engine, migrator, session, runtime):
    _, v2, _ = versions
    v4 = engine.deploy(V4, "approval.bpmn", "tester")
    info = engine.start("approval", START, version=2)
    info = engine.complete_task(info.ready_tasks[0].id, {"decision": "accept"})
    info = engine.complete_task(info.ready_tasks[0].id, {"answer_text": "Lamp replaced"})
    assert [t.name for t in info.ready_tasks] == ["legal_review"]  # "answer" is done, v4 lacks it
    session.commit()

    assert migrator.check(info.id, v4.id).can_migrate
    migrator.migrate(info.id, v4.id, actor="admin:1")
    session.commit()

    # A fresh load (no cached workflow) must restore the retired task and go on.
    moved = engine.instance(info.id)
    assert moved.version == v4.version
    done = engine.complete_task(moved.ready_tasks[0].id, {"decision": "accept"})
    assert done.status == "completed"
    assert (done.data["summary"], done.data["answer_text"]) == ("Street lights", "Lamp replaced")
    assert "answer" in engine.instance(info.id).completed_task_names
