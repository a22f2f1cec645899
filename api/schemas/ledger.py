from __future__ import annotations

from pydantic import BaseModel


class LedgerStats(BaseModel):
    total: int
    by_status: dict[str, int]
    by_stage: dict[str, int]
    overdue: int
    area_found_m2: float
    area_demolished_m2: float


class ClockSet(BaseModel):
    now: str


class ClockRead(BaseModel):
    now: str


class TimersRun(BaseModel):
    fired: int
