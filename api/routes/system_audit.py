"""The system trail: calendar loads, users, deploys, clock changes (auditors and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from api.deps import CtxDep, require
from api.paging import Paging, page_of, paging
from api.schemas.cases import AuditEventRead, VerifyRead
from api.schemas.common import problems
from engine import services
from engine.services import Actor

router = APIRouter(prefix="/audit/system", tags=["audit"])
TrailReader = Annotated[Actor, Depends(require("auditor", "admin"))]


@router.get("", response_model=list[AuditEventRead], responses=problems(401, 403, 422))
def system_trail(
    ctx: CtxDep,
    _: TrailReader,
    request: Request,
    response: Response,
    pg: Annotated[Paging, Depends(paging(default=1000, maximum=5000))],
) -> list[AuditEventRead]:
    """The system trail in order (`seq`), one page at a time (api.paging)."""
    events = page_of(services.system_trail(ctx.uow(read_only=True)), request, response, pg)
    return [
        AuditEventRead(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            roles=e.roles,
            action=e.action,
            element_id=e.element_id,
            data=e.data,
            basis=e.basis,
            prev_hash=e.prev_hash,
            hash=e.hash,
        )
        for e in events
    ]


@router.get("/verify", response_model=VerifyRead, responses=problems(401, 403))
def verify(ctx: CtxDep, _: TrailReader) -> VerifyRead:
    v = services.verify_system(ctx.uow(read_only=True), ctx=ctx)
    return VerifyRead(
        valid=v.valid, events=v.events, first_bad_seq=v.first_bad_seq, reason=v.reason
    )
