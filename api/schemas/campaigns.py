"""Campaigns (专项行动): Create / Read families (API.md wave 2 names, plus the dashboard's)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]+$")]
Metric = Literal["area_demolished_m2", "cases_closed", "share_demolished"]


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Metric
    value: Annotated[float, Field(gt=0, le=1e9)]
    by: date


class PhaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    starts_on: date
    ends_on: date


class CampaignCreate(BaseModel):
    """`share_demolished` is a fraction (0.6 = 60 % of the area found demolished)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    starts_on: date
    ends_on: date
    districts: Annotated[list[Name], Field(min_length=1, max_length=100)]
    targets: Annotated[list[TargetIn], Field(max_length=50)] = []
    phases: Annotated[list[PhaseIn], Field(max_length=20)] = []
    villages: dict[Name, Annotated[list[Name], Field(max_length=500)]] = {}
    units: dict[Name, Name] = {}
    reinspection_on: date | None = None


class CampaignUpdate(CampaignCreate):
    version: int | None = None


class Progress(BaseModel):
    metric: str
    value: float
    target: float
    by: date
    on_track: bool
    projected: float
    rate_per_day: float


class VillageRead(BaseModel):
    village: str
    cases: int
    closed: int
    found_m2: float
    demolished_m2: float
    share_demolished: float
    rebuilt: int


class DistrictRead(BaseModel):
    district: str
    found_m2: float
    demolished_m2: float
    cases: int
    closed: int
    unit: str | None = None
    share_demolished: float
    modes: dict[str, int]
    rebuilt: int
    overdue: int
    rank: int
    villages: list[VillageRead]


class WaitingRead(BaseModel):
    case_id: int
    case_no: str
    district: str
    village: str | None
    address: str
    stage: str
    opened_at: datetime
    days_open: int


class CampaignRead(BaseModel):
    id: int
    name: str
    starts_on: date
    ends_on: date
    districts: list[str]
    villages: dict[str, list[str]]
    units: dict[str, str]
    targets: list[dict[str, Any]]
    phases: list[dict[str, Any]]
    reinspection_on: date | None
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    progress: list[Progress]
    by_district: list[DistrictRead]
    current_phase: str | None
    totals: dict[str, int | float]
    by_stage: dict[str, int]
    by_mode: dict[str, int]
    trend: list[dict[str, Any]]
    waiting_longest: list[WaitingRead]


class ReinspectionItem(BaseModel):
    case_id: int
    case_no: str
    district: str
    village: str | None
    address: str
    party: str | None
    mode: str | None
    closed_on: date | None
    demolished_m2: float
    photos: list[int] = []  # attachment ids: GET /attachments/{id}/thumbnail, /content


class ReinspectionList(BaseModel):
    officer: str
    cases: list[ReinspectionItem]
