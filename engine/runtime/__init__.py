"""The only package that imports SpiffWorkflow: parse, lint, run and serialize workflows."""

from engine.runtime.model import (
    DeadlineChange,
    ElementInfo,
    LintIssue,
    ReadyTask,
    Snapshot,
    WaitingTimer,
)
from engine.runtime.parsing import BpmnRejected, ProcessDefinition, lint, parse_bundle
from engine.runtime.runner import LoadedSpec, ProcessRuntime, StepFailed
from engine.runtime.scripting import ScriptError, check_source

__all__ = [
    "BpmnRejected",
    "DeadlineChange",
    "ElementInfo",
    "LintIssue",
    "LoadedSpec",
    "ProcessDefinition",
    "ProcessRuntime",
    "ReadyTask",
    "ScriptError",
    "Snapshot",
    "StepFailed",
    "WaitingTimer",
    "check_source",
    "lint",
    "parse_bundle",
]
