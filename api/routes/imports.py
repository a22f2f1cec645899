"""Bulk intake over HTTP: upload a lead sheet, get the result table (the import page)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from pydantic import BaseModel, Field

from api.deps import CtxDep, MessageRecorder
from api.schemas.common import problems
from engine.errors import FieldError, ValidationFailed
from engine.evidence.leads import SheetUnreadable, read_leads
from engine.services.leads import DEFAULT_PROCESS, ImportReport, import_leads

router = APIRouter(prefix="/imports", tags=["evidence"])
MAX_SHEET = 50 * 1024 * 1024  # a 12345 export of a year fits; a sheet is not evidence


class LeadResultRead(BaseModel):
    row: int = Field(description="1 = the first data row")
    source_id: str
    status: str = Field(description="created | would_create | skipped | refused")
    reasons: list[str] = Field(description="why refused or skipped (Chinese first)")
    case_id: int | None = None
    case_no: str | None = None
    address: str = ""


class ImportRead(BaseModel):
    batch: str
    dry_run: bool
    summary: dict[str, int]
    results: list[LeadResultRead]

    @classmethod
    def of(cls, r: ImportReport) -> ImportRead:
        return cls(
            batch=r.batch,
            dry_run=r.dry_run,
            summary=r.summary,
            results=[LeadResultRead(**x.__dict__) for x in r.results],
        )


@router.post("/leads", response_model=ImportRead, responses=problems(401, 403, 404, 413, 422))
def import_lead_sheet(
    file: Annotated[
        UploadFile,
        File(
            description="XLSX, CSV or a 12345 hotline JSON export",
            json_schema_extra={"format": "binary"},
        ),
    ],
    ctx: CtxDep,
    user: MessageRecorder,
    dry_run: Annotated[bool, Form()] = True,
    process_key: Annotated[str, Form(max_length=128, pattern=r"^[^\x00]+$")] = DEFAULT_PROCESS,
) -> ImportRead:
    """Open a case per importable row (officers; a head may dry-run). A dry run (the default)
    lists what would be created and why each other row is refused or skipped."""
    name = PurePath((file.filename or "leads").replace("\\", "/")).name
    with tempfile.TemporaryDirectory(prefix="qw-import-") as folder:
        path = Path(folder) / ("sheet" + PurePath(name).suffix.lower())
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1024 * 1024)
        if path.stat().st_size > MAX_SHEET:
            raise HTTPException(status_code=413, detail="表格超过 50 MB (the sheet is over 50 MB)")
        try:
            leads = list(read_leads(path))
        except SheetUnreadable as exc:
            raise ValidationFailed([FieldError(["file"], str(exc))], "表格无法读取") from exc
    report = import_leads(
        ctx, actor=user, leads=leads, batch=name, dry_run=dry_run, process_key=process_key
    )
    return ImportRead.of(report)
