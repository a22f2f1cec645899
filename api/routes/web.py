"""Small read-only routes the web pages need beyond API.md: the engine's clock, a trail export,
the Chinese titles of form fields.

The pages mark deadlines as overdue against the engine's clock (the demo's fake clock differs from
the browser's), offer the same trail export as `qingwei audit export`, and label case data and
trail entries with the titles the task forms give their fields.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import AppDep, CaseViewer, CtxDep, CurrentUser
from api.schemas.common import problems
from engine import services
from engine.errors import NotFound


class ClockNow(BaseModel):
    now: str
    fake: bool


router = APIRouter(tags=["web"])


@router.get("/clock", response_model=ClockNow, responses=problems(401))
def clock_now(app: AppDep, _: CurrentUser) -> ClockNow:
    """The engine's current time (ISO-8601 with offset); `fake` when the demo clock is on."""
    return ClockNow(now=app.ctx.clock.now().isoformat(), fake=app.settings.clock.fake)


MEDIA = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}


@router.get(
    "/cases/{case_id}/audit/export",
    response_class=Response,
    responses={
        200: {"content": {"application/x-ndjson": {}, "text/csv": {}}},
        **problems(401, 403, 404, 422),
    },
)
def audit_export(
    case_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    ctx: CtxDep,
    user: CaseViewer,
    format: Literal["jsonl", "csv"] = Query("jsonl"),
) -> Response:
    """A case's audit trail with its hashes, as `qingwei audit export` prints it (personal data
    masked for roles that do not need it: such an export cannot be re-hashed)."""
    case = services.get_case(ctx.uow(read_only=True), case_id=case_id)
    body = services.export_trail(ctx.uow(read_only=True), case_id=case_id, fmt=format, viewer=user)
    return Response(
        body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{case.case_no}-audit.{format}"'},
    )


def _titles(properties: dict[str, Any], out: dict[str, str]) -> None:
    for name, spec in properties.items():
        if not isinstance(spec, dict):
            continue
        title = spec.get("title")
        if isinstance(title, str) and title:
            out.setdefault(str(name), title)
        nested = spec.get("properties")
        if isinstance(nested, dict):
            _titles(nested, out)


@router.get("/forms/labels", response_model=dict[str, str], responses=problems(401))
def form_labels(app: AppDep, _: CurrentUser) -> dict[str, str]:
    """Field name → title over every form (first form wins), for labelling case data."""
    forms = app.ctx.forms
    labels: dict[str, str] = {}
    for directory in forms.directories:
        for path in sorted(directory.glob("*.json")):
            if path.name.endswith(".ui.json"):
                continue
            try:
                schema = forms.schema(path.name)
            except (NotFound, ValueError):
                continue  # not a form this catalog serves, or not JSON
            properties = schema.get("properties") if isinstance(schema, dict) else None
            if isinstance(properties, dict):
                _titles(properties, labels)
    return labels
