"""The ledger projection (one `ledger_entries` row per case) and the campaigns: their writes and
the indexed queries the ledger, its exports and a campaign's progress run on.

The projection is derived from the case's data by `entry_values` (pure), written by every step
in the step's own transaction; nothing here reads the cases' JSON at query time. The same write
moves the kept counts (`add_counts`: old row out, new row in) that a campaign's progress sums.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.store.models import (
    AttachmentRow,
    Campaign,
    LedgerCount,
    LedgerEntry,
    LedgerWeekCount,
    ReadyTaskRow,
    TimerRow,
)

CN = timezone(timedelta(hours=8), "Asia/Shanghai")

# The demolition mode of a case, from its outcome (the BPMN scripts set `outcome`).
MODE_OF_OUTCOME = {
    "self_demolished": "self",
    "party_demolished": "self",
    "demolished": "self",
    "assisted_demolished": "assisted",
    "forced_demolished": "forced",
    "confiscated": "confiscated",
}
DEMOLISHED_OUTCOMES = frozenset(o for o, m in MODE_OF_OUTCOME.items() if m != "confiscated")
MODES = ("self", "assisted", "forced", "confiscated")

_LEDGER: Table = LedgerEntry.__table__  # type: ignore[assignment]
_COUNTS: Table = LedgerCount.__table__  # type: ignore[assignment]
_WEEKS: Table = LedgerWeekCount.__table__  # type: ignore[assignment]


MAX_AREA_M2 = 1e15  # the input limit (api/limits.py): larger values predate it and count as 0


def _area(value: Any) -> float:
    """An area the ledger can total: a number in [0, 1e15], else 0. Rows written before input
    was bounded may hold a 401-digit integer (float() overflows) or inf/nan (issue 14)."""
    if isinstance(value, bool):
        return 0.0
    try:
        area = float(value or 0)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return area if math.isfinite(area) and 0.0 <= area <= MAX_AREA_M2 else 0.0


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _text(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


def demolished_area(data: Mapping[str, Any]) -> float:
    """The area removed: the officer's measure when recorded, else the whole structure once the
    outcome says it is gone (self, assisted or forced demolition)."""
    explicit = data.get("demolished_area_m2")
    if isinstance(explicit, int | float) and not isinstance(explicit, bool):
        return _area(explicit)
    return _area(data.get("area_m2")) if data.get("outcome") in DEMOLISHED_OUTCOMES else 0.0


def entry_values(
    *,
    case_id: int,
    case_no: str,
    parent_case_id: int | None,
    status: str,
    stage: str,
    data: Mapping[str, Any],
    created_at: datetime,
    updated_at: datetime,
    officer: str | None = None,
    next_due_at: datetime | None = None,
) -> dict[str, Any]:
    """The ledger row of a case, from what its steps recorded (dates are the officers' own:
    received_on, filed_on, decided_on, the demolition's date, closed_out_on, closed_on)."""
    outcome = data.get("outcome") if isinstance(data.get("outcome"), str) else None
    mode = MODE_OF_OUTCOME.get(outcome or "")
    demolished_on = None
    if outcome in DEMOLISHED_OUTCOMES:
        for key in ("demolished_on", "demolition_at", "completed_on", "verified_on", "closed_on"):
            demolished_on = _day(data.get(key))
            if demolished_on is not None:
                break
        if demolished_on is None:
            demolished_on = updated_at.astimezone(CN).date()
    closed_on = _day(data.get("closed_on"))
    if closed_on is None and status == "closed":
        closed_on = updated_at.astimezone(CN).date()
    return {
        "case_id": case_id,
        "case_no": case_no,
        "parent_case_id": parent_case_id,
        "status": status,
        "stage": stage,
        "district": str(data.get("district") or "")[:200],
        "village": _text(data.get("village"), 200),
        "source": _text(data.get("source"), 32),
        "address": str(data.get("address") or "")[:200],
        "party": _text(data.get("party_name"), 200),
        "officer": officer,
        "area_m2": _area(data.get("area_m2")),
        "demolished_m2": demolished_area(data),
        "mode": mode or _text(outcome, 32),
        "opened_at": created_at,
        "found_on": _day(data.get("received_on")) or created_at.astimezone(CN).date(),
        "filed_on": _day(data.get("filed_on")),
        # the penalty decision's date (decision_service keeps it); `decided_on` alone is
        # overwritten by a later enforcement decision
        "decided_on": _day(data.get("decision_decided_on") or data.get("decided_on")),
        "demolished_on": demolished_on,
        "closed_out_on": _day(data.get("closed_out_on")),
        "closed_on": closed_on,
        "next_due_at": next_due_at,
        "updated_at": updated_at,
    }


# ---- the counts kept as cases change ---------------------------------------------------------

# What a ledger row contributes to the counts (the columns read before a step rewrites it).
COUNTED_COLUMNS = (
    "district",
    "village",
    "status",
    "stage",
    "mode",
    "opened_at",
    "parent_case_id",
    "closed_on",
    "area_m2",
    "demolished_m2",
    "found_on",
    "demolished_on",
)
COUNT_KEYS = ("district", "grain", "opened_on", "dim", "value")
# The dimensions a campaign's progress splits its cases by, one count row per value each.
DIMENSIONS = ("village", "status", "stage", "mode")
COUNT_VALUES = ("cases", "closed", "rebuilt", "found_m2", "demolished_m2")
WEEK_KEYS = ("district", "grain", "opened_on", "series", "week")
WEEK_VALUES = ("cases", "m2")
# series name -> (ledger date column, summed area column or None for a count)
SERIES = {
    "found": ("found_on", None),
    "closed": ("closed_on", None),
    "demolished": ("demolished_on", "demolished_m2"),
}

CountKey = tuple[Any, ...]
Deltas = dict[CountKey, list[float]]


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def opening_buckets(opened_at: datetime) -> tuple[tuple[str, date], tuple[str, date]]:
    """The year and the month (Beijing dates, as their first day) a case counts in."""
    d = opened_at.astimezone(CN).date()
    return ("Y", date(d.year, 1, 1)), ("M", date(d.year, d.month, 1))


def split_period(first: date, last: date) -> tuple[list[date], list[date], list[tuple[date, date]]]:
    """[first, last] as whole years, whole months and the days left at its ends: a campaign's
    cases are the counted buckets plus the rows opened on the left-over days (read from the
    campaign index, at most two partial months)."""
    years: list[date] = []
    months: list[date] = []
    edges: list[tuple[date, date]] = []
    d = first
    while d <= last:
        if (d.month, d.day) == (1, 1) and date(d.year, 12, 31) <= last:
            years.append(d)
            d = date(d.year + 1, 1, 1)
        elif d.day == 1 and _next_month(d) - timedelta(days=1) <= last:
            months.append(d)
            d = _next_month(d)
        else:
            end = min(_next_month(d), last + timedelta(days=1)) - timedelta(days=1)
            if edges and edges[-1][1] + timedelta(days=1) == d:
                edges[-1] = (edges[-1][0], end)
            else:
                edges.append((d, end))
            d = end + timedelta(days=1)
    return years, months, edges


def add_counts(row: Mapping[Any, Any], sign: int, counts: Deltas, weeks: Deltas) -> None:
    """Add (sign +1) or take away (-1) what one ledger row contributes to the counts."""
    district = row["district"] or ""
    closed = 1 if row["closed_on"] is not None else 0
    rebuilt = 1 if row["parent_case_id"] is not None else 0
    area = float(row["area_m2"] or 0.0)
    demolished = float(row["demolished_m2"] or 0.0)
    for grain, opened_on in opening_buckets(row["opened_at"]):
        for dim in DIMENSIONS:
            v = counts.setdefault(
                (district, grain, opened_on, dim, row[dim] or ""), [0, 0, 0, 0.0, 0.0]
            )
            v[0] += sign
            v[1] += sign * closed
            v[2] += sign * rebuilt
            v[3] += sign * area
            v[4] += sign * demolished
        for series, (column, summed) in SERIES.items():
            day = row[column]
            if day is None:
                continue
            w = weeks.setdefault(
                (district, grain, opened_on, series, monday(_as_date(day))), [0, 0.0]
            )
            w[0] += sign
            w[1] += sign * (demolished if summed else 0.0)


def _changed(deltas: Deltas) -> list[tuple[CountKey, list[float]]]:
    """The keys whose numbers change, sorted: concurrent steps take the rows' locks in one
    order (no deadlock between two steps of the same district and month)."""
    return sorted(((k, v) for k, v in deltas.items() if any(x != 0 for x in v)), key=_sort_key)


def _sort_key(item: tuple[CountKey, list[float]]) -> tuple[str, ...]:
    return tuple(str(x) for x in item[0])


def _rows(keys: Sequence[str], values: Sequence[str], items: Any) -> list[dict[str, Any]]:
    return [dict(zip(keys, k, strict=True)) | dict(zip(values, v, strict=True)) for k, v in items]


def rebuild_counts(conn: Any, *, batch: int = 20_000) -> tuple[int, int]:
    """Recount everything from the ledger rows (the migration's back-fill, the seed's last step,
    a repair): the same `add_counts` a step applies, summed over every row. Returns the number
    of count rows and week rows written. `conn` is a Connection or a Session."""
    conn.execute(delete(_COUNTS))
    conn.execute(delete(_WEEKS))
    counts: Deltas = {}
    weeks: Deltas = {}
    cols = [_LEDGER.c[c] for c in COUNTED_COLUMNS]
    opened = LedgerEntry.opened_at  # through UtcDateTime: aware on both databases
    after = -1
    while True:
        rows = conn.execute(
            select(LedgerEntry.case_id, opened, *[c for c in cols if c.name != "opened_at"])
            .where(LedgerEntry.case_id > after)
            .order_by(LedgerEntry.case_id)
            .limit(batch)
        ).all()
        if not rows:
            break
        for r in rows:
            add_counts(r._mapping, 1, counts, weeks)
        after = rows[-1].case_id
    written = []
    for table, keys, values, deltas in (
        (_COUNTS, COUNT_KEYS, COUNT_VALUES, counts),
        (_WEEKS, WEEK_KEYS, WEEK_VALUES, weeks),
    ):
        items = _changed(deltas)
        for i in range(0, len(items), 5000):
            conn.execute(insert(table), _rows(keys, values, items[i : i + 5000]))
        written.append(len(items))
    return written[0], written[1]


@dataclass(frozen=True)
class LedgerFilter:
    """What the ledger page, its exports and a campaign select (every field optional)."""

    districts: tuple[str, ...] = ()
    village: str | None = None
    stage: str | None = None
    status: str | None = None
    source: str | None = None
    mode: str | None = None
    opened_from: datetime | None = None  # inclusive instant
    opened_before: datetime | None = None  # exclusive instant
    closed_from: date | None = None
    closed_to: date | None = None
    overdue_at: datetime | None = None
    provisional: bool = False
    rebuilt: bool = False
    q: str | None = None  # part of the case number, address or party


def _provisional_ids() -> Any:
    return union(
        select(TimerRow.case_id).where(TimerRow.provisional.is_(True)),
        select(ReadyTaskRow.case_id).where(ReadyTaskRow.due_provisional.is_(True)),
    )


def conditions(f: LedgerFilter) -> list[ColumnElement[bool]]:
    e = LedgerEntry
    where: list[ColumnElement[bool]] = []
    if f.districts:
        where.append(e.district.in_(list(f.districts)))
    if f.village:
        where.append(e.village == f.village)
    if f.stage:
        where.append(e.stage == f.stage)
    if f.status:
        where.append(e.status == f.status)
    if f.source:
        where.append(e.source == f.source)
    if f.mode:
        where.append(e.mode == f.mode)
    if f.opened_from is not None:
        where.append(e.opened_at >= f.opened_from)
    if f.opened_before is not None:
        where.append(e.opened_at < f.opened_before)
    if f.closed_from is not None:
        where.append(e.closed_on >= f.closed_from)
    if f.closed_to is not None:
        where.append(e.closed_on <= f.closed_to)
    if f.overdue_at is not None:
        where.append(e.next_due_at <= f.overdue_at)
    if f.provisional:
        where.append(e.case_id.in_(_provisional_ids()))
    if f.rebuilt:
        where.append(e.parent_case_id.is_not(None))
    if f.q:
        like = f"%{f.q}%"
        where.append(or_(e.case_no.ilike(like), e.address.ilike(like), e.party.ilike(like)))
    return where


def _count_if(cond: ColumnElement[bool]) -> Any:
    """COUNT(*) FILTER (WHERE cond): cheaper than SUM(CASE ...) on PostgreSQL; SQLite ≥ 3.30."""
    return func.count().filter(cond)


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # ---- writes ------------------------------------------------------------------------------
    def upsert(self, values: Mapping[str, Any]) -> None:
        """Insert or replace the case's row (one statement on both databases) and move the
        kept counts from what the row said to what it says now, in the same transaction.

        The old row is read FOR UPDATE on PostgreSQL, so two writers of one case apply their
        deltas one after the other; the counts themselves are added with
        `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`, so steps on different cases of
        the same district and month never lose each other's update."""
        dialect = self.s.get_bind().dialect.name
        ins = pg_insert if dialect == "postgresql" else sqlite_insert
        read = select(
            LedgerEntry.opened_at, *[_LEDGER.c[c] for c in COUNTED_COLUMNS if c != "opened_at"]
        ).where(LedgerEntry.case_id == values["case_id"])
        if dialect == "postgresql":
            read = read.with_for_update()
        old = self.s.execute(read).first()
        stmt = ins(_LEDGER).values(dict(values))
        changed = {k: stmt.excluded[k] for k in values if k != "case_id"}
        self.s.execute(stmt.on_conflict_do_update(index_elements=["case_id"], set_=changed))
        counts: Deltas = {}
        weeks: Deltas = {}
        if old is not None:
            add_counts(old._mapping, -1, counts, weeks)
        add_counts(values, 1, counts, weeks)
        self._add(_COUNTS, COUNT_KEYS, COUNT_VALUES, counts)
        self._add(_WEEKS, WEEK_KEYS, WEEK_VALUES, weeks)

    def _add(
        self, table: Table, keys: Sequence[str], values: Sequence[str], deltas: Deltas
    ) -> None:
        items = _changed(deltas)
        if not items:
            return
        ins = pg_insert if self.s.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = ins(table).values(_rows(keys, values, items))
        self.s.execute(
            stmt.on_conflict_do_update(
                index_elements=list(keys),
                set_={v: table.c[v] + stmt.excluded[v] for v in values},
            )
        )

    # ---- reads -------------------------------------------------------------------------------
    def page(self, f: LedgerFilter, *, offset: int, limit: int) -> tuple[list[LedgerEntry], int]:
        where = conditions(f)
        total = self.s.scalar(select(func.count()).select_from(LedgerEntry).where(*where)) or 0
        rows = self.s.scalars(
            select(LedgerEntry)
            .where(*where)
            .order_by(LedgerEntry.opened_at.desc(), LedgerEntry.case_id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return list(rows), int(total)

    def stream(self, f: LedgerFilter, *, batch: int = 2000) -> Iterator[LedgerEntry]:
        """Every matching row in case order, fetched `batch` at a time (keyset pagination):
        an export of a million rows holds one batch in memory, never the whole result."""
        after = 0
        where = conditions(f)
        while True:
            rows = self.s.scalars(
                select(LedgerEntry)
                .where(*where, LedgerEntry.case_id > after)
                .order_by(LedgerEntry.case_id)
                .limit(batch)
            ).all()
            if not rows:
                return
            yield from rows
            after = rows[-1].case_id
            self.s.expunge_all()

    def totals(self, f: LedgerFilter) -> dict[str, Any]:
        e = LedgerEntry
        row = self.s.execute(
            select(
                func.count(),
                func.coalesce(func.sum(e.area_m2), 0.0),
                func.coalesce(func.sum(e.demolished_m2), 0.0),
            ).where(*conditions(f))
        ).one()
        return {"cases": int(row[0]), "found_m2": float(row[1]), "demolished_m2": float(row[2])}

    def summary(self, f: LedgerFilter, now: datetime) -> list[dict[str, Any]]:
        """One grouped pass over the selected rows (an index-only scan of the campaign index):
        per district, village, status, stage and mode, with the rebuilt and overdue marks, the
        number of cases and the areas found and demolished. Every count of the ledger and of a
        campaign is a sum over these groups."""
        e = LedgerEntry
        rebuilt = e.parent_case_id.is_not(None)
        overdue = e.next_due_at <= now
        # 结案: the process closed the case (closed_on), even while it still waits for the
        # re-inspection (回头看) before it ends.
        closed = e.closed_on.is_not(None)
        rows = self.s.execute(
            select(
                e.district,
                e.village,
                e.status,
                e.stage,
                e.mode,
                _count_if(rebuilt),
                _count_if(overdue),
                _count_if(closed),
                func.count(),
                func.coalesce(func.sum(e.area_m2), 0.0),
                func.coalesce(func.sum(e.demolished_m2), 0.0),
            )
            .where(*conditions(f))
            .group_by(e.district, e.village, e.status, e.stage, e.mode)
        ).all()
        return [
            {
                "district": r[0] or "",
                "village": r[1] or "",
                "status": r[2],
                "stage": r[3],
                "mode": r[4] or "",
                "rebuilt": int(r[5]),
                "overdue": int(r[6]),
                "closed": int(r[7]),
                "cases": int(r[8]),
                "found_m2": float(r[9]),
                "demolished_m2": float(r[10]),
            }
            for r in rows
        ]

    def daily(
        self, column: str, f: LedgerFilter, value: str | None = None
    ) -> list[tuple[date, float]]:
        """(day, count or sum of `value`) for every day on which `column` (a date) is set."""
        col = getattr(LedgerEntry, column)
        agg = func.count() if value is None else func.sum(getattr(LedgerEntry, value))
        rows = self.s.execute(
            select(col, agg).where(*conditions(f), col.is_not(None)).group_by(col).order_by(col)
        ).all()
        return [(_as_date(r[0]), float(r[1] or 0)) for r in rows]

    def series_daily(
        self, f: LedgerFilter, ranges: Sequence[tuple[date, date]] = ()
    ) -> dict[str, list[tuple[date, float]]]:
        """`daily` of the three series (found, closed, demolished) in one statement, within
        `ranges` of event days when given (disjoint; one branch per series and range, each an
        index-only range scan of its event's index: an OR of ranges made PostgreSQL read the
        table's pages through a bitmap instead)."""
        e = LedgerEntry
        where = conditions(f)
        parts = []
        for name, (column, summed) in SERIES.items():
            col = getattr(e, column)
            agg = func.count() if summed is None else func.sum(getattr(e, summed))
            for within in [col.between(a, b) for a, b in ranges] or [col.is_not(None)]:
                parts.append(
                    select(literal(name).label("series"), col.label("day"), agg.label("value"))
                    .where(*where, within)
                    .group_by(col)
                )
        out: dict[str, list[tuple[date, float]]] = {name: [] for name in SERIES}
        for name, day, value in self.s.execute(union_all(*parts)).all():
            out[name].append((_as_date(day), float(value or 0)))
        return out

    def counted_summary(
        self, districts: Sequence[str], years: Sequence[date], months: Sequence[date]
    ) -> list[dict[str, Any]]:
        """Per district, dimension (village, status, stage, mode) and value: the number of
        cases, closed, rebuilt and the areas found and demolished of the cases opened in whole
        years and months, from the kept counts."""
        c = LedgerCount
        buckets = _buckets(c.grain, c.opened_on, years, months)
        if not districts or not buckets:
            return []
        rows = self.s.execute(
            select(
                c.district,
                c.dim,
                c.value,
                func.sum(c.cases),
                func.sum(c.closed),
                func.sum(c.rebuilt),
                func.sum(c.found_m2),
                func.sum(c.demolished_m2),
            )
            .where(c.district.in_(list(districts)), or_(*buckets))
            .group_by(c.district, c.dim, c.value)
        ).all()
        return [
            {
                "district": r[0],
                "dim": r[1],
                "value": r[2],
                "cases": int(r[3]),
                "closed": int(r[4]),
                "rebuilt": int(r[5]),
                "found_m2": float(r[6]),
                "demolished_m2": float(r[7]),
            }
            for r in rows
            if int(r[3]) != 0  # every case of the value moved elsewhere
        ]

    def counted_weeks(
        self, districts: Sequence[str], years: Sequence[date], months: Sequence[date]
    ) -> dict[str, dict[date, float]]:
        """Per series, the week (Monday) -> cases found / closed, m² demolished, of the cases
        opened in whole years and months, from the kept counts."""
        w = LedgerWeekCount
        out: dict[str, dict[date, float]] = {name: {} for name in SERIES}
        buckets = _buckets(w.grain, w.opened_on, years, months)
        if not districts or not buckets:
            return out
        rows = self.s.execute(
            select(w.series, w.week, func.sum(w.cases), func.sum(w.m2))
            .where(w.district.in_(list(districts)), or_(*buckets))
            .group_by(w.series, w.week)
        ).all()
        for series, week, cases, m2 in rows:
            value = float(m2 or 0) if SERIES[series][1] else float(cases or 0)
            if int(cases or 0) != 0:
                out[series][_as_date(week)] = value
        return out

    def overdue_by_district(self, f: LedgerFilter, now: datetime) -> dict[str, int]:
        """Cases whose pending deadline has passed, per district (the partial index of rows
        with a deadline, ix_ledger_entries_district_due): "now" cannot be counted ahead."""
        e = LedgerEntry
        rows = self.s.execute(
            select(e.district, func.count())
            .where(*conditions(f), e.next_due_at <= now)
            .group_by(e.district)
        ).all()
        return {str(r[0] or ""): int(r[1]) for r in rows}

    def waiting_longest(self, f: LedgerFilter, limit: int = 10) -> list[LedgerEntry]:
        """The open cases opened first: one statement, walking the open rows' index
        (ix_ledger_entries_open_opened) in opening order until `limit` of the selected
        districts are found — a few rows for a large campaign; for a small one the planner
        may read its districts' rows from the campaign index and sort them instead."""
        e = LedgerEntry
        return list(
            self.s.scalars(
                select(e)
                .where(*conditions(f), e.closed_on.is_(None))
                .order_by(e.opened_at, e.case_id)
                .limit(limit)
            ).all()
        )

    def provisional_among(self, ids: Sequence[int]) -> set[int]:
        """Which of `ids` have a pending deadline computed on a provisional year (暂定)."""
        wanted = list(ids)
        found = self.s.scalars(
            union(
                select(TimerRow.case_id).where(
                    TimerRow.case_id.in_(wanted), TimerRow.provisional.is_(True)
                ),
                select(ReadyTaskRow.case_id).where(
                    ReadyTaskRow.case_id.in_(wanted), ReadyTaskRow.due_provisional.is_(True)
                ),
            )
        ).all()
        return {int(i) for i in found}

    def case_numbers(self, ids: set[int]) -> dict[int, str]:
        rows = self.s.execute(
            select(LedgerEntry.case_id, LedgerEntry.case_no).where(
                LedgerEntry.case_id.in_(sorted(ids))
            )
        ).all()
        return {int(r[0]): str(r[1]) for r in rows}

    def children(self, case_id: int) -> list[int]:
        return [
            int(i)
            for i in self.s.scalars(
                select(LedgerEntry.case_id)
                .where(LedgerEntry.parent_case_id == case_id)
                .order_by(LedgerEntry.case_id)
            ).all()
        ]

    def photos(self, ids: Sequence[int]) -> dict[int, list[int]]:
        """The photos on record (not withdrawn) of each case: what the site looked like, for
        the officer who goes back to see whether it was rebuilt (回头看)."""
        a = AttachmentRow
        out: dict[int, list[int]] = {}
        for chunk in range(0, len(ids), 500):
            rows = self.s.execute(
                select(a.case_id, a.id)
                .where(
                    a.case_id.in_(list(ids[chunk : chunk + 500])),
                    a.media_type.like("image/%"),
                    a.withdrawn_at.is_(None),
                )
                .order_by(a.case_id, a.taken_at, a.id)
            ).all()
            for case_id, att_id in rows:
                out.setdefault(int(case_id), []).append(int(att_id))
        return out

    def closed_for_reinspection(self, f: LedgerFilter) -> list[LedgerEntry]:
        return list(
            self.s.scalars(
                select(LedgerEntry)
                .where(*conditions(f), LedgerEntry.closed_on.is_not(None))
                .order_by(LedgerEntry.district, LedgerEntry.village, LedgerEntry.case_id)
            ).all()
        )


def _buckets(
    grain: Any, opened_on: Any, years: Sequence[date], months: Sequence[date]
) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if years:
        out.append(and_(grain == "Y", opened_on.in_(list(years))))
    if months:
        out.append(and_(grain == "M", opened_on.in_(list(months))))
    return out


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class CampaignRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, row: Campaign) -> Campaign:
        self.s.add(row)
        self.s.flush()
        return row

    def get(self, campaign_id: int, *, lock: bool = False) -> Campaign | None:
        if lock and self.s.get_bind().dialect.name == "postgresql":
            return self.s.get(Campaign, campaign_id, with_for_update=True)
        return self.s.get(Campaign, campaign_id)

    def all(self) -> Sequence[Campaign]:
        return self.s.scalars(
            select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id)
        ).all()


def day_start(day: date) -> datetime:
    """00:00 Beijing time of `day`, as a UTC instant (the ledger's date filters are local)."""
    return datetime(day.year, day.month, day.day, tzinfo=CN).astimezone(UTC)


__all__ = [
    "CN",
    "DEMOLISHED_OUTCOMES",
    "DIMENSIONS",
    "MODES",
    "MODE_OF_OUTCOME",
    "CampaignRepository",
    "LedgerFilter",
    "LedgerRepository",
    "day_start",
    "demolished_area",
    "entry_values",
    "rebuild_counts",
    "split_period",
]
