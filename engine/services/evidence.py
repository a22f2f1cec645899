"""Evidence (证据材料): attach a file to a case, list, read and withdraw it, and check it.

An upload is staged (streamed to a temporary file while hashed), its content sniffed (never the
name), its EXIF read, and then, in one transaction with the case row locked, stored
content-addressed, recorded as a row and as an `attachment_added` event of the case's audit
chain (filename, media type, size, sha256, uploader, task). A wrong upload is never deleted nor
replaced: it is withdrawn with a reason, which is audited too. `audit verify` re-hashes every
attachment's stored bytes (`attachment_problem`).

The first geotagged photo of a case whose intake recorded no `location` fills it (the officer on
site photographs the building; the hotline lead had only an address).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any, BinaryIO

from sqlalchemy import select

from engine import audit
from engine.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from engine.evidence.exif import ImageUnreadable, PhotoFacts, photo_facts
from engine.evidence.sniff import ContentRefused, sniff
from engine.files import FileCorrupted, FileStore, Staged
from engine.services.casework import get_case_row, record_case_event
from engine.services.context import Actor, EngineContext
from engine.store.models import AttachmentRow, AuditEvent
from engine.store.uow import UnitOfWork

# Who adds evidence to a case file: the officers on site and the head (API.md: officer).
UPLOAD_ROLES = ("officer", "head")
MAX_NOTE = 500
MAX_REASON = 500


@dataclass(frozen=True)
class AttachmentView:
    """The public shape of an attachment (API.md, Evidence), plus what it is bound to and its
    withdrawal."""

    id: int
    case_id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    taken_at: datetime | None
    location: dict[str, float] | None
    task_id: str | None
    element_id: str | None
    message: str | None
    note: str | None
    has_thumbnail: bool
    withdrawn: bool
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str | None


def _view(r: AttachmentRow) -> AttachmentView:
    location = {"lat": r.lat, "lon": r.lon} if r.lat is not None and r.lon is not None else None
    return AttachmentView(
        id=r.id,
        case_id=r.case_id,
        filename=r.filename,
        media_type=r.media_type,
        size=r.size,
        sha256=r.sha256,
        uploaded_by=r.uploaded_by,
        uploaded_at=r.uploaded_at,
        taken_at=r.taken_at,
        location=location,
        task_id=r.task_id,
        element_id=r.element_id,
        message=r.message,
        note=r.note,
        has_thumbnail=r.thumb_sha256 is not None,
        withdrawn=r.withdrawn_at is not None,
        withdrawn_at=r.withdrawn_at,
        withdrawn_by=r.withdrawn_by,
        withdrawn_reason=r.withdrawn_reason,
    )


def _files(ctx: EngineContext) -> FileStore:
    """The one content-addressed store, shared with the issued 文书."""
    return ctx.documents.files


def _clean_name(filename: str | None) -> str:
    """The base name only (a browser may send a path), bounded; never empty."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())
    if not name:
        return "upload"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 250 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:255]
    return name


def _rows(uow: UnitOfWork, case_id: int) -> Sequence[AttachmentRow]:
    assert uow.session is not None
    return uow.session.scalars(
        select(AttachmentRow).where(AttachmentRow.case_id == case_id).order_by(AttachmentRow.id)
    ).all()


def _row(uow: UnitOfWork, att_id: int, *, lock: bool = False) -> AttachmentRow:
    assert uow.session is not None
    query = select(AttachmentRow).where(AttachmentRow.id == att_id)
    row = uow.session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"证据材料不存在 attachment {att_id} does not exist")
    return row


def _check_inputs(note: str | None) -> None:
    if note is not None and len(note) > MAX_NOTE:
        raise ValidationFailed(
            [FieldError(["note"], f"说明不超过 {MAX_NOTE} 字 (at most {MAX_NOTE} characters)")],
            "invalid attachment",
        )


def add_attachment(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    actor: Actor,
    case_id: int,
    stream: BinaryIO,
    filename: str | None,
    declared_type: str | None = None,
    task_id: str | None = None,
    message: str | None = None,
    note: str | None = None,
) -> AttachmentView:
    """Stream `stream` into the store as evidence of the case; audited in the same transaction.

    Refuses (nothing stored, nothing recorded): PermissionDenied for roles other than officer
    and head; FileTooLarge past `files.max_attachment_bytes`; ValidationFailed (422) for content
    that is not an accepted kind or that its name or declared type misrepresents, a task that
    is not a ready task of the case, or a message the case is not waiting for.
    """
    if not actor.has(*UPLOAD_ROLES):
        raise PermissionDenied("只有执法人员或负责人可以上传证据材料 (only an officer or the head)")
    _check_inputs(note)
    name = _clean_name(filename)
    store = _files(ctx)
    with store.stage(stream, max_bytes=ctx.settings.files.max_attachment_bytes) as staged:
        try:
            kind = sniff(staged.head, filename=name, declared=declared_type)
            facts = photo_facts(staged.path) if kind.is_image else None
        except (ContentRefused, ImageUnreadable) as exc:
            raise ValidationFailed(
                [FieldError(["file"], str(exc))], "文件被拒绝 file refused"
            ) from exc
        return _record(
            uow,
            ctx=ctx,
            actor=actor,
            case_id=case_id,
            staged=staged,
            name=name,
            media_type=kind.media_type,
            facts=facts,
            task_id=task_id or None,
            message=message or None,
            note=note or None,
        )


def _record(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    actor: Actor,
    case_id: int,
    staged: Staged,
    name: str,
    media_type: str,
    facts: PhotoFacts | None,
    task_id: str | None,
    message: str | None,
    note: str | None,
) -> AttachmentView:
    store = _files(ctx)
    with uow:
        case = get_case_row(uow, case_id, lock=True)
        element_id = None
        if task_id is not None:
            task = next((t for t in uow.cases.task_records(case.id) if t.id == task_id), None)
            if task is None:
                raise ValidationFailed(
                    [
                        FieldError(
                            ["task_id"], f"任务 {task_id} 不是本案待办任务 (not a ready task)"
                        )
                    ],
                    "invalid attachment",
                )
            element_id = task.element_id
        if message is not None and message not in (case.waiting_messages or []):
            raise ValidationFailed(
                [FieldError(["message"], f"本案不在等待 {message} (not waiting for it)")],
                "invalid attachment",
            )
        now = ctx.clock.now()
        store.commit(staged)
        thumb = store.put(facts.thumbnail) if facts is not None else None
        row = AttachmentRow(
            case_id=case.id,
            filename=name,
            media_type=media_type,
            size=staged.size,
            sha256=staged.sha256,
            thumb_sha256=thumb,
            uploaded_by=actor.username,
            uploaded_at=now,
            task_id=task_id,
            element_id=element_id,
            message=message,
            note=note,
            taken_at=facts.taken_at if facts else None,
            lat=facts.lat if facts else None,
            lon=facts.lon if facts else None,
            audit_seq=0,
        )
        assert uow.session is not None
        uow.session.add(row)
        uow.flush()
        location = {"lat": row.lat, "lon": row.lon} if row.lat is not None else None
        fill = location is not None and not case.data.get("location")
        head = audit.ChainHead.of(case)
        audit.append(
            uow,
            head,
            at=now,
            actor=actor.username,
            roles=actor.roles,
            action="attachment_added",
            element_id=element_id,
            data={
                "attachment_id": row.id,
                "filename": name,
                "media_type": media_type,
                "size": staged.size,
                "sha256": staged.sha256,
                "uploaded_by": actor.username,
                "task_id": task_id,
                "message": message,
                "note": note,
                "taken_at": row.taken_at.isoformat() if row.taken_at else None,
                "location": location,
                "location_filled": fill,
            },
        )
        row.audit_seq = head.seq
        values: dict[str, Any] = {"audit_seq": head.seq, "audit_head": head.hash}
        if fill:
            # The case's data changes: a new version, so a form opened before it is stale.
            values.update(
                data={**case.data, "location": location},
                case_version=case.case_version + 1,
                updated_at=now,
            )
        if not uow.cases.save_if_version(case.id, case.case_version, values):
            raise Conflict(f"案件 {case.case_no} 正被他人修改，请重试 (changed meanwhile; retry)")
        view = _view(row)
        ctx.commit(uow)
        return view


def list_attachments(uow: UnitOfWork, *, case_id: int) -> list[AttachmentView]:
    with uow:
        get_case_row(uow, case_id)
        return [_view(r) for r in _rows(uow, case_id)]


def get_attachment(uow: UnitOfWork, *, att_id: int) -> AttachmentView:
    with uow:
        return _view(_row(uow, att_id))


def attachment_content(
    uow: UnitOfWork, *, ctx: EngineContext, att_id: int, thumbnail: bool = False
) -> tuple[AttachmentView, Iterator[bytes]]:
    """The stored bytes (or the preview), re-hashed first: altered bytes are never served
    (409), missing ones are 404. The bytes then come in chunks (a video is not read whole)."""
    view = get_attachment(uow, att_id=att_id)
    store = _files(ctx)
    sha = view.sha256
    if thumbnail:
        with uow:
            thumb = _row(uow, att_id).thumb_sha256
        if thumb is None:
            raise NotFound(f"证据材料 {att_id} 没有缩略图 (no preview: not a photo)")
        sha = thumb
    try:
        store.check(sha)
        return view, store.chunks(sha)
    except KeyError:
        raise NotFound(
            f"证据文件缺失 the file of attachment {att_id} is not in the store"
        ) from None
    except FileCorrupted:
        raise Conflict(
            f"证据文件已被改动 the stored file of attachment {att_id} was altered"
        ) from None


def withdraw_attachment(
    uow: UnitOfWork, *, ctx: EngineContext, actor: Actor, att_id: int, reason: str
) -> AttachmentView:
    """Mark a wrong upload withdrawn (it stays in the file and in the trail), with the reason."""
    if not actor.has(*UPLOAD_ROLES):
        raise PermissionDenied("只有执法人员或负责人可以撤回证据材料 (only an officer or the head)")
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
        row = _row(uow, att_id)
        case = get_case_row(uow, row.case_id, lock=True)
        row = _row(uow, att_id, lock=True)
        if row.withdrawn_at is not None:
            raise Conflict(f"证据材料 {att_id} 已撤回 (already withdrawn)")
        now = ctx.clock.now()
        row.withdrawn_at = now
        row.withdrawn_by = actor.username
        row.withdrawn_reason = reason
        record_case_event(
            uow,
            case,
            at=now,
            actor=actor,
            action="attachment_withdrawn",
            element_id=row.element_id,
            data={
                "attachment_id": row.id,
                "filename": row.filename,
                "sha256": row.sha256,
                "reason": reason,
            },
        )
        view = _view(row)
        ctx.commit(uow)
        return view


def attachment_problem(
    uow: UnitOfWork, *, ctx: EngineContext, case_id: int, events: Sequence[AuditEvent]
) -> tuple[int | None, str] | None:
    """The first attachment of a case whose record does not hold: its upload not in the trail
    (or with another hash), its bytes missing from the store or altered. The seq of the event
    that recorded it (None if none) and why, naming the attachment; None when all hold."""
    recorded = {
        int(e.data["attachment_id"]): (e.seq, str(e.data.get("sha256")))
        for e in events
        if e.action == "attachment_added" and isinstance(e.data, dict) and "attachment_id" in e.data
    }
    store = _files(ctx)
    for row in _rows(uow, case_id):
        label = f"证据材料 #{row.id}「{row.filename}」"
        seq, sha = recorded.get(row.id, (None, None))
        if seq is None or sha != row.sha256:
            return (
                seq,
                f"{label}的哈希不在审计链中 / attachment {row.id}: its hash is not in the trail",
            )
        try:
            store.check(row.sha256)
        except KeyError:
            return (
                seq,
                f"{label}的文件缺失 / attachment {row.id} ({row.filename}): missing from the store",
            )
        except FileCorrupted:
            return (
                seq,
                f"{label}的文件已被改动 / attachment {row.id} ({row.filename}): bytes altered",
            )
    return None
