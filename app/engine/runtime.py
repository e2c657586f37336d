"""Everything done to a live ``BpmnWorkflow``: create, step, complete, message, fire timers,
and read off what the database projects (ready tasks, timers, messages, errors).

Specs are restored once per deployed version and shared read-only by every instance of it;
measured on 2,400 instances, the shared spec is never modified by running workflows.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition as _BaseMessage
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task, TaskState
from SpiffWorkflow.util.deep_merge import DeepMerge

from app.engine.forms import FormRegistry
from app.engine.parsing import FORM_PROPERTY, ParsedDiagram, parse_diagram
from app.engine.scripts import RestrictedEnvironment
from app.engine.serializer import StateSerializer
from app.engine.types import Conflict, NotFound, TaskNotReady

Specs = tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]


@dataclass(frozen=True)
class ReadyTask:
    id: str
    name: str
    title: str
    lane: str | None
    form: str | None
    body: str | None
    priority: int
    due_at: datetime | None


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    name: str
    due_at: datetime


@dataclass(frozen=True)
class StepFailure:
    """A step that raised: recorded as an incident, the instance stays at the failing task."""

    task_id: str | None
    task_name: str | None
    error_type: str
    message: str
    line_number: int | None


class Runtime:
    def __init__(
        self,
        forms: FormRegistry,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        max_steps: int = 100_000,
        time_limit: float = 1.0,
        max_bpmn_bytes: int = 2 * 1024 * 1024,
    ) -> None:
        self.forms = forms
        self.serializer = StateSerializer()
        self.script_engine = PythonScriptEngine(
            environment=RestrictedEnvironment(functions, max_steps=max_steps, time_limit=time_limit)
        )
        self.max_bpmn_bytes = max_bpmn_bytes
        # Called with (session, InstanceInfo) after steps no domain service drove itself (timers,
        # retries, resumes, migrations), so domains can reflect them (e.g. a petition's status).
        self.step_listeners: list[Callable[[Any, Any], None]] = []
        # Called with (session, instance ids) before the timer worker fires a batch.
        self.step_prefetchers: list[Callable[[Any, list[int]], None]] = []
        self._specs: dict[str, Specs] = {}
        self._lock = threading.Lock()
        # process id -> the latest deployed version's row, as last read by this process (see
        # EngineService._version_row for why it is never used stale).
        self.latest_versions: dict[str, Any] = {}

    # Specs -----------------------------------------------------------------------------------
    def parse(self, data: bytes, filename: str) -> ParsedDiagram:
        return parse_diagram(data, filename, self.forms.check, self.max_bpmn_bytes)

    def specs(self, spec_sha256: str, load_json: Callable[[], str]) -> Specs:
        """The restored specs of a version, from the cache or, once, from the stored JSON."""
        cached = self._specs.get(spec_sha256)
        if cached is None:
            cached = self.serializer.load_spec(load_json())
            with self._lock:
                self._specs[spec_sha256] = cached
        return cached

    # Workflows -------------------------------------------------------------------------------
    def new_workflow(self, specs: Specs, data: dict[str, Any]) -> BpmnWorkflow:
        workflow = BpmnWorkflow(specs[0], specs[1], script_engine=self.script_engine)
        start = workflow.get_next_task(state=TaskState.READY)
        start.set_data(**copy.deepcopy(data))
        return workflow

    def load(self, state: bytes, specs: Specs) -> BpmnWorkflow:
        workflow = self.serializer.load_state(state, specs[0], specs[1])
        workflow.script_engine = self.script_engine
        return workflow

    def dump(self, workflow: BpmnWorkflow) -> bytes:
        return self.serializer.dump_state(workflow)

    def run_steps(self, workflow: BpmnWorkflow) -> StepFailure | None:
        """Run engine steps until people or events are needed; a failure is returned, not raised.

        ``do_engine_steps`` checks timers only at its end, so a timer that just fell due gets one
        more pass here rather than waiting for the next request.
        """
        try:
            workflow.do_engine_steps()
            if workflow.get_next_task(state=TaskState.READY, manual=False) is not None:
                workflow.do_engine_steps()
        except (SpiffWorkflowException, Exception) as error:  # noqa: BLE001 - scripts may raise anything
            return _failure(error)
        return None

    def ready_task(self, workflow: BpmnWorkflow, task_id: str) -> Task:
        try:
            task = workflow.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError, WorkflowException):
            task = None
        if task is None:
            raise NotFound(f"task {task_id} is not part of this petition")
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady("this task has already been completed or is no longer open")
        return task

    def complete(self, workflow: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Complete a READY user task with already-validated data; returns the changed keys."""
        task = self.ready_task(workflow, task_id)
        before = dict(task.data)
        # Assign fresh top-level objects: nested in-place edits would rewrite earlier tasks' data.
        task.set_data(**copy.deepcopy(data))
        changed = DeepMerge.get_updated_keys(before, task.data)
        task.run()
        return changed

    def send_message(self, workflow: BpmnWorkflow, name: str, payload: Any) -> None:
        if name not in self.waiting_messages(workflow):
            raise Conflict(f"this petition is not waiting for '{name}'")
        workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload))

    def redact(self, workflow: BpmnWorkflow, fields: frozenset[str], replacement: str) -> int:
        """Replace every text under ``fields`` in the data of every task (past ones included)
        and of the workflow; returns how many values changed.

        Lists and dicts keep their shape (a script reading ``reply["text"]`` still runs), and
        each value is replaced by a new object: editing one in place would also change the
        tasks that share it.
        """
        changed = 0

        def blank(value: Any) -> Any:
            nonlocal changed
            if isinstance(value, str):
                changed += value != replacement
                return replacement
            if isinstance(value, dict):
                return {key: blank(item) for key, item in value.items()}
            if isinstance(value, list):
                return [blank(item) for item in value]
            return value

        for data in [workflow.data, *(task.data for task in workflow.get_tasks())]:
            for name in fields & data.keys():
                data[name] = blank(data[name])
        return changed

    def retry(self, workflow: BpmnWorkflow) -> StepFailure | None:
        """Run failed tasks again, then continue; a new failure is returned like ``run_steps``."""
        try:
            for task in workflow.get_tasks(state=TaskState.ERROR):
                task.run()
        except Exception as error:  # noqa: BLE001 - the retried script may raise anything
            return _failure(error)
        return self.run_steps(workflow)

    # What the database projects -----------------------------------------------------------
    def ready_user_task_ids(self, workflow: BpmnWorkflow) -> list[str]:
        return [str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)]

    def ready_user_tasks(self, workflow: BpmnWorkflow) -> list[ReadyTask]:
        timers = {t.task_id: t.due_at for t in self.waiting_timers(workflow)}
        ready = []
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            properties = task.task_spec.extensions.get("properties", {})
            boundary_dues = [
                timers[str(sibling.id)] for sibling in task.parent.children if str(sibling.id) in timers
            ]
            ready.append(
                ReadyTask(
                    id=str(task.id),
                    name=task.task_spec.name,
                    title=task.task_spec.bpmn_name or task.task_spec.name,
                    lane=_lane(task),
                    form=properties.get(FORM_PROPERTY),
                    body=self._evaluate_text(task, properties.get("body")),
                    priority=_as_int(self._evaluate_text(task, properties.get("priority"))),
                    # A boundary timer is the task's deadline; without one, a ``due`` property
                    # (an expression giving an ISO date-time) may name it.
                    due_at=min(boundary_dues) if boundary_dues else _as_due(self._evaluate_text(task, properties.get("due"))),
                )
            )
        return ready

    def _evaluate_text(self, task: Task, expression: str | None) -> str | None:
        """Evaluate a task property such as ``body``; an unusable value leaves it unset."""
        if not expression:
            return None
        try:
            value = self.script_engine.evaluate(task, expression)
        except Exception:  # noqa: BLE001 - a bad expression must not block the whole step
            return None
        return None if value is None else str(value)

    def waiting_timers(self, workflow: BpmnWorkflow) -> list[WaitingTimer]:
        timers = []
        for task in workflow.event_manager.tasks.values():
            definition = task.task_spec.event_definition
            if not isinstance(definition, TimerEventDefinition):
                continue
            value = definition.details(task).value
            if not isinstance(value, str):
                continue
            timers.append(
                WaitingTimer(
                    str(task.id), task.task_spec.bpmn_name or task.task_spec.name, _as_utc(value)
                )
            )
        return timers

    def waiting_messages(self, workflow: BpmnWorkflow) -> list[str]:
        return sorted(
            {
                t.task_spec.event_definition.name
                for t in workflow.event_manager.tasks.values()
                if isinstance(t.task_spec.event_definition, _BaseMessage)
            }
        )

    def data(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """The instance's current data: the open task's, or the final data once completed."""
        if workflow.completed:
            return dict(workflow.data)
        for state, manual in ((TaskState.READY, True), (TaskState.WAITING, None), (TaskState.ERROR, None)):
            task = workflow.get_next_task(state=state, manual=manual)
            if task is not None:
                return dict(task.data)
        completed = workflow.get_tasks(state=TaskState.COMPLETED)
        return dict(completed[-1].data) if completed else {}

    def task_data(self, workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
        return dict(self.ready_task(workflow, task_id).data)

    def completed_task_names(self, workflow: BpmnWorkflow) -> list[str]:
        return [
            t.task_spec.name
            for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if t.task_spec.manual or getattr(t.task_spec, "bpmn_id", None)
        ]


def _lane(task: Task) -> str | None:
    """A task's lane; inside a call activity the lane is the calling task's."""
    current: Task | None = task
    while current is not None:
        lane = getattr(current.task_spec, "lane", None)
        if lane:
            return str(lane)
        parent_id = current.workflow.parent_task_id
        current = current.workflow.top_workflow.get_task_from_id(parent_id) if parent_id else None
    return None


def _as_int(value: str | None) -> int:
    try:
        return int(float(value)) if value is not None else 0
    except ValueError:
        return 0


def _as_due(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _as_utc(value)
    except (ValueError, TypeError):
        return None


def _as_utc(value: str) -> datetime:
    parsed = TimerEventDefinition.get_datetime(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _failure(error: BaseException) -> StepFailure:
    task = getattr(error, "task", None)
    cause = error.__context__ if type(error).__name__ == "WorkflowTaskException" else None
    error_type = getattr(error, "error_type", None) or type(cause or error).__name__
    message = str(error)
    if cause is not None and str(cause) not in message:
        message = f"{message} ({type(cause).__name__}: {cause})"
    line = getattr(error, "line_number", None)
    return StepFailure(
        task_id=str(task.id) if task is not None else None,
        task_name=task.task_spec.name if task is not None else None,
        error_type=str(error_type),
        message=message[:4000],
        line_number=line if isinstance(line, int) and line > 0 else None,
    )
