"""Audit use cases: read a trail, verify one case or all, export, sign a checkpoint."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from typing import Any

from engine import audit
from engine.services.casework import get_case_row
from engine.services.context import Actor, EngineContext
from engine.services.privacy import mask_personal
from engine.services.views import AuditEventView, VerifyView
from engine.store.models import AuditCheckpoint, AuditEvent, SystemAuditEvent
from engine.store.uow import UnitOfWork


def _view(e: AuditEvent | SystemAuditEvent) -> AuditEventView:
    return AuditEventView(
        e.seq,
        e.at,
        e.actor,
        list(e.roles),
        e.action,
        e.element_id,
        dict(e.data),
        e.basis,
        e.prev_hash,
        e.hash,
    )


def _checkpoints(
    uow: UnitOfWork, ctx: EngineContext
) -> tuple[list[AuditCheckpoint | audit.ExportedCheckpoint], list[audit.ChainReport]]:
    """The checkpoints to verify against, and problems with them. With an export file set
    (QINGWEI_CHECKPOINT_FILE) the exported ones are authoritative: the database's must match
    them one for one, so deleting or re-signing checkpoints in the database shows."""
    stored = list(uow.audit.checkpoints())
    path = ctx.settings.security.checkpoint_file
    if path is None:
        return list(stored), []
    exported, unreadable = audit.read_exported(path)
    has_events = any(seq > 0 for seq, _ in uow.cases.all_heads().values()) or (
        uow.audit.trail_head(audit.SYSTEM_TRAIL)[0] > 0
    )
    problems = [audit.ChainReport(-1, False, 0, None, p) for p in unreadable]
    problems += audit.reconcile_checkpoints(exported, stored, path, has_events=has_events)
    return list(exported), problems


def case_trail(uow: UnitOfWork, *, case_id: int) -> list[AuditEventView]:
    with uow:
        get_case_row(uow, case_id)
        return [_view(e) for e in uow.audit.chain(case_id)]


def verify_case(uow: UnitOfWork, *, ctx: EngineContext, case_id: int) -> VerifyView:
    with uow:
        case = get_case_row(uow, case_id)
        events = uow.audit.chain(case_id)
        report = audit.verify_chain(case_id, events, (case.audit_seq, case.audit_head))
        if report.valid:
            checkpoints, problems = _checkpoints(uow, ctx)
            problems += audit.verify_against_checkpoints(
                checkpoints, {case_id: events}, ctx.settings.security.signing_key
            )
            # A forged checkpoint (case_id -1) is a failure for every case it could hide.
            problems = [p for p in problems if p.case_id in (case_id, -1)]
            if problems:
                report = problems[0]
        if report.valid:
            # Files of record: every issued document's and attachment's bytes re-hashed.
            from engine.services.documents import document_problem
            from engine.services.evidence import attachment_problem

            bad = document_problem(
                uow, ctx=ctx, case_id=case_id, events=events
            ) or attachment_problem(uow, ctx=ctx, case_id=case_id, events=events)
            if bad is not None:
                return VerifyView(False, len(events), bad[0], bad[1], case_id, case.case_no)
        return VerifyView(
            report.valid, len(events), report.first_bad_seq, report.reason, case_id, case.case_no
        )


def verify_all(uow: UnitOfWork, *, ctx: EngineContext) -> list[VerifyView]:
    """Every case's chain, then every signed checkpoint, then every case's issued documents
    and attachments (re-hashed); returns only the failures."""
    failures: list[VerifyView] = []
    with uow:
        heads = uow.cases.all_heads()
        chains = {cid: uow.audit.chain(cid) for cid in heads}
        numbers = {cid: get_case_row(uow, cid).case_no for cid in heads}
        for cid, head in heads.items():
            r = audit.verify_chain(cid, chains[cid], head)
            if not r.valid:
                failures.append(
                    VerifyView(False, r.events, r.first_bad_seq, r.reason, cid, numbers[cid])
                )
        bad_cases = {f.case_id for f in failures}
        checkpoints, problems = _checkpoints(uow, ctx)
        for p in problems + audit.verify_against_checkpoints(
            checkpoints, chains, ctx.settings.security.signing_key
        ):
            if p.case_id not in bad_cases:
                failures.append(
                    VerifyView(
                        False,
                        p.events,
                        p.first_bad_seq,
                        p.reason,
                        p.case_id,
                        numbers.get(p.case_id, f"#{p.case_id} (deleted)"),
                    )
                )
        from engine.services.documents import document_problem
        from engine.services.evidence import attachment_problem

        bad_cases = {f.case_id for f in failures}
        for cid in heads:
            if cid in bad_cases:
                continue
            bad = document_problem(
                uow, ctx=ctx, case_id=cid, events=chains[cid]
            ) or attachment_problem(uow, ctx=ctx, case_id=cid, events=chains[cid])
            if bad is not None:
                failures.append(
                    VerifyView(False, len(chains[cid]), bad[0], bad[1], cid, numbers[cid])
                )
    system = verify_system(uow, ctx=ctx)
    if not system.valid:
        failures.append(system)
    return failures


def system_trail(uow: UnitOfWork) -> list[AuditEventView]:
    """The system trail (calendar loads, users, deploys, clock): what belongs to no case."""
    with uow:
        return [_view(e) for e in uow.audit.system_chain()]


def verify_system(uow: UnitOfWork, *, ctx: EngineContext) -> VerifyView:
    with uow:
        events = uow.audit.system_chain()
        head = uow.audit.trail_head(audit.SYSTEM_TRAIL)
        report = audit.verify_chain(0, events, head, body=audit.system_event_body)
        if report.valid:
            checkpoints, problems = _checkpoints(uow, ctx)
            problems += audit.verify_against_checkpoints(
                checkpoints, {}, ctx.settings.security.signing_key, events
            )
            problems = [p for p in problems if p.case_id in (0, -1)]
            if problems:
                report = problems[0]
        return VerifyView(
            report.valid, len(events), report.first_bad_seq, report.reason, None, "system"
        )


def record_system_event(
    uow: UnitOfWork, *, ctx: EngineContext, actor: Actor, action: str, data: dict[str, Any]
) -> None:
    """Append to the system trail on its own (e.g. the demo clock moved), committed at once."""
    with uow:
        audit.system_append(
            uow,
            at=ctx.clock.now(),
            actor=actor.username,
            roles=actor.roles,
            action=action,
            data=data,
        )
        ctx.commit(uow)


def record_settings(uow: UnitOfWork, *, ctx: EngineContext, actor: Actor) -> bool:
    """Record the local legal settings in the system trail when they differ from the last
    recorded ones (a city's periods and night window decide deadlines and refusals, so who ran
    the engine with which values must be traceable). True if an event was appended."""
    current = ctx.settings.legal.model_dump(mode="json")
    with uow:
        last = next(
            (e for e in reversed(uow.audit.system_chain()) if e.action == "settings_applied"),
            None,
        )
        if last is not None and last.data.get("legal") == current:
            return False
        audit.system_append(
            uow,
            at=ctx.clock.now(),
            actor=actor.username,
            roles=actor.roles,
            action="settings_applied",
            data={"legal": current, "before": last.data.get("legal") if last else None},
            basis="PROCEDURE §13 (local parameters)",
        )
        ctx.commit(uow)
        return True


def sign_checkpoint(uow: UnitOfWork, *, ctx: EngineContext) -> int:
    """Sign every head (QINGWEI_AUDIT_KEY, else the secret key: a key the database does not
    hold) and, after the commit, append the checkpoint to QINGWEI_CHECKPOINT_FILE."""
    secret = ctx.settings.security.signing_key
    if not secret:
        raise ValueError("QINGWEI_SECRET_KEY is required to sign audit checkpoints")
    with uow:
        row = audit.make_checkpoint(uow, secret=secret, at=ctx.clock.now())
        ctx.commit(uow)
    path = ctx.settings.security.checkpoint_file
    if path is not None:
        audit.export_checkpoint(path, row)
    return row.id


def export_trail(
    uow: UnitOfWork, *, case_id: int, fmt: str = "jsonl", viewer: Actor | None = None
) -> str:
    """The trail with hashes; personal data masked when `viewer`'s roles do not need it."""
    events = case_trail(uow, case_id=case_id)
    if viewer is not None:
        events = [replace(e, data=mask_personal(e.data, viewer)) for e in events]
    if fmt == "jsonl":
        return "".join(
            json.dumps(
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "roles": e.roles,
                    "action": e.action,
                    "element_id": e.element_id,
                    "data": e.data,
                    "basis": e.basis,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                },
                ensure_ascii=False,
            )
            + "\n"
            for e in events
        )
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(
            [
                "seq",
                "at",
                "actor",
                "roles",
                "action",
                "element_id",
                "data",
                "basis",
                "prev_hash",
                "hash",
            ]
        )
        for e in events:
            w.writerow(
                [
                    e.seq,
                    e.at.isoformat(),
                    e.actor,
                    " ".join(e.roles),
                    e.action,
                    e.element_id or "",
                    json.dumps(e.data, ensure_ascii=False, sort_keys=True),
                    e.basis or "",
                    e.prev_hash,
                    e.hash,
                ]
            )
        return buf.getvalue()
    raise ValueError(f"unknown export format '{fmt}' (jsonl or csv)")
