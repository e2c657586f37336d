"""EngineService: the one interface the rest of the app uses to run routing diagrams.

Methods work inside the caller's transaction and never commit, so a petition row and the
workflow step it triggers are saved together or not at all. Errors are the named exceptions
of ``app.engine.types``; the HTTP layer maps ``Conflict`` to 409 and ``NotFound`` to 404.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import utcnow
from app.engine.forms import N_
from app.engine.models import HumanTask, Incident, InstanceEvent, ProcessVersion, SpecBlob
from app.engine.runtime import Runtime
from app.engine.store import SUSPENDED, Event, InstanceStore, LoadedInstance
from app.engine.writes import OutdatedVersion, one_statement_saves
from app.engine.types import (
    Conflict,
    DiagramError,
    IncidentInfo,
    InstanceInfo,
    InstanceSuspended,
    InvalidDiagram,
    InvalidTaskData,
    NotFound,
    TaskInfo,
    TaskNotReady,
    VersionInfo,
)


def _version_info(row: Any, created: bool = False) -> VersionInfo:
    return VersionInfo(
        id=row.id, process_id=row.process_id, version=row.version, name=row.name,
        filename=row.filename, bpmn_sha256=row.bpmn_sha256, start_form=row.start_form,
        deployed_by=row.deployed_by, deployed_at=row.deployed_at, created=created,
    )


def task_info(row: HumanTask) -> TaskInfo:
    return TaskInfo(
        id=row.id, instance_id=row.instance_id, name=row.task_name, title=row.title,
        lane=row.lane, body=row.body, form=row.form, assignee=row.assignee,
        priority=row.priority, created_at=row.created_at, due_at=row.due_at,
    )


class EngineService:
    def __init__(self, session: Session, runtime: Runtime) -> None:
        self.session = session
        self.runtime = runtime
        self.store = InstanceStore(session, runtime)

    # Definitions -----------------------------------------------------------------------------
    def validate(self, data: bytes, filename: str) -> list[DiagramError]:
        try:
            self.runtime.parse(data, filename)
        except InvalidDiagram as error:
            return error.errors
        return []

    def deploy(self, data: bytes, filename: str, deployed_by: str | None = None) -> VersionInfo:
        """Store a new immutable version, or return the existing one for identical content."""
        parsed = self.runtime.parse(data, filename)
        existing = self.session.scalar(
            select(ProcessVersion).where(
                ProcessVersion.process_id == parsed.process_id,
                ProcessVersion.bpmn_sha256 == parsed.sha256,
            )
        )
        if existing is not None:
            return _version_info(existing)
        spec_json = self.runtime.serializer.dump_spec(parsed.spec, parsed.subprocess_specs)
        spec_sha = hashlib.sha256(spec_json.encode("utf-8")).hexdigest()
        if self.session.get(SpecBlob, spec_sha) is None:
            self.session.add(SpecBlob(sha256=spec_sha, spec_json=spec_json))
        number = (
            self.session.scalar(
                select(func.max(ProcessVersion.version)).where(
                    ProcessVersion.process_id == parsed.process_id
                )
            )
            or 0
        ) + 1
        row = ProcessVersion(
            process_id=parsed.process_id, version=number, name=parsed.name[:500],
            filename=parsed.filename[:500], start_form=parsed.start_form, bpmn_xml=data,
            bpmn_sha256=parsed.sha256, spec_sha256=spec_sha, deployed_by=deployed_by,
            deployed_at=utcnow(),
        )
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError:
            raise Conflict(f"{parsed.process_id} was deployed by someone else at the same time") from None
        self.runtime.latest_versions.pop(parsed.process_id, None)
        return _version_info(row, created=True)

    def version(self, process_id: str, version: int | None = None) -> VersionInfo:
        return _version_info(self._version_row(process_id, version))

    def _version_row(self, process_id: str, version: int | None, cached: bool = False) -> Any:
        """The version's columns (not the XML, not an ORM object: this runs on every start).

        ``cached`` takes the latest version from the process's memory when it can be checked
        for free: on PostgreSQL the instance INSERT is conditional on that version still being
        the latest (``OutdatedVersion`` otherwise), so a start never runs on a superseded one.
        """
        if cached and version is None and one_statement_saves(self.session):
            row = self.runtime.latest_versions.get(process_id)
            if row is None:
                row = self.runtime.latest_versions[process_id] = self._version_row(process_id, None)
            return row
        table = ProcessVersion.__table__
        query = select(*(c for c in table.c if c.name != "bpmn_xml")).where(
            ProcessVersion.process_id == process_id
        )
        if version is None:
            query = query.order_by(ProcessVersion.version.desc()).limit(1)
        else:
            query = query.where(ProcessVersion.version == version)
        row = self.session.execute(query).one_or_none()
        if row is None:
            raise NotFound(f"process {process_id!r} version {version or 'latest'} is not deployed")
        return row

    def versions(self, process_id: str | None = None) -> list[VersionInfo]:
        query = select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version)
        if process_id is not None:
            query = query.where(ProcessVersion.process_id == process_id)
        return [_version_info(r) for r in self.session.scalars(query)]

    # Instances -----------------------------------------------------------------------------
    def start(
        self,
        process_id: str,
        data: dict[str, Any],
        *,
        version: int | None = None,
        actor: str | None = None,
    ) -> InstanceInfo:
        """Start an instance with start-form data (validated here if the diagram names a form)."""
        try:
            return self._start(self._version_row(process_id, version, cached=True), data, version, actor)
        except OutdatedVersion:
            # Another process deployed a newer version since this one cached the latest.
            self.runtime.latest_versions.pop(process_id, None)
            return self._start(self._version_row(process_id, version), data, version, actor)

    def _start(self, row: Any, data: dict[str, Any], version: int | None, actor: str | None) -> InstanceInfo:
        if row.start_form:
            self._check_form(row.start_form, data)
        workflow = self.runtime.new_workflow(self.store.specs_for(row.spec_sha256), data)
        loaded = self.store.create(row, workflow, actor)
        loaded.events.append(Event("started", actor=actor, data=data))
        failure = self.runtime.run_steps(workflow)
        guard = row.process_id if version is None and one_statement_saves(self.session) else None
        self.store.save(loaded, failure, latest_guard=guard)
        return self._info(loaded)

    def instance(self, instance_id: int) -> InstanceInfo:
        return self._info(self.store.load(instance_id))

    def complete_task(
        self, task_id: str, data: dict[str, Any], *, actor: str | None = None
    ) -> InstanceInfo:
        """Validate ``data`` against the task's form, complete it and run on; one transaction."""
        loaded = self._load_for_task(task_id)
        task = self.runtime.ready_task(loaded.workflow, task_id)
        form = task.task_spec.extensions.get("properties", {}).get("formJsonSchemaFilename")
        if form:
            self._check_form(form, data)
        changed = self.runtime.complete(loaded.workflow, task_id, data)
        loaded.events.append(
            Event("task_completed", actor=actor, task_id=task_id, task_name=task.task_spec.name,
                  title=task.task_spec.bpmn_name, data=changed)
        )
        self.store.save(loaded, self.runtime.run_steps(loaded.workflow))
        return self._info(loaded)

    def task_data(self, task_id: str) -> dict[str, Any]:
        """The data an open task sees (to prefill its form and show the petition)."""
        return self.runtime.task_data(self._load_for_task(task_id, running_only=False).workflow, task_id)

    def send_message(
        self, instance_id: int, name: str, payload: Any, *, actor: str | None = None
    ) -> InstanceInfo:
        loaded = self._load_running(instance_id)
        self.runtime.send_message(loaded.workflow, name, payload)
        loaded.events.append(Event("message_received", actor=actor, title=name))
        self.store.save(loaded, self.runtime.run_steps(loaded.workflow))
        return self._info(loaded)

    def redact(self, instance_id: int, fields: frozenset[str], replacement: str, *, actor: str | None = None) -> int:
        """Blank personal texts in an instance's whole history, whatever its status (privacy:
        a closed account); returns how many values changed. Nothing runs: the workflow stays
        where it is, and saves only if something changed (a race gives ``StaleInstance``)."""
        loaded = self.store.load(instance_id)
        changed = self.runtime.redact(loaded.workflow, fields, replacement)
        if changed:
            loaded.events.append(Event("redacted", actor=actor))
            self.store.save(loaded, status=loaded.status)
        return changed

    def fire_timers(self, instance_id: int) -> int:
        """Fire this instance's due timers (the worker calls this); returns how many fired.

        The timer listeners run in the same transaction, so what they derive from the step
        is saved with it or not at all.
        """
        loaded = self._load_running(instance_id)
        now = utcnow()
        due = [t for t in self.runtime.waiting_timers(loaded.workflow) if t.due_at <= now]
        if not due:
            return 0
        loaded.workflow.refresh_timers()
        for timer in due:
            loaded.events.append(Event("timer_fired", task_id=timer.task_id, title=timer.name))
        self.store.save(loaded, self.runtime.run_steps(loaded.workflow))
        self.notify(loaded)
        return len(due)

    def notify(self, loaded: LoadedInstance) -> InstanceInfo:
        """Tell the step listeners where an instance stands after a step they did not drive."""
        info = self._info(loaded)
        for listener in self.runtime.step_listeners:
            listener(self.session, info)
        return info

    def retry(self, instance_id: int, *, actor: str | None = None) -> InstanceInfo:
        """Run the failed step again (after the diagram or data was fixed)."""
        loaded = self.store.load(instance_id)
        self.store.resolve_incidents(instance_id)
        loaded.events.append(Event("retried", actor=actor))
        self.store.save(loaded, self.runtime.retry(loaded.workflow))
        return self.notify(loaded)

    def suspend(self, instance_id: int, *, actor: str | None = None) -> None:
        loaded = self._load_running(instance_id)
        loaded.events.append(Event("suspended", actor=actor))
        self.store.save(loaded, status=SUSPENDED)

    def resume(self, instance_id: int, *, actor: str | None = None) -> None:
        loaded = self.store.load(instance_id)
        if loaded.status != SUSPENDED:
            raise Conflict(N_("This petition is not suspended."))
        loaded.status = "running"
        loaded.events.append(Event("resumed", actor=actor))
        self.store.save(loaded, self.runtime.run_steps(loaded.workflow))
        self.notify(loaded)

    # Human tasks -----------------------------------------------------------------------------
    def task(self, task_id: str) -> TaskInfo:
        row = self.session.get(HumanTask, task_id)
        if row is None:
            raise NotFound("no such open task")
        return task_info(row)

    def assign(self, task_id: str, assignee: str | None, *, expected: str | None | bool = False) -> TaskInfo:
        """Set the task's assignee; with ``expected`` given, only if it is still that (else 409)."""
        query = update(HumanTask).where(HumanTask.id == task_id)
        if expected is not False:
            query = query.where(
                HumanTask.assignee.is_(None) if expected is None else HumanTask.assignee == expected
            )
        result = self.session.execute(query.values(assignee=assignee).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            if self.session.get(HumanTask, task_id) is None:
                raise NotFound("no such open task")
            raise Conflict(N_("This task was claimed or reassigned by someone else."))
        self.session.expire_all()
        return self.task(task_id)

    def history(self, instance_id: int) -> list[InstanceEvent]:
        return list(
            self.session.scalars(
                select(InstanceEvent)
                .where(InstanceEvent.instance_id == instance_id)
                .order_by(InstanceEvent.id)
            )
        )

    # Helpers ---------------------------------------------------------------------------------
    def _check_form(self, form: str, data: dict[str, Any]) -> None:
        errors = self.runtime.forms.errors(form, data)
        if errors:
            raise InvalidTaskData(errors)

    def _load_for_task(self, task_id: str, running_only: bool = True) -> LoadedInstance:
        loaded = self.store.load_for_task(task_id)
        if loaded is None:
            if self.store.was_completed(task_id):
                raise TaskNotReady("this task has already been completed")
            raise NotFound("no such open task")
        if running_only and loaded.status == SUSPENDED:
            raise InstanceSuspended("this petition is suspended; resume it first")
        return loaded

    def _load_running(self, instance_id: int) -> LoadedInstance:
        loaded = self.store.load(instance_id)
        if loaded.status == SUSPENDED:
            raise InstanceSuspended("this petition is suspended; resume it first")
        return loaded

    def _info(self, loaded: LoadedInstance) -> InstanceInfo:
        if loaded.inserted_tasks is not None and loaded.saved_at is not None:
            tasks = [
                TaskInfo(
                    id=t.id, instance_id=loaded.id, name=t.name, title=t.title, lane=t.lane,
                    body=t.body, form=t.form, assignee=None, priority=t.priority,
                    created_at=loaded.saved_at, due_at=t.due_at,
                )
                for t in loaded.inserted_tasks
            ]
        else:
            tasks = [
                task_info(t)
                for t in self.session.scalars(
                    select(HumanTask).where(HumanTask.instance_id == loaded.id).order_by(HumanTask.created_at)
                )
            ]
        incidents = []
        if loaded.status == "error":
            incidents = [
                IncidentInfo(i.id, i.task_name, i.error_type, i.message, i.line_number, i.created_at)
                for i in self.session.scalars(
                    select(Incident)
                    .where(Incident.instance_id == loaded.id, Incident.resolved_at.is_(None))
                    .order_by(Incident.id)
                )
            ]
        return InstanceInfo(
            id=loaded.id,
            process_id=loaded.process_id,
            version=loaded.version,
            status=loaded.status,
            revision=loaded.revision,
            data=self.runtime.data(loaded.workflow),
            ready_tasks=tasks,
            waiting_messages=self.runtime.waiting_messages(loaded.workflow),
            incidents=incidents,
            completed_task_names=self.runtime.completed_task_names(loaded.workflow),
        )
