"""Workflow state without its spec: the spec is stored once per process version, not per case.

SpiffWorkflow's default converter embeds the whole process spec (every task spec of the main
process and of every called process) in each serialized workflow. For a legal process library that
is most of the bytes and most of the time of every save. Here the workflow converter leaves the
spec out, and restoring takes the (cached) spec objects of the case's process version instead.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

SERIALIZER_VERSION = "qingwei-1:spiff-1.5"


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Converts a top-level workflow, leaving `spec` and `subprocess_specs` to the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(
        self,
        dct: dict[str, Any],
        spec: Any = None,
        subprocess_specs: dict[str, Any] | None = None,
    ) -> BpmnWorkflow:
        if spec is None:
            raise ValueError("restoring a workflow needs its process spec")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class StateSerializer:
    """Turns specs and workflows into JSON-ready dicts and back."""

    def __init__(self) -> None:
        config = dict(SPIFF_CONFIG)
        config[BpmnWorkflow] = SpecFreeWorkflowConverter
        self.registry = BpmnWorkflowSerializer.configure(config)
        self._encoder = create_encoder(self.registry, None)
        # The registry's encoder mode is a flag on a shared object: one conversion at a time.
        self._lock = threading.Lock()

    def spec_to_dict(self, spec: Any, subprocess_specs: dict[str, Any]) -> dict[str, Any]:
        return {
            "spec": self.registry.convert(spec),
            "subprocess_specs": {k: self.registry.convert(v) for k, v in subprocess_specs.items()},
        }

    def spec_from_dict(self, dct: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        spec = self.registry.restore(dct["spec"])
        subs = {k: self.registry.restore(v) for k, v in dct["subprocess_specs"].items()}
        return spec, subs

    def workflow_to_json(self, workflow: BpmnWorkflow) -> str:
        """One JSON text; conversion happens lazily inside the encoder, as Spiff does it."""
        with self._lock:
            self.registry._encoder_mode = True
            try:
                # allow_nan=False: a script's float('inf') or nan is refused here, never stored
                # as the `Infinity` that PostgreSQL rejects and SQLite's JSON functions break on.
                return json.dumps(
                    workflow, cls=self._encoder, separators=(",", ":"), allow_nan=False
                )
            finally:
                self.registry._encoder_mode = False

    def workflow_from_json(
        self, text: str, spec: Any, subprocess_specs: dict[str, Any]
    ) -> BpmnWorkflow:
        dct = json.loads(text)
        return self.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
