"""Holiday schedules: read any year (official or provisional), load one (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from api.deps import Admin, CtxDep, CurrentUser
from api.paging import Paging, page_of, paging
from api.schemas.calendar import CalendarYearPut, CalendarYearRead, CalendarYearSummary
from api.schemas.common import problems
from engine import services

router = APIRouter(prefix="/calendar", tags=["calendar"])
YearPath = Annotated[int, Path(ge=1900, le=2200, description="calendar year")]


@router.get("", response_model=list[CalendarYearSummary], responses=problems(401, 422))
def list_years(
    ctx: CtxDep,
    _: CurrentUser,
    request: Request,
    response: Response,
    pg: Annotated[Paging, Depends(paging(default=300, maximum=300))],
) -> list[CalendarYearSummary]:
    """The loaded years (at most 301 exist: 1900-2200), one page at a time (api.paging)."""
    views = services.list_years(ctx.uow(read_only=True), ctx=ctx)
    return [CalendarYearRead.of(v) for v in page_of(views, request, response, pg)]


@router.get("/{year}", response_model=CalendarYearRead, responses=problems(401, 422))
def get_year(year: YearPath, ctx: CtxDep, _: CurrentUser) -> CalendarYearRead:
    return CalendarYearRead.of(services.get_year(ctx.uow(read_only=True), ctx=ctx, year=year))


@router.put("/{year}", response_model=CalendarYearRead, responses=problems(401, 403, 422))
def load_year(year: YearPath, body: CalendarYearPut, ctx: CtxDep, user: Admin) -> CalendarYearRead:
    """Load the State Council schedule of `year`: it becomes official, the load is recorded in
    the system trail, and every open case's deadlines that depend on it are recomputed."""
    view = services.load_year(
        ctx,
        actor=user,
        year=year,
        rest_days=[d.isoformat() for d in body.rest_days],
        work_days=[d.isoformat() for d in body.work_days],
        source=body.source,
    )
    return CalendarYearRead.of(view)
