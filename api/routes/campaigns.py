"""Campaigns (专项行动): a head creates and edits them; ledger readers follow their progress,
download the periodic report (通报) and the re-inspection (回头看) lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, Response

from api.deps import CtxDep, LedgerReader, require
from api.paging import Paging, page_of, paging
from api.routes.ledger import XLSX, spreadsheet
from api.schemas.campaigns import (
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    ReinspectionItem,
    ReinspectionList,
)
from api.schemas.common import problems
from engine.services import Actor
from engine.services.campaign_report import campaign_report_xlsx
from engine.services.campaigns import (
    CampaignSpec,
    CampaignView,
    PhaseSpec,
    TargetSpec,
    as_dict,
    create_campaign,
    get_campaign,
    list_campaigns,
    reinspection_lists,
    update_campaign,
)

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
Head = Annotated[Actor, Depends(require("head"))]
CampaignPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _spec(body: CampaignCreate) -> CampaignSpec:
    return CampaignSpec(
        name=body.name,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        districts=list(body.districts),
        targets=[TargetSpec(t.metric, t.value, t.by) for t in body.targets],
        phases=[PhaseSpec(p.name, p.starts_on, p.ends_on) for p in body.phases],
        villages={k: list(v) for k, v in body.villages.items()},
        units=dict(body.units),
        reinspection_on=body.reinspection_on,
    )


def _read(view: CampaignView) -> CampaignRead:
    return CampaignRead.model_validate(as_dict(view))


@router.post("", status_code=201, response_model=CampaignRead, responses=problems(401, 403, 422))
def create(body: CampaignCreate, ctx: CtxDep, user: Head) -> CampaignRead:
    """A new campaign (head only); recorded in the system trail (`campaign_created`)."""
    return _read(create_campaign(ctx.uow(), ctx=ctx, actor=user, spec=_spec(body)))


@router.get("", response_model=list[CampaignRead], responses=problems(401, 403, 422))
def index(
    ctx: CtxDep,
    _: LedgerReader,
    request: Request,
    response: Response,
    pg: Annotated[Paging, Depends(paging(default=200, maximum=1000))],
) -> list[CampaignRead]:
    """Every campaign, one page at a time (api.paging)."""
    views = list_campaigns(ctx.uow(read_only=True), ctx=ctx)
    return [_read(v) for v in page_of(views, request, response, pg)]


@router.get("/{campaign_id}", response_model=CampaignRead, responses=problems(401, 403, 404))
def read(campaign_id: CampaignPath, ctx: CtxDep, _: LedgerReader) -> CampaignRead:
    return _read(get_campaign(ctx.uow(read_only=True), ctx=ctx, campaign_id=campaign_id))


@router.put(
    "/{campaign_id}", response_model=CampaignRead, responses=problems(401, 403, 404, 409, 422)
)
def edit(campaign_id: CampaignPath, body: CampaignUpdate, ctx: CtxDep, user: Head) -> CampaignRead:
    """Replace the definition (head only); `version`, when sent, must be the one read (409
    otherwise). Each change is in the system trail (`campaign_changed`, before and after)."""
    view = update_campaign(
        ctx.uow(),
        ctx=ctx,
        actor=user,
        campaign_id=campaign_id,
        spec=_spec(body),
        version=body.version,
    )
    return _read(view)


@router.get(
    "/{campaign_id}/report.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}, **problems(401, 403, 404)},
)
def report(campaign_id: CampaignPath, ctx: CtxDep, _: LedgerReader) -> FileResponse:
    """The periodic report (通报): ranking, targets and the numbers behind every chart."""
    get_campaign(ctx.uow(read_only=True), ctx=ctx, campaign_id=campaign_id)  # 404 first
    return spreadsheet(
        ctx,
        lambda out: campaign_report_xlsx(
            ctx.uow(read_only=True), ctx=ctx, campaign_id=campaign_id, out=out
        ),
        f"campaign-{campaign_id}-report.xlsx",
    )


@router.get(
    "/{campaign_id}/reinspection",
    response_model=list[ReinspectionList],
    responses=problems(401, 403, 404),
)
def reinspection(campaign_id: CampaignPath, ctx: CtxDep, _: LedgerReader) -> list[ReinspectionList]:
    """回头看: the campaign's closed cases, one list per officer who handled them."""
    lists = reinspection_lists(ctx.uow(read_only=True), ctx=ctx, campaign_id=campaign_id)
    return [
        ReinspectionList(
            officer=officer,
            cases=[ReinspectionItem.model_validate(c, from_attributes=True) for c in cases],
        )
        for officer, cases in lists
    ]
