from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, field_validator


class LedgerStats(BaseModel):
    total: int
    by_status: dict[str, int]
    by_stage: dict[str, int]
    overdue: int
    provisional: int = 0  # cases with a 暂定 (provisional) pending deadline
    area_found_m2: float
    area_demolished_m2: float
    by_mode: dict[str, int] = {}  # cases by demolition mode (self, assisted, forced, ...)
    rebuilt: int = 0  # cases opened for a structure rebuilt after closure (回头看)


class ClockSet(BaseModel):
    now: AwareDatetime

    @field_validator("now", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        if not isinstance(v, str):
            raise ValueError("now must be an ISO-8601 string with a UTC offset")
        return v

    @field_validator("now")
    @classmethod
    def _plausible(cls, v: datetime) -> datetime:
        if not 1970 <= v.year <= 2200:
            raise ValueError("the year must be between 1970 and 2200")
        return v


class ClockRead(BaseModel):
    now: str


class TimersRun(BaseModel):
    fired: int
