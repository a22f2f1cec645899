"""Evidence (证据材料): upload to a case (streamed), list, download, preview, withdraw."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.responses import StreamingResponse

from api.deps import CaseReader, CaseViewer, CtxDep, MessageRecorder
from api.paging import Paging, page_of, paging
from api.schemas.common import problems
from api.schemas.evidence import AttachmentRead, WithdrawBody
from engine import services
from engine.files import FileTooLarge
from engine.services import Actor, EngineContext
from engine.services.evidence import (
    AttachmentView,
    add_attachment,
    attachment_content,
    get_attachment,
    list_attachments,
    withdraw_attachment,
)

router = APIRouter(tags=["evidence"])
CasePath = Annotated[int, Path(ge=1, le=2**63 - 1)]
AttPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
# The file part: `type: string, format: binary` in the OpenAPI document, so generated clients
# send it as a file.
FilePart = Annotated[
    UploadFile,
    File(
        description="the evidence file (photo, video, PDF, audio)",
        json_schema_extra={"format": "binary"},
    ),
]
OptionalText = Annotated[str | None, Form(max_length=500, pattern=r"^[^\x00]*$")]


def _visible(ctx: EngineContext, user: Actor, view: AttachmentView) -> AttachmentView:
    """An attachment is as visible as its case (the utility sees only its own cases)."""
    if not services.can_see_case(ctx, actor=user, case_id=view.case_id):
        raise HTTPException(
            status_code=404, detail=f"证据材料不存在 attachment {view.id} does not exist"
        )
    return view


@router.post(
    "/cases/{case_id}/attachments",
    status_code=201,
    response_model=AttachmentRead,
    responses=problems(401, 403, 404, 409, 413, 422),
)
def upload(
    case_id: CasePath,
    file: FilePart,
    ctx: CtxDep,
    user: MessageRecorder,
    task_id: Annotated[str | None, Form(max_length=36, pattern=r"^[^\x00]*$")] = None,
    note: OptionalText = None,
    message: Annotated[str | None, Form(max_length=128, pattern=r"^[^\x00]*$")] = None,
) -> AttachmentRead:
    """Attach a file to the case, bound to one of its ready tasks (`task_id`) or to the party
    message being recorded (`message`). The content decides the type (422 when it is not a
    photo, video, PDF or audio, or when the name or declared type lies); `taken_at` and
    `location` come from the photo's EXIF; the upload is an event of the case's audit trail."""
    try:
        view = add_attachment(
            ctx.uow(),
            ctx=ctx,
            actor=user,
            case_id=case_id,
            stream=file.file,
            filename=file.filename,
            declared_type=file.content_type,
            task_id=task_id,
            message=message,
            note=note,
        )
    except FileTooLarge as exc:
        raise HTTPException(status_code=413, detail=str(exc)) from exc
    return AttachmentRead.of(view)


@router.get(
    "/cases/{case_id}/attachments",
    response_model=list[AttachmentRead],
    responses=problems(401, 403, 404, 422),
)
def list_case_attachments(
    case_id: CasePath,
    ctx: CtxDep,
    _: CaseViewer,
    request: Request,
    response: Response,
    pg: Annotated[Paging, Depends(paging(default=500, maximum=1000))],
) -> list[AttachmentRead]:
    """Every attachment of the case, withdrawn ones included (marked), oldest first, one page
    at a time (api.paging)."""
    views = list_attachments(ctx.uow(read_only=True), case_id=case_id)
    return [AttachmentRead.of(v) for v in page_of(views, request, response, pg)]


@router.get(
    "/attachments/{att_id}", response_model=AttachmentRead, responses=problems(401, 403, 404)
)
def read_attachment(att_id: AttPath, ctx: CtxDep, user: CaseReader) -> AttachmentRead:
    view = get_attachment(ctx.uow(read_only=True), att_id=att_id)
    return AttachmentRead.of(_visible(ctx, user, view))


def _stream(
    ctx: EngineContext, user: Actor, att_id: int, *, thumbnail: bool, download: bool
) -> StreamingResponse:
    view = get_attachment(ctx.uow(read_only=True), att_id=att_id)
    _visible(ctx, user, view)
    view, chunks = attachment_content(
        ctx.uow(read_only=True), ctx=ctx, att_id=att_id, thumbnail=thumbnail
    )
    name = quote(view.filename if not thumbnail else f"{view.filename}.thumb.jpg")
    headers = {
        "Content-Disposition": f"{'attachment' if download else 'inline'}; filename*=UTF-8''{name}",
        "X-Content-Type-Options": "nosniff",
    }
    if not thumbnail:
        headers["X-Content-SHA256"] = view.sha256
        headers["Content-Length"] = str(view.size)
    media_type = "image/jpeg" if thumbnail else view.media_type
    return StreamingResponse(chunks, media_type=media_type, headers=headers)


@router.get(
    "/attachments/{att_id}/content",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, **problems(401, 403, 404, 409)},
)
def content(
    att_id: AttPath,
    ctx: CtxDep,
    user: CaseReader,
    download: Annotated[bool, Query(description="attachment instead of inline")] = False,
) -> StreamingResponse:
    """The stored bytes with their (sniffed) media type, re-hashed before they are served:
    altered bytes are 409, never served."""
    return _stream(ctx, user, att_id, thumbnail=False, download=download)


@router.get(
    "/attachments/{att_id}/thumbnail",
    response_class=StreamingResponse,
    responses={200: {"content": {"image/jpeg": {}}}, **problems(401, 403, 404, 409)},
)
def thumbnail(att_id: AttPath, ctx: CtxDep, user: CaseReader) -> StreamingResponse:
    """A JPEG preview of a photo (HEIC included), at most 480 px; 404 for other kinds."""
    return _stream(ctx, user, att_id, thumbnail=True, download=False)


@router.post(
    "/attachments/{att_id}/withdraw",
    response_model=AttachmentRead,
    responses=problems(401, 403, 404, 409, 422),
)
def withdraw(
    att_id: AttPath, body: WithdrawBody, ctx: CtxDep, user: MessageRecorder
) -> AttachmentRead:
    """Mark a wrong upload withdrawn, with the reason (audited); it is never deleted."""
    view = get_attachment(ctx.uow(read_only=True), att_id=att_id)
    _visible(ctx, user, view)
    return AttachmentRead.of(
        withdraw_attachment(ctx.uow(), ctx=ctx, actor=user, att_id=att_id, reason=body.reason)
    )
