from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import CtxDep, LedgerReader
from api.schemas.common import problems
from api.schemas.ledger import LedgerStats
from engine import services

router = APIRouter(tags=["ledger"])


@router.get("/ledger/stats", response_model=LedgerStats, responses=problems(401, 403))
def stats(ctx: CtxDep, _: LedgerReader) -> LedgerStats:
    s = services.ledger_stats(ctx.uow(read_only=True), ctx=ctx)
    return LedgerStats(
        total=s.total,
        by_status=s.by_status,
        by_stage=s.by_stage,
        overdue=s.overdue,
        provisional=s.provisional,
        area_found_m2=s.area_found_m2,
        area_demolished_m2=s.area_demolished_m2,
    )


@router.get(
    "/ledger.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problems(401, 403)},
)
def ledger_csv(ctx: CtxDep, _: LedgerReader) -> Response:
    body = services.ledger_csv(ctx.uow(read_only=True), ctx=ctx)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ledger.csv"'},
    )
