"""Loading and saving instances: lean state, optimistic locking and the projections.

A save is one conditional UPDATE of the instance row (``WHERE revision = loaded``) with the
projection changes and the history, all in the caller's transaction and, on PostgreSQL, in one
statement (``app.engine.writes``). If another transaction saved first, the UPDATE matches
nothing, nothing else is written, and ``StaleInstance`` is raised.

The projections (open human tasks, waiting timers) are a pure function of the state, so what
the database holds for an instance is known from the state as loaded: a save writes only the
difference, without reading the projection back. Core statements are used rather than ORM
objects: one round trip each, and no identity-map state to go stale between statements.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from app.db import utcnow
from app.engine.forms import N_
from app.engine.models import ProcessVersion, SpecBlob
from app.engine.runtime import ReadyTask, Runtime, Specs, StepFailure
from app.engine.types import NotFound, StaleInstance
from app.engine.writes import EVENT, INCIDENT, INSTANCE, TASK, TIMER, OutdatedVersion, SavePlan, write

RUNNING, COMPLETED, ERROR, SUSPENDED = "running", "completed", "error", "suspended"
VERSION = ProcessVersion.__table__

_LOAD = select(
    INSTANCE.c.id,
    INSTANCE.c.version_id,
    INSTANCE.c.status,
    INSTANCE.c.revision,
    INSTANCE.c.state,
    VERSION.c.process_id,
    VERSION.c.version,
    VERSION.c.spec_sha256,
).join(VERSION, VERSION.c.id == INSTANCE.c.version_id)
# Built once, so SQLAlchemy keeps their cache keys and a load only binds the id.
_LOAD_BY_ID = _LOAD.where(INSTANCE.c.id == bindparam("instance_id"))
_TASK_INSTANCE = select(TASK.c.instance_id).where(TASK.c.id == bindparam("task_id"))
_LOAD_BY_TASK = _LOAD.where(INSTANCE.c.id == _TASK_INSTANCE.scalar_subquery())
_LOAD_MANY = _LOAD.where(INSTANCE.c.id.in_(bindparam("instance_ids", expanding=True)))


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
    revision: int  # 0: not saved yet
    workflow: BpmnWorkflow
    events: list[Event] = field(default_factory=list)
    started_by: str | None = None
    # What the projection tables hold for this instance right now.
    projected_tasks: set[str] = field(default_factory=set)
    projected_timers: set[tuple[str, datetime]] = field(default_factory=set)
    # Tasks the last save inserted, so callers need not read them back; None when it kept some.
    inserted_tasks: list[ReadyTask] | None = None
    saved_at: datetime | None = None


def _diff_text(data: dict[str, Any] | None) -> str | None:
    if not data:
        return None
    shown = {
        k: v if isinstance(v, (int, float, bool)) or v is None else str(v)[:500]
        for k, v in data.items()
    }
    return json.dumps(shown, ensure_ascii=False, default=str)


class InstanceStore:
    def __init__(self, session: Session, runtime: Runtime) -> None:
        self.session = session
        self.runtime = runtime
        self._prefetched: dict[int, Any] = {}

    def specs_for(self, spec_sha256: str) -> Specs:
        def load_json() -> str:
            text = self.session.scalar(select(SpecBlob.spec_json).where(SpecBlob.sha256 == spec_sha256))
            if text is None:
                raise NotFound(f"spec {spec_sha256} is missing")
            return text

        return self.runtime.specs(spec_sha256, load_json)

    def prefetch(self, instance_ids: list[int]) -> None:
        """Read these instances' rows in one query for the ``load`` calls that follow (the timer
        worker's batch). Each row serves one load only; a row changed meanwhile by someone else
        makes that save raise ``StaleInstance``, as any load followed by a race would."""
        rows = self.session.connection().execute(_LOAD_MANY, {"instance_ids": instance_ids})
        self._prefetched.update((row.id, row) for row in rows)

    def load(self, instance_id: int) -> LoadedInstance:
        row = self._prefetched.pop(instance_id, None)
        if row is not None:
            return self._loaded(row)
        missing = f"instance {instance_id} does not exist"
        return self._load_where(_LOAD_BY_ID, {"instance_id": instance_id}, missing)

    def load_for_task(self, task_id: str) -> LoadedInstance | None:
        """The instance that has ``task_id`` open, in one query; None if no such open task."""
        try:
            return self._load_where(_LOAD_BY_TASK, {"task_id": task_id}, "")
        except NotFound:
            return None

    def _load_where(self, query: Select[Any], params: dict[str, Any], missing: str) -> LoadedInstance:
        # A Core select of table columns: the ORM's execute path would add nothing but time.
        row = self.session.connection().execute(query, params).one_or_none()
        if row is None:
            raise NotFound(missing)
        return self._loaded(row)

    def _loaded(self, row: Any) -> LoadedInstance:
        workflow = self.runtime.load(row.state, self.specs_for(row.spec_sha256))
        return LoadedInstance(
            row.id, row.version_id, row.process_id, row.version, row.status, row.revision, workflow,
            projected_tasks=set(self.runtime.ready_user_task_ids(workflow)),
            projected_timers={(t.task_id, t.due_at) for t in self.runtime.waiting_timers(workflow)},
        )

    def create(self, version: Any, workflow: BpmnWorkflow, actor: str | None) -> LoadedInstance:
        """A new instance in memory; its first ``save`` INSERTs it."""
        return LoadedInstance(
            0, version.id, version.process_id, version.version, RUNNING, 0, workflow, started_by=actor
        )

    def save(
        self,
        loaded: LoadedInstance,
        failure: StepFailure | None = None,
        status: str | None = None,
        reproject: bool = False,
        latest_guard: str | None = None,
    ) -> None:
        """Write state, projections and history; raise ``StaleInstance`` if we lost a race.

        ``reproject`` rebuilds the projections from scratch (after a migration, open tasks may
        have a new title, lane, form or body), keeping who each task was assigned to.
        ``latest_guard`` (a process id) makes a new instance's INSERT conditional on its version
        still being that process's latest; ``OutdatedVersion`` is raised if it is not.
        """
        now = utcnow()
        status = status or self._status(loaded, failure)
        plan = SavePlan(
            loaded.id, loaded.revision,
            dict(
                version_id=loaded.version_id,
                state=self.runtime.dump(loaded.workflow),
                status=status,
                revision=loaded.revision + 1,
                serializer_version=self.runtime.serializer.version,
                updated_at=now,
                completed_at=now if status == COMPLETED else None,
            ),
            latest_guard=latest_guard,
        )
        if loaded.revision == 0:
            plan.instance.update(started_by=loaded.started_by, created_at=now)
        assignees: dict[str, str | None] = {}
        if reproject:
            assignees = self._clear_projections(loaded)
        self._project_tasks(loaded, plan, now, assignees)
        self._project_timers(loaded, plan)
        if failure is not None:
            plan.incident = dict(
                task_id=failure.task_id, task_name=failure.task_name, error_type=failure.error_type[:200],
                message=failure.message, line_number=failure.line_number, created_at=now, resolved_at=None,
            )
            loaded.events.append(
                Event("incident", task_id=failure.task_id, task_name=failure.task_name,
                      title=failure.message[:500])
            )
        if status == COMPLETED:
            loaded.events.append(Event("completed"))
        plan.events = [
            dict(kind=e.kind, task_id=e.task_id, task_name=e.task_name, title=e.title, actor=e.actor,
                 data_diff=_diff_text(e.data), created_at=now)
            for e in loaded.events
        ]
        instance_id = write(self.session, plan)
        if instance_id is None:
            if loaded.revision == 0:
                raise OutdatedVersion(f"{latest_guard} is no longer the latest version")
            raise StaleInstance(N_("This petition was changed by someone else in the meantime."))
        loaded.id = instance_id
        loaded.revision += 1
        loaded.status = status
        loaded.saved_at = now
        loaded.events = []

    def _clear_projections(self, loaded: LoadedInstance) -> dict[str, str | None]:
        """Delete the instance's projection rows; returns who each open task was assigned to."""
        assignees = dict(
            self.session.execute(
                select(TASK.c.id, TASK.c.assignee).where(TASK.c.instance_id == loaded.id)
            ).all()
        )
        self.session.execute(TASK.delete().where(TASK.c.instance_id == loaded.id))
        self.session.execute(TIMER.delete().where(TIMER.c.instance_id == loaded.id))
        loaded.projected_tasks, loaded.projected_timers = set(), set()
        return assignees

    @staticmethod
    def _status(loaded: LoadedInstance, failure: StepFailure | None) -> str:
        if loaded.workflow.completed:
            return COMPLETED
        if failure is not None:
            return ERROR
        return SUSPENDED if loaded.status == SUSPENDED else RUNNING

    def _project_tasks(
        self, loaded: LoadedInstance, plan: SavePlan, now: datetime, assignees: dict[str, str | None]
    ) -> None:
        ready = {t.id: t for t in self.runtime.ready_user_tasks(loaded.workflow)}
        plan.task_deletes = loaded.projected_tasks - ready.keys()
        new = [t for task_id, t in ready.items() if task_id not in loaded.projected_tasks]
        plan.task_inserts = [
            dict(
                id=t.id, process_id=loaded.process_id, task_name=t.name, title=t.title[:500], lane=t.lane,
                body=t.body, form=t.form, assignee=assignees.get(t.id), priority=t.priority, created_at=now,
                due_at=t.due_at,
            )
            for t in new
        ]
        loaded.inserted_tasks = None if loaded.projected_tasks & ready.keys() else new
        loaded.projected_tasks = set(ready)

    def _project_timers(self, loaded: LoadedInstance, plan: SavePlan) -> None:
        waiting = {(t.task_id, t.due_at): t for t in self.runtime.waiting_timers(loaded.workflow)}
        plan.timer_deletes = {task_id for task_id, _ in loaded.projected_timers - waiting.keys()}
        plan.timer_inserts = [
            dict(task_id=t.task_id, name=t.name[:500], due_at=t.due_at, lease_owner=None, lease_expires_at=None)
            for key, t in waiting.items() if key not in loaded.projected_timers
        ]
        loaded.projected_timers = set(waiting)

    def resolve_incidents(self, instance_id: int) -> None:
        self.session.execute(
            INCIDENT.update()
            .where(INCIDENT.c.instance_id == instance_id, INCIDENT.c.resolved_at.is_(None))
            .values(resolved_at=utcnow())
        )

    def was_completed(self, task_id: str) -> bool:
        found = self.session.scalar(
            select(EVENT.c.id)
            .where(EVENT.c.task_id == task_id, EVENT.c.kind == "task_completed")
            .limit(1)
        )
        return found is not None
