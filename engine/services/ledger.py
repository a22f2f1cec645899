"""The ledger (台账): counts by status and stage, overdue cases, areas found and demolished."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

from engine.services.context import EngineContext
from engine.store.uow import UnitOfWork

# Outcomes that mean the structure is gone, whoever removed it.
DEMOLISHED_OUTCOMES = frozenset(
    {"self_demolished", "assisted_demolished", "forced_demolished", "demolished"}
)

CSV_COLUMNS = (
    "case_no",
    "process",
    "status",
    "stage",
    "address",
    "district",
    "source",
    "use_type",
    "area_m2",
    "classification",
    "outcome",
    "next_deadline",
    "overdue",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class LedgerStatsView:
    total: int
    by_status: dict[str, int]
    by_stage: dict[str, int]
    overdue: int
    provisional: int
    area_found_m2: float
    area_demolished_m2: float


def _area(data: dict[str, Any]) -> float:
    try:
        return float(data.get("area_m2") or 0)
    except (TypeError, ValueError):
        return 0.0


def demolished_area(data: dict[str, Any]) -> float:
    explicit = data.get("demolished_area_m2")
    if isinstance(explicit, int | float):
        return float(explicit)
    return _area(data) if data.get("outcome") in DEMOLISHED_OUTCOMES else 0.0


def ledger_stats(uow: UnitOfWork, *, ctx: EngineContext) -> LedgerStatsView:
    with uow:
        rows = uow.cases.ledger_rows()
        overdue = uow.timers.overdue_case_count(ctx.clock.now())
        provisional = uow.timers.provisional_case_count()
    by_status = Counter(r[0] for r in rows)
    by_stage = Counter(r[1] for r in rows)
    return LedgerStatsView(
        total=len(rows),
        by_status=dict(by_status),
        by_stage=dict(by_stage),
        overdue=overdue,
        provisional=provisional,
        area_found_m2=round(sum(_area(r[2] or {}) for r in rows), 2),
        area_demolished_m2=round(sum(demolished_area(r[2] or {}) for r in rows), 2),
    )


def ledger_csv(uow: UnitOfWork, *, ctx: EngineContext) -> str:
    """One row per case; UTF-8 with BOM so spreadsheet programs show the Chinese correctly."""
    now = ctx.clock.now()
    with uow:
        cases = uow.cases.all_cases()
        next_due = uow.timers.next_due_by_case()
        late_duties = uow.cases.overdue_duty_case_ids(now)
        buf = io.StringIO()
        buf.write("\ufeff")
        w = csv.writer(buf)
        w.writerow(CSV_COLUMNS)
        for c in cases:
            d = c.data or {}
            due = next_due.get(c.id)
            w.writerow(
                [
                    c.case_no,
                    f"{c.process_key}@{c.process_version}",
                    c.status,
                    c.stage,
                    d.get("address", ""),
                    d.get("district", ""),
                    d.get("source", ""),
                    d.get("use_type", ""),
                    d.get("area_m2", ""),
                    d.get("classification", ""),
                    d.get("outcome", ""),
                    due.isoformat() if due else "",
                    "yes" if (due is not None and due <= now) or c.id in late_duties else "no",
                    c.created_at.isoformat(),
                    c.updated_at.isoformat(),
                ]
            )
    return buf.getvalue()
