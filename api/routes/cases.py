from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.deps import CaseActor, CaseReader, CaseViewer, CtxDep, MessageRecorder, Officer
from api.paging import Paging, page_of, paging
from api.schemas.cases import (
    AuditEventRead,
    CaseCreate,
    CasePage,
    CaseRead,
    DiagramRead,
    FormRead,
    MessageCreate,
    TaskComplete,
    VerifyRead,
)
from api.schemas.common import Stage, Status, problems
from engine import services
from engine.services import Actor
from engine.services.views import CaseView

router = APIRouter(prefix="/cases", tags=["cases"])
CasePath = Annotated[int, Path(ge=1, le=2**63 - 1)]
TaskPath = Annotated[str, Path(max_length=64, pattern=r"^[^\x00]+$")]


def _read(case: CaseView, ctx: CtxDep, user: Actor) -> CaseRead:
    """The case as `user` may see it: personal data masked for roles that do not need it."""
    read = CaseRead.of(case, ctx.clock.now())
    read.data = services.mask_personal(read.data, user)
    return read


@router.post("", status_code=201, response_model=CaseRead, responses=problems(401, 403, 404, 422))
def open_case(body: CaseCreate, ctx: CtxDep, user: Officer) -> CaseRead:
    case = services.open_case(
        ctx.uow(),
        ctx=ctx,
        actor=user,
        process_key=body.process_key,
        data=body.data,
        parent_case_id=body.parent_case_id,
    )
    return _read(case, ctx, user)


@router.get("", response_model=CasePage, responses=problems(401, 403, 422))
def list_cases(
    ctx: CtxDep,
    user: CaseReader,
    status: Status | None = None,
    stage: Stage | None = None,
    overdue: bool = False,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> CasePage:
    result = services.list_cases(
        ctx.uow(read_only=True),
        ctx=ctx,
        status=status,
        stage=stage,
        overdue=overdue,
        q=q,
        page=page,
        page_size=page_size,
        viewer=user,
    )
    return CasePage(items=[_read(c, ctx, user) for c in result.items], total=result.total)


@router.get("/{case_id}", response_model=CaseRead, responses=problems(401, 403, 404))
def get_case(case_id: CasePath, ctx: CtxDep, user: CaseViewer) -> CaseRead:
    return _read(services.get_case(ctx.uow(read_only=True), case_id=case_id), ctx, user)


@router.get(
    "/{case_id}/tasks/{task_id}/form",
    response_model=FormRead,
    response_model_by_alias=True,
    responses=problems(401, 403, 404, 409),
)
def task_form(case_id: CasePath, task_id: TaskPath, ctx: CtxDep, user: CaseViewer) -> FormRead:
    form = services.task_form(ctx.uow(read_only=True), ctx=ctx, case_id=case_id, task_id=task_id)
    data = services.mask_personal(form["data"], user)
    return FormRead(schema=form["schema"], ui_schema=form["ui_schema"], data=data)


@router.post(
    "/{case_id}/tasks/{task_id}/complete",
    response_model=CaseRead,
    responses=problems(401, 403, 404, 409, 422),
)
def complete_task(
    case_id: CasePath, task_id: TaskPath, body: TaskComplete, ctx: CtxDep, user: CaseActor
) -> CaseRead:
    case = services.complete_task(
        ctx.uow(),
        ctx=ctx,
        actor=user,
        case_id=case_id,
        task_id=task_id,
        data=body.data,
        case_version=body.case_version,
    )
    return _read(case, ctx, user)


@router.post(
    "/{case_id}/messages", response_model=CaseRead, responses=problems(401, 403, 404, 409, 422)
)
def send_message(
    case_id: CasePath, body: MessageCreate, ctx: CtxDep, user: MessageRecorder
) -> CaseRead:
    case = services.send_message(
        ctx.uow(),
        ctx=ctx,
        actor=user,
        case_id=case_id,
        name=body.name,
        data=body.data,
        case_version=body.case_version,
    )
    return _read(case, ctx, user)


@router.get(
    "/{case_id}/audit",
    response_model=list[AuditEventRead],
    responses=problems(401, 403, 404, 422),
)
def audit_trail(
    case_id: CasePath,
    ctx: CtxDep,
    user: CaseViewer,
    request: Request,
    response: Response,
    pg: Annotated[Paging, Depends(paging(default=1000, maximum=5000))],
) -> list[AuditEventRead]:
    """The case's chain in order (`seq`), one page at a time (api.paging)."""
    events = page_of(
        services.case_trail(ctx.uow(read_only=True), case_id=case_id), request, response, pg
    )
    return [
        AuditEventRead(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            roles=e.roles,
            action=e.action,
            element_id=e.element_id,
            data=services.mask_personal(e.data, user),
            basis=e.basis,
            prev_hash=e.prev_hash,
            hash=e.hash,
        )
        for e in events
    ]


@router.get("/{case_id}/audit/verify", response_model=VerifyRead, responses=problems(401, 403, 404))
def audit_verify(case_id: CasePath, ctx: CtxDep, _: CaseViewer) -> VerifyRead:
    r = services.verify_case(ctx.uow(read_only=True), ctx=ctx, case_id=case_id)
    return VerifyRead(
        valid=r.valid, events=r.events, first_bad_seq=r.first_bad_seq, reason=r.reason
    )


@router.get("/{case_id}/diagram", response_model=DiagramRead, responses=problems(401, 403, 404))
def diagram(case_id: CasePath, ctx: CtxDep, _: CaseViewer) -> DiagramRead:
    d = services.diagram(ctx.uow(read_only=True), case_id=case_id)
    return DiagramRead(bpmn_xml=d.bpmn_xml, completed=d.completed, active=d.active)
