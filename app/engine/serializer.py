"""Lean persistence of workflows: the spec is stored once per version, each save keeps only state.

SpiffWorkflow's default serializer embeds the whole spec in every instance (58 % of the bytes of
a small process) and re-restores it on every load. Here the spec is serialized once, kept as a
restored object in a per-version cache, and handed to the converter on load. The state is
compact JSON (non-ASCII kept as UTF-8, so Arabic text is not tripled by escapes), gzipped.

An instance moved to a version that deleted a task it had already done still names that task in
its history; ``HistoryTaskConverter`` gives such finished tasks an inert stand-in spec so the
state loads (SpiffWorkflow itself would crash on the unknown name).
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.control import SimpleBpmnTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task, TaskState

# Finished tasks whose spec a later version deleted: stand-ins live in their own process spec,
# never in a shared, cached version spec.
_RETIRED = BpmnProcessSpec("retired_tasks")
_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED


class LeanWorkflowConverter(BpmnWorkflowConverter):
    """Converts a workflow without its spec; restores it around a spec given by the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(  # type: ignore[override]
        self,
        dct: dict[str, Any],
        spec: BpmnProcessSpec | None = None,
        subprocess_specs: dict[str, BpmnProcessSpec] | None = None,
    ) -> BpmnWorkflow:
        if spec is None:
            return super().from_dict(dct)
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        # Each restored Task adds itself to ``workflow.tasks`` under its id (its parent is found
        # there): parsing every key again into a UUID, as ``mapping_from_dict`` does, is redundant.
        for task_dct in dct["tasks"].values():
            self.registry.restore(task_dct, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _retired_spec(name: str) -> SimpleBpmnTask:
    spec = SimpleBpmnTask(_RETIRED, name)
    spec.bpmn_id = name  # still listed among the steps the instance went through
    return spec


class HistoryTaskConverter(TaskConverter):
    """Restores tasks; a *finished* task whose spec the current version lacks gets an inert
    stand-in of the same name (so it is saved under that name again). Anything else unknown
    still fails: an open task must never run without its spec."""

    def from_dict(self, dct: dict[str, Any], workflow: BpmnWorkflow) -> Task:
        name = dct["task_spec"]
        if name not in workflow.spec.task_specs and dct["state"] & _FINISHED:
            retired = _RETIRED.task_specs.get(name) or _retired_spec(name)
            # Every process spec has "Start": restore through it, then swap in the stand-in.
            task: Task = super().from_dict({**dct, "task_spec": "Start"}, workflow)
            task.task_spec = retired
            return task
        return super().from_dict(dct, workflow)


class _CompactUtf8Encoder(json.JSONEncoder):
    """Keeps non-ASCII text as is and drops the spaces: an Arabic petition shrinks by a third."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        kwargs["separators"] = (",", ":")
        super().__init__(*args, **kwargs)


def _build_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = LeanWorkflowConverter
    config[Task] = HistoryTaskConverter
    registry = BpmnWorkflowSerializer.configure(config)
    # Dates and amounts in form data must survive a save; datetime/timedelta are built in.
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return BpmnWorkflowSerializer(registry, json_encoder_cls=_CompactUtf8Encoder)


class StateSerializer:
    """Turns workflows into stored bytes and back, and specs into stored JSON and back."""

    def __init__(self) -> None:
        self._serializer = _build_serializer()
        self.registry = self._serializer.registry
        self.version: str = self._serializer.VERSION

    # Specs ------------------------------------------------------------------------------------
    def dump_spec(self, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> str:
        return json.dumps(
            {
                "spec": self.registry.convert(spec),
                "subprocess_specs": {k: self.registry.convert(v) for k, v in subprocess_specs.items()},
            },
            ensure_ascii=False,
        )

    def load_spec(self, spec_json: str) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
        dct = json.loads(spec_json)
        spec = self.registry.restore(dct["spec"])
        subprocess_specs = {k: self.registry.restore(v) for k, v in dct["subprocess_specs"].items()}
        return spec, subprocess_specs

    # State -----------------------------------------------------------------------------------
    def dump_state(self, workflow: BpmnWorkflow) -> bytes:
        text: str = self._serializer.serialize_json(workflow)
        return gzip.compress(text.encode("utf-8"), compresslevel=1)

    def load_state(
        self,
        state: bytes,
        spec: BpmnProcessSpec,
        subprocess_specs: dict[str, BpmnProcessSpec],
    ) -> BpmnWorkflow:
        dct = json.loads(gzip.decompress(state))
        self._serializer.migrate(dct)
        workflow: BpmnWorkflow = self._serializer.from_dict(
            dct, spec=spec, subprocess_specs=subprocess_specs
        )
        return workflow

    def naive_blob(self, workflow: BpmnWorkflow) -> str:
        """The default full serialization (spec embedded), for benchmarks and comparisons only."""
        naive = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        text: str = naive.serialize_json(workflow)
        return text
