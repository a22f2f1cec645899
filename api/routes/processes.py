from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Path, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from api.deps import CtxDep, CurrentUser, Designer
from api.paging import Paging, page_of, paging
from api.schemas.common import problems
from api.schemas.processes import DeployedRead, ProcessRead, ValidationRead
from engine import services

router = APIRouter(prefix="/processes", tags=["processes"])
MAX_UPLOAD = 5 * 1024 * 1024
# The BPMN files, one multipart part each: `type: array, items: {type: string, format: binary}`
# in /openapi.json (api/main.py adds the format), so generated clients send files.
BpmnFiles = Annotated[
    list[UploadFile],
    File(
        description="BPMN 2.0 文件，可多个 / one or more BPMN 2.0 files (call activities resolve "
        "among them)"
    ),
]


async def _read(files: list[UploadFile]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for f in files:
        content = await f.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise HTTPException(status_code=413, detail=f"{f.filename} is larger than 5 MiB")
        name = f.filename or f"upload{len(out)}.bpmn"
        if name in out:
            # Keyed by name, the second would silently replace the first (and be reported valid).
            raise HTTPException(
                status_code=422,
                detail=f"两个文件同名 {name}，请改名 / two files are named {name}: rename one",
            )
        out[name] = content
    return out


@router.get("", response_model=list[ProcessRead], responses=problems(401, 422))
def list_processes(
    ctx: CtxDep,
    _: CurrentUser,
    request: Request,
    response: Response,
    pg: Annotated[Paging, Depends(paging(default=500, maximum=1000))],
) -> list[ProcessRead]:
    """Every deployed version, one page at a time (api.paging)."""
    versions = page_of(services.list_processes(ctx.uow(read_only=True)), request, response, pg)
    return [
        ProcessRead(
            key=p.key,
            version=p.version,
            name=p.name,
            sha256=p.sha256,
            deployed_at=p.deployed_at,
            latest=p.latest,
        )
        for p in versions
    ]


@router.post(
    "",
    status_code=201,
    response_model=DeployedRead,
    responses={200: {"model": DeployedRead}, **problems(401, 403, 413, 422)},
)
async def deploy(files: BpmnFiles, ctx: CtxDep, user: Designer) -> JSONResponse:
    """Validate and deploy; the same content again answers 200 with the existing version.

    Several files are deployed together (call activities resolve among them); the answer names
    the main process (the one no other uploaded process calls) and lists every version.
    """
    results = services.deploy_process(ctx.uow(), ctx=ctx, files=await _read(files), actor=user)
    main = next((r for r in results if r.main), results[0])
    body: dict[str, object] = {"key": main.key, "version": main.version}
    if len(results) > 1:
        body["processes"] = [{"key": r.key, "version": r.version} for r in results]
    created = any(r.created for r in results)
    return JSONResponse(body, status_code=201 if created else 200)


@router.post("/validate", response_model=ValidationRead, responses=problems(401, 403, 413))
async def validate(files: BpmnFiles, ctx: CtxDep, _: Designer) -> ValidationRead:
    report = services.validate_bpmn(ctx.uow(read_only=True), ctx=ctx, files=await _read(files))
    return ValidationRead(valid=report.valid, errors=report.errors, warnings=report.warnings)


@router.get(
    "/{key}/versions/{version}/bpmn",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}, **problems(401, 404)},
)
def bpmn(
    key: Annotated[str, Path(max_length=128, pattern=r"^[^\x00]+$")],
    version: Annotated[int, Path(ge=1, le=2**31 - 1)],
    ctx: CtxDep,
    _: CurrentUser,
) -> Response:
    xml = services.process_xml(ctx.uow(read_only=True), key=key, version=version)
    return Response(xml, media_type="application/xml")
