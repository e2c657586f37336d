"""What the rest of the app sees of the engine: plain dataclasses and named errors.

Nothing here refers to SpiffWorkflow, so callers never depend on the library's classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class EngineError(Exception):
    """Base class of the engine's errors."""


class Conflict(EngineError):
    """The request lost a race or targets something that already moved on (HTTP 409)."""


class StaleInstance(Conflict):
    """Another transaction saved the instance first; nothing of this request was stored."""


class TaskNotReady(Conflict):
    """The task exists in the instance but is no longer waiting for input (e.g. completed)."""


class NotFound(EngineError):
    """No such process, version, instance or task (HTTP 404)."""


class InstanceSuspended(Conflict):
    """The instance is suspended or has an open incident; no step runs until it is resumed."""


@dataclass(frozen=True)
class DiagramError:
    """One problem in a BPMN file, placed so an administrator can find and fix it."""

    message: str
    filename: str | None = None
    line: int | None = None
    element_id: str | None = None

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.filename, self.line) if p is not None)
        element = f" [{self.element_id}]" if self.element_id else ""
        return f"{where}{element}: {self.message}" if where or element else self.message


class InvalidDiagram(EngineError):
    """A diagram was rejected; ``errors`` lists every problem found. Nothing was stored."""

    def __init__(self, errors: list[DiagramError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class InvalidTaskData(EngineError):
    """Submitted form data does not satisfy the task's JSON Schema (field path → message)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k or '(form)'}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class VersionInfo:
    id: int
    process_id: str
    version: int
    name: str
    filename: str
    bpmn_sha256: str
    start_form: str | None
    deployed_by: str | None
    deployed_at: datetime
    created: bool = True


@dataclass(frozen=True)
class TaskInfo:
    id: str
    instance_id: int
    name: str
    title: str
    lane: str | None
    body: str | None
    form: str | None
    assignee: str | None
    priority: int
    created_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class IncidentInfo:
    id: int
    task_name: str | None
    error_type: str
    message: str
    line_number: int | None
    created_at: datetime


@dataclass(frozen=True)
class InstanceInfo:
    """An instance after a step: its status, data and what it waits for now."""

    id: int
    process_id: str
    version: int
    status: str
    revision: int
    data: dict[str, Any]
    ready_tasks: list[TaskInfo] = field(default_factory=list)
    waiting_messages: list[str] = field(default_factory=list)
    incidents: list[IncidentInfo] = field(default_factory=list)
    completed_task_names: list[str] = field(default_factory=list)
