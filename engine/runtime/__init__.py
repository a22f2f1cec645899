"""The only package that imports SpiffWorkflow: parse, lint, run and serialize workflows."""

from engine.runtime.model import (
    DeadlineChange,
    ElementInfo,
    LintIssue,
    ReadyTask,
    Snapshot,
    WaitingTimer,
)
from engine.runtime.parsing import (
    BpmnRejected,
    FormLookup,
    ProcessDefinition,
    check_bundle,
    lint,
    parse_bundle,
)
from engine.runtime.runner import LoadedSpec, ProcessRuntime, StepFailed
from engine.runtime.scripting import ScriptError, check_source
from engine.runtime.validation_messages import issue

__all__ = [
    "BpmnRejected",
    "DeadlineChange",
    "ElementInfo",
    "FormLookup",
    "LintIssue",
    "LoadedSpec",
    "ProcessDefinition",
    "ProcessRuntime",
    "ReadyTask",
    "ScriptError",
    "Snapshot",
    "StepFailed",
    "WaitingTimer",
    "check_bundle",
    "check_source",
    "issue",
    "lint",
    "parse_bundle",
]
