"""Timer incidents (故障): what the worker does with a timer whose step fails, and what an
administrator can do about it.

A failing timer must not stop the others (issue 14.2): its step is rolled back, an incident
records the error, and the timer is held back until its next attempt, each one twice as far away
(`worker.incident_backoff_seconds`, at most `incident_backoff_max_seconds`); after
`worker.incident_max_attempts` failures it waits for an administrator. Retrying grants a fresh
set of attempts from now; resolving (with a reason) declares the cause dealt with, and the timer
is tried again on the next pass like any due timer. Opening, giving up, retrying and resolving
are events of the system trail.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from engine import audit
from engine.errors import (
    CalendarUnavailable,
    Conflict,
    FieldError,
    NotFound,
    ProcessFault,
    ValidationFailed,
)
from engine.services.context import SYSTEM, Actor, EngineContext
from engine.services.views import CaseView, StuckTimer
from engine.store.incidents_repo import ACTIVE, IncidentRepository
from engine.store.models import TimerIncident, TimerRow
from engine.store.uow import UnitOfWork

STATUSES = ("open", "failed", "resolved")
MAX_ERROR_CHARS = 4000


@dataclass(frozen=True)
class IncidentView:
    id: int
    timer_id: str
    case_id: int
    case_no: str
    element_id: str
    timer_name: str
    due_at: datetime
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    error_kind: str
    error: str
    opened_at: datetime
    last_failed_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    timer_waiting: bool


class WorkerDiedInStep(RuntimeError):
    """The timer's last attempt was marked started and never finished: the worker running its
    step died there (killed, out of memory, crashed) and its transaction was rolled back."""

    def __init__(self, started_at: datetime) -> None:
        super().__init__(
            f"上次尝试于 {started_at.isoformat()} 开始后未结束：执行该步骤的工作进程中途终止"
            "（被强制结束、内存耗尽或崩溃），步骤已回滚"
            " (the attempt started then never finished: its worker died inside the step)"
        )
        self.started_at = started_at


def repo(uow: UnitOfWork) -> IncidentRepository:
    assert uow.session is not None
    return IncidentRepository(uow.session)


def backoff(ctx: EngineContext, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: base, 2x base, 4x base, ... up to the cap."""
    w = ctx.settings.worker
    seconds = w.incident_backoff_seconds * (2 ** max(0, min(attempts - 1, 30)))
    return timedelta(seconds=min(seconds, w.incident_backoff_max_seconds))


def error_kind(exc: BaseException) -> str:
    """A short, stable name for the list: the time or memory budget, a calendar year, a
    process fault..."""
    text = str(exc)
    if "时间限制" in text:
        return "time_budget"
    if isinstance(exc, WorkerDiedInStep):
        return "worker_died"
    if isinstance(exc, MemoryError) or "MemoryError" in text:
        return "memory"  # the process's memory budget (limits.memory_mib)
    if isinstance(exc, CalendarUnavailable):
        return "calendar"
    if isinstance(exc, ProcessFault):
        return "process_fault"
    return type(exc).__name__


def _error_text(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def record_failure(
    uow: UnitOfWork, ctx: EngineContext, row: TimerRow, exc: BaseException, now: datetime
) -> TimerIncident:
    """In the claiming transaction (the timer row is still held): open the timer's incident or
    count one more attempt on it, and set when it may be tried again."""
    r = repo(uow)
    incident = r.active_for_timer(row.id, lock=True)
    max_attempts = ctx.settings.worker.incident_max_attempts
    if incident is None:
        incident = TimerIncident(
            timer_id=row.id,
            case_id=row.case_id,
            element_id=row.element_id,
            timer_name=row.name,
            due_at=row.due_at,
            status="open",
            attempts=0,
            error_kind="",
            error="",
            opened_at=now,
            last_failed_at=now,
        )
        r.add(incident)
        opened = True
    else:
        opened = False
    incident.attempts += 1
    incident.error_kind = error_kind(exc)[:64]
    incident.error = _error_text(exc)
    incident.last_failed_at = now
    if incident.attempts >= max_attempts:
        incident.status = "failed"
        incident.next_attempt_at = None
    else:
        incident.status = "open"
        incident.next_attempt_at = now + backoff(ctx, incident.attempts)
    uow.flush()
    if opened or incident.status == "failed":
        audit.system_append(
            uow,
            at=now,
            actor=SYSTEM.username,
            roles=SYSTEM.roles,
            action="timer_incident_opened" if opened else "timer_incident_failed",
            element_id=row.element_id,
            data={
                "incident_id": incident.id,
                "case_id": row.case_id,
                "timer_id": row.id,
                "attempts": incident.attempts,
                "error_kind": incident.error_kind,
                "error": incident.error[:500],
                "status": incident.status,
            },
        )
    return incident


def held_back(uow: UnitOfWork, timer_id: str, now: datetime) -> bool:
    """Whether the timer's incident says not to try it now (no attempts left, or not yet)."""
    incident = repo(uow).active_for_timer(timer_id, lock=True)
    if incident is None:
        return False
    if incident.status == "failed":
        return True
    return incident.next_attempt_at is not None and incident.next_attempt_at > now


def close_if_fired(uow: UnitOfWork, ctx: EngineContext, timer_id: str, now: datetime) -> None:
    """A timer that fired after failing before: its incident is over."""
    incident = repo(uow).active_for_timer(timer_id, lock=True)
    if incident is not None:
        _resolve(uow, incident, SYSTEM, now, "重试后已触发 (fired on a later attempt)")


def resolve_orphans(ctx: EngineContext) -> int:
    """Close the incidents whose timer no longer waits (the case moved on by another path, or
    was closed): nothing is stuck any more. One short transaction per worker pass."""
    with ctx.uow() as uow:
        gone = repo(uow).orphans()
        if not gone:
            return 0
        now = ctx.clock.now()
        for incident in gone:
            _resolve(uow, incident, SYSTEM, now, "定时器已不再等待 (the timer no longer waits)")
        ctx.commit(uow)
        return len(gone)


def _resolve(
    uow: UnitOfWork, incident: TimerIncident, actor: Actor, now: datetime, reason: str
) -> None:
    incident.status = "resolved"
    incident.next_attempt_at = None
    incident.resolved_at = now
    incident.resolved_by = actor.username
    incident.resolution = reason
    uow.flush()
    audit.system_append(
        uow,
        at=now,
        actor=actor.username,
        roles=actor.roles,
        action="timer_incident_resolved",
        element_id=incident.element_id,
        data={
            "incident_id": incident.id,
            "case_id": incident.case_id,
            "timer_id": incident.timer_id,
            "attempts": incident.attempts,
            "reason": reason,
        },
    )


def _view(ctx: EngineContext, i: TimerIncident, case_no: str, waiting: bool) -> IncidentView:
    return IncidentView(
        id=i.id,
        timer_id=i.timer_id,
        case_id=i.case_id,
        case_no=case_no,
        element_id=i.element_id,
        timer_name=i.timer_name,
        due_at=i.due_at,
        status=i.status,
        attempts=i.attempts,
        max_attempts=ctx.settings.worker.incident_max_attempts,
        next_attempt_at=i.next_attempt_at,
        error_kind=i.error_kind,
        error=i.error,
        opened_at=i.opened_at,
        last_failed_at=i.last_failed_at,
        resolved_at=i.resolved_at,
        resolved_by=i.resolved_by,
        resolution=i.resolution,
        timer_waiting=waiting,
    )


def list_incidents(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    status: str | None = None,
    case_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[IncidentView], int]:
    """Incidents newest first; `status` is open, failed, resolved or `active` (open + failed)."""
    if status is None:
        statuses: tuple[str, ...] = ()
    elif status == "active":
        statuses = ACTIVE
    elif status in STATUSES:
        statuses = (status,)
    else:
        raise ValidationFailed(
            [FieldError(["status"], "须为 open、failed、resolved 或 active (one of these)")]
        )
    with uow:
        rows, total = repo(uow).page(
            statuses=statuses,
            case_id=case_id,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
        return [_view(ctx, i, no, waiting) for i, no, waiting in rows], total


def case_incidents(uow: UnitOfWork, *, ctx: EngineContext, case_id: int) -> list[IncidentView]:
    """The case's timers that are stuck now (open or failed incidents)."""
    with uow:
        r = repo(uow)
        no = r.case_no(case_id)
        return [_view(ctx, i, no, r.timer_waiting(i.timer_id)) for i in r.active_for_case(case_id)]


def retry_incident(
    uow: UnitOfWork, *, ctx: EngineContext, actor: Actor, incident_id: int
) -> IncidentView:
    """A fresh set of attempts, the first on the worker's next pass. A timer that no longer
    waits has nothing to retry: its incident is closed instead (and 409 says so)."""
    with uow:
        r = repo(uow)
        incident = r.get(incident_id, lock=True)
        if incident is None:
            raise NotFound(f"故障 {incident_id} 不存在 (incident {incident_id} does not exist)")
        if incident.status == "resolved":
            raise Conflict(f"故障 {incident_id} 已解决，无需重试 (the incident is resolved)")
        now = ctx.clock.now()
        if not r.timer_waiting(incident.timer_id):
            _resolve(uow, incident, SYSTEM, now, "定时器已不再等待 (the timer no longer waits)")
            ctx.commit(uow)
            raise Conflict(
                f"故障 {incident_id} 的定时器已不再等待，故障已关闭"
                " (the timer no longer waits; the incident was closed)"
            )
        before = (incident.status, incident.attempts)
        incident.status = "open"
        incident.attempts = 0
        incident.next_attempt_at = now
        uow.flush()
        audit.system_append(
            uow,
            at=now,
            actor=actor.username,
            roles=actor.roles,
            action="timer_incident_retried",
            element_id=incident.element_id,
            data={
                "incident_id": incident.id,
                "case_id": incident.case_id,
                "timer_id": incident.timer_id,
                "status_before": before[0],
                "attempts_before": before[1],
            },
        )
        view = _view(ctx, incident, r.case_no(incident.case_id), True)
        ctx.commit(uow)
        return view


def resolve_incident(
    uow: UnitOfWork, *, ctx: EngineContext, actor: Actor, incident_id: int, reason: str
) -> IncidentView:
    """Close an incident with the administrator's reason (e.g. the holiday year was loaded).
    The timer, if it still waits, is tried on the next pass; a new failure opens a new one."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed([FieldError(["reason"], "须填写解决理由 (a reason is required)")])
    with uow:
        r = repo(uow)
        incident = r.get(incident_id, lock=True)
        if incident is None:
            raise NotFound(f"故障 {incident_id} 不存在 (incident {incident_id} does not exist)")
        if incident.status == "resolved":
            raise Conflict(f"故障 {incident_id} 已解决 (the incident is already resolved)")
        _resolve(uow, incident, actor, ctx.clock.now(), reason)
        view = _view(ctx, incident, r.case_no(incident.case_id), r.timer_waiting(incident.timer_id))
        ctx.commit(uow)
        return view


def with_stuck_timers(uow: UnitOfWork, view: CaseView) -> CaseView:
    """The case with each stuck timer marked by its incident (one query, in the caller's
    transaction): the case page says the deadline has not fired and why."""
    stuck = {i.timer_id: i for i in repo(uow).active_for_case(view.id)}
    if not stuck:
        return view
    timers = [
        replace(
            t,
            incident=StuckTimer(
                incident_id=i.id,
                status=i.status,
                attempts=i.attempts,
                next_attempt_at=i.next_attempt_at,
                error_kind=i.error_kind,
                error=i.error,
                opened_at=i.opened_at,
            ),
        )
        if (i := stuck.get(t.id)) is not None
        else t
        for t in view.timers
    ]
    return replace(view, timers=timers)
