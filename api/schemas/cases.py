from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.common import CaseId, FormData, LocalTime, SafeText
from engine.services.views import CaseView, TaskView


class TaskRead(BaseModel):
    id: str
    case_id: int
    element_id: str
    name: str
    lane: str | None
    form_key: str | None
    stage: str | None
    created_at: LocalTime
    due_at: LocalTime | None = Field(
        description="the agency's (or court's) deadline for this task; stays after it lapsed"
    )
    due_name: str | None = None
    due_basis: str | None = None
    due_provisional: bool = Field(
        default=False, description="暂定: the due date rests on a year with no loaded schedule"
    )
    overdue: bool = False

    @classmethod
    def of(cls, t: TaskView, now: datetime | None = None) -> TaskRead:
        return cls(
            id=t.id,
            case_id=t.case_id,
            element_id=t.element_id,
            name=t.name,
            lane=t.lane,
            form_key=t.form_key,
            stage=t.stage,
            created_at=t.created_at,
            due_at=t.due_at,
            due_name=t.due_name,
            due_basis=t.due_basis,
            due_provisional=t.due_provisional,
            overdue=bool(now is not None and t.overdue(now)),
        )


class TimerIncidentBrief(BaseModel):
    """Why a due timer has not fired: its incident (GET /admin/incidents for the details)."""

    id: int
    status: str = Field(description="open (retried at next_attempt_at) | failed (no attempts left)")
    attempts: int
    next_attempt_at: LocalTime | None
    error_kind: str
    error: str
    opened_at: LocalTime


class TimerRead(BaseModel):
    element_id: str
    name: str
    due_at: LocalTime
    period: str | None
    basis: str | None
    provisional: bool = Field(
        default=False, description="暂定: computed on a year with no loaded holiday schedule"
    )
    provisional_years: list[int] = []
    holder: str | None = Field(default=None, description="party | agency | court")
    stuck: bool = Field(
        default=False, description="故障: the timer is due but its firing failed (incident)"
    )
    incident: TimerIncidentBrief | None = None


class OverdueDuty(BaseModel):
    element_id: str
    name: str
    due_at: LocalTime
    basis: str | None
    provisional: bool


class CaseRead(BaseModel):
    id: int
    case_no: str
    process_key: str
    process_version: int
    status: str
    stage: str
    data: dict[str, Any]
    case_version: int
    created_at: LocalTime
    updated_at: LocalTime
    tasks: list[TaskRead]
    timers: list[TimerRead]
    waiting_messages: list[str] = []
    parent_case_id: int | None = None
    linked_cases: list[int] = []  # cases opened from this one (rebuilt_found at 回头看)
    overdue_duties: list[OverdueDuty] = []

    @classmethod
    def of(cls, c: CaseView, now: datetime | None = None) -> CaseRead:
        return cls(
            id=c.id,
            case_no=c.case_no,
            process_key=c.process_key,
            process_version=c.process_version,
            status=c.status,
            stage=c.stage,
            data=c.data,
            case_version=c.case_version,
            created_at=c.created_at,
            updated_at=c.updated_at,
            tasks=[TaskRead.of(t, now) for t in c.tasks],
            timers=[
                TimerRead(
                    element_id=t.element_id,
                    name=t.name,
                    due_at=t.due_at,
                    period=t.period,
                    basis=t.basis,
                    provisional=t.provisional,
                    provisional_years=list(t.provisional_years),
                    holder=t.holder,
                    stuck=t.incident is not None,
                    incident=TimerIncidentBrief(
                        id=t.incident.incident_id,
                        status=t.incident.status,
                        attempts=t.incident.attempts,
                        next_attempt_at=t.incident.next_attempt_at,
                        error_kind=t.incident.error_kind,
                        error=t.incident.error,
                        opened_at=t.incident.opened_at,
                    )
                    if t.incident is not None
                    else None,
                )
                for t in c.timers
            ],
            waiting_messages=c.waiting_messages,
            parent_case_id=c.parent_case_id,
            linked_cases=list(c.linked_cases),
            overdue_duties=[
                OverdueDuty(
                    element_id=t.element_id,
                    name=t.due_name or t.name,
                    due_at=t.due_at,
                    basis=t.due_basis,
                    provisional=t.due_provisional,
                )
                for t in c.tasks
                if t.due_at is not None and now is not None and t.overdue(now)
            ],
        )


class CaseCreate(BaseModel):
    process_key: SafeText = "enforcement"
    data: FormData = Field(default_factory=dict)
    parent_case_id: CaseId | None = None


class CasePage(BaseModel):
    items: list[CaseRead]
    total: int


class TaskComplete(BaseModel):
    data: FormData = Field(default_factory=dict)
    case_version: int = Field(ge=0, le=2**31 - 1)


class MessageCreate(BaseModel):
    name: SafeText
    data: FormData = Field(default_factory=dict)
    case_version: int | None = Field(default=None, ge=0, le=2**31 - 1)


class FormRead(BaseModel):
    schema_: dict[str, Any] = Field(alias="schema", serialization_alias="schema")
    ui_schema: dict[str, Any]
    data: dict[str, Any]

    model_config = {"populate_by_name": True}


class DiagramRead(BaseModel):
    bpmn_xml: str
    completed: list[str]
    active: list[str]


class AuditEventRead(BaseModel):
    seq: int
    at: LocalTime
    actor: str
    roles: list[str]
    action: str
    element_id: str | None
    data: dict[str, Any]
    basis: str | None
    prev_hash: str
    hash: str


class VerifyRead(BaseModel):
    valid: bool
    events: int
    first_bad_seq: int | None
    reason: str | None = None
