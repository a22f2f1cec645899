from __future__ import annotations

from fastapi import APIRouter

from api.deps import CaseReader, CtxDep
from api.schemas.cases import TaskRead
from api.schemas.common import problems
from engine import services

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("", response_model=list[TaskRead], responses=problems(401, 403))
def my_tasks(ctx: CtxDep, user: CaseReader) -> list[TaskRead]:
    """Ready tasks in the lanes the caller's roles act on, oldest first (auditors: none)."""
    now = ctx.clock.now()
    return [TaskRead.of(t, now) for t in services.tasks_for(ctx.uow(read_only=True), actor=user)]
