"""Campaigns (专项行动): created and edited by a head, every change in the system trail; their
progress read the way a county leader reads it: targets on track or behind (projected from the
trend), districts ranked, villages, the demolition split, overdue cases and those waiting longest.

Membership follows API.md: a case belongs to a campaign when its district is one of the
campaign's and it was opened within the campaign's dates. The sums come from the counts the
steps keep as cases change (ledger_counts, ledger_week_counts: a few thousand rows even for a
whole city), the partial months at a campaign's ends and what depends on now (overdue, cases
waiting longest) from indexes of the ledger projection (engine.store.ledger_repo).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from engine import audit
from engine.errors import FieldError, NotFound, PermissionDenied, StaleCaseVersion, ValidationFailed
from engine.services.context import Actor, EngineContext
from engine.services.ledger import campaign_filter
from engine.store.ledger_repo import (
    CN,
    DIMENSIONS,
    MODES,
    SERIES,
    day_start,
    monday,
    split_period,
)
from engine.store.models import Campaign
from engine.store.uow import UnitOfWork

METRICS = ("area_demolished_m2", "cases_closed", "share_demolished")
TREND_DAYS = 28  # the projection's rate is the trailing four weeks (or since the start)


@dataclass(frozen=True)
class TargetSpec:
    metric: str
    value: float
    by: date


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    starts_on: date
    ends_on: date
    districts: list[str]
    targets: list[TargetSpec] = field(default_factory=list)
    phases: list[PhaseSpec] = field(default_factory=list)
    villages: dict[str, list[str]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    reinspection_on: date | None = None


@dataclass(frozen=True)
class ProgressView:
    metric: str
    value: float
    target: float
    by: date
    on_track: bool
    projected: float
    rate_per_day: float


@dataclass(frozen=True)
class DistrictView:
    district: str
    found_m2: float
    demolished_m2: float
    cases: int
    closed: int
    unit: str | None = None
    share_demolished: float = 0.0
    modes: dict[str, int] = field(default_factory=dict)
    rebuilt: int = 0
    overdue: int = 0
    rank: int = 0
    villages: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class WaitingCase:
    case_id: int
    case_no: str
    district: str
    village: str | None
    address: str
    stage: str
    opened_at: datetime
    days_open: int


@dataclass(frozen=True)
class CampaignView:
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
    progress: list[ProgressView]
    by_district: list[DistrictView]
    current_phase: str | None = None
    totals: dict[str, Any] = field(default_factory=dict)
    by_stage: dict[str, int] = field(default_factory=dict)
    by_mode: dict[str, int] = field(default_factory=dict)
    trend: list[dict[str, Any]] = field(default_factory=list)
    waiting_longest: list[WaitingCase] = field(default_factory=list)


# ---- writes -----------------------------------------------------------------------------------


def _validate(spec: CampaignSpec) -> None:
    """Every bad field at once (422), Chinese first; nothing is written."""
    errs: list[FieldError] = []
    if not spec.name.strip():
        errs.append(FieldError(["body", "name"], "名称不能为空 the name is empty"))
    if spec.ends_on < spec.starts_on:
        errs.append(FieldError(["body", "ends_on"], "结束日期早于开始日期 ends before it starts"))
    names = [d.strip() for d in spec.districts]
    if not names or any(not d for d in names):
        errs.append(FieldError(["body", "districts"], "至少一个区县/街道 at least one district"))
    if len(set(names)) != len(names):
        errs.append(FieldError(["body", "districts"], "区县重复 a district is listed twice"))
    for i, t in enumerate(spec.targets):
        loc: list[str | int] = ["body", "targets", i]
        if t.metric not in METRICS:
            errs.append(FieldError([*loc, "metric"], f"目标指标应为 one of {', '.join(METRICS)}"))
        if t.value <= 0 or (t.metric == "share_demolished" and t.value > 1):
            errs.append(
                FieldError(
                    [*loc, "value"],
                    "目标值须大于0；拆除率为0到1之间的比例 positive; a share is a fraction ≤ 1",
                )
            )
        if not spec.starts_on <= t.by <= spec.ends_on:
            errs.append(FieldError([*loc, "by"], "目标日期须在行动期间内 within the campaign"))
    for i, p in enumerate(spec.phases):
        loc = ["body", "phases", i]
        if not p.name.strip():
            errs.append(FieldError([*loc, "name"], "阶段名称不能为空 the name is empty"))
        if p.ends_on < p.starts_on:
            errs.append(FieldError([*loc, "ends_on"], "结束日期早于开始日期 ends before it starts"))
        if p.starts_on < spec.starts_on or p.ends_on > spec.ends_on:
            errs.append(FieldError([*loc], "阶段须在行动期间内 within the campaign's dates"))
    for d in list(spec.villages) + list(spec.units):
        if d not in names:
            errs.append(FieldError(["body", "villages"], f"「{d}」不在行动的区县中 not a district"))
    if spec.reinspection_on is not None and spec.reinspection_on < spec.starts_on:
        errs.append(FieldError(["body", "reinspection_on"], "回头看日期早于行动开始 too early"))
    if errs:
        raise ValidationFailed(errs, "专项行动内容有误 invalid campaign")


def _stored(spec: CampaignSpec) -> dict[str, Any]:
    return {
        "name": spec.name.strip(),
        "starts_on": spec.starts_on,
        "ends_on": spec.ends_on,
        "districts": [d.strip() for d in spec.districts],
        "villages": {d: list(v) for d, v in spec.villages.items()},
        "units": dict(spec.units),
        "targets": [
            {"metric": t.metric, "value": t.value, "by": t.by.isoformat()} for t in spec.targets
        ],
        "phases": [
            {"name": p.name, "starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat()}
            for p in spec.phases
        ],
        "reinspection_on": spec.reinspection_on,
    }


def _trail_data(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _require_head(actor: Actor) -> None:
    if not actor.has("head"):
        raise PermissionDenied(
            "只有负责人可以设立或修改专项行动 only the head may change a campaign"
        )


def create_campaign(
    uow: UnitOfWork, *, ctx: EngineContext, actor: Actor, spec: CampaignSpec
) -> CampaignView:
    _require_head(actor)
    _validate(spec)
    now = ctx.clock.now()
    values = _stored(spec)
    with uow:
        row = uow.campaigns.add(
            Campaign(**values, version=1, created_by=actor.username, created_at=now, updated_at=now)
        )
        audit.system_append(
            uow,
            at=now,
            actor=actor.username,
            roles=actor.roles,
            action="campaign_created",
            element_id=f"campaign:{row.id}",
            data={"campaign_id": row.id, "after": _trail_data(values)},
        )
        view = _view(uow, ctx, row)
        ctx.commit(uow)
        return view


def update_campaign(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    actor: Actor,
    campaign_id: int,
    spec: CampaignSpec,
    version: int | None = None,
) -> CampaignView:
    """Replace a campaign's definition; `version` (when given) must be the one read (409)."""
    _require_head(actor)
    _validate(spec)
    now = ctx.clock.now()
    values = _stored(spec)
    with uow:
        row = uow.campaigns.get(campaign_id, lock=True)
        if row is None:
            raise NotFound(f"专项行动不存在 campaign {campaign_id} does not exist")
        if version is not None and version != row.version:
            raise StaleCaseVersion(
                f"专项行动已被他人修改 campaign {campaign_id} is at version {row.version}"
            )
        before = {k: getattr(row, k) for k in values}
        changed = {k for k in values if before[k] != values[k]}
        if changed:
            for k in changed:
                setattr(row, k, values[k])
            row.version += 1
            row.updated_at = now
            uow.flush()
            audit.system_append(
                uow,
                at=now,
                actor=actor.username,
                roles=actor.roles,
                action="campaign_changed",
                element_id=f"campaign:{row.id}",
                data={
                    "campaign_id": row.id,
                    "version": row.version,
                    "before": _trail_data({k: before[k] for k in sorted(changed)}),
                    "after": _trail_data({k: values[k] for k in sorted(changed)}),
                },
            )
        view = _view(uow, ctx, row)
        ctx.commit(uow)
        return view


# ---- reads ------------------------------------------------------------------------------------


def list_campaigns(uow: UnitOfWork, *, ctx: EngineContext) -> list[CampaignView]:
    with uow:
        return [_view(uow, ctx, row) for row in uow.campaigns.all()]


def get_campaign(
    uow: UnitOfWork, *, ctx: EngineContext, campaign_id: int, scan: bool = False
) -> CampaignView:
    """A campaign and its progress, from the kept counts; `scan=True` reads every ledger row
    instead (the reference the counts are checked against)."""
    with uow:
        row = uow.campaigns.get(campaign_id)
        if row is None:
            raise NotFound(f"专项行动不存在 campaign {campaign_id} does not exist")
        return _view(uow, ctx, row, scan=scan)


def _share(demolished: float, found: float) -> float:
    return round(demolished / found, 4) if found > 0 else 0.0


def _value(metric: str, totals: dict[str, Any]) -> float:
    if metric == "area_demolished_m2":
        return round(float(totals["demolished_m2"]), 2)
    if metric == "cases_closed":
        return float(totals["closed"])
    return _share(float(totals["demolished_m2"]), float(totals["found_m2"]))


def project(
    metric: str,
    value: float,
    target: float,
    by: date,
    today: date,
    started: date,
    daily: dict[str, list[tuple[date, float]]],
    found_m2: float,
) -> ProgressView:
    """On track when the value is reached, or (before the date) when the trailing rate carried
    to the target date reaches it: a leader sees today whether June's target will be missed."""
    window_start = max(started, today - timedelta(days=TREND_DAYS - 1))
    days = max((today - window_start).days + 1, 1)
    series = daily["closed"] if metric == "cases_closed" else daily["demolished"]
    recent = sum(v for d, v in series if window_start <= d <= today)
    rate = recent / days
    if metric == "share_demolished":
        rate = rate / found_m2 if found_m2 > 0 else 0.0
    remaining = max((by - today).days, 0)
    projected = value + rate * remaining
    if metric == "share_demolished":
        projected = min(projected, 1.0)
    on_track = value >= target if today >= by else projected >= target
    return ProgressView(metric, value, target, by, on_track, round(projected, 4), round(rate, 6))


def _weeks(start: date, end: date) -> list[date]:
    first = start - timedelta(days=start.weekday())
    out = []
    while first <= end:
        out.append(first)
        first += timedelta(days=7)
    return out


def _trend(
    start: date, end: date, daily: dict[str, list[tuple[date, float]]]
) -> list[dict[str, Any]]:
    """Week by week (Monday first): found, closed and demolished, and demolished so far."""
    weeks = _weeks(start, end)
    rows: dict[date, dict[str, float]] = {
        w: {"found": 0.0, "closed": 0.0, "demolished_m2": 0.0} for w in weeks
    }
    for key, out in (("found", "found"), ("closed", "closed"), ("demolished", "demolished_m2")):
        for d, v in daily[key]:
            if start <= d <= end:
                week = d - timedelta(days=d.weekday())
                rows[week][out] += v
    total = 0.0
    result = []
    for w in weeks:
        r = rows[w]
        total += r["demolished_m2"]
        result.append(
            {
                "week": w.isoformat(),
                "found": int(r["found"]),
                "closed": int(r["closed"]),
                "demolished_m2": round(r["demolished_m2"], 2),
                "cumulative_m2": round(total, 2),
            }
        )
    return result


def _empty_district() -> dict[str, Any]:
    return {
        "found_m2": 0.0,
        "demolished_m2": 0.0,
        "cases": 0,
        "closed": 0,
        "rebuilt": 0,
        "overdue": 0,
        "modes": dict.fromkeys(MODES, 0),
        "villages": [],
    }


Daily = dict[str, list[tuple[date, float]]]
# (district, dimension, value) -> [cases, closed, rebuilt, found m², demolished m²]
Split = dict[tuple[str, str, str], list[float]]


def _split(groups: list[dict[str, Any]], into: Split) -> Split:
    """Add `summary` groups (district × village × status × stage × mode) to the per-dimension
    sums a campaign's progress reads (village, status, stage, mode: one at a time)."""
    for g in groups:
        for dim in DIMENSIONS:
            v = into.setdefault((g["district"], dim, g[dim] or ""), [0, 0, 0, 0.0, 0.0])
            v[0] += g["cases"]
            v[1] += g["closed"]
            v[2] += g["rebuilt"]
            v[3] += g["found_m2"]
            v[4] += g["demolished_m2"]
    return into


def scanned_figures(
    uow: UnitOfWork, row: Campaign, now: datetime
) -> tuple[Split, Daily, dict[str, int]]:
    """The campaign's sums per dimension, daily series and overdue per district read from every
    ledger row it holds: the reference the kept counts must equal (tests; `bench_ledger.py
    --verify`)."""
    f = campaign_filter(row)
    groups = uow.ledger.summary(f, now)
    daily = {name: uow.ledger.daily(column, f, summed) for name, (column, summed) in SERIES.items()}
    overdue: dict[str, int] = {}
    for g in groups:
        overdue[g["district"]] = overdue.get(g["district"], 0) + g["overdue"]
    return _split(groups, {}), daily, overdue


def _contiguous(weeks: list[date]) -> list[tuple[date, date]]:
    """Mondays -> (first day, last day) of each run of consecutive weeks."""
    runs: list[tuple[date, date]] = []
    for w in sorted(weeks):
        if runs and runs[-1][1] + timedelta(days=1) == w:
            runs[-1] = (runs[-1][0], w + timedelta(days=6))
        else:
            runs.append((w, w + timedelta(days=6)))
    return runs


def counted_figures(
    uow: UnitOfWork, row: Campaign, now: datetime
) -> tuple[Split, Daily, dict[str, int]]:
    """The same figures as `scanned_figures`, from the counts kept as cases change.

    Cases opened in the campaign's whole years and months come from the kept counts (a few
    thousand rows); those opened on the days left at its ends from the campaign index. The
    daily series are kept by week: the weeks where a day matters (the campaign's first and
    last week of the trend, the trailing four weeks of the projection) are read by day from the
    events' indexes instead. Overdue depends on now: read from the index of pending deadlines."""
    today = now.astimezone(CN).date()
    f = campaign_filter(row)
    districts = list(row.districts)
    years, months, edges = split_period(row.starts_on, row.ends_on)
    edge_filters = [
        replace(f, opened_from=day_start(a), opened_before=day_start(b + timedelta(days=1)))
        for a, b in edges
    ]
    split: Split = {}
    for r in uow.ledger.counted_summary(districts, years, months):
        split[(r["district"], r["dim"], r["value"])] = [
            r["cases"],
            r["closed"],
            r["rebuilt"],
            r["found_m2"],
            r["demolished_m2"],
        ]
    for ef in edge_filters:
        _split(uow.ledger.summary(ef, now), split)
    overdue = uow.ledger.overdue_by_district(f, now)

    # The weeks cut by a date the figures start or stop at are read by day: the trend's first
    # and last (the campaign's start, min(today, end)), the projection's trailing window (its
    # first day, today). Every other week is whole on both sides and comes from the counts,
    # dated its Monday: inside a range exactly when all its days are.
    end = min(today, row.ends_on)
    window = max(row.starts_on, today - timedelta(days=TREND_DAYS - 1))
    precise = {monday(d) for d in (row.starts_on, window) if d.weekday() != 0}
    precise |= {monday(d) for d in (end, today) if d.weekday() != 6}
    weekly = uow.ledger.counted_weeks(districts, years, months)
    daily: Daily = {
        name: [(wk, v) for wk, v in weekly[name].items() if wk not in precise] for name in SERIES
    }
    for ef in edge_filters:
        for name, days in uow.ledger.series_daily(ef).items():
            daily[name] += [(d, v) for d, v in days if monday(d) not in precise]
    if precise:
        for name, days in uow.ledger.series_daily(f, _contiguous(sorted(precise))).items():
            daily[name] += days
    return split, {name: sorted(series) for name, series in daily.items()}, overdue


def _view(
    uow: UnitOfWork, ctx: EngineContext, row: Campaign, *, scan: bool = False
) -> CampaignView:
    now = ctx.clock.now()
    today = now.astimezone(CN).date()
    f = campaign_filter(row)
    split, daily, overdue = (scanned_figures if scan else counted_figures)(uow, row, now)
    districts = {d: _empty_district() for d in row.districts}
    villages: dict[tuple[str, str], dict[str, Any]] = {}
    by_stage: dict[str, int] = {}
    for (district, dim, value), (cases, closed, rebuilt, found, demolished) in sorted(
        split.items()
    ):
        if cases == 0:
            continue
        d = districts.get(district) or districts.setdefault(district, _empty_district())
        if dim == "village":
            villages[(district, value)] = {
                "cases": int(cases),
                "closed": int(closed),
                "found_m2": found,
                "demolished_m2": demolished,
                "rebuilt": int(rebuilt),
            }
            d["cases"] += int(cases)
            d["closed"] += int(closed)
            d["found_m2"] += found
            d["demolished_m2"] += demolished
            d["rebuilt"] += int(rebuilt)
        elif dim == "mode" and value in d["modes"]:
            d["modes"][value] += int(cases)
        elif dim == "stage":
            by_stage[value] = by_stage.get(value, 0) + int(cases)
    for (district, village), v in villages.items():
        districts[district]["villages"].append(
            {
                "village": village or "（未填村/社区）",
                "cases": v["cases"],
                "closed": v["closed"],
                "found_m2": round(v["found_m2"], 2),
                "demolished_m2": round(v["demolished_m2"], 2),
                "share_demolished": _share(v["demolished_m2"], v["found_m2"]),
                "rebuilt": v["rebuilt"],
            }
        )
    for name, n in overdue.items():
        districts.setdefault(name, _empty_district())["overdue"] += n
    ranked = sorted(
        districts.items(),
        key=lambda kv: (
            -_share(kv[1]["demolished_m2"], kv[1]["found_m2"]),
            -kv[1]["demolished_m2"],
            kv[0],
        ),
    )
    by_district = [
        DistrictView(
            district=name,
            found_m2=round(d["found_m2"], 2),
            demolished_m2=round(d["demolished_m2"], 2),
            cases=d["cases"],
            closed=d["closed"],
            unit=row.units.get(name),
            share_demolished=_share(d["demolished_m2"], d["found_m2"]),
            modes=d["modes"],
            rebuilt=d["rebuilt"],
            overdue=d["overdue"],
            rank=i,
            villages=sorted(d["villages"], key=lambda v: (-v["share_demolished"], v["village"])),
        )
        for i, (name, d) in enumerate(ranked, 1)
    ]
    totals = {
        "cases": sum(d.cases for d in by_district),
        "closed": sum(d.closed for d in by_district),
        "found_m2": round(sum(d.found_m2 for d in by_district), 2),
        "demolished_m2": round(sum(d.demolished_m2 for d in by_district), 2),
        "overdue": sum(d.overdue for d in by_district),
        "rebuilt": sum(d.rebuilt for d in by_district),
    }
    totals["share_demolished"] = _share(totals["demolished_m2"], totals["found_m2"])
    progress = [
        project(
            t["metric"],
            _value(t["metric"], totals),
            float(t["value"]),
            date.fromisoformat(t["by"]),
            today,
            row.starts_on,
            daily,
            totals["found_m2"],
        )
        for t in row.targets
    ]
    by_mode = dict.fromkeys(MODES, 0)
    for dv in by_district:
        for m, n in dv.modes.items():
            by_mode[m] += n
    phase = next(
        (
            p["name"]
            for p in row.phases
            if date.fromisoformat(p["starts_on"]) <= today <= date.fromisoformat(p["ends_on"])
        ),
        None,
    )
    waiting = [
        WaitingCase(
            e.case_id,
            e.case_no,
            e.district,
            e.village,
            e.address,
            e.stage,
            e.opened_at,
            max((today - e.opened_at.astimezone(CN).date()).days, 0),
        )
        for e in uow.ledger.waiting_longest(f, 10)
    ]
    return CampaignView(
        id=row.id,
        name=row.name,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        districts=list(row.districts),
        villages=dict(row.villages),
        units=dict(row.units),
        targets=list(row.targets),
        phases=list(row.phases),
        reinspection_on=row.reinspection_on,
        version=row.version,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        progress=progress,
        by_district=by_district,
        current_phase=phase,
        totals=totals,
        by_stage=by_stage,
        by_mode=by_mode,
        trend=_trend(row.starts_on, min(today, row.ends_on), daily),
        waiting_longest=waiting,
    )


def as_dict(view: CampaignView) -> dict[str, Any]:
    return asdict(view)


@dataclass(frozen=True)
class ReinspectionCase:
    case_id: int
    case_no: str
    district: str
    village: str | None
    address: str
    party: str | None
    mode: str | None
    closed_on: date | None
    demolished_m2: float
    photos: list[int] = field(default_factory=list)  # attachment ids of the site photos


def reinspection_lists(
    uow: UnitOfWork, *, ctx: EngineContext, campaign_id: int
) -> list[tuple[str, list[ReinspectionCase]]]:
    """回头看: the campaign's closed cases, one list per officer who opened them (each goes
    back to the sites they know), in district and village order."""
    with uow:
        row = uow.campaigns.get(campaign_id)
        if row is None:
            raise NotFound(f"专项行动不存在 campaign {campaign_id} does not exist")
        lists: dict[str, list[ReinspectionCase]] = {}
        closed = uow.ledger.closed_for_reinspection(campaign_filter(row))
        photos = uow.ledger.photos([e.case_id for e in closed])
        for e in closed:
            lists.setdefault(e.officer or "—", []).append(
                ReinspectionCase(
                    e.case_id,
                    e.case_no,
                    e.district,
                    e.village,
                    e.address,
                    e.party,
                    e.mode,
                    e.closed_on,
                    e.demolished_m2,
                    photos.get(e.case_id, []),
                )
            )
    return sorted(lists.items())
