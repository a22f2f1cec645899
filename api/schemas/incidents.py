"""Timer incidents (定时器故障) as the administrators' page and API show them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import LocalTime
from engine.services.incidents import IncidentView


class IncidentRead(BaseModel):
    id: int
    case_id: int
    case_no: str
    timer_id: str
    element_id: str
    timer_name: str
    due_at: LocalTime
    status: Literal["open", "failed", "resolved"] = Field(
        description="open: retried at next_attempt_at; failed: no attempts left, an "
        "administrator must retry or resolve; resolved: over (fired, gone, or closed)"
    )
    attempts: int = Field(description="failed attempts since it opened or was last retried")
    max_attempts: int
    next_attempt_at: LocalTime | None
    error_kind: str = Field(description="time_budget, process_fault, calendar, or the error type")
    error: str
    opened_at: LocalTime
    last_failed_at: LocalTime
    resolved_at: LocalTime | None
    resolved_by: str | None
    resolution: str | None
    timer_waiting: bool = Field(description="the timer still waits (the case is still stuck)")

    @classmethod
    def of(cls, v: IncidentView) -> IncidentRead:
        return cls(
            id=v.id,
            case_id=v.case_id,
            case_no=v.case_no,
            timer_id=v.timer_id,
            element_id=v.element_id,
            timer_name=v.timer_name,
            due_at=v.due_at,
            status=v.status,  # type: ignore[arg-type]
            attempts=v.attempts,
            max_attempts=v.max_attempts,
            next_attempt_at=v.next_attempt_at,
            error_kind=v.error_kind,
            error=v.error,
            opened_at=v.opened_at,
            last_failed_at=v.last_failed_at,
            resolved_at=v.resolved_at,
            resolved_by=v.resolved_by,
            resolution=v.resolution,
            timer_waiting=v.timer_waiting,
        )


class IncidentResolve(BaseModel):
    reason: str = Field(
        min_length=1,
        max_length=2000,
        pattern=r"\S",
        description="解决理由: what was done about the cause (recorded in the system trail)",
    )
