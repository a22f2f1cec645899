"""Holiday schedules as data: the calendar in force, reading and loading a year, recomputing the
deadlines a loaded year moves.

The database (`holiday_years`) is the source; the packaged schedules and QINGWEI_HOLIDAYS_FILE
only fill years it lacks. Every process keeps the calendar in force in memory and re-reads the
table when its signature (count, newest load) changes, checked at most every
`calendar.refresh_seconds`; a process that loads a year switches at once. A deadline computed in
another process during that window on the old calendar is still marked provisional, and the
worker's sweep (`recompute_stale_provisional`) recomputes it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError

from engine import audit
from engine.calendar import TZ, StatutoryCalendar
from engine.errors import Conflict, FieldError, ValidationFailed
from engine.runtime import ProcessRuntime
from engine.services.casework import apply_snapshot, get_case_row, load_spec
from engine.services.context import SYSTEM, Actor, EngineContext
from engine.store.models import HolidayYear
from engine.store.uow import UnitOfWork

log = logging.getLogger("qingwei.calendar")

# 全国年节及纪念日放假办法 (2024) Art. 2: the fixed-date holidays every official schedule has.
_FIXED: tuple[tuple[int, int, str], ...] = (
    (1, 1, "元旦"),
    (5, 1, "劳动节"),
    (5, 2, "劳动节"),
    (10, 1, "国庆节"),
    (10, 2, "国庆节"),
    (10, 3, "国庆节"),
)


class CalendarBook:
    """The calendar in force for this process, kept in step with `holiday_years`."""

    def __init__(
        self,
        base: StatutoryCalendar,
        runtime: ProcessRuntime | Callable[[], ProcessRuntime],
        ttl: float,
    ) -> None:
        self.base = base
        # The context's runtime may be swapped after construction (tests share one): read it
        # through a getter so the calendar lands on the runtime that runs the steps.
        self._runtime = runtime
        self.ttl = ttl
        self._signature: tuple[int, str] | None = None
        self._checked = float("-inf")
        self._applied_to: ProcessRuntime | None = None
        self._lock = threading.Lock()

    @property
    def runtime(self) -> ProcessRuntime:
        return self._runtime() if callable(self._runtime) else self._runtime

    @property
    def current(self) -> StatutoryCalendar:
        return self.runtime.calendar

    def refresh(self, uow: UnitOfWork, *, force: bool = False) -> StatutoryCalendar:
        """The calendar in force, re-read from the database if a year was loaded since."""
        fresh = time.monotonic() - self._checked < self.ttl
        if not force and fresh and self.runtime is self._applied_to:
            return self.runtime.calendar
        signature = uow.calendar.signature()
        with self._lock:
            self._checked = time.monotonic()
            runtime = self.runtime
            if signature != self._signature or runtime is not self._applied_to:
                runtime.calendar = self.base.with_years(
                    {row.year: _days(row) for row in uow.calendar.all()}
                )
                self._signature = signature
                self._applied_to = runtime
        return self.runtime.calendar


def _days(row: HolidayYear) -> tuple[dict[date, str], dict[date, str]]:
    rest = {date.fromisoformat(k): v for k, v in row.rest_days.items()}
    work = {date.fromisoformat(k): v for k, v in row.work_days.items()}
    return rest, work


@dataclass(frozen=True)
class YearView:
    year: int
    status: str  # official | provisional
    rest_days: list[date]
    work_days: list[date]
    holidays: list[tuple[date, str]]
    source: str | None
    loaded_at: datetime | None
    loaded_by: str | None
    recomputed_cases: int | None = None
    recomputed_timers: int | None = None


def _year_view(cal: StatutoryCalendar, year: int, row: HolidayYear | None) -> YearView:
    rest, work = cal.year_days(year)
    official = cal.is_official(year)
    if official:
        source = row.source if row is not None else "QINGWEI_HOLIDAYS_FILE / chinesecalendar"
    else:
        source = "全国年节及纪念日放假办法（2024年修订）推算 / computed from the statutory holidays"
    return YearView(
        year=year,
        status="official" if official else "provisional",
        rest_days=sorted(rest),
        work_days=sorted(work),
        holidays=sorted(rest.items()),
        source=source,
        loaded_at=row.loaded_at if row is not None and official else None,
        loaded_by=row.loaded_by if row is not None and official else None,
    )


def get_year(uow: UnitOfWork, *, ctx: EngineContext, year: int) -> YearView:
    with uow:
        cal = ctx.calendars.refresh(uow)
        if not (cal.is_official(year) or cal.is_provisional(year)):
            raise ValidationFailed(
                [FieldError(["path", "year"], f"{year}年不在可计算范围内 / year out of range")],
                "放假安排无法提供 / no schedule or provisional rule for this year",
            )
        return _year_view(cal, year, uow.calendar.get(year))


def list_years(uow: UnitOfWork, *, ctx: EngineContext) -> list[YearView]:
    """The official years, and the current and next year whatever their status."""
    with uow:
        cal = ctx.calendars.refresh(uow)
        rows = {r.year: r for r in uow.calendar.all()}
        this_year = ctx.clock.now().astimezone(TZ).year
        years = sorted(set(cal.known_years()) | {this_year, this_year + 1})
        return [_year_view(cal, y, rows.get(y)) for y in years]


def _parse_days(
    field: str, values: Iterable[Any], year: int, errors: list[FieldError]
) -> list[date]:
    out: list[date] = []
    for i, text in enumerate(values):
        try:
            day = date.fromisoformat(str(text))
        except ValueError:
            errors.append(FieldError(["body", field, i], f"日期格式错误 / bad date {text!r}"))
            continue
        if day.year != year:
            errors.append(FieldError(["body", field, i], f"{day} 不在 {year} 年 / not in {year}"))
            continue
        out.append(day)
    return out


def check_schedule(
    year: int, rest_days: Sequence[Any], work_days: Sequence[Any], source: str
) -> tuple[dict[date, str], dict[date, str]]:
    """Validate a State Council schedule: dates of that year, make-up days on weekends, no day
    both, and every fixed-date holiday of the 放假办法 present. Names come from the law's
    holidays (or the provisional rule) where known. Raises InvalidInput naming each field."""
    errors: list[FieldError] = []
    if not source or not str(source).strip():
        errors.append(FieldError(["body", "source"], "须注明通知文号 / name the notice"))
    rest = _parse_days("rest_days", rest_days, year, errors)
    work = _parse_days("work_days", work_days, year, errors)
    for i, day in enumerate(work):
        if day.weekday() < 5:
            errors.append(
                FieldError(
                    ["body", "work_days", i],
                    f"{day} 是工作日，不是调休上班日 / a weekday is not a make-up day",
                )
            )
    for day in sorted(set(rest) & set(work)):
        errors.append(
            FieldError(["body", "work_days"], f"{day} 不能既休息又上班 / both rest and work")
        )
    missing = [date(year, m, d) for m, d, _ in _FIXED if date(year, m, d) not in set(rest)]
    if missing and not errors:
        days = ", ".join(d.isoformat() for d in missing)
        errors.append(
            FieldError(
                ["body", "rest_days"],
                f"缺少法定节日 {days}（全国年节及纪念日放假办法第二条）/ "
                f"statutory holidays missing: {days}",
            )
        )
    if errors:
        raise ValidationFailed(errors, "放假安排有误 / the holiday schedule is invalid")
    try:
        from engine.holiday_rules import statutory_holidays

        names = statutory_holidays(year)
    except ValueError:
        names = {}
    fixed = {date(year, m, d): n for m, d, n in _FIXED}
    rest_named = {d: names.get(d, fixed.get(d, "休息日")).replace("补假", "") for d in sorted(rest)}
    work_named = {d: "调休上班" for d in sorted(work)}
    return rest_named, work_named


def load_year(
    ctx: EngineContext,
    *,
    actor: Actor,
    year: int,
    rest_days: Sequence[Any],
    work_days: Sequence[Any],
    source: str,
) -> YearView:
    """Make `year` official, audit the load in the system trail, then recompute every open
    case's deadlines that depend on that year (one transaction per case)."""
    rest, work = check_schedule(year, rest_days, work_days, source)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        before = uow.calendar.get(year)
        uow.calendar.put(
            HolidayYear(
                year=year,
                rest_days={d.isoformat(): n for d, n in rest.items()},
                work_days={d.isoformat(): n for d, n in work.items()},
                source=source.strip(),
                loaded_by=actor.username,
                loaded_at=now,
            )
        )
        audit.system_append(
            uow,
            at=now,
            actor=actor.username,
            roles=actor.roles,
            action="calendar_loaded",
            element_id=str(year),
            data={
                "year": year,
                "source": source.strip(),
                "rest_days": [d.isoformat() for d in rest],
                "work_days": [d.isoformat() for d in work],
                "replaced": before.source if before is not None else None,
            },
            basis="全国年节及纪念日放假办法; CPL Art. 85",
        )
        ctx.commit(uow)
    cases, timers = recompute_year(ctx, year)
    with ctx.uow() as uow:
        cal = ctx.calendars.refresh(uow, force=True)
        view = _year_view(cal, year, uow.calendar.get(year))
    return YearView(**{**view.__dict__, "recomputed_cases": cases, "recomputed_timers": timers})


def recompute_year(ctx: EngineContext, year: int) -> tuple[int, int]:
    """Recompute the deadlines of every case with a pending timer that depends on `year`;
    returns (cases changed, timers moved)."""
    with ctx.uow() as uow:
        ctx.calendars.refresh(uow, force=True)
        case_ids = uow.timers.cases_touching_year(year)
    return _recompute_cases(ctx, case_ids)


def recompute_stale_provisional(ctx: EngineContext) -> tuple[int, int]:
    """The worker's sweep: timers still marked provisional although all their years are now
    official (computed by a process that had not yet seen the load) are recomputed."""
    with ctx.uow() as uow:
        cal = ctx.calendars.refresh(uow)
        stale = [
            case_id
            for case_id, years in uow.timers.provisional_rows()
            if all(cal.is_official(int(y)) for y in (years or "").split(",") if y)
        ]
    return _recompute_cases(ctx, sorted(set(stale))) if stale else (0, 0)


def _recompute_cases(ctx: EngineContext, case_ids: Sequence[int]) -> tuple[int, int]:
    """Each case on its own: one whose process fails to recompute (a broken expression, bad
    data) is logged and left as it was; it does not stop the cases after it (issue 14)."""
    cases = timers = 0
    for case_id in case_ids:
        for _attempt in range(3):
            try:
                moved = _recompute_case(ctx, case_id)
                break
            except Conflict:
                moved = 0  # changed concurrently: read it again
            except (OperationalError, InterfaceError):
                raise  # the database, not this case
            except Exception:
                log.exception("case %s: deadlines not recomputed", case_id)
                moved = 0
                break
        else:
            log.warning("case %s: deadlines not recomputed after 3 conflicts", case_id)
            continue
        if moved:
            cases += 1
            timers += moved
    return cases, timers


def _recompute_case(ctx: EngineContext, case_id: int) -> int:
    """One case, one transaction: move its timers, audit each move, refresh its projections."""
    with ctx.uow() as uow:
        ctx.calendars.refresh(uow)
        case = get_case_row(uow, case_id, lock=True)
        if case.status == "closed":
            return 0
        now = ctx.clock.now()
        loaded = load_spec(ctx, uow, case.process_version_id)
        snapshot, changes = ctx.runtime.recompute_deadlines(loaded, case.state, now)
        head = audit.ChainHead.of(case)
        for c in changes:
            audit.append(
                uow,
                head,
                at=now,
                actor=SYSTEM.username,
                roles=SYSTEM.roles,
                action="deadline_recomputed",
                element_id=c.element_id,
                data={
                    "timer": c.name,
                    "period": c.period,
                    "start": c.start_at.astimezone(TZ).isoformat() if c.start_at else None,
                    "old_due_at": c.old_due_at.astimezone(TZ).isoformat(),
                    "new_due_at": c.new_due_at.astimezone(TZ).isoformat(),
                    "provisional_years": list(c.provisional_years),
                },
                basis=c.basis,
            )
        if changes:
            apply_snapshot(
                uow,
                case,
                snapshot,
                loaded,
                expected_version=case.case_version,
                now=now,
                data=dict(case.data),
                head=head,
            )
        else:
            # Nothing moved: only the 暂定 marks change; the case version stays, so an officer
            # with the form open is not sent back.
            uow.timers.set_flags(case.id, snapshot.timers)
            uow.cases.set_due_flags(case.id, snapshot.ready_tasks)
        ctx.commit(uow)
        return len(changes)


__all__ = [
    "CalendarBook",
    "YearView",
    "check_schedule",
    "get_year",
    "list_years",
    "load_year",
    "recompute_stale_provisional",
    "recompute_year",
]
