"""文书: a case's documents, one document, its PDF (the stored bytes), and public verification."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import CaseReader, CaseViewer, CtxDep, require
from api.paging import Paging, page_of, paging
from api.schemas.common import problems
from api.schemas.documents import DocumentRead, DocumentVerifyRead, DocumentWithdrawBody
from engine import services
from engine.services import Actor, EngineContext
from engine.services.documents import (
    DocumentView,
    case_documents,
    document_pdf,
    get_document,
    verify_document,
    withdraw_document,
)

router = APIRouter(tags=["documents"])
CasePath = Annotated[int, Path(ge=1, le=2**63 - 1)]
DocPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
# A PDF's sha256 (64 hex) or the 10-character code printed on it.
Head = Annotated[Actor, Depends(require("head"))]
VerifyKey = Annotated[str, Path(min_length=10, max_length=64, pattern=r"^[0-9A-Za-z]+$")]


def _visible(ctx: EngineContext, user: Actor, view: DocumentView) -> DocumentView:
    """A document is as visible as its case (the utility sees only the cases addressed to it)."""
    if not services.can_see_case(ctx, actor=user, case_id=view.case_id):
        raise HTTPException(status_code=404, detail=f"文书不存在 document {view.id} does not exist")
    return view


@router.get(
    "/cases/{case_id}/documents",
    response_model=list[DocumentRead],
    responses=problems(401, 403, 404, 422),
)
def list_documents(
    case_id: CasePath,
    ctx: CtxDep,
    _: CaseViewer,
    request: Request,
    response: Response,
    pg: Annotated[Paging, Depends(paging(default=500, maximum=1000))],
) -> list[DocumentRead]:
    """The case's 文书, one page at a time (api.paging)."""
    views = case_documents(ctx.uow(read_only=True), case_id=case_id)
    return [DocumentRead.of(v) for v in page_of(views, request, response, pg)]


@router.get("/documents/{doc_id}", response_model=DocumentRead, responses=problems(401, 403, 404))
async def read_document(doc_id: DocPath, ctx: CtxDep, user: CaseReader) -> DocumentRead:
    view = await run_in_threadpool(get_document, ctx.uow(read_only=True), doc_id=doc_id)
    return DocumentRead.of(await run_in_threadpool(_visible, ctx, user, view))


@router.get(
    "/documents/{doc_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **problems(401, 403, 404, 409)},
)
def document_pdf_bytes(
    doc_id: DocPath,
    ctx: CtxDep,
    user: CaseReader,
    download: Annotated[bool, Query(description="attachment instead of inline")] = False,
) -> Response:
    """The stored PDF bytes, the record itself (never re-rendered); inline for the preview."""
    view, data = document_pdf(ctx.uow(read_only=True), ctx=ctx, doc_id=doc_id)
    _visible(ctx, user, view)
    name = quote(f"{view.kind}-{view.number}.pdf")
    disposition = "attachment" if download else "inline"
    return Response(
        content=data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{name}",
            "X-Content-SHA256": view.sha256,
        },
    )


@router.get(
    "/verify/documents/{sha256}", response_model=DocumentVerifyRead, responses=problems(404, 422)
)
def verify(sha256: VerifyKey, ctx: CtxDep) -> DocumentVerifyRead:
    """No sign-in: anyone holding a document checks it is genuine, by the sha256 of the PDF or
    by the code printed on it. Anything else is 404 (nothing about other documents leaks)."""
    return DocumentVerifyRead.of(verify_document(ctx.uow(read_only=True), ctx=ctx, key=sha256))


@router.post(
    "/documents/{doc_id}/withdraw",
    response_model=DocumentRead,
    responses=problems(401, 403, 404, 409, 422),
)
def withdraw(doc_id: DocPath, body: DocumentWithdrawBody, ctx: CtxDep, user: Head) -> DocumentRead:
    """Withdraw a document issued in error, with the reason (audited in the case's chain): it is
    never deleted, its PDF stays the record, and verification then says it was withdrawn."""
    _visible(ctx, user, get_document(ctx.uow(read_only=True), doc_id=doc_id))
    return DocumentRead.of(
        withdraw_document(ctx.uow(), ctx=ctx, actor=user, doc_id=doc_id, reason=body.reason)
    )
