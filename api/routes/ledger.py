"""The ledger (台账): stats, a filtered page, CSV and XLSX exports honouring the same filters."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from api.deps import CtxDep, LedgerReader
from api.schemas.common import Stage, Status, problems
from api.schemas.ledger import LedgerStats
from api.schemas.ledger_page import LedgerPage, LedgerRow
from engine import services
from engine.services import EngineContext
from engine.services.ledger import (
    LedgerQuery,
    check_filter,
    ledger_csv_chunks,
    ledger_page,
)
from engine.services.ledger import ledger_xlsx as write_ledger_xlsx

router = APIRouter(tags=["ledger"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
Mode = Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]*$")]
Source = Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]*$")]


def ledger_query(
    campaign: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    district: Text = None,
    village: Text = None,
    stage: Stage | None = None,
    status: Status | None = None,
    source: Source = None,
    mode: Mode = None,
    opened_from: date | None = None,
    opened_to: date | None = None,
    closed_from: date | None = None,
    closed_to: date | None = None,
    overdue: bool = False,
    provisional: bool = False,
    rebuilt: bool = False,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
) -> LedgerQuery:
    """The filters every ledger route takes (dates are Beijing dates, both ends included);
    `mode` is the demolition mode: self, assisted, forced, confiscated (or another outcome)."""
    return LedgerQuery(
        campaign_id=campaign,
        district=district or None,
        village=village or None,
        stage=stage,
        status=status,
        source=source or None,
        mode=mode or None,
        opened_from=opened_from,
        opened_to=opened_to,
        closed_from=closed_from,
        closed_to=closed_to,
        overdue=overdue,
        provisional=provisional,
        rebuilt=rebuilt,
        q=q or None,
    )


QueryDep = Annotated[LedgerQuery, Depends(ledger_query)]


@router.get("/ledger/stats", response_model=LedgerStats, responses=problems(401, 403, 404, 422))
def stats(ctx: CtxDep, _: LedgerReader, query: QueryDep) -> LedgerStats:
    s = services.ledger_stats(ctx.uow(read_only=True), ctx=ctx, query=query)
    return LedgerStats(
        total=s.total,
        by_status=s.by_status,
        by_stage=s.by_stage,
        overdue=s.overdue,
        provisional=s.provisional,
        area_found_m2=s.area_found_m2,
        area_demolished_m2=s.area_demolished_m2,
        by_mode=s.by_mode,
        rebuilt=s.rebuilt,
    )


@router.get("/ledger", response_model=LedgerPage, responses=problems(401, 403, 404, 422))
def page(
    ctx: CtxDep,
    _: LedgerReader,
    query: QueryDep,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> LedgerPage:
    """One page of the filtered ledger, newest first (the ledger page's table)."""
    result = ledger_page(
        ctx.uow(read_only=True), ctx=ctx, query=query, page=page, page_size=page_size
    )
    return LedgerPage(
        items=[LedgerRow.model_validate(r, from_attributes=True) for r in result.items],
        total=result.total,
    )


@router.get(
    "/ledger.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problems(401, 403, 404, 422)},
)
def ledger_csv(ctx: CtxDep, _: LedgerReader, query: QueryDep) -> StreamingResponse:
    """The filtered ledger, one row per case, Chinese headers and values (streamed)."""
    check_filter(ctx.uow(read_only=True), ctx=ctx, query=query)
    return StreamingResponse(
        ledger_csv_chunks(ctx.uow(read_only=True), ctx=ctx, query=query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ledger.csv"'},
    )


def spreadsheet(ctx: EngineContext, write: object, filename: str) -> FileResponse:
    """Run `write(out)` into a temporary file and send it; the file goes once it is sent."""
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="qingwei-")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)  # type: ignore[operator]
    except BaseException:
        os.unlink(path)
        raise
    return FileResponse(
        path,
        media_type=XLSX,
        filename=filename,
        background=BackgroundTask(os.unlink, path),
    )


@router.get(
    "/ledger.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}, **problems(401, 403, 404, 422)},
)
def ledger_xlsx(ctx: CtxDep, _: LedgerReader, query: QueryDep) -> FileResponse:
    """The filtered ledger as a workbook (same rows and columns as the CSV)."""
    return spreadsheet(
        ctx,
        lambda out: write_ledger_xlsx(ctx.uow(read_only=True), ctx=ctx, query=query, out=out),
        "ledger.xlsx",
    )
