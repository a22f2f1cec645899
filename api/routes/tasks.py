from __future__ import annotations

from fastapi import APIRouter, Query, Response

from api.deps import CaseReader, CtxDep
from api.schemas.cases import TaskRead
from api.schemas.common import problems
from engine import services

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("", response_model=list[TaskRead], responses=problems(401, 403))
def my_tasks(
    ctx: CtxDep,
    user: CaseReader,
    response: Response,
    page: int = Query(default=1, ge=1, le=1_000_000),
    page_size: int = Query(default=100, ge=1, le=500),
) -> list[TaskRead]:
    """Ready tasks in the lanes the caller's roles act on, oldest first (auditors: none), one
    page at a time (default 100); the total is in the `X-Total-Count` header."""
    now = ctx.clock.now()
    tasks = services.tasks_for(ctx.uow(read_only=True), actor=user)
    response.headers["X-Total-Count"] = str(len(tasks))
    start = (page - 1) * page_size
    return [TaskRead.of(t, now) for t in tasks[start : start + page_size]]
