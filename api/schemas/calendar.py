"""The holiday calendar (法定节假日安排) resource."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from api.schemas.common import LocalTime
from engine.services.calendars import YearView


class HolidayRead(BaseModel):
    date: date
    name: str


class CalendarYearSummary(BaseModel):
    year: int
    status: str = Field(description="official (State Council schedule loaded) | provisional")
    source: str | None
    loaded_at: LocalTime | None
    loaded_by: str | None


class CalendarYearRead(CalendarYearSummary):
    rest_days: list[date] = Field(description="statutory holiday rest days; weekends implicit")
    work_days: list[date] = Field(description="make-up working days (调休)")
    holidays: list[HolidayRead]
    recomputed: dict[str, int] | None = Field(
        default=None, description="after a load: cases and timers whose deadlines moved"
    )

    @classmethod
    def of(cls, v: YearView) -> CalendarYearRead:
        recomputed = None
        if v.recomputed_cases is not None:
            recomputed = {"cases": v.recomputed_cases, "timers": v.recomputed_timers or 0}
        return cls(
            year=v.year,
            status=v.status,
            source=v.source,
            loaded_at=v.loaded_at,
            loaded_by=v.loaded_by,
            rest_days=v.rest_days,
            work_days=v.work_days,
            holidays=[HolidayRead(date=d, name=n) for d, n in v.holidays],
            recomputed=recomputed,
        )


class CalendarYearPut(BaseModel):
    rest_days: list[date] = Field(max_length=366)
    work_days: list[date] = Field(default_factory=list, max_length=366)
    source: str = Field(min_length=1, max_length=256, description="the State Council notice")
