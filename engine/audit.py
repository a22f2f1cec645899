"""The audit trail (全程留痕): a hash chain per case, written inside the change it records.

`hash = sha256(prev_hash + canonical JSON of the event)`. The chain's head (seq, hash) is kept on
the case row, so deleting the newest events shows up as a mismatch with the case; signed
checkpoints of every head (HMAC with the secret key) catch someone who rewinds the case row too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.store.models import AuditCheckpoint, AuditEvent, Case, SystemAuditEvent
from engine.store.uow import UnitOfWork

GENESIS = "0" * 64
SYSTEM_TRAIL = "system"


def canonical(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8 (Chinese kept as is)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8")


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _common_body(event: AuditEvent | SystemAuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": _instant(event.at),
        "actor": event.actor,
        "roles": list(event.roles),
        "action": event.action,
        "element_id": event.element_id,
        "data": event.data,
        "basis": event.basis,
        "prev_hash": event.prev_hash,
    }


def event_body(event: AuditEvent) -> dict[str, Any]:
    """The fields the hash covers: everything but the row id and the hash itself."""
    return {"case_id": event.case_id, **_common_body(event)}


def system_event_body(event: SystemAuditEvent) -> dict[str, Any]:
    """As `event_body`, with the trail's name where a case event has its case id."""
    return {"trail": SYSTEM_TRAIL, **_common_body(event)}


def compute_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(body)).hexdigest()


@dataclass
class ChainHead:
    """Where a case's chain ends; the use case writes it back to the case row with its change."""

    case_id: int
    seq: int
    hash: str

    @classmethod
    def of(cls, case: Case) -> ChainHead:
        return cls(case.id, case.audit_seq, case.audit_head)


def append(
    uow: UnitOfWork,
    head: ChainHead,
    *,
    at: datetime,
    actor: str,
    roles: Sequence[str],
    action: str,
    element_id: str | None = None,
    data: Mapping[str, Any] | None = None,
    basis: str | None = None,
) -> AuditEvent:
    """Add one event to the case's chain and move `head`.

    The caller persists the head on the case row in the same transaction (the optimistic case
    update), so an event never exists without the change it records, nor the change without it.
    """
    event = AuditEvent(
        case_id=head.case_id,
        seq=head.seq + 1,
        at=at.astimezone(UTC),
        actor=actor,
        roles=sorted(roles),
        action=action,
        element_id=element_id,
        data=json.loads(canonical(dict(data or {}))),
        basis=basis,
        prev_hash=head.hash,
    )
    event.hash = compute_hash(event.prev_hash, event_body(event))
    uow.audit.add(event)
    head.seq = event.seq
    head.hash = event.hash
    return event


def system_append(
    uow: UnitOfWork,
    *,
    at: datetime,
    actor: str,
    roles: Sequence[str],
    action: str,
    element_id: str | None = None,
    data: Mapping[str, Any] | None = None,
    basis: str | None = None,
) -> SystemAuditEvent:
    """Add one event to the system trail, in the caller's transaction (which commits it with
    the change it records). The head row is locked, so concurrent writers queue, never fork."""
    seq, prev = uow.audit.lock_trail_head(SYSTEM_TRAIL)
    event = SystemAuditEvent(
        seq=seq + 1,
        at=at.astimezone(UTC),
        actor=actor,
        roles=sorted(roles),
        action=action,
        element_id=element_id,
        data=json.loads(canonical(dict(data or {}))),
        basis=basis,
        prev_hash=prev,
    )
    event.hash = compute_hash(event.prev_hash, system_event_body(event))
    uow.audit.add_system(event)
    uow.audit.set_trail_head(SYSTEM_TRAIL, event.seq, event.hash)
    return event


@dataclass(frozen=True)
class ChainReport:
    case_id: int
    valid: bool
    events: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify_chain(
    case_id: int,
    events: Sequence[Any],
    head: tuple[int, str] | None,
    body: Callable[[Any], Mapping[str, Any]] = event_body,
) -> ChainReport:
    """Recompute the chain; name the first event that is edited, missing, extra or out of order.

    The system trail is checked with `body=system_event_body` and case id 0."""
    prev = GENESIS
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            bad = min(event.seq, expected_seq)
            return ChainReport(
                case_id, False, len(events), bad, f"event {expected_seq} missing or out of order"
            )
        if event.prev_hash != prev:
            return ChainReport(
                case_id,
                False,
                len(events),
                event.seq,
                "prev_hash does not match the previous event",
            )
        if compute_hash(event.prev_hash, body(event)) != event.hash:
            return ChainReport(
                case_id, False, len(events), event.seq, "content does not match its hash"
            )
        prev = event.hash
        expected_seq += 1
    if head is not None:
        head_seq, head_hash = head
        last_seq = expected_seq - 1
        if last_seq > head_seq:
            return ChainReport(
                case_id, False, len(events), head_seq + 1, "event beyond the case's recorded head"
            )
        if last_seq < head_seq:
            return ChainReport(
                case_id, False, len(events), last_seq + 1, "events after this point were removed"
            )
        if head_seq > 0 and prev != head_hash:
            return ChainReport(
                case_id,
                False,
                len(events),
                head_seq,
                "last event differs from the case's recorded head",
            )
    return ChainReport(case_id, True, len(events))


def sign_heads(secret: str, at: datetime, heads: Mapping[str, Any]) -> str:
    message = canonical({"at": _instant(at), "heads": heads})
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def make_checkpoint(uow: UnitOfWork, *, secret: str, at: datetime) -> AuditCheckpoint:
    """Sign the head of every case, so a later truncation (even with the case row rewound) shows."""
    heads: dict[str, Any] = {str(cid): [seq, h] for cid, (seq, h) in uow.cases.all_heads().items()}
    heads[SYSTEM_TRAIL] = list(uow.audit.trail_head(SYSTEM_TRAIL))
    row = AuditCheckpoint(
        at=at.astimezone(UTC), heads=heads, signature=sign_heads(secret, at, heads)
    )
    return uow.audit.add_checkpoint(row)


@dataclass(frozen=True)
class ExportedCheckpoint:
    """A checkpoint as appended to the export file (outside the database)."""

    id: int
    at: datetime
    heads: dict[str, Any]
    signature: str

    def line(self) -> str:
        return (
            json.dumps(
                {
                    "id": self.id,
                    "at": _instant(self.at),
                    "heads": self.heads,
                    "signature": self.signature,
                },
                sort_keys=True,
                ensure_ascii=False,
            )
            + "\n"
        )


def export_checkpoint(path: Path, cp: AuditCheckpoint) -> None:
    """Append one signed checkpoint to the export file (created if missing), flushed to disk."""
    row = ExportedCheckpoint(cp.id, cp.at, dict(cp.heads), cp.signature)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(row.line())
        f.flush()
        os.fsync(f.fileno())


def read_exported(path: Path) -> tuple[list[ExportedCheckpoint], list[str]]:
    """The checkpoints in the export file, and one problem per unreadable line."""
    rows: list[ExportedCheckpoint] = []
    problems: list[str] = []
    if not path.is_file():
        return rows, problems
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            d = json.loads(text)
            rows.append(
                ExportedCheckpoint(
                    int(d["id"]),
                    datetime.fromisoformat(d["at"]),
                    dict(d["heads"]),
                    str(d["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            problems.append(f"line {n} of {path} is not a checkpoint")
    return rows, problems


def reconcile_checkpoints(
    exported: Sequence[ExportedCheckpoint],
    stored: Sequence[AuditCheckpoint],
    path: Path,
    *,
    has_events: bool,
) -> list[ChainReport]:
    """Problems between the exported checkpoints and the database's: one deleted, altered or
    never exported, or no exported checkpoint at all for a database that has events."""
    problems: list[ChainReport] = []
    if not exported and has_events:
        problems.append(
            ChainReport(-1, False, 0, None, f"no exported checkpoint in {path} (none signed?)")
        )
    in_db = {cp.id: cp for cp in stored}
    in_file = {cp.id: cp for cp in exported}
    for cid, cp in in_file.items():
        row = in_db.get(cid)
        if row is None:
            problems.append(
                ChainReport(-1, False, 0, None, f"exported checkpoint {cid} is missing")
            )
        elif row.signature != cp.signature or canonical(row.heads) != canonical(cp.heads):
            problems.append(
                ChainReport(-1, False, 0, None, f"checkpoint {cid} differs from its export")
            )
    for cid in in_db:
        if cid not in in_file:
            problems.append(
                ChainReport(-1, False, 0, None, f"checkpoint {cid} was never exported to {path}")
            )
    return problems


def verify_against_checkpoints(
    checkpoints: Sequence[AuditCheckpoint | ExportedCheckpoint],
    chains: Mapping[int, Sequence[AuditEvent]],
    secret: str | None,
    system_chain: Sequence[SystemAuditEvent] | None = None,
) -> list[ChainReport]:
    """Reports for every case whose chain no longer contains a head a checkpoint signed (and
    for the system trail, case id 0, when `system_chain` is given)."""
    problems: list[ChainReport] = []
    for cp in checkpoints:
        if secret is not None and not hmac.compare_digest(
            sign_heads(secret, cp.at, cp.heads), cp.signature
        ):
            problems.append(
                ChainReport(-1, False, 0, None, f"checkpoint {cp.id} signature is invalid")
            )
            continue
        for cid_text, (seq, head_hash) in cp.heads.items():
            if seq == 0:
                continue
            if cid_text == SYSTEM_TRAIL:
                if system_chain is not None:
                    hit = next((e for e in system_chain if e.seq == seq), None)
                    if hit is None or hit.hash != head_hash:
                        reason = f"checkpoint {cp.id} signed system event {seq}, which is gone"
                        problems.append(ChainReport(0, False, len(system_chain), seq, reason))
                continue
            cid = int(cid_text)
            if cid not in chains:
                problems.append(
                    ChainReport(
                        cid, False, 0, seq, f"checkpoint {cp.id} signed case {cid}, which is gone"
                    )
                )
                continue
            events = chains[cid]
            match = next((e for e in events if e.seq == seq), None)
            if match is None or match.hash != head_hash:
                problems.append(
                    ChainReport(
                        cid,
                        False,
                        len(events),
                        seq,
                        f"checkpoint {cp.id} signed event {seq}, which is missing or changed",
                    )
                )
    return problems
