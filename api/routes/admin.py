from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.deps import Admin, AppDep
from api.schemas.common import problems
from api.schemas.ledger import ClockRead, ClockSet, TimersRun
from engine import services
from engine.clock import FixedClock

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post("/clock", response_model=ClockRead, responses=problems(401, 403, 404, 422))
def set_clock(body: ClockSet, app: AppDep, user: Admin) -> ClockRead:
    """Move the fake clock (only with QINGWEI_FAKE_CLOCK=1: demos and acceptance tests)."""
    clock = app.ctx.clock
    if not app.settings.clock.fake or not isinstance(clock, FixedClock):
        raise HTTPException(
            status_code=404, detail="the clock can be set only with QINGWEI_FAKE_CLOCK=1"
        )
    before = clock.now()
    clock.set(body.now)
    services.record_system_event(
        app.ctx.uow(),
        ctx=app.ctx,
        actor=user,
        action="clock_set",
        data={"from": before.isoformat(), "to": clock.now().isoformat()},
    )
    return ClockRead(now=clock.now().isoformat())


@router.post("/timers/run", response_model=TimersRun, responses=problems(401, 403))
def run_timers(app: AppDep, _: Admin) -> TimersRun:
    services.recompute_stale_provisional(app.ctx)
    return TimersRun(fired=services.fire_due_timers(app.ctx))
