from __future__ import annotations

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
    due_at: LocalTime | None

    @classmethod
    def of(cls, t: TaskView) -> TaskRead:
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
        )


class TimerRead(BaseModel):
    element_id: str
    name: str
    due_at: LocalTime
    period: str | None
    basis: str | None


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

    @classmethod
    def of(cls, c: CaseView) -> CaseRead:
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
            tasks=[TaskRead.of(t) for t in c.tasks],
            timers=[
                TimerRead(
                    element_id=t.element_id,
                    name=t.name,
                    due_at=t.due_at,
                    period=t.period,
                    basis=t.basis,
                )
                for t in c.timers
            ],
            waiting_messages=c.waiting_messages,
            parent_case_id=c.parent_case_id,
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
