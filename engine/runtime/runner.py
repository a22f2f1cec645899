"""Run one step of a workflow and report what it is waiting for.

Every entry point restores the workflow from JSON, runs exactly one step under the injected clock
(complete a task, deliver a message, fire due timers), then `refresh_timers()` and
`do_engine_steps()` (DESIGN.md), and returns a `Snapshot` the store can index.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.message import (
    MessageEventDefinition as MessageEventDefinitionBase,
)
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.calendar import DeadlineInfo, StatutoryCalendar, UnknownHolidayYear, parse_instant
from engine.errors import CalendarUnavailable, NotWaitingForMessage, TaskNotReady
from engine.runtime.events import event_pairs, timer_elements
from engine.runtime.model import DeadlineChange, ElementInfo, ReadyTask, Snapshot, WaitingTimer
from engine.runtime.parsing import ProcessDefinition, collect_elements
from engine.runtime.scripting import DEADLINE_RECORD, RestrictedScriptEngine, script_writes
from engine.runtime.serialization import SERIALIZER_VERSION, StateSerializer
from engine.runtime.timeshift import at_instant

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
DUTY_HOLDERS = frozenset({"agency", "court"})


_MISSING = object()


class _StepLog:
    """The tasks completed during one step, in order (SpiffWorkflow's did_complete_task hook)."""

    def __init__(self, budget_seconds: float | None = None) -> None:
        self.done: list[Task] = []
        # A step that keeps completing engine tasks (a call activity calling its own process,
        # a loop of script tasks) is stopped here when it runs past the step budget.
        self.deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
        self.writes: dict[Any, frozenset[str]] = {}
        # Scripts of this step report what they assign here (one step per context at a time).
        script_writes.set(self.writes)

    def __call__(self, task: Task) -> None:
        self.done.append(task)
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise StepFailed(
                "流程步骤运行超出时间限制，可能存在无等待的循环或自我调用"
                " (the step exceeded its time budget: a loop without a wait?)"
            )

    def changes(self) -> dict[str, Any]:
        """What this step changed in the data, in completion order: for each completed task,
        the keys whose value differs from its parent's, and the names a script task assigned.
        Taking whole task data instead would let a parallel branch or a finished call activity
        write back stale copies; a script's own assignment is never stale. Inside a called
        process that declares its outputs (ioSpecification), only those outputs may reach the
        case: its working variables stay its own, as the designer declared.

        A call activity is skipped, and so are the engine's own Root/Start/End tasks: their data
        are copies. What a called process changed was taken from its own tasks as they ran; the
        copy handed back when it ends (its last task's data) or handed in when it starts (the
        caller's branch) may be older than what another branch recorded since."""
        changed: dict[str, Any] = {}
        for task in self.done:
            spec = task.task_spec
            if getattr(spec, "bpmn_id", None) is None or isinstance(spec, SubWorkflowTask):
                continue
            parent = task.parent.data if task.parent is not None else {}
            written = self.writes.get(task.id, frozenset())
            allowed = _declared_outputs(task)
            for key, value in task.data.items():
                if allowed is not None and key not in allowed:
                    continue
                if key in written or parent.get(key, _MISSING) != value:
                    changed[key] = value
        return changed


def _declared_outputs(task: Task) -> frozenset[str] | None:
    """The names the enclosing called processes let out (None: no restriction)."""
    allowed: frozenset[str] | None = None
    workflow: Any = task.workflow
    while workflow is not None and getattr(workflow, "parent_task_id", None) is not None:
        io = getattr(workflow.spec, "io_specification", None)
        if io is not None and io.data_outputs:
            names = frozenset(v.bpmn_id for v in io.data_outputs)
            allowed = names if allowed is None else allowed & names
        workflow = workflow.parent_workflow
    return allowed


def _step_error(exc: BaseException) -> Exception:
    """A missing holiday year is an administrator's fix, not a process defect: say so."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UnknownHolidayYear):
            return CalendarUnavailable(str(current))
        current = getattr(current, "exception", None) or current.__cause__ or current.__context__
    return StepFailed(str(exc))


@dataclass(frozen=True)
class LoadedSpec:
    """A process version's spec objects, restored once and shared by all its cases."""

    spec: Any
    subprocess_specs: dict[str, Any]
    elements: dict[str, ElementInfo]


class StepFailed(RuntimeError):
    """A script, condition or expression failed while the workflow ran."""


class ProcessRuntime:
    """The engine's only door to SpiffWorkflow."""

    serializer_version = SERIALIZER_VERSION

    def __init__(
        self,
        calendar: StatutoryCalendar,
        parameters: Mapping[str, Any] | None = None,
        spec_cache_size: int = 64,
        *,
        script_seconds: float = 1.0,
        step_seconds: float = 5.0,
    ) -> None:
        # Replaced (never mutated) when a holiday schedule is loaded; scripts read it per call.
        self.calendar = calendar
        self.parameters = dict(parameters or {})
        self.script_engine = RestrictedScriptEngine(
            lambda: self.calendar, self.parameters, time_budget=script_seconds
        )
        self.step_seconds = step_seconds
        self.serializer = StateSerializer()
        self._cache: OrderedDict[Any, LoadedSpec] = OrderedDict()
        self._cache_size = spec_cache_size
        self._lock = threading.Lock()

    # ---- specs ---------------------------------------------------------------------------
    def spec_json(self, definition: ProcessDefinition) -> dict[str, Any]:
        return self.serializer.spec_to_dict(definition.spec, definition.subprocess_specs)

    def cached_spec(self, cache_key: Any) -> LoadedSpec | None:
        with self._lock:
            hit = self._cache.get(cache_key)
            if hit is not None:
                self._cache.move_to_end(cache_key)
            return hit

    def load_spec(self, cache_key: Any, spec_json: Mapping[str, Any]) -> LoadedSpec:
        """Restore (or take from the cache) the spec of one process version."""
        with self._lock:
            hit = self._cache.get(cache_key)
            if hit is not None:
                self._cache.move_to_end(cache_key)
                return hit
        spec, subs = self.serializer.spec_from_dict(dict(spec_json))
        loaded = LoadedSpec(spec, subs, collect_elements([spec, *subs.values()]))
        with self._lock:
            self._cache[cache_key] = loaded
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return loaded

    # ---- steps ---------------------------------------------------------------------------
    def start(self, loaded: LoadedSpec, data: Mapping[str, Any], now: datetime) -> Snapshot:
        with at_instant(now):
            workflow = BpmnWorkflow(
                loaded.spec, loaded.subprocess_specs, script_engine=self.script_engine
            )
            workflow.task_tree.data.update(dict(data))
            start = workflow.get_next_task(state=TaskState.READY)
            if start is not None:
                start.data.update(dict(data))
            log = _StepLog(self.step_seconds)
            self._advance(workflow, log)
            return self._snapshot(workflow, loaded, log)

    def complete_task(
        self,
        loaded: LoadedSpec,
        state: str,
        task_id: str,
        data: Mapping[str, Any],
        now: datetime,
    ) -> Snapshot:
        with at_instant(now):
            workflow = self._restore(loaded, state)
            task = self._find_task(workflow, task_id)
            if task is None or not task.task_spec.manual or task.state != TaskState.READY:
                raise TaskNotReady(f"task {task_id} is not ready")
            timers_before = self._timer_keys(workflow)
            task.data.update(dict(data))
            log = _StepLog(self.step_seconds)
            self._run(task)
            log(task)
            self._advance(workflow, log)
            return self._snapshot(workflow, loaded, log, timers_before=timers_before)

    def deliver_message(
        self,
        loaded: LoadedSpec,
        state: str,
        name: str,
        payload: Mapping[str, Any],
        now: datetime,
    ) -> Snapshot:
        with at_instant(now):
            workflow = self._restore(loaded, state)
            log = _StepLog(self.step_seconds)
            self._advance(workflow, log)  # let anything already due happen first
            timers_before = self._timer_keys(workflow)
            event = BpmnEvent(MessageEventDefinition(name), dict(payload))
            try:
                workflow.send_event(event)
            except WorkflowException as exc:
                raise NotWaitingForMessage(f"the case is not waiting for '{name}'") from exc
            self._advance(workflow, log)
            return self._snapshot(workflow, loaded, log, timers_before=timers_before)

    def fire_due_timers(self, loaded: LoadedSpec, state: str, now: datetime) -> Snapshot:
        """Let every timer due at or before `now` fire; `fired_elements` says which did.

        SpiffWorkflow fires a timeDate only when it is strictly in the past, while the timer
        index (and the law: a deadline "runs to 24:00") treats the due instant itself as due;
        stepping one microsecond past `now` makes the two agree.
        """
        with at_instant(now + timedelta(microseconds=1)):
            workflow = self._restore(loaded, state)
            log = _StepLog(self.step_seconds)
            self._advance(workflow, log)
            return self._snapshot(workflow, loaded, log)

    def inspect(self, loaded: LoadedSpec, state: str, now: datetime) -> Snapshot:
        """The snapshot of a stored state without running anything."""
        with at_instant(now):
            workflow = self._restore(loaded, state)
            return self._snapshot(workflow, loaded, _StepLog())

    def recompute_deadlines(
        self, loaded: LoadedSpec, state: str, now: datetime
    ) -> tuple[Snapshot, list[DeadlineChange]]:
        """Recompute every waiting timer's date on the calendar in force, from the start and
        period recorded when it was set (a timer set before starts were recorded evaluates its
        expression again, which records them). Nothing runs: a timer now due fires on the
        worker's next pass, through the ordinary firing step."""
        with at_instant(now):
            workflow = self._restore(loaded, state)
            changes: list[DeadlineChange] = []
            for task, element_id in self._waiting_timer_tasks(workflow):
                old = task._get_internal_data("event_value")
                if not isinstance(old, str):
                    continue
                record = task._get_internal_data(DEADLINE_RECORD)
                new: str | None
                try:
                    if isinstance(record, dict):
                        new = self.calendar.deadline(record["start"], record["period"]).isoformat()
                    else:
                        new = self._reevaluate(task, element_id)
                except (UnknownHolidayYear, WorkflowException) as exc:
                    raise _step_error(exc) from exc
                if new is None or parse_instant(new) == parse_instant(old):
                    continue
                task._set_internal_data(event_value=new)
                info = loaded.elements.get(element_id)
                detail = self._deadline_detail(task)
                changes.append(
                    DeadlineChange(
                        task_id=str(task.id),
                        element_id=element_id,
                        name=info.name if info else element_id,
                        old_due_at=parse_instant(old),
                        new_due_at=parse_instant(new),
                        start_at=self._recorded_start(task),
                        period=self._recorded_period(task),
                        basis=info.basis if info else None,
                        provisional_years=detail.provisional_years if detail else (),
                    )
                )
            return self._snapshot(workflow, loaded, _StepLog()), changes

    # ---- internals -----------------------------------------------------------------------
    def _reevaluate(self, task: Task, element_id: str) -> str | None:
        """A timer without a recorded start: evaluate its expression again (this records it)."""
        for element, definition in timer_elements(task.task_spec):
            if element.bpmn_id == element_id:
                value = self.script_engine.evaluate(task, definition.expression)
                return value if isinstance(value, str) else None
        return None

    @staticmethod
    def _recorded_start(task: Task) -> datetime | None:
        record = task._get_internal_data(DEADLINE_RECORD)
        if isinstance(record, dict) and isinstance(record.get("start"), str):
            return parse_instant(record["start"])
        return None

    @staticmethod
    def _recorded_period(task: Task) -> str | None:
        record = task._get_internal_data(DEADLINE_RECORD)
        if isinstance(record, dict) and isinstance(record.get("period"), str):
            return str(record["period"])
        return None

    def _deadline_detail(self, task: Task) -> DeadlineInfo | None:
        """Which years decided a timer's date, on the calendar in force (None if unrecorded)."""
        record = task._get_internal_data(DEADLINE_RECORD)
        if not isinstance(record, dict):
            return None
        try:
            return self.calendar.deadline_detail(record["start"], record["period"])
        except (UnknownHolidayYear, ValueError, KeyError, TypeError):
            return None

    def _duty_due(
        self, workflow: BpmnWorkflow, task: Task, elements: Mapping[str, ElementInfo]
    ) -> tuple[datetime, ElementInfo | None, bool] | None:
        """The earliest agency or court deadline on `task` or on any call activity around it:
        a boundary timer of holder agency/court, waiting or already fired (a lapsed duty stays
        due until the task is done). A timer without a holder counts only on the task itself."""
        best: tuple[datetime, ElementInfo | None, bool] | None = None
        current: Task | None = task
        direct = True
        while current is not None:
            parent = current.parent
            if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
                for sibling in parent.children:
                    if sibling is current:
                        continue
                    for element, _ in timer_elements(sibling.task_spec):
                        info = elements.get(element.bpmn_id)
                        holder = info.properties.get("holder") if info else None
                        if not (holder in DUTY_HOLDERS or (holder is None and direct)):
                            continue
                        value = sibling._get_internal_data("event_value")
                        if not isinstance(value, str):
                            continue
                        due = parse_instant(value)
                        if best is None or due < best[0]:
                            detail = self._deadline_detail(sibling)
                            best = (due, info, bool(detail and detail.provisional))
            direct = False
            owner = current.workflow
            host_id = getattr(owner, "parent_task_id", None)
            current = workflow.get_task_from_id(host_id) if host_id is not None else None
        return best

    def _restore(self, loaded: LoadedSpec, state: str) -> BpmnWorkflow:
        workflow = self.serializer.workflow_from_json(state, loaded.spec, loaded.subprocess_specs)
        workflow.script_engine = self.script_engine
        return workflow

    def _run(self, task: Task) -> None:
        try:
            task.run()
        except WorkflowException as exc:
            raise _step_error(exc) from exc

    def _advance(self, workflow: BpmnWorkflow, log: _StepLog) -> None:
        """Run engine tasks until only people, messages and future timers are left.

        `do_engine_steps` ends with a timer refresh but does not run what that refresh made
        ready (a deadline that had already lapsed when the process reached it), so loop.
        """
        try:
            workflow.refresh_timers()
            for _ in range(100):
                workflow.do_engine_steps(did_complete_task=log)
                if not any(
                    not t.task_spec.manual for t in self._all_tasks(workflow, TaskState.READY)
                ):
                    return
            raise StepFailed("the process keeps running engine tasks (a loop without a wait?)")
        except WorkflowException as exc:
            raise _step_error(exc) from exc

    @staticmethod
    def _all_tasks(workflow: BpmnWorkflow, state: int) -> Iterator[Task]:
        """Tasks of the workflow and its subprocesses, each once (Spiff's iterator already
        descends into subprocesses; the id set guards against it doing so twice)."""
        seen: set[UUID] = set()
        for wf in (workflow, *workflow.subprocesses.values()):
            for task in wf.get_tasks(state=state):
                if task.id not in seen:
                    seen.add(task.id)
                    yield task

    @staticmethod
    def _find_task(workflow: BpmnWorkflow, task_id: str) -> Task | None:
        try:
            uid = UUID(task_id)
        except ValueError:
            return None
        task: Task | None = workflow.get_task_from_id(uid)
        return task

    def _effective_period(self, info: ElementInfo | None, data: Mapping[str, Any]) -> str | None:
        """The period in force: a (local) parameter's value, or the days a decision set
        (`period_source` names the data field, e.g. compliance_days), not the diagram's default."""
        if info is None:
            return None
        name = info.properties.get("local")
        if name and name in self.parameters:
            return str(self.parameters[name])
        source = info.properties.get("period_source")
        if source:
            value = data.get(source)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return f"{value} CD"
            if isinstance(value, str) and value.strip():
                return value.strip()
        return info.period

    @staticmethod
    def _waiting_timer_tasks(workflow: BpmnWorkflow) -> list[tuple[Task, str]]:
        """(waiting task, timer element id); an event-based gateway's timer is its output."""
        found: list[tuple[Task, str]] = []
        for task in workflow.event_manager.tasks.values():
            if task.state != TaskState.WAITING:
                continue
            for element, _ in timer_elements(task.task_spec):
                found.append((task, element.bpmn_id))
        return found

    @staticmethod
    def _waiting_messages(workflow: BpmnWorkflow) -> list[str]:
        names: set[str] = set()
        for task in workflow.event_manager.tasks.values():
            if task.state != TaskState.WAITING:
                continue
            for _, definition in event_pairs(task.task_spec):
                if isinstance(definition, MessageEventDefinitionBase):
                    names.add(definition.name)
        return sorted(names)

    def _timer_keys(self, workflow: BpmnWorkflow) -> set[tuple[str, Any]]:
        return {
            (str(t.id), t._get_internal_data("event_value"))
            for t, _ in self._waiting_timer_tasks(workflow)
        }

    def _snapshot(
        self,
        workflow: BpmnWorkflow,
        loaded: LoadedSpec,
        log: _StepLog,
        timers_before: set[tuple[str, Any]] | None = None,
    ) -> Snapshot:
        elements = loaded.elements
        ready: list[ReadyTask] = []
        for task in self._all_tasks(workflow, TaskState.READY):
            if not task.task_spec.manual:
                continue
            info = elements.get(task.task_spec.bpmn_id)
            duty = self._duty_due(workflow, task, elements)
            ready.append(
                ReadyTask(
                    task_id=str(task.id),
                    element_id=task.task_spec.bpmn_id,
                    name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
                    lane=task.task_spec.lane,
                    form_key=info.form_key if info else None,
                    stage=info.stage if info else None,
                    due_at=duty[0] if duty else None,
                    due_name=(duty[1].name if duty[1] else None) if duty else None,
                    due_basis=(duty[1].basis if duty[1] else None) if duty else None,
                    due_provisional=duty[2] if duty else False,
                )
            )
        timers: list[WaitingTimer] = []
        waiting_ids: set[str] = set()
        for task, element_id in self._waiting_timer_tasks(workflow):
            value = task._get_internal_data("event_value")
            if not isinstance(value, str):
                continue
            info = elements.get(element_id)
            waiting_ids.add(str(task.id))
            detail = self._deadline_detail(task)
            timers.append(
                WaitingTimer(
                    task_id=str(task.id),
                    element_id=element_id,
                    name=info.name if info else element_id,
                    due_at=parse_instant(value),
                    period=self._recorded_period(task) or self._effective_period(info, task.data),
                    basis=info.basis if info else None,
                    start_at=self._recorded_start(task),
                    holder=info.properties.get("holder") if info else None,
                    years=detail.years if detail else (),
                    provisional_years=detail.provisional_years if detail else (),
                )
            )
        fired = [
            t.task_spec.bpmn_id
            for t in log.done
            if (info := elements.get(getattr(t.task_spec, "bpmn_id", None) or "")) is not None
            and info.kind == "timer"
        ]
        messages = self._waiting_messages(workflow)
        completed: list[str] = []
        active: list[str] = []
        for task in self._all_tasks(workflow, TaskState.COMPLETED | _ACTIVE):
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            (completed if task.state == TaskState.COMPLETED else active).append(bpmn_id)
        data = log.changes()
        try:
            state = self.serializer.workflow_to_json(workflow)
        except (ValueError, TypeError) as exc:  # allow_nan=False, or not JSON data
            raise StepFailed(
                "流程数据含有无法保存的值（无穷大、非数字或非 JSON 数据），此步未保存"
                f" (the process data cannot be stored: {exc})"
            ) from exc
        return Snapshot(
            state=state,
            ready_tasks=ready,
            timers=timers,
            waiting_messages=messages,
            completed=bool(workflow.completed),
            data=data,
            completed_elements=sorted(set(completed)),
            active_elements=sorted(set(active)),
            fired_elements=fired,
            timers_unchanged=timers_before is not None
            and timers_before == self._timer_keys(workflow),
        )
