"""Moving running instances to another deployed version of their process.

SpiffWorkflow's ``bpmn.util.diff`` aligns the task specs of two versions; ``migrate_workflow``
swaps the spec and re-predicts open branches. What it does not do is say *no*: an instance
whose open task was deleted would be corrupted. So every instance is checked first (the dry
run), and only those that can move are moved, each in its own transaction, saved with the new
version id and re-projected. A deleted task that is only in the history does not stop a move:
the serializer restores it as an inert, finished stand-in.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.task import TaskState

from app.engine.models import ProcessInstance, ProcessVersion
from app.engine.runtime import Runtime, Specs
from app.engine.service import EngineService
from app.engine.store import COMPLETED, Event, InstanceStore, LoadedInstance
from app.engine.types import Conflict, NotFound

# Predicted branches are rebuilt from the new spec; only these states hold real progress.
_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


@dataclass(frozen=True)
class VersionDiff:
    """What changed between two versions, by BPMN element id (for lists and highlights)."""

    added: list[str]
    removed: list[str]
    changed: dict[str, list[str]]


@dataclass(frozen=True)
class MigrationCheck:
    instance_id: int
    can_migrate: bool
    reason: str
    open_tasks: list[str] = field(default_factory=list)


def _element_ids(specs: list) -> list[str]:
    return sorted(s.bpmn_id for s in specs if getattr(s, "bpmn_id", None))


class Migrator:
    """Dry runs and migrations between two versions; one spec diff per pair, reused."""

    _diffs: dict[tuple[str, str], SpecDiff] = {}
    _lock = threading.Lock()

    def __init__(self, session: Session, runtime: Runtime) -> None:
        self.session = session
        self.runtime = runtime
        self.store = InstanceStore(session, runtime)

    def _version(self, version_id: int) -> ProcessVersion:
        row = self.session.get(ProcessVersion, version_id)
        if row is None:
            raise NotFound(f"version {version_id} does not exist")
        return row

    def _spec_diff(self, old: ProcessVersion, new: ProcessVersion) -> tuple[SpecDiff, Specs]:
        old_specs = self.store.specs_for(old.spec_sha256)
        new_specs = self.store.specs_for(new.spec_sha256)
        key = (old.spec_sha256, new.spec_sha256)
        diff = self._diffs.get(key)
        if diff is None:
            diff = SpecDiff(self.runtime.serializer.registry, old_specs[0], new_specs[0])
            with self._lock:
                self._diffs[key] = diff
        return diff, new_specs

    def version_diff(self, old_version_id: int, new_version_id: int) -> VersionDiff:
        old, new = self._version(old_version_id), self._version(new_version_id)
        diff, _ = self._spec_diff(old, new)
        return VersionDiff(
            added=_element_ids(diff.added),
            removed=_element_ids(diff.removed),
            changed={
                spec.bpmn_id: sorted(changes)
                for spec, changes in diff.changed.items()
                if getattr(spec, "bpmn_id", None)
            },
        )

    def running_instances(self, version_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(ProcessInstance.id)
                .where(ProcessInstance.version_id == version_id, ProcessInstance.status != COMPLETED)
                .order_by(ProcessInstance.id)
            )
        )

    def check(self, instance_id: int, target_version_id: int) -> MigrationCheck:
        loaded = self.store.load(instance_id)
        return self._check(loaded, self._version(target_version_id))[0]

    def _check(
        self, loaded: LoadedInstance, target: ProcessVersion
    ) -> tuple[MigrationCheck, WorkflowDiff | None, Specs | None]:
        open_tasks = sorted(t.task_spec.name for t in loaded.workflow.get_tasks(state=_LIVE))

        def refuse(reason: str) -> tuple[MigrationCheck, None, None]:
            return MigrationCheck(loaded.id, False, reason, open_tasks), None, None

        if loaded.version_id == target.id:
            return refuse("already on this version")
        if target.process_id != loaded.process_id:
            return refuse(f"version {target.version} belongs to another process")
        if loaded.status == COMPLETED:
            return refuse("the petition is finished")
        if loaded.workflow.subprocesses:
            return refuse("running subprocesses cannot be moved yet")
        diff, new_specs = self._spec_diff(self._version(loaded.version_id), target)
        workflow_diff = WorkflowDiff(loaded.workflow, diff)
        for task in workflow_diff.removed:
            name = task.task_spec.bpmn_name or task.task_spec.name
            if task.has_state(_LIVE):
                return refuse(f"its current task '{name}' does not exist in version {target.version}")
        return MigrationCheck(loaded.id, True, "can move", open_tasks), workflow_diff, new_specs

    def migrate(self, instance_id: int, target_version_id: int, actor: str | None = None) -> MigrationCheck:
        """Move one instance, in the caller's transaction; refusals raise ``Conflict``."""
        loaded = self.store.load(instance_id)
        target = self._version(target_version_id)
        check, workflow_diff, new_specs = self._check(loaded, target)
        if not check.can_migrate or workflow_diff is None or new_specs is None:
            raise Conflict(check.reason)
        # Only READY tasks are reset: WAITING timers keep the due time they already have.
        migrate_workflow(workflow_diff, loaded.workflow, new_specs[0], reset_mask=TaskState.READY)
        loaded.workflow.subprocess_specs = new_specs[1]
        old_version = loaded.version
        loaded.version_id, loaded.version = target.id, target.version
        loaded.events.append(Event("migrated", actor=actor, title=f"v{old_version} → v{target.version}"))
        self.store.save(loaded, self.runtime.run_steps(loaded.workflow), reproject=True)
        EngineService(self.session, self.runtime).notify(loaded)
        return check
