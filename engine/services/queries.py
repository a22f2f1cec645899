"""Read-only use cases: a case, lists, the caller's tasks, a task's form, the diagram."""

from __future__ import annotations

from typing import Any

from engine.bpmn_bundle import merge as merge_bundle
from engine.errors import NotFound, TaskNotReady
from engine.services.casework import case_view, get_case_row, task_view
from engine.services.context import Actor, EngineContext
from engine.services.incidents import with_stuck_timers
from engine.services.privacy import visible_case_ids
from engine.services.views import CaseView, DiagramView, PageView, TaskView
from engine.store.models import ProcessVersion
from engine.store.uow import UnitOfWork


def get_case(uow: UnitOfWork, *, case_id: int) -> CaseView:
    with uow:
        view = case_view(uow, get_case_row(uow, case_id))
        return with_stuck_timers(uow, view) if view.timers else view


def find_case_id(uow: UnitOfWork, *, case_no: str) -> int:
    with uow:
        row = uow.cases.by_no(case_no)
        if row is None:
            raise NotFound(f"case {case_no} does not exist")
        return row.id


def list_cases(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    status: str | None = None,
    stage: str | None = None,
    overdue: bool = False,
    q: str | None = None,
    page: int = 1,
    page_size: int = 20,
    viewer: Actor | None = None,
) -> PageView:
    """A page of cases, newest first; only those `viewer` may read (privacy.visible_case_ids)."""
    page = max(page, 1)
    page_size = min(max(page_size, 1), 200)
    with uow:
        only = visible_case_ids(uow, viewer) if viewer is not None else None
        rows, total = uow.cases.search(
            only_ids=only,
            status=status,
            stage=stage,
            overdue_at=ctx.clock.now() if overdue else None,
            q=q,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
        return PageView([case_view(uow, r) for r in rows], total)


def tasks_for(uow: UnitOfWork, *, actor: Actor) -> list[TaskView]:
    """The ready tasks in the lanes the actor's roles may act on, oldest first."""
    with uow:
        return [task_view(t) for t in uow.cases.ready_tasks_for_lanes(actor.roles)]


def tasks_page(
    uow: UnitOfWork, *, actor: Actor, offset: int, limit: int
) -> tuple[list[TaskView], int]:
    """One page of `tasks_for` and how many there are, the page cut in the query (a worklist
    of thousands of tasks is not read whole for each page)."""
    with uow:
        rows = uow.cases.ready_tasks_for_lanes(actor.roles, offset=offset, limit=limit)
        return [task_view(t) for t in rows], uow.cases.count_ready_tasks_for_lanes(actor.roles)


def task_form(uow: UnitOfWork, *, ctx: EngineContext, case_id: int, task_id: str) -> dict[str, Any]:
    with uow:
        case = get_case_row(uow, case_id)
        task = uow.cases.task(task_id)
        if task is None or task.case_id != case.id:
            raise TaskNotReady(f"task {task_id} is not ready on case {case.case_no}")
        if not task.form_key:
            return {"schema": {"type": "object"}, "ui_schema": {}, "data": {}}
        schema = ctx.forms.schema(task.form_key)
        fields = schema.get("properties", {})
        prefill = {k: v for k, v in case.data.items() if k in fields}
        return {"schema": schema, "ui_schema": ctx.forms.ui_schema(task.form_key), "data": prefill}


def diagram(uow: UnitOfWork, *, case_id: int) -> DiagramView:
    with uow:
        case = get_case_row(uow, case_id)
        version = uow.processes.by_id(case.process_version_id)
        if version is None:
            raise NotFound("process version missing")
        return DiagramView(
            bpmn_xml=_bundle_xml(uow, version).decode("utf-8"),
            completed=list(case.completed_elements or []),
            active=list(case.active_elements or []),
        )


def _bundle_xml(uow: UnitOfWork, main: ProcessVersion) -> bytes:
    """The main file merged with every process it calls, each as deployed when the main
    version was (the newest version of its key deployed no later than the main one)."""
    specs = main.spec_json.get("subprocess_specs") if isinstance(main.spec_json, dict) else None
    called = [v.bpmn_xml for v in uow.processes.newest_at(sorted(specs or {}), main.deployed_at)]
    return merge_bundle(main.bpmn_xml, called) if called else main.bpmn_xml
