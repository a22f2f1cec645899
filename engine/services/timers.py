"""Timer use cases: fire one timer, or every due timer, each in its own transaction.

Firing is idempotent: a timer that already fired (its row is gone, or the workflow no longer
waits on it) does nothing. Workers claim rows with FOR UPDATE SKIP LOCKED on PostgreSQL, so any
number of them can run against one database.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy.exc import InterfaceError, OperationalError

from engine import audit
from engine.errors import Conflict, ProcessFault
from engine.runtime import StepFailed
from engine.services import incidents
from engine.services.casework import apply_snapshot, audit_fired_timers, get_case_row, load_spec
from engine.services.context import SYSTEM, EngineContext
from engine.store.models import TimerRow
from engine.store.uow import UnitOfWork

log = logging.getLogger("qingwei.timers")
DB_ERRORS = (OperationalError, InterfaceError)


def fire_timer(uow: UnitOfWork, *, ctx: EngineContext, timer_id: str) -> bool:
    """Fire one timer if it is due and still waiting; True if the case moved."""
    with uow:
        row = uow.timers.get(timer_id)
        if row is None:
            return False
        fired = _fire(uow, ctx, row)
        ctx.commit(uow)
        return fired


def _fire(uow: UnitOfWork, ctx: EngineContext, row: TimerRow) -> bool:
    now = ctx.clock.now()
    if row.due_at > now:
        return False
    case = get_case_row(uow, row.case_id, lock=True, nowait=True)
    if uow.timers.get(row.id) is None:
        return False  # fired meanwhile by another worker
    loaded = load_spec(ctx, uow, case.process_version_id)
    try:
        snapshot = ctx.runtime.fire_due_timers(loaded, case.state, now)
    except StepFailed as exc:
        raise ProcessFault(str(exc)) from exc
    if not snapshot.fired_elements:
        # Nothing is written unless something fired: an audit event must never be committed
        # without the case head that chains it.
        if not any(t.task_id == row.id for t in snapshot.timers):
            uow.timers.delete(row.id)  # stale: the workflow no longer waits on it
        return False
    head = audit.ChainHead.of(case)
    audit_fired_timers(uow, head, snapshot, loaded, now=now, rows=uow.timers.records(case.id))
    if snapshot.completed:
        audit.append(
            uow, head, at=now, actor=SYSTEM.username, roles=SYSTEM.roles, action="case_closed"
        )
    apply_snapshot(
        uow,
        case,
        snapshot,
        loaded,
        expected_version=case.case_version,
        now=now,
        data=dict(case.data),
        head=head,
    )
    return True


def fire_due_timers(
    ctx: EngineContext, *, limit: int | None = None, stop: threading.Event | None = None
) -> int:
    """Fire every timer due now, one transaction each; returns how many cases moved.

    A timer whose case is being changed concurrently is tried once more at the end of the pass
    (a single pass, `worker --once`, must not leave it behind). A timer whose step fails in any
    way (a script error, the step budget, bad data) is rolled back to a savepoint and an incident
    is recorded in the same transaction, which still holds the timer's row: the timer is held
    back until its next attempt (services.incidents) and the pass goes on with the others.
    A database that cannot be reached is not the timer's fault: that error ends the pass.
    `stop` (the worker's SIGTERM) ends the pass between two timers, never inside a step.

    A step can also end its worker with nothing to catch (SIGKILL, the OOM killer, a crash in
    C code): its transaction is rolled back, and a restarted worker would take the same timer
    first and die again. So each attempt is first marked on the timer's row in a transaction of
    its own (`_mark`), and the mark is cleared with the step's outcome. A mark that nobody holds
    after `worker.abandoned_after_seconds` is an attempt that died: it is counted as a failed
    attempt of the timer's incident, which after `worker.incident_max_attempts` holds it back.
    """
    incidents.resolve_orphans(ctx)
    fired = 0
    skipped: set[str] = set()
    conflicted: set[str] = set()
    retried = False
    budget = limit if limit is not None else ctx.settings.worker.batch_size * 100
    while budget > 0 and not (stop is not None and stop.is_set()):
        budget -= 1
        marked = _mark(ctx, skipped)
        if marked is None:
            if conflicted and not retried:
                retried = True
                skipped -= conflicted
                conflicted.clear()
                continue
            return fired
        timer_id, now, outcome = marked
        if outcome is None:
            outcome = _run_marked(ctx, timer_id, now)
        if outcome == "fired":
            fired += 1
        elif outcome == "conflict":
            skipped.add(timer_id)
            conflicted.add(timer_id)
        else:  # failed, held, idle (not due or stale), lost (taken meanwhile by another worker)
            skipped.add(timer_id)
    return fired


def _mark(ctx: EngineContext, skipped: set[str]) -> tuple[str, datetime, str | None] | None:
    """Claim the next due timer and, in this short transaction, either mark its attempt as
    started (outcome None: run it now) or settle it: "held" (its incident says not yet) or
    "failed" (it carried the mark of an attempt whose worker died: one failed attempt more).
    None when nothing is due."""
    abandoned_after = timedelta(seconds=ctx.settings.worker.abandoned_after_seconds)
    with ctx.uow() as uow:
        now = ctx.clock.now()
        r = incidents.repo(uow)
        row = r.claim_next_due(now, exclude=skipped, abandoned_after=abandoned_after)
        if row is None:
            return None
        timer_id = row.id
        if incidents.held_back(uow, timer_id, now):
            return timer_id, now, "held"
        started = row.attempt_started_at
        if started is not None:
            incident = incidents.record_failure(
                uow, ctx, row, incidents.WorkerDiedInStep(started), now
            )
            r.mark_attempt(timer_id, None)
            ctx.commit(uow)
            log.warning(
                "timer %s (case %s): its attempt started at %s never finished (the worker died "
                "inside the step), incident %s attempt %d/%d",
                timer_id,
                row.case_id,
                started.isoformat(),
                incident.id,
                incident.attempts,
                ctx.settings.worker.incident_max_attempts,
            )
            return timer_id, now, "failed"
        r.mark_attempt(timer_id, now)
        ctx.commit(uow)
        return timer_id, now, None


def _run_marked(ctx: EngineContext, timer_id: str, now: datetime) -> str:
    """Run the step of a timer whose attempt `_mark` committed, and clear the mark with its
    outcome in the same transaction."""
    late: Exception | None = None
    with ctx.uow() as uow:
        r = incidents.repo(uow)
        row = r.claim(timer_id, wait=True)
        if row is None or row.attempt_started_at is None:
            return "lost"  # fired, or settled, by another worker since the mark
        try:
            outcome = _attempt(uow, ctx, row, now)
            r.mark_attempt(timer_id, None)
            ctx.commit(uow)
        except Conflict:
            outcome = "conflict"
        except DB_ERRORS:
            raise
        except Exception as exc:  # failed while committing, after the savepoint
            outcome, late = "failed", exc
    if outcome == "conflict":
        _clear_mark(ctx, timer_id)
    if late is not None:
        _record_late(ctx, timer_id, late, now)
    return outcome


def _clear_mark(ctx: EngineContext, timer_id: str) -> None:
    """The step's transaction ended without clearing the mark (its case was held by someone
    else): nothing ran, so clear it on its own."""
    with ctx.uow() as uow:
        incidents.repo(uow).mark_attempt(timer_id, None)
        ctx.commit(uow)


def _record_late(ctx: EngineContext, timer_id: str, exc: Exception, now: datetime) -> None:
    """A failure after the step's savepoint (while committing) rolled the whole transaction
    back, claim included: claim the timer again and record the incident on its own. If even
    that fails the timer is only skipped for this pass, and the error logged."""
    try:
        with ctx.uow() as uow:
            row = incidents.repo(uow).claim(timer_id, wait=True)  # still marked by us
            if row is None:
                return  # fired or claimed meanwhile by another worker
            incidents.record_failure(uow, ctx, row, exc, now)
            incidents.repo(uow).mark_attempt(timer_id, None)
            ctx.commit(uow)
    except DB_ERRORS:
        raise
    except Exception:
        log.exception("timer %s failed and its incident could not be recorded", timer_id)
        return
    log.warning("timer %s failed while committing: %s", timer_id, exc)


def _attempt(uow: UnitOfWork, ctx: EngineContext, row: TimerRow, now: datetime) -> str:
    """Fire one claimed timer inside a savepoint: "fired", "idle" (not due, stale or nothing
    fired), "conflict" (its case is held by someone else), "held" (its incident says not yet)
    or "failed" (incident recorded)."""
    assert uow.session is not None
    timer_id = row.id
    if incidents.held_back(uow, timer_id, now):
        # The claim's snapshot predates an incident another worker committed while it held the
        # row (PostgreSQL rechecks only the locked row itself); read again now that we hold it.
        return "held"
    savepoint = uow.session.begin_nested()
    try:
        moved = _fire(uow, ctx, row)
        savepoint.commit()
    except Conflict:
        savepoint.rollback()
        return "conflict"
    except DB_ERRORS:
        raise  # the connection or the server failed, not this timer
    except Exception as exc:  # any failure of this one timer's step becomes its incident
        savepoint.rollback()
        incident = incidents.record_failure(uow, ctx, row, exc, now)
        log.warning(
            "timer %s (case %s) failed, incident %s attempt %d/%d, %s: %s",
            timer_id,
            incident.case_id,
            incident.id,
            incident.attempts,
            ctx.settings.worker.incident_max_attempts,
            "next at " + incident.next_attempt_at.isoformat()
            if incident.next_attempt_at
            else "no more attempts",
            incident.error,
        )
        return "failed"
    if moved:
        incidents.close_if_fired(uow, ctx, timer_id, now)
    return "fired" if moved else "idle"
