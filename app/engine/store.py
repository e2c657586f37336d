"""Loading and saving instances: lean state, optimistic locking and the projections.

A save is one conditional UPDATE of the instance row (``WHERE revision = loaded``) followed by
the projection changes, all in the caller's transaction. If another transaction saved first,
the UPDATE matches nothing and ``StaleInstance`` is raised before anything else is written.
Core statements are used rather than ORM objects: one round trip each, no identity-map state
to go stale between the conditional UPDATE and the projections.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from app.db import utcnow
from app.engine.models import (
    DueTimer,
    HumanTask,
    Incident,
    InstanceEvent,
    ProcessInstance,
    ProcessVersion,
    SpecBlob,
)
from app.engine.runtime import Runtime, StepFailure
from app.engine.types import NotFound, StaleInstance

RUNNING, COMPLETED, ERROR, SUSPENDED = "running", "completed", "error", "suspended"


@dataclass
class Event:
    """One history row to write with the next save."""

    kind: str
    actor: str | None = None
    task_id: str | None = None
    task_name: str | None = None
    title: str | None = None
    data: dict[str, Any] | None = None


@dataclass
class LoadedInstance:
    id: int
    version_id: int
    process_id: str
    version: int
    status: str
    revision: int
    workflow: BpmnWorkflow
    events: list[Event] = field(default_factory=list)


def _diff_text(data: dict[str, Any] | None) -> str | None:
    if not data:
        return None
    shown = {k: (v if isinstance(v, (int, float, bool)) or v is None else str(v)[:500]) for k, v in data.items()}
    return json.dumps(shown, ensure_ascii=False, default=str)


class InstanceStore:
    def __init__(self, session: Session, runtime: Runtime) -> None:
        self.session = session
        self.runtime = runtime

    def specs_for(self, spec_sha256: str) -> Any:
        def load_json() -> str:
            text = self.session.scalar(select(SpecBlob.spec_json).where(SpecBlob.sha256 == spec_sha256))
            if text is None:
                raise NotFound(f"spec {spec_sha256} is missing")
            return text

        return self.runtime.specs(spec_sha256, load_json)

    def load(self, instance_id: int) -> LoadedInstance:
        row = self.session.execute(
            select(
                ProcessInstance.id,
                ProcessInstance.version_id,
                ProcessInstance.status,
                ProcessInstance.revision,
                ProcessInstance.state,
                ProcessVersion.process_id,
                ProcessVersion.version,
                ProcessVersion.spec_sha256,
            )
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
            .where(ProcessInstance.id == instance_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"instance {instance_id} does not exist")
        workflow = self.runtime.load(row.state, self.specs_for(row.spec_sha256))
        return LoadedInstance(
            row.id, row.version_id, row.process_id, row.version, row.status, row.revision, workflow
        )

    def create(self, version: ProcessVersion, workflow: BpmnWorkflow, actor: str | None) -> LoadedInstance:
        now = utcnow()
        instance_id = self.session.execute(
            insert(ProcessInstance)
            .values(
                version_id=version.id,
                status=RUNNING,
                revision=0,
                serializer_version=self.runtime.serializer.version,
                state=b"",
                started_by=actor,
                created_at=now,
                updated_at=now,
            )
            .returning(ProcessInstance.id)
        ).scalar_one()
        return LoadedInstance(
            instance_id, version.id, version.process_id, version.version, RUNNING, 0, workflow
        )

    def save(self, loaded: LoadedInstance, failure: StepFailure | None = None, status: str | None = None) -> None:
        """Write state, projections and history; raise ``StaleInstance`` if we lost a race."""
        workflow = loaded.workflow
        now = utcnow()
        if status is None:
            if workflow.completed:
                status = COMPLETED
            elif failure is not None:
                status = ERROR
            elif loaded.status == SUSPENDED:
                status = SUSPENDED
            else:
                status = RUNNING
        result = self.session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == loaded.id, ProcessInstance.revision == loaded.revision)
            .values(
                state=self.runtime.dump(workflow),
                status=status,
                revision=loaded.revision + 1,
                serializer_version=self.runtime.serializer.version,
                updated_at=now,
                completed_at=now if status == COMPLETED else None,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise StaleInstance("this petition was changed by someone else in the meantime")
        loaded.revision += 1
        loaded.status = status
        self._project_tasks(loaded, now)
        self._project_timers(loaded)
        if failure is not None:
            self._record_incident(loaded.id, failure, now)
            loaded.events.append(Event("incident", task_id=failure.task_id, task_name=failure.task_name,
                                       title=failure.message[:500]))
        if status == COMPLETED:
            loaded.events.append(Event("completed"))
        self._write_events(loaded.id, loaded.events, now)
        loaded.events = []

    def _project_tasks(self, loaded: LoadedInstance, now: datetime) -> None:
        ready = {t.id: t for t in self.runtime.ready_user_tasks(loaded.workflow)}
        existing = set(
            self.session.scalars(select(HumanTask.id).where(HumanTask.instance_id == loaded.id))
        )
        gone = existing - ready.keys()
        if gone:
            self.session.execute(delete(HumanTask).where(HumanTask.id.in_(gone)))
        new = [t for task_id, t in ready.items() if task_id not in existing]
        if new:
            self.session.execute(
                insert(HumanTask),
                [
                    dict(
                        id=t.id, instance_id=loaded.id, process_id=loaded.process_id,
                        task_name=t.name, title=t.title[:500], lane=t.lane, body=t.body,
                        form=t.form, priority=t.priority, created_at=now, due_at=t.due_at,
                    )
                    for t in new
                ],
            )

    def _project_timers(self, loaded: LoadedInstance) -> None:
        waiting = {(t.task_id, t.due_at): t for t in self.runtime.waiting_timers(loaded.workflow)}
        existing = {
            (r.task_id, r.due_at): r.id
            for r in self.session.execute(
                select(DueTimer.id, DueTimer.task_id, DueTimer.due_at).where(
                    DueTimer.instance_id == loaded.id
                )
            )
        }
        gone = [timer_id for key, timer_id in existing.items() if key not in waiting]
        if gone:
            self.session.execute(delete(DueTimer).where(DueTimer.id.in_(gone)))
        new = [t for key, t in waiting.items() if key not in existing]
        if new:
            self.session.execute(
                insert(DueTimer),
                [dict(instance_id=loaded.id, task_id=t.task_id, name=t.name[:500], due_at=t.due_at) for t in new],
            )

    def _record_incident(self, instance_id: int, failure: StepFailure, now: datetime) -> None:
        self.session.execute(
            insert(Incident).values(
                instance_id=instance_id, task_id=failure.task_id, task_name=failure.task_name,
                error_type=failure.error_type[:200], message=failure.message,
                line_number=failure.line_number, created_at=now,
            )
        )

    def resolve_incidents(self, instance_id: int) -> None:
        self.session.execute(
            update(Incident)
            .where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
            .values(resolved_at=utcnow())
        )

    def _write_events(self, instance_id: int, events: Iterable[Event], now: datetime) -> None:
        rows = [
            dict(
                instance_id=instance_id, kind=e.kind, task_id=e.task_id, task_name=e.task_name,
                title=e.title, actor=e.actor, data_diff=_diff_text(e.data), created_at=now,
            )
            for e in events
        ]
        if rows:
            self.session.execute(insert(InstanceEvent), rows)

    def instance_of_task(self, task_id: str) -> int | None:
        return self.session.scalar(select(HumanTask.instance_id).where(HumanTask.id == task_id))

    def was_completed(self, task_id: str) -> bool:
        return (
            self.session.scalar(
                select(InstanceEvent.id)
                .where(InstanceEvent.task_id == task_id, InstanceEvent.kind == "task_completed")
                .limit(1)
            )
            is not None
        )



