from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from api.deps import CaseReader, CtxDep
from api.paging import Paging, paging, set_headers
from api.schemas.cases import TaskRead
from api.schemas.common import problems
from engine.services.queries import tasks_page

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("", response_model=list[TaskRead], responses=problems(401, 403, 422))
def my_tasks(
    ctx: CtxDep,
    user: CaseReader,
    request: Request,
    response: Response,
    pg: Annotated[Paging, Depends(paging(default=100, maximum=500))],
) -> list[TaskRead]:
    """Ready tasks in the lanes the caller's roles act on, oldest first (auditors: none), one
    page at a time (default 100, cut in the query); `X-Total-Count` and `Link` (api.paging)."""
    now = ctx.clock.now()
    tasks, total = tasks_page(
        ctx.uow(read_only=True), actor=user, offset=pg.offset, limit=pg.page_size
    )
    set_headers(request, response, pg, total)
    return [TaskRead.of(t, now) for t in tasks]
