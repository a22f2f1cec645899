"""Bulk intake: leads from a sheet or a 12345 export become cases through the open-case use case.

Each lead is opened in its own transaction by `open_case` itself (its form validation, its
audit event), and its source id is recorded in that same transaction (a `before_commit` hook of
a copy of the context), so a lead is imported once or not at all: a second import of the same
file skips every row already imported, even after a crash half-way. A dry run checks every
row the same way (the start form's validation included) and opens nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.errors import NotFound, PermissionDenied, QingweiError, ValidationFailed
from engine.evidence.leads import Lead
from engine.services.cases import open_case
from engine.services.casework import load_spec, start_form
from engine.services.context import Actor, EngineContext
from engine.store.models import Case, LeadImportRow
from engine.store.uow import UnitOfWork

DEFAULT_PROCESS = "enforcement"
IMPORT_ROLES = ("officer", "head")  # a head may dry-run a sheet; only an officer opens cases

CREATED, WOULD_CREATE, SKIPPED, REFUSED = "created", "would_create", "skipped", "refused"


@dataclass(frozen=True)
class LeadResult:
    row: int
    source_id: str
    status: str  # created | would_create | skipped | refused
    reasons: list[str]
    case_id: int | None = None
    case_no: str | None = None
    address: str = ""


@dataclass(frozen=True)
class ImportReport:
    batch: str
    dry_run: bool
    results: list[LeadResult]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in (CREATED, WOULD_CREATE, SKIPPED, REFUSED)}


def _start_form(ctx: EngineContext, uow: UnitOfWork, process_key: str) -> str | None:
    newest = uow.processes.latest_head(process_key)
    if newest is None:
        raise NotFound(f"流程 {process_key} 未部署 (process '{process_key}' is not deployed)")
    return start_form(load_spec(ctx, uow, newest[0]))


def _imported(uow: UnitOfWork, ids: Sequence[str]) -> dict[str, str]:
    """source id -> case number, for the ids already imported."""
    assert uow.session is not None
    found: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        rows = uow.session.execute(
            select(LeadImportRow.source_id, Case.case_no)
            .join(Case, Case.id == LeadImportRow.case_id)
            .where(LeadImportRow.source_id.in_(ids[i : i + 500]))
        ).all()
        found.update({str(s): str(n) for s, n in rows})
    return found


def _field_reasons(exc: ValidationFailed) -> list[str]:
    return [
        f"字段 {'/'.join(map(str, e.loc)) or '（整体）'} 不符合立案表单：{e.msg} (intake form)"
        for e in exc.errors
    ] or [str(exc)]


def _recorder(source_id: str, batch: str, actor: Actor, ctx: EngineContext) -> Any:
    """A before-commit hook writing the lead's source id beside the case `open_case` just
    added, in its transaction."""

    def hook(uow: UnitOfWork) -> None:
        assert uow.session is not None
        # The case `open_case` added is the newest case this session holds (a parent case it
        # may have read is older).
        opened = [o for o in uow.session.identity_map.values() if isinstance(o, Case)]
        if not opened:
            raise RuntimeError("lead import: the case just opened is not in the session")
        uow.session.add(
            LeadImportRow(
                source_id=source_id,
                case_id=max(c.id for c in opened),
                batch=batch[:255],
                imported_at=ctx.clock.now(),
                imported_by=actor.username,
            )
        )
        uow.flush()

    return hook


def import_leads(
    ctx: EngineContext,
    *,
    actor: Actor,
    leads: Iterable[Lead],
    batch: str,
    dry_run: bool,
    process_key: str = DEFAULT_PROCESS,
    progress: Callable[[LeadResult], None] | None = None,
) -> ImportReport:
    """Open a case per importable lead (or, with `dry_run`, say which would be opened and why
    the others are refused or skipped)."""
    if not actor.has(*IMPORT_ROLES):
        raise PermissionDenied("只有执法人员或负责人可以导入线索 (only an officer or the head)")
    if not dry_run and not actor.has("officer"):
        raise PermissionDenied(
            "只有执法人员可以立案 (only an officer opens cases; dry run allowed)"
        )
    rows = list(leads)
    with ctx.uow(read_only=True) as uow:
        form = _start_form(ctx, uow, process_key)
        done = _imported(uow, [lead.source_id for lead in rows])
    first_row: dict[str, int] = {}
    results: list[LeadResult] = []
    for lead in rows:
        result = _one(ctx, actor, lead, form, done, first_row, batch, dry_run, process_key)
        results.append(result)
        if progress is not None:
            progress(result)
    return ImportReport(batch, dry_run, results)


def _one(
    ctx: EngineContext,
    actor: Actor,
    lead: Lead,
    form: str | None,
    done: dict[str, str],
    first_row: dict[str, int],
    batch: str,
    dry_run: bool,
    process_key: str,
) -> LeadResult:
    base = LeadResult(
        lead.row, lead.source_id, REFUSED, [], address=str(lead.data.get("address", ""))
    )
    if lead.source_id in done:
        reason = f"已导入：案件 {done[lead.source_id]} (already imported)"
        return replace(base, status=SKIPPED, reasons=[reason], case_no=done[lead.source_id])
    if lead.source_id in first_row:
        reason = f"与本文件第 {first_row[lead.source_id]} 行来源编号相同 (same source id as row)"
        return replace(base, status=SKIPPED, reasons=[reason])
    first_row[lead.source_id] = lead.row
    if lead.problems:
        return replace(base, reasons=list(lead.problems))
    if form is not None:
        errors = ctx.forms.validate(form, dict(lead.data))
        if errors:
            return replace(base, reasons=_field_reasons(ValidationFailed(errors)))
    if dry_run:
        return replace(base, status=WOULD_CREATE)
    scoped = replace(
        ctx, before_commit=[*ctx.before_commit, _recorder(lead.source_id, batch, actor, ctx)]
    )
    try:
        view = open_case(
            ctx.uow(), ctx=scoped, actor=actor, process_key=process_key, data=lead.data
        )
    except ValidationFailed as exc:
        return replace(base, reasons=_field_reasons(exc))
    except IntegrityError:  # imported meanwhile by another run: its row won
        return replace(base, status=SKIPPED, reasons=["已由另一次导入创建 (imported meanwhile)"])
    except QingweiError as exc:
        return replace(base, reasons=[f"立案失败：{exc} (the case could not be opened)"])
    done[lead.source_id] = view.case_no
    return replace(base, status=CREATED, case_id=view.id, case_no=view.case_no)
