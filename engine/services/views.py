"""Read models the services return: plain dataclasses, no ORM objects escape a transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TaskView:
    id: str
    case_id: int
    element_id: str
    name: str
    lane: str | None
    form_key: str | None
    stage: str | None
    created_at: datetime
    due_at: datetime | None
    due_name: str | None = None
    due_basis: str | None = None
    due_provisional: bool = False

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at <= now


@dataclass(frozen=True)
class StuckTimer:
    """A timer whose firing failed (services.incidents): `open` is retried at
    `next_attempt_at`, `failed` waits for an administrator."""

    incident_id: int
    status: str
    attempts: int
    next_attempt_at: datetime | None
    error_kind: str
    error: str
    opened_at: datetime


@dataclass(frozen=True)
class TimerView:
    id: str
    element_id: str
    name: str
    due_at: datetime
    period: str | None
    basis: str | None
    holder: str | None = None
    provisional: bool = False
    years: tuple[int, ...] = ()
    provisional_years: tuple[int, ...] = ()
    incident: StuckTimer | None = None


@dataclass(frozen=True)
class CaseView:
    id: int
    case_no: str
    process_key: str
    process_version: int
    status: str
    stage: str
    data: dict[str, Any]
    case_version: int
    created_at: datetime
    updated_at: datetime
    tasks: list[TaskView] = field(default_factory=list)
    timers: list[TimerView] = field(default_factory=list)
    waiting_messages: list[str] = field(default_factory=list)
    parent_case_id: int | None = None
    # Cases opened from this one (a structure rebuilt after closure: 回头看), by id.
    linked_cases: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class AuditEventView:
    seq: int
    at: datetime
    actor: str
    roles: list[str]
    action: str
    element_id: str | None
    data: dict[str, Any]
    basis: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyView:
    valid: bool
    events: int
    first_bad_seq: int | None
    reason: str | None = None
    case_id: int | None = None
    case_no: str | None = None


@dataclass(frozen=True)
class ProcessVersionView:
    key: str
    version: int
    name: str
    sha256: str
    deployed_at: datetime
    latest: bool


@dataclass(frozen=True)
class DeployResult:
    key: str
    version: int
    created: bool
    main: bool = True  # no other process of the same upload calls it


@dataclass(frozen=True)
class ValidationReport:
    valid: bool
    errors: list[str]
    warnings: list[str]


@dataclass(frozen=True)
class DiagramView:
    bpmn_xml: str
    completed: list[str]
    active: list[str]


@dataclass(frozen=True)
class PageView:
    items: list[CaseView]
    total: int
