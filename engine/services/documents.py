"""Issuing 文书 inside the step that issues them, and reading and verifying them afterwards.

`complete_task` calls `document_refusal` before the step (the law's required contents, checked
against the case data) and `issue_for_task` after it, in the same transaction: each document gets
the next 文号 of its agency, kind and year, is rendered to PDF, stored content-addressed, and its
sha256 goes into the step's `task_completed` event. A rollback takes the number back with it.

A document issued in error is withdrawn with a reason (`withdraw_document`), never deleted: the
row, the PDF and the hash stay; the withdrawal is an event of the case's audit chain, the case
page marks it and public verification says so. A withdrawn document no longer counts as the one
later documents rest on (the approval a decision cites, the letter a restoration lifts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from engine.calendar import TZ
from engine.config import Settings
from engine.documents import (
    BASIS_TEXT,
    CUTOFF_BASIS_TEXT,
    METHOD_CN,
    REMEDY_TEXT,
    DocumentCatalog,
    Kind,
    cn_date,
    cn_date_numerals,
    cn_datetime,
)
from engine.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from engine.files import FileCorrupted, FileStore, build_file_store, is_sha256
from engine.guards import Refusal
from engine.runtime.model import ElementInfo
from engine.services.casework import get_case_row, record_case_event
from engine.services.context import Actor, EngineContext
from engine.store.models import AuditEvent, Case, DocumentRow
from engine.store.uow import UnitOfWork

RECEIPT = "送达回证"
DECISIONS = ("限期拆除决定书", "行政处罚决定书")
UTILITY_LETTER = "停止供水供电供气联系函"
CONFISCATION_APPROVAL = "没收审批意见"
WITHDRAW_ROLES = ("head",)
MAX_REASON = 500
UTILITY_CN = {"water": "供水", "power": "供电", "gas": "供气", "heat": "供热"}


@dataclass
class DocumentDesk:
    """The catalog of documents/ and the file store, built once per process."""

    catalog: DocumentCatalog
    files: FileStore

    @classmethod
    def build(cls, settings: Settings) -> DocumentDesk:
        return cls(
            DocumentCatalog.load(Path(settings.documents.templates_dir)), build_file_store(settings)
        )


@dataclass(frozen=True)
class DocumentView:
    """The public shape of an issued document (API.md, Documents)."""

    id: int
    case_id: int
    kind: str
    title: str
    number: str
    issued_at: datetime
    element_id: str
    sha256: str
    served_at: str | None
    service_method: str | None
    recipient: str | None
    verify_code: str
    serves_id: int | None
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    withdrawn_reason: str | None = None


@dataclass(frozen=True)
class VerifiedDocument:
    valid: bool
    number: str
    kind: str
    case_no: str
    issued_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_reason: str | None = None


def _view(r: DocumentRow) -> DocumentView:
    return DocumentView(
        id=r.id,
        case_id=r.case_id,
        kind=r.kind,
        title=r.title,
        number=r.number,
        issued_at=r.issued_at,
        element_id=r.element_id,
        sha256=r.sha256,
        served_at=r.served_at,
        service_method=r.service_method,
        recipient=r.recipient,
        verify_code=r.verify_code,
        serves_id=r.serves_id,
        withdrawn_at=r.withdrawn_at,
        withdrawn_by=r.withdrawn_by,
        withdrawn_reason=r.withdrawn_reason,
    )


def _today(now: datetime) -> date:
    return now.astimezone(TZ).date()


def _in_force(rows: Sequence[DocumentRow]) -> list[DocumentRow]:
    return [r for r in rows if r.withdrawn_at is None]


def _doc_date(row: DocumentRow) -> date:
    """The date a document bears (its decision date, say), else the day it was issued."""
    raw = row.context.get("date_iso") if isinstance(row.context, dict) else None
    try:
        return date.fromisoformat(str(raw)) if raw else _today(row.issued_at)
    except ValueError:
        return _today(row.issued_at)


def _instant(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _as_day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _issued(uow: UnitOfWork, case_id: int) -> dict[str, date]:
    """Each kind issued in the case and not withdrawn, with the date of the latest; and each
    kind a completed step named but never issued (the case passed that step before the kind had
    a template): a case under way when a template is added is not blocked for a document it
    could not have had. A kind issued and then withdrawn is missing."""
    rows = uow.documents.for_case(case_id)
    ever = {r.kind for r in rows}
    found: dict[str, date] = {}
    for e in uow.audit.chain(case_id):
        if e.action != "task_completed" or not isinstance(e.data, dict):
            continue
        for name in e.data.get("documents") or []:
            if isinstance(name, str) and name not in ever:
                found[name] = _today(e.at)
    found.update({r.kind: _doc_date(r) for r in _in_force(rows)})
    return found


def document_refusal(
    ctx: EngineContext,
    *,
    case: Case,
    info: ElementInfo | None,
    element_id: str,
    data: Mapping[str, Any],
    now: datetime,
    uow: UnitOfWork | None = None,
) -> Refusal | None:
    """The first document this completion would issue (or drafts, `checked_at`) whose
    statute-required contents are missing from the case and task data (409 naming the
    article), or None. With `uow` the documents it rests on are checked too."""
    if info is None or not info.documents:
        return None
    merged = {**case.data, **dict(data)}
    catalog = ctx.documents.catalog
    kinds = catalog.for_task(element_id, info.documents, merged)
    kinds += [k for k in catalog.checked_at(element_id, info.documents) if k not in kinds]
    if not kinds:
        return None
    issued = _issued(uow, case.id) if uow is not None else None
    for kind in kinds:
        drafting = element_id in kind.checked_at
        refusal = kind.refusal(merged, _today(now), issued, drafting=drafting)
        if refusal is not None:
            return refusal
    return None


def issue_for_task(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    case: Case,
    info: ElementInfo | None,
    element_id: str,
    task_id: str,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
) -> list[dict[str, Any]]:
    """Issue every document this task issues; what the audit event records of each."""
    if info is None or not info.documents:
        return []
    merged = {**case.data, **dict(data)}
    issued = []
    for kind in ctx.documents.catalog.for_task(element_id, info.documents, merged):
        row = issue(
            uow,
            ctx=ctx,
            case=case,
            kind=kind,
            data=merged,
            element_id=element_id,
            task_id=task_id,
            actor=actor,
            now=now,
        )
        issued.append(
            {"document_id": row.id, "kind": row.kind, "number": row.number, "sha256": row.sha256}
        )
    return issued


def issue(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    case: Case,
    kind: Kind,
    data: Mapping[str, Any],
    element_id: str,
    task_id: str | None,
    actor: Actor,
    now: datetime,
) -> DocumentRow:
    """Number, render, store and record one document inside the caller's transaction."""
    cfg = ctx.settings.documents
    year = _today(now).year
    seq = uow.documents.next_seq(cfg.number_prefix, kind.code, year)
    number = f"{cfg.number_prefix}{kind.code}字〔{year}〕第{seq:04d}号"
    code = hashlib.sha256(f"{number}|{case.case_no}|{kind.name}".encode()).hexdigest()[:10]
    served = _to_serve(uow, case.id) if kind.name == RECEIPT else None
    context = _context(
        uow,
        ctx,
        case=case,
        kind=kind,
        data=data,
        now=now,
        number=number,
        code=code.upper(),
        served=served,
        actor=actor,
    )
    pdf = ctx.documents.catalog.pdf(kind.name, context)
    sha = ctx.documents.files.put(pdf)
    row = uow.documents.add(
        DocumentRow(
            case_id=case.id,
            kind=kind.name,
            title=kind.heading,
            agency=cfg.number_prefix,
            code=kind.code,
            year=year,
            seq=seq,
            number=number,
            element_id=element_id,
            task_id=task_id,
            issued_at=now,
            issued_by=actor.username,
            sha256=sha,
            verify_code=code.upper(),
            context=context,
            serves_id=served.id if served is not None else None,
        )
    )
    if served is not None:
        served.served_at = str(data.get("served_at") or "") or None
        served.service_method = str(data.get("service_method") or "") or None
        served.recipient = str(data.get("recipient") or "") or None
        uow.flush()
    return row


def _full_name(uow: UnitOfWork, actor: Actor) -> str:
    """How a document names who approved it: the full name on record, else the user name."""
    user = uow.users.by_username(actor.username)
    full = user.full_name.strip() if user is not None and user.full_name else ""
    return full or actor.username


def _to_serve(uow: UnitOfWork, case_id: int) -> DocumentRow | None:
    """The document a 送达回证 proves served: the newest one of the case not yet served."""
    for r in reversed(_in_force(uow.documents.for_case(case_id))):
        if r.kind != RECEIPT and r.served_at is None and r.service_method is None:
            return r
    return None


def _context(
    uow: UnitOfWork,
    ctx: EngineContext,
    *,
    case: Case,
    kind: Kind,
    data: Mapping[str, Any],
    now: datetime,
    number: str,
    code: str,
    served: DocumentRow | None,
    actor: Actor,
) -> dict[str, Any]:
    """Everything the template reads, as JSON: stored with the document, so that rendering it
    again gives the same text."""
    cfg = ctx.settings.documents
    raw = data.get(kind.date_field) if kind.date_field else None
    day = date.fromisoformat(str(raw)[:10]) if raw else _today(now)
    in_force = _in_force(uow.documents.for_case(case.id))

    def latest(*kinds: str) -> DocumentRow | None:
        return next((r for r in reversed(in_force) if r.kind in kinds), None)

    decision = latest(*DECISIONS)
    ctxt: dict[str, Any] = {
        "d": {
            k: v for k, v in data.items() if isinstance(v, str | int | float | bool) or v is None
        },
        "kind": kind.name,
        "title": kind.heading,
        "number": number,
        "case_no": case.case_no,
        "agency": cfg.agency_name,
        "agency_address": cfg.agency_address,
        "government": cfg.government_name,
        "approver": _full_name(uow, actor),
        "date_iso": day.isoformat(),
        "party": data.get("party_name") or "（当事人不明 party unknown）",
        "address": data.get("address") or "",
        "basis_text": BASIS_TEXT.get(
            str(data.get("legal_basis") or "URPL64"), BASIS_TEXT["URPL64"]
        ),
        "date_cn": cn_date_numerals(day),
        "date_digits": cn_date(day),
        "verify_code": code,
        "verify_url": f"{cfg.verify_base_url.rstrip('/')}/{code}",
        "remedy": "",
        "decision_title": decision.kind if decision else "处理决定",
        "decision_number": decision.number if decision else "",
        "decision_date_cn": str(decision.context.get("date_digits", "")) if decision else "",
    }
    if kind.remedy is not None:
        ctxt["remedy"] = REMEDY_TEXT.format(
            review_period=data.get("review_period") or "六十日",
            review_body=data.get("review_body") or cfg.review_body,
            lawsuit_period=data.get("lawsuit_period") or "六个月",
            lawsuit_court=data.get("lawsuit_court") or cfg.court_name,
        )
    if kind.name == "行政处罚事先告知书":
        info = ctx.runtime.calendar.deadline_detail(day, ctx.settings.legal.statement_period)
        ctxt["statement_deadline_cn"] = cn_date(info.last_day)
        ctxt["hearing_right"] = True
    if kind.name == "听证通知书":
        ctxt["hearing_date_cn"] = cn_date(data.get("hearing_date"))
    if kind.name == "强制拆除公告":
        demolition = date.fromisoformat(str(data["demolition_date"])[:10])
        ctxt["demolition_date_cn"] = cn_date(demolition)
        ctxt["own_deadline_cn"] = cn_date(demolition - timedelta(days=1))
        ctxt["belongings_deadline_cn"] = cn_date(data.get("belongings_deadline"))
    if kind.name == CONFISCATION_APPROVAL:
        ctxt["appraisal_date_cn"] = cn_date(data.get("appraisal_date"))
    if kind.name in DECISIONS:
        approval = latest(CONFISCATION_APPROVAL)
        ctxt["approval_number"] = approval.number if approval else ""
    if kind.name == UTILITY_LETTER:
        ctxt["halt_decision_date_cn"] = cn_date(data.get("halt_decision_date"))
        # Approved after the drafted time: the supply stops from the letter's issue instead
        # (still at least 24 h after the notice, which came before the drafted time).
        planned = _instant(data.get("cutoff_at"))
        ctxt["cutoff_at_cn"] = cn_datetime(
            now.isoformat() if planned is not None and planned < now else data.get("cutoff_at")
        )
        ctxt["notified_at_cn"] = cn_datetime(data.get("party_notified_at"))
        ctxt["cutoff_basis_text"] = CUTOFF_BASIS_TEXT.get(
            str(data.get("cutoff_basis")), CUTOFF_BASIS_TEXT["safety_law_70"]
        )
        kinds = data.get("utility_types")
        names = [UTILITY_CN.get(str(k), str(k)) for k in kinds] if isinstance(kinds, list) else []
        ctxt["utilities_cn"] = "、".join(names) or "供电"
    if kind.name == "恢复供应通知":
        letter = latest(UTILITY_LETTER)
        ctxt["letter_title"] = letter.title if letter else UTILITY_LETTER
        ctxt["letter_number"] = letter.number if letter else ""
        ctxt["restored_at_cn"] = cn_datetime(data.get("restored_at"))
    if kind.name == "财物清单":
        # The process's 90 CD hand-over deadline (coercion.bpmn handover_deadline), from the
        # day the remedy windows lapsed.
        lapsed = _as_day(data.get("remedy_lapsed_on"))
        due = ctx.runtime.calendar.deadline_detail(lapsed, "90 CD").last_day if lapsed else None
        ctxt["handover_due_cn"] = cn_date(due)
    if kind.name == RECEIPT:
        ctxt["served_title"] = served.kind if served else ""
        ctxt["served_number"] = served.number if served else ""
        ctxt["method_cn"] = METHOD_CN.get(str(data.get("service_method")), "")
        ctxt["served_on_cn"] = cn_date(data.get("served_at"))
    return ctxt


# ---- reading ----------------------------------------------------------------------------------
def case_documents(uow: UnitOfWork, *, case_id: int) -> list[DocumentView]:
    with uow:
        if uow.cases.get(case_id) is None:
            raise NotFound(f"案件不存在 case {case_id} does not exist")
        return [_view(r) for r in uow.documents.for_case(case_id)]


def get_document(uow: UnitOfWork, *, doc_id: int) -> DocumentView:
    with uow:
        row = uow.documents.get(doc_id)
        if row is None:
            raise NotFound(f"文书不存在 document {doc_id} does not exist")
        return _view(row)


def document_pdf(uow: UnitOfWork, *, ctx: EngineContext, doc_id: int) -> tuple[DocumentView, bytes]:
    """The stored bytes (the record), never a re-rendering."""
    view = get_document(uow, doc_id=doc_id)
    try:
        return view, ctx.documents.files.get(view.sha256)
    except KeyError:
        raise NotFound(f"文书文件缺失 the PDF of {view.number} is not in the store") from None
    except FileCorrupted:
        raise Conflict(f"文书文件已被改动 the stored PDF of {view.number} was altered") from None


def rerender_text_source(uow: UnitOfWork, *, ctx: EngineContext, doc_id: int) -> bytes:
    """The PDF rendered again from the stored context (to compare its text with the record)."""
    with uow:
        row = uow.documents.get(doc_id)
        if row is None:
            raise NotFound(f"文书不存在 document {doc_id} does not exist")
        return ctx.documents.catalog.pdf(row.kind, row.context)


def verify_document(uow: UnitOfWork, *, ctx: EngineContext, key: str) -> VerifiedDocument:
    """A genuine document by the sha256 of its PDF or by its printed verification code; anything
    else (unknown, malformed, or bytes no longer in the store) is NotFound."""
    with uow:
        row = (
            uow.documents.by_sha256(key.lower())
            if is_sha256(key.lower())
            else uow.documents.by_code(key.upper())
            if key.isalnum() and len(key) == 10
            else None
        )
        if row is None or not ctx.documents.files.exists(row.sha256):
            raise NotFound("未找到该文书 no such document")
        case = uow.cases.get(row.case_id)
        # Genuine but withdrawn: not valid any more, and the answer says since when and why.
        return VerifiedDocument(
            valid=row.withdrawn_at is None,
            number=row.number,
            kind=row.kind,
            case_no=case.case_no if case else "",
            issued_at=row.issued_at,
            withdrawn_at=row.withdrawn_at,
            withdrawn_reason=row.withdrawn_reason,
        )


# ---- withdrawal -------------------------------------------------------------------------------
def withdraw_document(
    uow: UnitOfWork, *, ctx: EngineContext, actor: Actor, doc_id: int, reason: str
) -> DocumentView:
    """Withdraw a document issued in error, with the reason: never deleted (the row, the PDF and
    its hash stay the record), an event of the case's audit chain, answered by verification.
    The head withdraws, as the head approves what is issued. The case's process is not moved:
    the step that issued it stays done, and a corrected document is issued by the step that
    issues it (see README)."""
    if not actor.has(*WITHDRAW_ROLES):
        raise PermissionDenied("只有负责人可以撤回文书 (only the head withdraws a document)")
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed(
            [
                FieldError(
                    ["reason"], f"请填写撤回理由（1 至 {MAX_REASON} 字）(a reason is required)"
                )
            ],
            "invalid withdrawal",
        )
    with uow:
        row = uow.documents.get(doc_id)
        if row is None:
            raise NotFound(f"文书不存在 document {doc_id} does not exist")
        case = get_case_row(uow, row.case_id, lock=True)
        row = uow.documents.get(doc_id, lock=True)
        if row is None:
            raise NotFound(f"文书不存在 document {doc_id} does not exist")
        if row.withdrawn_at is not None:
            raise Conflict(f"文书 {row.number} 已撤回 (already withdrawn)")
        now = ctx.clock.now()
        row.withdrawn_at = now
        row.withdrawn_by = actor.username
        row.withdrawn_reason = reason
        record_case_event(
            uow,
            case,
            at=now,
            actor=actor,
            action="document_withdrawn",
            element_id=row.element_id,
            data={
                "document_id": row.id,
                "kind": row.kind,
                "number": row.number,
                "sha256": row.sha256,
                "reason": reason,
            },
        )
        view = _view(row)
        ctx.commit(uow)
        return view


def document_problem(
    uow: UnitOfWork, *, ctx: EngineContext, case_id: int, events: Sequence[AuditEvent]
) -> tuple[int | None, str] | None:
    """The first issued document of a case whose record does not hold: its hash missing from
    the trail, its bytes missing from the store or no longer hashing to their name. Returns the
    seq of the event that recorded it (None if none did) and why; None when all hold."""
    recorded = {
        str(i.get("sha256")): e.seq
        for e in events
        if e.action == "task_completed"
        for i in (e.data or {}).get("issued") or []
        if isinstance(i, dict)
    }
    for row in uow.documents.for_case(case_id):
        seq = recorded.get(row.sha256)
        if seq is None:
            return None, f"文书 {row.number} 的哈希不在审计链中 / its hash is not in the trail"
        try:
            ctx.documents.files.get(row.sha256)
        except KeyError:
            return seq, f"文书 {row.number} 的文件缺失 / its PDF is missing from the store"
        except FileCorrupted:
            return seq, f"文书 {row.number} 的文件已被改动 / its stored PDF was altered"
    return None
