"""The ledger (台账): counts, a filtered page of cases, and the CSV and XLSX exports officers hand
upward (Chinese headers and values, dates and times in Beijing time, one row per case).

Everything reads the `ledger_entries` projection (one row per case, written by each step), so
every filter is an indexed condition and an export streams in batches: a million-row XLSX is
written with openpyxl's write-only mode, which keeps one row in memory, not the sheet.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import IO, Any

from engine.errors import FieldError, NotFound, ValidationFailed
from engine.services.context import EngineContext
from engine.services.ledger_labels import (
    LEDGER_HEADERS,
    MODES,
    SOURCES,
    STAGES,
    STATUSES,
    name,
)
from engine.store.ledger_repo import CN, LedgerFilter, day_start, demolished_area
from engine.store.models import Campaign, LedgerEntry
from engine.store.uow import UnitOfWork

__all__ = [
    "LedgerQuery",
    "demolished_area",
    "ledger_csv",
    "ledger_csv_chunks",
    "ledger_page",
    "ledger_stats",
    "ledger_xlsx",
    "ledger_xlsx_sheet",
]


@dataclass(frozen=True)
class LedgerQuery:
    """The ledger's filters as the page and the API give them (dates are Beijing dates)."""

    campaign_id: int | None = None
    district: str | None = None
    village: str | None = None
    stage: str | None = None
    status: str | None = None
    source: str | None = None
    mode: str | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    closed_from: date | None = None
    closed_to: date | None = None
    overdue: bool = False
    provisional: bool = False
    rebuilt: bool = False
    q: str | None = None


def campaign_filter(c: Campaign) -> LedgerFilter:
    """API.md: a case belongs to a campaign when its district is one of the campaign's and it
    was opened within the campaign's dates (both ends included, Beijing days)."""
    return LedgerFilter(
        districts=tuple(c.districts),
        opened_from=day_start(c.starts_on),
        opened_before=day_start(c.ends_on + timedelta(days=1)),
    )


def to_filter(uow: UnitOfWork, q: LedgerQuery, now: datetime) -> LedgerFilter:
    """The repository's filter; a campaign narrows districts and dates (intersected with any
    district or dates given beside it). Runs inside the caller's `with uow:`."""
    errors: list[FieldError] = []
    if q.opened_from and q.opened_to and q.opened_to < q.opened_from:
        errors.append(FieldError(["query", "opened_to"], "截止日期早于起始日期 before opened_from"))
    if q.closed_from and q.closed_to and q.closed_to < q.closed_from:
        errors.append(FieldError(["query", "closed_to"], "截止日期早于起始日期 before closed_from"))
    if errors:
        raise ValidationFailed(errors, "筛选条件有误 invalid ledger filter")
    f = LedgerFilter(
        districts=(q.district,) if q.district else (),
        village=q.village,
        stage=q.stage,
        status=q.status,
        source=q.source,
        mode=q.mode,
        opened_from=day_start(q.opened_from) if q.opened_from else None,
        opened_before=day_start(q.opened_to + timedelta(days=1)) if q.opened_to else None,
        closed_from=q.closed_from,
        closed_to=q.closed_to,
        overdue_at=now if q.overdue else None,
        provisional=q.provisional,
        rebuilt=q.rebuilt,
        q=q.q,
    )
    if q.campaign_id is None:
        return f
    campaign = uow.campaigns.get(q.campaign_id)
    if campaign is None:
        raise NotFound(f"专项行动不存在 campaign {q.campaign_id} does not exist")
    c = campaign_filter(campaign)
    districts = tuple(d for d in c.districts if not f.districts or d in f.districts)
    assert c.opened_from is not None and c.opened_before is not None
    return replace(
        f,
        districts=districts or ("\x00none",),  # a district outside the campaign: nothing
        opened_from=max(c.opened_from, f.opened_from or c.opened_from),
        opened_before=min(c.opened_before, f.opened_before or c.opened_before),
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
    by_mode: dict[str, int]
    rebuilt: int


def ledger_stats(
    uow: UnitOfWork, *, ctx: EngineContext, query: LedgerQuery | None = None
) -> LedgerStatsView:
    now = ctx.clock.now()
    q = query or LedgerQuery()
    with uow:
        f = to_filter(uow, q, now)
        groups = uow.ledger.summary(f, now)
        provisional = uow.ledger.totals(replace(f, provisional=True))["cases"]
    by_status: Counter[str] = Counter()
    by_stage: Counter[str] = Counter()
    by_mode: Counter[str] = Counter()
    for g in groups:
        by_status[g["status"]] += g["cases"]
        by_stage[g["stage"]] += g["cases"]
        if g["mode"]:
            by_mode[g["mode"]] += g["cases"]
    return LedgerStatsView(
        total=sum(g["cases"] for g in groups),
        by_status=dict(by_status),
        by_stage=dict(by_stage),
        overdue=sum(g["overdue"] for g in groups),
        provisional=provisional,
        area_found_m2=round(sum(g["found_m2"] for g in groups), 2),
        area_demolished_m2=round(sum(g["demolished_m2"] for g in groups), 2),
        by_mode=dict(by_mode),
        rebuilt=sum(g["rebuilt"] for g in groups),
    )


@dataclass(frozen=True)
class LedgerRowView:
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
    overdue: bool = False
    provisional: bool = False


def _row_view(e: LedgerEntry, overdue: bool = False, provisional: bool = False) -> LedgerRowView:
    return LedgerRowView(
        e.case_id,
        e.case_no,
        e.parent_case_id,
        e.status,
        e.stage,
        e.district,
        e.village,
        e.source,
        e.address,
        e.party,
        e.area_m2,
        e.demolished_m2,
        e.mode,
        e.opened_at,
        e.found_on,
        e.filed_on,
        e.decided_on,
        e.demolished_on,
        e.closed_out_on,
        e.closed_on,
        e.updated_at,
        overdue,
        provisional,
    )


@dataclass(frozen=True)
class LedgerPageView:
    items: list[LedgerRowView]
    total: int


def ledger_page(
    uow: UnitOfWork, *, ctx: EngineContext, query: LedgerQuery, page: int, page_size: int
) -> LedgerPageView:
    """One page of the filtered ledger, newest cases first (with each row's overdue mark)."""
    now = ctx.clock.now()
    with uow:
        f = to_filter(uow, query, now)
        rows, total = uow.ledger.page(f, offset=(page - 1) * page_size, limit=page_size)
        ids = tuple(r.case_id for r in rows)
        marked = uow.ledger.provisional_among(ids) if ids else set()
        return LedgerPageView(
            [
                _row_view(
                    r, r.next_due_at is not None and r.next_due_at <= now, r.case_id in marked
                )
                for r in rows
            ],
            total,
        )


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def export_row(seq: int, e: LedgerEntry, parents: dict[int, str]) -> list[Any]:
    """One case as officers hand it upward: Chinese values, Beijing dates and times."""
    return [
        seq,
        e.case_no,
        e.address,
        e.party or "",
        _num(e.area_m2),
        name(SOURCES, e.source),
        _d(e.found_on),
        _d(e.filed_on),
        _d(e.decided_on),
        name(MODES, e.mode),
        _d(e.demolished_on),
        _num(e.demolished_m2) if e.demolished_m2 else "",
        name(STATUSES, e.status)
        if e.status == "closed" or not e.closed_on
        else "已结案（待回头看）",
        _d(e.closed_out_on),
        e.district,
        e.village or "",
        name(STAGES, e.stage),
        parents.get(e.parent_case_id, "") if e.parent_case_id else "",
        e.updated_at.astimezone(CN).strftime("%Y-%m-%d %H:%M:%S+08:00"),
    ]


def _export_rows(uow: UnitOfWork, f: LedgerFilter) -> Iterator[list[Any]]:
    seq = 0
    batch: list[LedgerEntry] = []

    def flush() -> Iterator[list[Any]]:
        nonlocal seq
        wanted = {e.parent_case_id for e in batch if e.parent_case_id}
        parents = uow.ledger.case_numbers(wanted) if wanted else {}
        for e in batch:
            seq += 1
            yield export_row(seq, e, parents)
        batch.clear()

    for entry in uow.ledger.stream(f):
        batch.append(entry)
        if len(batch) >= 2000:
            yield from flush()
    yield from flush()


def ledger_csv_chunks(uow: UnitOfWork, *, ctx: EngineContext, query: LedgerQuery) -> Iterator[str]:
    """The filtered ledger as CSV text in chunks (UTF-8 with BOM for spreadsheet programs)."""
    now = ctx.clock.now()
    with uow:
        f = to_filter(uow, query, now)
        buf = io.StringIO()
        w = csv.writer(buf)
        buf.write("\ufeff")
        w.writerow(LEDGER_HEADERS)
        for i, row in enumerate(_export_rows(uow, f), 1):
            w.writerow(row)
            if i % 1000 == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()


def ledger_csv(uow: UnitOfWork, *, ctx: EngineContext, query: LedgerQuery | None = None) -> str:
    return "".join(ledger_csv_chunks(uow, ctx=ctx, query=query or LedgerQuery()))


def check_filter(uow: UnitOfWork, *, ctx: EngineContext, query: LedgerQuery) -> None:
    """Raise the 404/422 an export would raise, before a streamed response has started."""
    with uow:
        to_filter(uow, query, ctx.clock.now())


def ledger_xlsx_sheet(uow: UnitOfWork, *, ctx: EngineContext, query: LedgerQuery, wb: Any) -> int:
    """Append the filtered ledger as a sheet 台账 to a write-only workbook; returns the rows.

    openpyxl's write-only sheets stream each row to a temporary file as it is appended, so
    memory stays flat whatever the number of cases."""
    now = ctx.clock.now()
    ws = wb.create_sheet("台账")
    n = 0
    with uow:
        f = to_filter(uow, query, now)
        ws.append(list(LEDGER_HEADERS))
        for row in _export_rows(uow, f):
            ws.append(row)
            n += 1
    return n


def ledger_xlsx(uow: UnitOfWork, *, ctx: EngineContext, query: LedgerQuery, out: IO[bytes]) -> int:
    """Write the filtered ledger as an XLSX workbook to `out`; returns the number of cases."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    n = ledger_xlsx_sheet(uow, ctx=ctx, query=query, wb=wb)
    wb.save(out)
    return n
