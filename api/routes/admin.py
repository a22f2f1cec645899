from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from api.deps import Admin, AppDep, CtxDep, require
from api.paging import Paging, set_headers
from api.schemas.common import problems
from api.schemas.incidents import IncidentRead, IncidentResolve
from api.schemas.ledger import ClockRead, ClockSet, TimersRun
from engine import services
from engine.clock import FixedClock
from engine.services import Actor, incidents

IncidentReader = Annotated[Actor, Depends(require("admin", "auditor"))]
IncidentId = Annotated[int, Path(ge=1, le=2**63 - 1)]

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


@router.get("/incidents", response_model=list[IncidentRead], responses=problems(401, 403, 422))
def list_incidents(
    ctx: CtxDep,
    _: IncidentReader,
    request: Request,
    response: Response,
    status: Literal["open", "failed", "resolved", "active"] | None = Query(
        default=None, description="active = open and failed; none: all"
    ),
    case_id: int | None = Query(default=None, ge=1, le=2**53),
    page: int = Query(default=1, ge=1, le=1_000_000),
    page_size: int = Query(default=50, ge=1, le=200),
) -> list[IncidentRead]:
    """Timers whose firing failed (定时器故障), newest failure first, one page at a time;
    the total is in the `X-Total-Count` header, the pages in `Link` (api.paging). Auditors
    read them too."""
    items, total = incidents.list_incidents(
        ctx.uow(read_only=True),
        ctx=ctx,
        status=status,
        case_id=case_id,
        page=page,
        page_size=page_size,
    )
    set_headers(request, response, Paging(page, page_size), total)
    return [IncidentRead.of(i) for i in items]


@router.post(
    "/incidents/{incident_id}/retry",
    response_model=IncidentRead,
    responses=problems(401, 403, 404, 409, 422),
)
def retry_incident(incident_id: IncidentId, ctx: CtxDep, user: Admin) -> IncidentRead:
    """A fresh set of attempts, the first on the worker's next pass (or POST /admin/timers/run).
    409 when the incident is resolved or its timer no longer waits (then it is closed)."""
    return IncidentRead.of(
        incidents.retry_incident(ctx.uow(), ctx=ctx, actor=user, incident_id=incident_id)
    )


@router.post(
    "/incidents/{incident_id}/resolve",
    response_model=IncidentRead,
    responses=problems(401, 403, 404, 409, 422),
)
def resolve_incident(
    incident_id: IncidentId, body: IncidentResolve, ctx: CtxDep, user: Admin
) -> IncidentRead:
    """Close the incident with a reason (the cause was dealt with). A timer that still waits is
    tried again on the next pass; if it fails again a new incident opens."""
    return IncidentRead.of(
        incidents.resolve_incident(
            ctx.uow(), ctx=ctx, actor=user, incident_id=incident_id, reason=body.reason
        )
    )
