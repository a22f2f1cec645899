"""Plain data the runtime hands to the rest of the engine (no SpiffWorkflow types leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ElementInfo:
    """What Qingwei needs to know about one BPMN element, read from its extension properties."""

    element_id: str
    name: str
    kind: str
    lane: str | None = None
    form_key: str | None = None
    stage: str | None = None
    period: str | None = None
    basis: str | None = None
    documents: tuple[str, ...] = ()
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadyTask:
    """A manual task waiting for a person."""

    task_id: str
    element_id: str
    name: str
    lane: str | None
    form_key: str | None
    stage: str | None
    # The agency's (or court's) deadline for this task: the earliest timer of holder agency or
    # court on it or on a call activity around it, waiting or already lapsed.
    due_at: datetime | None = None
    due_name: str | None = None
    due_basis: str | None = None
    due_provisional: bool = False  # its date rests on a year without an official schedule


@dataclass(frozen=True)
class WaitingTimer:
    """A timer waiting for its absolute due instant."""

    task_id: str
    element_id: str
    name: str
    due_at: datetime
    period: str | None
    basis: str | None
    start_at: datetime | None = None  # what the date was computed from, when recorded
    holder: str | None = None  # party | agency | court (the BPMN `holder` property)
    years: tuple[int, ...] = ()  # the years whose holiday schedule decided the date
    provisional_years: tuple[int, ...] = ()  # those of them without an official schedule


@dataclass(frozen=True)
class DeadlineChange:
    """A waiting timer whose date a newly loaded holiday schedule moved."""

    task_id: str
    element_id: str
    name: str
    old_due_at: datetime
    new_due_at: datetime
    start_at: datetime | None
    period: str | None
    basis: str | None
    provisional_years: tuple[int, ...]


@dataclass(frozen=True)
class Snapshot:
    """The workflow's state after a step, as the store indexes it."""

    state: str
    ready_tasks: list[ReadyTask]
    timers: list[WaitingTimer]
    waiting_messages: list[str]
    completed: bool
    data: dict[str, Any]
    completed_elements: list[str]
    active_elements: list[str]
    fired_elements: list[str] = field(default_factory=list)
    # True when the step left the set of waiting timers (ids and due dates) as it found it,
    # so the store can skip rewriting the timer index.
    timers_unchanged: bool = False


@dataclass(frozen=True)
class LintIssue:
    """One reason a BPMN file cannot be deployed, tied to the element that causes it.

    Printed as `file:line: 元素 element ID「name」(流程 process P) [规则 rule R] message
    处理 Fix: …`
    so a designer knows where to look, which rule it is and what to change."""

    process_id: str
    element_id: str | None
    message: str
    file: str | None = None
    element_name: str | None = None
    rule: str | None = None
    line: int | None = None
    fix: str | None = None
    severity: str = "error"  # or "warning": reported, never refuses a deployment

    def __str__(self) -> str:
        where = f"{self.file}{f':{self.line}' if self.line else ''}: " if self.file else ""
        element = self.element_id or self.process_id
        named = f"「{self.element_name}」" if self.element_name else ""
        process = (
            f" (流程 process {self.process_id})" if self.process_id not in ("-", element) else ""
        )
        rule = f" [规则 rule {self.rule}]" if self.rule else ""
        fix = f" 处理 Fix: {self.fix}" if self.fix else ""
        lead = "警告 warning: " if self.severity == "warning" else ""
        line = f"{where}{lead}元素 element {element}{named}{process}{rule} {self.message}{fix}"
        return " ".join(line.splitlines())  # one line per problem, whatever a detail held
