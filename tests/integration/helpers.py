"""Small drivers for the mini_case test process, shared by integration tests."""

from __future__ import annotations

from engine import services
from engine.bootstrap import App
from engine.services.views import CaseView
from tests.integration.conftest import HEAD, OFFICER

INTAKE = {"address": "朝阳区某路1号", "district": "朝阳", "area_m2": 12.5}


def open_mini(app: App) -> CaseView:
    return services.open_case(
        app.ctx.uow(), ctx=app.ctx, actor=OFFICER, process_key="mini_case", data=INTAKE
    )


def complete(app: App, case: CaseView, data: dict[str, object], actor=OFFICER) -> CaseView:  # type: ignore[no-untyped-def]
    return services.complete_task(
        app.ctx.uow(),
        ctx=app.ctx,
        actor=actor,
        case_id=case.id,
        task_id=case.tasks[0].id,
        data=data,
        case_version=case.case_version,
    )


def drive_to_service(app: App) -> CaseView:
    """Open a case and complete investigate → decide → serve (served 2026-02-10)."""
    case = open_mini(app)
    case = complete(app, case, {"classification": "not_correctable", "area_m2": 12.5})
    case = complete(app, case, {"compliance_days": 10}, actor=HEAD)
    return complete(app, case, {"service_method": "direct", "served_at": "2026-02-10"})
