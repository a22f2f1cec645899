"""The ledger page (GET /ledger): one row per case, as the ledger projection holds it."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class LedgerRow(BaseModel):
    case_id: int
    case_no: str
    parent_case_id: int | None
    status: str
    stage: str
    district: str
    village: str | None
    source: str | None
    address: str
    party: str | None
    area_m2: float
    demolished_m2: float
    mode: str | None
    opened_at: datetime
    found_on: date | None
    filed_on: date | None
    decided_on: date | None
    demolished_on: date | None
    closed_out_on: date | None
    closed_on: date | None
    updated_at: datetime
    overdue: bool
    provisional: bool = False


class LedgerPage(BaseModel):
    items: list[LedgerRow]
    total: int
