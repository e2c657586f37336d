"""Rows for the admin home counts: petitions, open tasks and incidents, inserted directly.

Tasks and incidents hang off a workflow instance, which hangs off a deployed version; these
helpers make the smallest such chain instead of running a diagram.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.engine.models import HumanTask, Incident, ProcessInstance, ProcessVersion, SpecBlob
from app.petitions.models import Petition

_counter = itertools.count(1)


def make_instance(session: Session) -> ProcessInstance:
    n = next(_counter)
    blob = SpecBlob(sha256=f"{n:064x}", spec_json="{}")
    session.add(blob)
    session.flush()  # no relationship orders these inserts: the version's foreign key needs it
    version = ProcessVersion(
        process_id=f"process_{n}",
        version=1,
        filename=f"process_{n}.bpmn",
        bpmn_xml=b"<definitions/>",
        bpmn_sha256=f"{n:064x}",
        spec_sha256=blob.sha256,
    )
    session.add(version)
    session.flush()
    instance = ProcessInstance(
        version_id=version.id, status="running", serializer_version="test", state=b""
    )
    session.add(instance)
    session.commit()
    return instance


@pytest.fixture
def add_task(session: Session) -> Callable[..., HumanTask]:
    def add(due_at: datetime | None = None) -> HumanTask:
        instance = make_instance(session)
        task = HumanTask(
            id=str(uuid.uuid4()),
            instance_id=instance.id,
            process_id="complaint",
            task_name="qualify",
            title="Qualify the petition",
            due_at=due_at,
        )
        session.add(task)
        session.commit()
        return task

    return add


@pytest.fixture
def add_incident(session: Session) -> Callable[..., Incident]:
    def add(resolved_at: datetime | None = None) -> Incident:
        instance = make_instance(session)
        incident = Incident(
            instance_id=instance.id,
            error_type="ScriptError",
            message="boom",
            resolved_at=resolved_at,
        )
        session.add(incident)
        session.commit()
        return incident

    return add


@pytest.fixture
def add_petition(session: Session) -> Callable[..., Petition]:
    def add(status: str = "received", **fields: Any) -> Petition:
        n = next(_counter)
        petition = Petition(
            type="complaint",
            subject=f"Subject {n}",
            description="A description",
            current_office="bcrc",
            status=status,
            **fields,
        )
        session.add(petition)
        session.commit()
        return petition

    return add
