"""Use cases that change a case: open it, complete a task, deliver a party's message."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from engine import audit
from engine.calendar import TZ
from engine.errors import (
    NotFound,
    NotWaitingForMessage,
    PermissionDenied,
    ProcessFault,
    StaleCaseVersion,
    TaskNotReady,
    ValidationFailed,
)
from engine.runtime import StepFailed
from engine.services.casework import (
    Written,
    apply_snapshot,
    audit_fired_timers,
    case_view,
    get_case_row,
    load_spec,
    start_form,
    written_view,
)
from engine.services.context import Actor, EngineContext
from engine.services.documents import document_refusal, issue_for_task
from engine.services.guarding import (
    fine_paid_facts,
    record_refusal,
    refusal_for_completion,
)
from engine.services.rebuilt import REBUILT_MESSAGE, is_rebuilt, open_linked
from engine.services.views import CaseView
from engine.store.ledger_repo import entry_values
from engine.store.models import Case
from engine.store.uow import UnitOfWork

# Who may record what the party did (the party has no lane; an officer records it with evidence).
MESSAGE_ROLES = ("officer", "head")


def open_case(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    actor: Actor,
    process_key: str,
    data: Mapping[str, Any],
    parent_case_id: int | None = None,
) -> CaseView:
    """File a new case on the latest version of `process_key`."""
    if not actor.has("officer"):
        raise PermissionDenied("only an officer (执法人员) may open a case")
    with uow:
        if parent_case_id is not None and uow.cases.get(parent_case_id) is None:
            raise NotFound(f"case {parent_case_id} does not exist")
        case, written = open_in(
            uow,
            ctx=ctx,
            actor=actor,
            process_key=process_key,
            data=data,
            parent_case_id=parent_case_id,
            now=ctx.clock.now(),
        )
        view = written_view(case, written)
        ctx.commit(uow)
        return view


def open_in(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    actor: Actor,
    process_key: str,
    data: Mapping[str, Any],
    parent_case_id: int | None,
    now: datetime,
    reason: str | None = None,
) -> tuple[Case, Written]:
    """Open a case inside the caller's transaction (the open-case use case, and the linked case
    a rebuilt structure opens in the same transaction as the step that found it)."""
    newest = uow.processes.latest_head(process_key)
    if newest is None:
        raise NotFound(f"process '{process_key}' is not deployed")
    version_id, version_no = newest
    loaded = load_spec(ctx, uow, version_id)
    intake_form = start_form(loaded)
    if intake_form is not None:
        errors = ctx.forms.validate(intake_form, dict(data))
        if errors:
            raise ValidationFailed(errors, "invalid intake data")
    try:
        snapshot = ctx.runtime.start(loaded, data, now)
    except StepFailed as exc:
        raise ProcessFault(str(exc)) from exc
    case = Case(
        case_no=uuid.uuid4().hex,  # placeholder until the id is known
        process_version_id=version_id,
        process_key=process_key,
        process_version=version_no,
        status="open",
        stage="intake",
        data=dict(data),
        state="{}",
        serializer_version=ctx.runtime.serializer_version,
        case_version=0,
        audit_seq=0,
        audit_head=audit.GENESIS,
        completed_elements=[],
        active_elements=[],
        waiting_messages=[],
        parent_case_id=parent_case_id,
        created_by=actor.username,
        created_at=now,
        updated_at=now,
    )
    uow.cases.add(case)
    case.case_no = f"QW-{now.astimezone(TZ).year}-{case.id:06d}"
    uow.flush()
    head = audit.ChainHead.of(case)
    opened: dict[str, Any] = {
        "after": dict(data),
        "process": f"{process_key}@{version_no}",
        "case_no": case.case_no,
        "parent_case_id": parent_case_id,
    }
    if reason:
        opened["reason"] = reason
    audit.append(
        uow,
        head,
        at=now,
        actor=actor.username,
        roles=actor.roles,
        action="case_opened",
        data=opened,
    )
    if snapshot.completed:
        audit.append(uow, head, at=now, actor="system", roles=("system",), action="case_closed")
    written = apply_snapshot(
        uow,
        case,
        snapshot,
        loaded,
        expected_version=0,
        now=now,
        data=dict(data),
        head=head,
        existing_tasks=(),
    )
    return case, written


def complete_task(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    actor: Actor,
    case_id: int,
    task_id: str,
    data: Mapping[str, Any],
    case_version: int,
) -> CaseView:
    """Complete a ready user task with its form data; one transaction, audited, version-checked."""
    with uow:
        case = get_case_row(uow, case_id, lock=True)
        if case.case_version != case_version:
            raise StaleCaseVersion(
                f"case {case.case_no} is at version {case.case_version}, not {case_version}"
            )
        existing = uow.cases.task_records(case.id)
        task = next((t for t in existing if t.id == task_id), None)
        if task is None:
            raise TaskNotReady(f"task {task_id} is not ready on case {case.case_no}")
        if not task.lane or not actor.has(task.lane):
            raise PermissionDenied(f"task '{task.name}' belongs to the '{task.lane}' lane")
        if task.form_key:
            errors = ctx.forms.validate(task.form_key, dict(data))
            if errors:
                raise ValidationFailed(errors, f"invalid data for form '{task.form_key}'")
        now = ctx.clock.now()
        loaded = load_spec(ctx, uow, case.process_version_id)
        info = loaded.elements.get(task.element_id)
        refusal = refusal_for_completion(
            uow, ctx=ctx, case=case, task=task, info=info, data=data, actor=actor, now=now
        ) or document_refusal(
            ctx, case=case, info=info, element_id=task.element_id, data=data, now=now, uow=uow
        )
        if refusal is not None:
            raise record_refusal(
                uow,
                ctx=ctx,
                case=case,
                refusal=refusal,
                actor=actor,
                element_id=task.element_id,
                attempted=data,
                now=now,
            )
        try:
            snapshot = ctx.runtime.complete_task(loaded, case.state, task_id, data, now)
        except StepFailed as exc:
            raise ProcessFault(str(exc)) from exc
        # Issued in the step: numbered, rendered and stored in this transaction (issue 11).
        issued = issue_for_task(
            uow,
            ctx=ctx,
            case=case,
            info=info,
            element_id=task.element_id,
            task_id=task.id,
            data=data,
            actor=actor,
            now=now,
        )
        head = audit.ChainHead.of(case)
        audit.append(
            uow,
            head,
            at=now,
            actor=actor.username,
            roles=actor.roles,
            action="task_completed",
            element_id=task.element_id,
            data={
                "task": task.name,
                "before": {k: case.data.get(k) for k in data},
                "after": dict(data),
                "stage": task.stage,
                "lane": task.lane,
                "documents": list(info.documents) if info else [],
                "issued": issued,
            },
            basis=info.basis if info else None,
        )
        audit_fired_timers(uow, head, snapshot, loaded, now=now)
        if snapshot.completed:
            audit.append(
                uow, head, at=now, actor=actor.username, roles=actor.roles, action="case_closed"
            )
        merged = {**case.data, **dict(data)}
        if snapshot.completed and is_rebuilt({**merged, **snapshot.data}):
            open_linked(
                uow,
                ctx=ctx,
                actor=actor,
                case=case,
                head=head,
                data={**merged, **snapshot.data},
                payload=data,
                now=now,
            )
        written = apply_snapshot(
            uow,
            case,
            snapshot,
            loaded,
            expected_version=case_version,
            now=now,
            data=merged,
            head=head,
            existing_tasks=existing,
        )
        view = written_view(case, written, uow.ledger.children(case.id))
        ctx.commit(uow)
        return view


def send_message(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    actor: Actor,
    case_id: int,
    name: str,
    data: Mapping[str, Any],
    case_version: int | None = None,
) -> CaseView:
    """Record what the party did (demolished, sued, paid...) as a BPMN message."""
    if not actor.has(*MESSAGE_ROLES):
        raise PermissionDenied("only an officer or the head may record the party's actions")
    with uow:
        case = get_case_row(uow, case_id, lock=True)
        expected = case.case_version if case_version is None else case_version
        if case.case_version != expected:
            raise StaleCaseVersion(
                f"case {case.case_no} is at version {case.case_version}, not {expected}"
            )
        if (
            name == REBUILT_MESSAGE
            and case.status == "closed"
            and name not in (case.waiting_messages or [])
        ):
            view = _rebuilt_after_closure(uow, ctx=ctx, actor=actor, case=case, data=data)
            ctx.commit(uow)
            return view
        if name not in (case.waiting_messages or []):
            raise NotWaitingForMessage(f"case {case.case_no} is not waiting for '{name}'")
        now = ctx.clock.now()
        loaded = load_spec(ctx, uow, case.process_version_id)
        delivered = dict(data)
        record: dict[str, Any] = {"message": name, "payload": dict(data)}
        if name == "fine_paid":
            # the settlement subtracts the days the engine counted from the trail (APL Art. 73)
            added = fine_paid_facts(uow, case, data, now)
            if added:
                delivered.update(added)
                record["engine"] = {**added, "basis": "APL Art. 73"}
        try:
            snapshot = ctx.runtime.deliver_message(loaded, case.state, name, delivered, now)
        except StepFailed as exc:
            raise ProcessFault(str(exc)) from exc
        head = audit.ChainHead.of(case)
        audit.append(
            uow,
            head,
            at=now,
            actor=actor.username,
            roles=actor.roles,
            action="message_received",
            data=record,
        )
        audit_fired_timers(uow, head, snapshot, loaded, now=now)
        if snapshot.completed:
            audit.append(
                uow, head, at=now, actor=actor.username, roles=actor.roles, action="case_closed"
            )
        merged = {**case.data, name: delivered}
        final = {**merged, **snapshot.data}
        if (snapshot.completed or name == REBUILT_MESSAGE) and is_rebuilt(final):
            open_linked(
                uow, ctx=ctx, actor=actor, case=case, head=head, data=final, payload=data, now=now
            )
        written = apply_snapshot(
            uow, case, snapshot, loaded, expected_version=expected, now=now, data=merged, head=head
        )
        view = written_view(case, written, uow.ledger.children(case.id))
        ctx.commit(uow)
        return view


def _rebuilt_after_closure(
    uow: UnitOfWork, *, ctx: EngineContext, actor: Actor, case: Case, data: Mapping[str, Any]
) -> CaseView:
    """`rebuilt_found` on a case whose process has ended (API.md): no step runs; the message
    is recorded on the old case and the linked case opened, in one transaction."""
    now = ctx.clock.now()
    head = audit.ChainHead.of(case)
    audit.append(
        uow,
        head,
        at=now,
        actor=actor.username,
        roles=actor.roles,
        action="message_received",
        data={"message": REBUILT_MESSAGE, "payload": dict(data), "after_closure": True},
    )
    merged = {**case.data, REBUILT_MESSAGE: True}
    open_linked(uow, ctx=ctx, actor=actor, case=case, head=head, data=merged, payload=data, now=now)
    version = case.case_version + 1
    values: dict[str, Any] = {
        "data": merged,
        "case_version": version,
        "audit_seq": head.seq,
        "audit_head": head.hash,
        "updated_at": now,
    }
    if not uow.cases.save_if_version(case.id, case.case_version, values):
        raise StaleCaseVersion(f"case {case.case_no} was changed by someone else; reload it")
    uow.ledger.upsert(
        entry_values(
            case_id=case.id,
            case_no=case.case_no,
            parent_case_id=case.parent_case_id,
            status=case.status,
            stage=case.stage,
            data=merged,
            created_at=case.created_at,
            updated_at=now,
            officer=case.created_by,
        )
    )
    return replace(
        case_view(uow, case),
        data=merged,
        case_version=version,
        updated_at=now,
    )
