"""Shared steps of every case-changing use case: restore, project the snapshot, save or conflict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import audit
from engine.audit import ChainHead
from engine.errors import Conflict, NotFound, StaleCaseVersion
from engine.runtime import LoadedSpec, ProcessRuntime, Snapshot
from engine.services.context import Actor, EngineContext
from engine.services.views import CaseView, TaskView, TimerView
from engine.store.ledger_repo import entry_values
from engine.store.models import Case, ReadyTaskRow
from engine.store.uow import UnitOfWork


def load_spec(ctx: EngineContext, uow: UnitOfWork, version_id: int) -> LoadedSpec:
    """The spec of a process version; versions are immutable, so the id is a sound cache key
    and the (large) stored spec is read only on a cache miss. Every step passes here first, so
    this is also where the step's calendar is brought up to date with the loaded schedules."""
    ctx.calendars.refresh(uow)
    key = ("pv", str(uow.engine_url), version_id)
    cached = ctx.runtime.cached_spec(key)
    if cached is not None:
        return cached
    row = uow.processes.by_id(version_id)
    if row is None:
        raise NotFound(f"process version {version_id} does not exist")
    return ctx.runtime.load_spec(key, row.spec_json)


def start_form(loaded: LoadedSpec) -> str | None:
    """The intake form of a process version: its start event's form."""
    return next(
        (e.form_key for e in loaded.elements.values() if e.kind == "StartEvent" and e.form_key),
        None,
    )


def get_case_row(
    uow: UnitOfWork, case_id: int, *, lock: bool = False, nowait: bool = False
) -> Case:
    case = uow.cases.lock(case_id, nowait=nowait) if lock else uow.cases.get(case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    return case


def record_case_event(
    uow: UnitOfWork,
    case: Case,
    *,
    at: datetime,
    actor: Actor,
    action: str,
    element_id: str | None,
    data: dict[str, Any],
) -> None:
    """An act on a locked case that is not a process step (a withdrawal, a correction): one
    event on its chain and the head moved, refused if a step changed the case meanwhile."""
    head = ChainHead.of(case)
    audit.append(
        uow,
        head,
        at=at,
        actor=actor.username,
        roles=actor.roles,
        action=action,
        element_id=element_id,
        data=data,
    )
    uow.flush()
    if not uow.cases.save_if_version(
        case.id, case.case_version, {"audit_seq": head.seq, "audit_head": head.hash}
    ):
        raise Conflict(f"案件 {case.case_no} 正被他人修改，请重试 (changed meanwhile; retry)")


def audit_fired_timers(
    uow: UnitOfWork,
    head: ChainHead,
    snapshot: Snapshot,
    loaded: LoadedSpec,
    *,
    now: datetime,
    rows: Sequence[Any] = (),
) -> None:
    """One `timer_fired` event per timer that fired during the step, whatever the step was
    (a deadline that had already lapsed when the process reached it fires inside a task
    completion or a message, not only in the worker)."""
    indexed = {r.element_id: r for r in rows}  # the timer index holds the period in force
    for element_id in snapshot.fired_elements:
        info = loaded.elements.get(element_id)
        row = indexed.get(element_id)
        when = row.due_at if row is not None else None
        period = row.period if row is not None else (info.period if info else None)
        audit.append(
            uow,
            head,
            at=now,
            actor="system",
            roles=("system",),
            action="timer_fired",
            element_id=element_id,
            data={
                "timer": info.name if info else element_id,
                "period": period,
                "due_at": when.isoformat() if when else None,
                "holder": info.properties.get("holder") if info else None,
                # A party's deadline that lapsed on a provisional year: no coercion may rest
                # on it until that year's schedule is loaded (guards.provisional_deadline_guard).
                "provisional_years": [
                    int(y) for y in (getattr(row, "provisional_years", None) or "").split(",") if y
                ],
            },
            basis=info.basis if info else None,
        )


def next_stage(case: Case, snapshot: Snapshot, loaded: LoadedSpec) -> str:
    """The stage an officer sees: the first ready task's, else the first timer's, else as was."""
    if snapshot.completed:
        return "closed"
    for task in snapshot.ready_tasks:
        if task.stage:
            return task.stage
    for timer in sorted(snapshot.timers, key=lambda t: t.due_at):
        info = loaded.elements.get(timer.element_id)
        if info is not None and info.stage:
            return info.stage
    return case.stage


@dataclass
class Written:
    """What a change wrote: the case row values and the new task and timer projections."""

    values: dict[str, Any]
    tasks: list[TaskView]
    timers: list[TimerView]


def apply_snapshot(
    uow: UnitOfWork,
    case: Case,
    snapshot: Snapshot,
    loaded: LoadedSpec,
    *,
    expected_version: int,
    now: datetime,
    data: dict[str, Any],
    head: ChainHead,
    existing_tasks: Sequence[Any] | None = None,
    status: str | None = None,
) -> Written:
    """Write the case row (guarded by `case_version`), its ready tasks and its timers.

    Raises StaleCaseVersion if another transaction changed the case first; the caller's unit of
    work then rolls everything back. `existing_tasks` (the task records the caller already
    read) saves a query on the hot path.
    """
    stage = next_stage(case, snapshot, loaded)
    values: dict[str, Any] = {
        "state": snapshot.state,
        "serializer_version": ProcessRuntime.serializer_version,
        "stage": stage,
        "status": status or ("closed" if snapshot.completed else case.status),
        # What the officer entered, plus what the process's scripts computed from it.
        "data": {**data, **snapshot.data},
        "case_version": expected_version + 1,
        "audit_seq": head.seq,
        "audit_head": head.hash,
        "completed_elements": snapshot.completed_elements,
        "active_elements": snapshot.active_elements,
        "waiting_messages": snapshot.waiting_messages,
        "updated_at": now,
    }
    if not uow.cases.save_if_version(case.id, expected_version, values):
        raise StaleCaseVersion(f"case {case.case_no} was changed by someone else; reload it")
    # The ledger's row of the case, in the same transaction (issue 13: the ledger never reads
    # the cases' JSON, so its filters and a campaign's sums stay indexed at a million cases).
    uow.ledger.upsert(
        entry_values(
            case_id=case.id,
            case_no=case.case_no,
            parent_case_id=case.parent_case_id,
            status=values["status"],
            stage=stage,
            data=values["data"],
            created_at=case.created_at,
            updated_at=now,
            officer=case.created_by,
            next_due_at=min(
                (
                    d
                    for d in [
                        *(t.due_at for t in snapshot.timers),
                        *(t.due_at for t in snapshot.ready_tasks),
                    ]
                    if d is not None
                ),
                default=None,
            ),
        )
    )
    if existing_tasks is None:
        existing_tasks = uow.cases.task_records(case.id)
    task_rows = uow.cases.sync_tasks(
        case.id,
        existing_tasks,
        [
            {
                "id": t.task_id,
                "case_id": case.id,
                "element_id": t.element_id,
                "name": t.name,
                "lane": t.lane,
                "form_key": t.form_key,
                "stage": t.stage,
                "created_at": now,
                "due_at": t.due_at,
                "due_name": t.due_name,
                "due_basis": t.due_basis,
                "due_provisional": t.due_provisional,
            }
            for t in snapshot.ready_tasks
        ],
    )
    timer_rows = uow.timers.sync(
        case.id,
        unchanged=snapshot.timers_unchanged,
        wanted=[
            {
                "id": t.task_id,
                "case_id": case.id,
                "element_id": t.element_id,
                "name": t.name,
                "due_at": t.due_at,
                "period": t.period,
                "basis": t.basis,
                "created_at": now,
                "start_at": t.start_at,
                "holder": t.holder,
                "years": ",".join(str(y) for y in t.years) or None,
                "provisional_years": ",".join(str(y) for y in t.provisional_years) or None,
                "provisional": bool(t.provisional_years),
            }
            for t in snapshot.timers
        ],
    )
    return Written(
        values,
        [_task_view(r) for r in task_rows],
        [_timer_view(t) for t in timer_rows],
    )


def _field(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _task_view(r: Any) -> TaskView:
    return TaskView(
        _field(r, "id"),
        _field(r, "case_id"),
        _field(r, "element_id"),
        _field(r, "name"),
        _field(r, "lane"),
        _field(r, "form_key"),
        _field(r, "stage"),
        _field(r, "created_at"),
        _field(r, "due_at"),
        due_name=_field(r, "due_name"),
        due_basis=_field(r, "due_basis"),
        due_provisional=bool(_field(r, "due_provisional")),
    )


def _years(text: str | None) -> tuple[int, ...]:
    return tuple(int(y) for y in text.split(",") if y) if text else ()


def _timer_view(t: Any) -> TimerView:
    return TimerView(
        _field(t, "id"),
        _field(t, "element_id"),
        _field(t, "name"),
        _field(t, "due_at"),
        _field(t, "period"),
        _field(t, "basis"),
        holder=_field(t, "holder"),
        provisional=bool(_field(t, "provisional")),
        years=_years(_field(t, "years")),
        provisional_years=_years(_field(t, "provisional_years")),
    )


def written_view(case: Case, w: Written, linked: list[int] | None = None) -> CaseView:
    """The public shape of a case just changed, without reading it back."""
    v = w.values
    return CaseView(
        id=case.id,
        case_no=case.case_no,
        process_key=case.process_key,
        process_version=case.process_version,
        status=v["status"],
        stage=v["stage"],
        data=v["data"],
        case_version=v["case_version"],
        created_at=case.created_at,
        updated_at=v["updated_at"],
        tasks=w.tasks,
        timers=w.timers,
        waiting_messages=list(v["waiting_messages"]),
        parent_case_id=case.parent_case_id,
        linked_cases=list(linked or []),
    )


def case_view(uow: UnitOfWork, case: Case) -> CaseView:
    """The public shape of a stored case."""

    timers = uow.timers.for_case(case.id)
    tasks = uow.cases.tasks(case.id)
    return CaseView(
        id=case.id,
        case_no=case.case_no,
        process_key=case.process_key,
        process_version=case.process_version,
        status=case.status,
        stage=case.stage,
        data=case.data,
        case_version=case.case_version,
        created_at=case.created_at,
        updated_at=case.updated_at,
        tasks=[task_view(t) for t in tasks],
        timers=[_timer_view(t) for t in timers],
        waiting_messages=list(case.waiting_messages or []),
        parent_case_id=case.parent_case_id,
        linked_cases=uow.ledger.children(case.id),
    )


def task_view(t: ReadyTaskRow) -> TaskView:
    return _task_view(t)
