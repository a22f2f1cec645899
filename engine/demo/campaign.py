"""The demo campaign: one 专项行动 over three districts and about 300 cases opened over the months
before the demo clock, driven through the real `enforcement` process (not inserted rows), so the
dashboard, the ledger and the work list show what they are for.

The cases are played in time order on a clock of their own (the server's demo clock is never
moved): each case is opened on its day and taken as far as its plan says — under investigation,
waiting for the legal review, in the party's period (which lapses into a demand when the clock
passes it), demolished by the party or with the agency's help some weeks later, demolished by
force once the remedy windows have run or on a court's order, confiscated and handed over,
closed out — and the timers that fall due on the way fire as the worker would fire them. One
demolished structure is found rebuilt at 回头看, which opens a linked case.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from engine import services
from engine.bootstrap import build
from engine.calendar import TZ
from engine.clock import FixedClock
from engine.config import Settings
from engine.demo import script
from engine.services.campaigns import (
    CampaignSpec,
    PhaseSpec,
    TargetSpec,
    create_campaign,
    list_campaigns,
)
from engine.services.context import Actor, EngineContext

log = logging.getLogger("qingwei.demo")

CAMPAIGN_NAME = "城郊三地清违专项行动（演示）"
DISTRICTS: dict[str, list[str]] = {
    "东城街道": ["和平社区", "新华社区", "东关村"],
    "西山镇": ["西山村", "石桥村", "柳林村"],
    "南湖乡": ["南湖村", "渔港村", "沙洲村"],
}
UNITS = {
    "东城街道": "东城街道综合行政执法队",
    "西山镇": "西山镇综合行政执法队",
    "南湖乡": "南湖乡综合行政执法队",
}
# What becomes of a case (weights): how far the demo takes it. The last three end in coercion:
# forced demolition after the remedy windows (URPL Art. 68, ACL Art. 44), forced demolition
# ordered by the court on a land-law case (LAL Art. 83), confiscation of a building that cannot
# be demolished (URPL Art. 64) — 强拆兜底, and the mode split the dashboard shows.
PLANS = (
    ("investigation", 24),
    ("legal_review", 8),
    ("compliance", 16),
    ("self", 26),
    ("assisted", 12),
    ("forced", 7),
    ("court", 5),
    ("confiscated", 3),
)
# Days from the opening to the last step of a plan that waits out the law's periods (the six
# months to sue, ALL Art. 46; the 60 days for a review, ARL Art. 20), with a margin for holidays.
LONG_PLANS = {"forced": 235, "court": 115, "confiscated": 215}
AGREEMENT = {"schedule": "两周内分阶段拆除", "costs_borne_by": "party"}
HEAD = Actor("head1", ("head",))
WorkingDay = Callable[[date], bool]


@dataclass
class Planned:
    """A case's script in phases: (instant, steps) in time order; phase one opens it."""

    phases: list[tuple[datetime, list[script.Step]]]
    runner: script.CaseRunner | None = None
    failed: bool = False


def _weekday(day: date) -> bool:
    return day.weekday() < 5


def _on_or_after(day: date, working: WorkingDay) -> date:
    while not working(day):
        day += timedelta(days=1)
    return day


def _instant(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)), tzinfo=TZ)


def _later(day: date, days: int, rng: random.Random, working: WorkingDay) -> tuple[datetime, str]:
    """A working-day instant (ACL Art. 43(1): no coercion at night or on a holiday) `days` or
    more after `day`, and its date as the forms write it."""
    when = _instant(_on_or_after(day + timedelta(days=days), working), rng)
    return when, when.date().isoformat()


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError(day)  # pragma: no cover


def _intake(rng: random.Random, n: int) -> dict[str, Any]:
    district = rng.choice(list(DISTRICTS))
    village = rng.choice(DISTRICTS[district])
    kind = rng.choice(
        [
            ("楼顶加盖彩钢板房", "residential"),
            ("院内违建附属用房", "residential"),
            ("临街违建门脸房", "business"),
            ("未批先建厂房", "production"),
            ("违建仓库", "production"),
        ]
    )
    return {
        "address": f"{district}{village}{rng.randrange(1, 120)}号",
        "district": district,
        "village": village,
        "source": rng.choice(["patrol", "patrol", "hotline", "satellite", "self_report"]),
        "description": kind[0],
        "area_m2": float(round(rng.lognormvariate(4.0, 0.7), 1)),
        "use_type": kind[1],
        "construction_ongoing": False,
        "party_known": True,
        "party_name": f"{rng.choice('张王李赵刘陈杨黄周吴')}某{n}",
        "legal_basis": "URPL65" if "村" in village else "URPL64",
    }


def _forced(
    intake: dict[str, Any], opened: datetime, rng: random.Random, working: WorkingDay
) -> list[tuple[datetime, list[script.Step]]]:
    """限期拆除 not obeyed: demand, the government's 责成, the enforcement decision and its
    public notice; forced demolition once the six months to sue from the decision's service
    have run (ACL Art. 44)."""
    d0 = opened.date()
    iso = d0.isoformat()
    area, party = float(intake["area_m2"]), str(intake["party_name"])
    t1, on1 = _later(d0, 25, rng, working)  # 15 CD to demolish have lapsed
    t2, on2 = _later(t1.date(), 28, rng, working)  # the demand's 10 WD (ACL Art. 35)
    t3, on3 = _later(max(_add_months(d0, 6), t2.date()), 12, rng, working)
    return [
        (opened, script.to_compliance_period(intake, iso, days=15)),
        (
            t1,
            [
                script.Do("demand", script.demand(on1)),
                script.Do("serve_document", script.served(on1, party)),
            ],
        ),
        (
            t2,
            [
                script.Do("government_order", script.government_order(on2)),
                # URPL Art. 65: a village case's decision is the township government's.
                script.Do(
                    "enforcement_decision_gov"
                    if intake["legal_basis"] == "URPL65"
                    else "enforcement_decision",
                    script.enforcement_decision(on2),
                ),
                script.Do("serve_document", script.served(on2, party)),
                script.Do("public_notice", script.public_notice(on2)),
            ],
        ),
        (t3, _demolished(t3, on3, area)),
    ]


def _court(
    intake: dict[str, Any], opened: datetime, rng: random.Random, working: WorkingDay
) -> list[tuple[datetime, list[script.Step]]]:
    """A land-law 限期拆除 (LAL Art. 77): 15 days to sue (Art. 83), the review window, then the
    court, which orders the execution; the agency's public notice and forced demolition."""
    d0 = opened.date()
    iso = d0.isoformat()
    area, party = float(intake["area_m2"]), str(intake["party_name"])
    t1, on1 = _later(d0, 20, rng, working)  # 10 CD to demolish have lapsed
    t2, on2 = _later(max(d0 + timedelta(days=70), t1.date() + timedelta(days=25)), 0, rng, working)
    t3, on3 = _later(t2.date(), 16, rng, working)  # the public notice's 10 CD
    court = "区人民法院"
    return [
        (opened, script.to_compliance_period(intake, iso, days=10, lawsuit_period="15日")),
        (
            t1,
            [
                script.Do("demand", script.demand(on1)),
                script.Do("serve_document", script.served(on1, party)),
            ],
        ),
        (
            t2,
            [
                script.Do("court_application", {"court_applied_on": on2, "court_name": court}),
                script.Do("court_acceptance", {"court_accepted": True, "court_accepted_on": on2}),
                script.Do("court_ruling_task", {"court_ruling": "enforce", "ruled_on": on2}),
                script.Do("public_notice", script.public_notice(on2)),
            ],
        ),
        (t3, _demolished(t3, on3, area)),
    ]


def _confiscated(
    intake: dict[str, Any], opened: datetime, rng: random.Random, working: WorkingDay
) -> list[tuple[datetime, list[script.Step]]]:
    """The building cannot be demolished: confiscated with a fine, the fine paid; handed over
    once the remedy windows have run (土地管理法实施条例 Art. 58's 90 days start there)."""
    d0 = opened.date()
    iso = d0.isoformat()
    area = float(intake["area_m2"])
    cost = round(area * 1500, -2)
    fine = round(cost * 0.05, -2)
    items = f"违法建筑一处（约{area:g}平方米）"
    t1, on1 = _later(d0, 10, rng, working)
    t2, on2 = _later(_add_months(d0, 6), 12, rng, working)
    handover = {
        "handed_over_on": on2,
        "receiving_department": "区财政局",
        "inventory_done": True,
        "inventory_items": items,
    }
    return [
        (opened, script.to_confiscation(intake, iso, items, fine, cost)),
        (t1, [script.Send("fine_paid", {"paid_on": on1, "amount": fine})]),
        (
            t2,
            [
                script.Do("confiscation_handover", handover),
                script.Do("closure", {"closing_summary": "已没收并移交", "credit_recorded": True}),
                script.Do("close_out", script.close_out(on2)),
            ],
        ),
    ]


def _demolished(when: datetime, on: str, area: float) -> list[script.Step]:
    """Forced demolition by day (its record names the step's own clock time), closure."""
    return [
        script.Do(
            "forced_demolition",
            {**script.forced_demolition(when.isoformat()), "demolished_area_m2": area},
        ),
        script.Do("closure", {**script.CLOSURE, "demolished_area_m2": area}),
        script.Do("close_out", script.close_out(on)),
    ]


LONG_SCRIPTS = {"forced": _forced, "court": _court, "confiscated": _confiscated}


def plan_cases(
    n: int, start: date, end: date, seed: int = 2026, working: WorkingDay = _weekday
) -> list[Planned]:
    """`n` cases opened on working days between `start` and `end` (more towards the end, as a
    campaign gathers pace), each with its plan. The first cases take one plan each, so that
    even a small demo shows every outcome; a plan that waits out the law's periods opens early
    enough to finish."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    span = (end - start).days
    out = []
    for i in range(n):
        if i < len(PLANS):
            plan = PLANS[i][0]
        else:
            plan = rng.choices([p for p, _ in PLANS], weights=[w for _, w in PLANS])[0]
        room = span - LONG_PLANS.get(plan, 0)
        if room > 0 and plan in LONG_PLANS:
            day = start + timedelta(days=int(room * rng.random()))
        else:
            day = start + timedelta(days=int(span * rng.random() ** 0.7))
        while not working(day) and day > start:
            day -= timedelta(days=1)
        opened = _instant(_on_or_after(max(day, start), working), rng)
        intake = _intake(rng, i + 1)
        if plan == "court":
            intake |= {"legal_basis": "LAL77", "use_type": "residential"}
        elif plan == "confiscated":  # URPL Art. 65 knows no confiscation
            intake |= {"legal_basis": "URPL64"}
        iso = opened.date().isoformat()
        area = float(intake["area_m2"])
        phases: list[tuple[datetime, list[script.Step]]]
        if plan in LONG_SCRIPTS:
            phases = LONG_SCRIPTS[plan](intake, opened, rng, working)
        elif plan == "investigation":
            phases = [(opened, script.to_investigation(intake))]
        elif plan == "legal_review":
            phases = [(opened, script.to_legal_review(intake, iso))]
        elif plan == "compliance":
            phases = [(opened, script.to_compliance_period(intake, iso, days=rng.choice([15, 30])))]
        else:
            later, on = _later(opened.date(), rng.randrange(5, 25), rng, working)
            closure = {**script.CLOSURE, "demolished_area_m2": area}
            done: list[script.Step]
            if plan == "self":
                done = [
                    script.Send("party_demolished", {}),
                    script.Do(
                        "verify_self_demolition",
                        {
                            "verified_on": on,
                            "demolition_verified": True,
                            "demolished_area_m2": area,
                        },
                    ),
                ]
            else:
                done = [
                    script.Send("party_requests_assistance", {"requested_on": on}),
                    script.Do("enforcement_agreement", {"agreement_signed_on": on, **AGREEMENT}),
                    script.Do(
                        "assisted_demolition", {"completed_on": on, "demolished_area_m2": area}
                    ),
                ]
            done += [script.Do("closure", closure), script.Do("close_out", script.close_out(on))]
            phases = [(opened, script.to_compliance_period(intake, iso, days=30)), (later, done)]
        out.append(Planned(phases))
    return out


def seed_campaign(
    ctx: EngineContext,
    clock: FixedClock,
    *,
    cases: int = 300,
    until: datetime,
    months: int = 9,
    echo: Callable[[str], None] = log.info,
) -> int:
    """Create the demo campaign and play its cases up to `until` on `clock` (the context's own
    clock). Idempotent: nothing happens if the campaign exists or the process is not deployed.
    Returns the number of cases opened."""
    if any(c.name == CAMPAIGN_NAME for c in list_campaigns(ctx.uow(read_only=True), ctx=ctx)):
        return 0
    end = (until - timedelta(days=1)).astimezone(TZ).date()
    start = (end - timedelta(days=30 * months)).replace(day=1)
    planned = plan_cases(cases, start, end, working=_calendar_days(ctx))
    events: list[tuple[datetime, int, int]] = sorted(
        (when, i, k)
        for i, p in enumerate(planned)
        for k, (when, _) in enumerate(p.phases)
        if when < until
    )
    opened = 0
    for when, i, k in events:
        p = planned[i]
        if p.failed or (k > 0 and p.runner is None):
            continue
        if when > clock.now():
            clock.set(when)
            while services.fire_due_timers(ctx):
                pass
        if k == 0:
            p.runner = script.CaseRunner(ctx)
        assert p.runner is not None
        steps = p.phases[k][1]
        try:
            p.runner.run_all(steps)
        except script.ScriptFailed as exc:
            p.failed = True
            if k == 0 and p.runner.case is None:
                if "NotFound" in str(exc):
                    return opened  # the enforcement process is not deployed
                log.warning("demo campaign: case not opened: %s", exc)
                continue
            log.warning("demo campaign: a case stops where it is: %s", exc)
        if k == 0 and p.runner.case is not None:
            opened += 1
            if opened % 50 == 0:
                echo(f"演示专项行动：已立案 {opened} 件 (demo campaign: {opened} cases opened)")
    clock.set(until)
    while services.fire_due_timers(ctx):
        pass
    _rebuilt(ctx, planned)
    create_campaign(
        ctx.uow(),
        ctx=ctx,
        actor=HEAD,
        spec=CampaignSpec(
            name=CAMPAIGN_NAME,
            starts_on=start,
            ends_on=start + timedelta(days=365),
            districts=list(DISTRICTS),
            villages={d: list(v) for d, v in DISTRICTS.items()},
            units=dict(UNITS),
            phases=[
                PhaseSpec("宣传发动", start, start + timedelta(days=30)),
                PhaseSpec("集中整治", start + timedelta(days=31), start + timedelta(days=250)),
                PhaseSpec(
                    "巩固提升（回头看）", start + timedelta(days=251), start + timedelta(days=365)
                ),
            ],
            # One target reached, two still ahead (one on pace, one behind): what a leader
            # reads the dashboard for.
            targets=[
                TargetSpec("area_demolished_m2", 6000.0, start + timedelta(days=170)),
                TargetSpec("share_demolished", 0.6, start + timedelta(days=250)),
                TargetSpec("cases_closed", 200, start + timedelta(days=300)),
            ],
        ),
    )
    echo(f"演示专项行动已建立，{opened} 件案件 (demo campaign with {opened} cases)")
    return opened


def _calendar_days(ctx: EngineContext) -> WorkingDay:
    """The statutory calendar's working days (holidays and 调休 included), weekdays where a year
    is not known to it."""
    with ctx.uow(read_only=True) as uow:
        calendar = ctx.calendars.refresh(uow)

    def working(day: date) -> bool:
        try:
            return calendar.is_working_day(day)
        except Exception:  # a year without a schedule: weekdays
            return _weekday(day)

    return working


def _rebuilt(ctx: EngineContext, planned: Sequence[Planned]) -> None:
    """The first closed case waiting for its re-inspection is found rebuilt: a linked case."""
    for p in planned:
        case = p.runner.case if p.runner else None
        if case is None:
            continue
        current = services.get_case(ctx.uow(read_only=True), case_id=case.id)
        if "rebuilt_found" in current.waiting_messages:
            services.send_message(
                ctx.uow(),
                ctx=ctx,
                actor=script.ACTORS["officer"],
                case_id=current.id,
                name="rebuilt_found",
                data={"found_on": ctx.clock.now().astimezone(TZ).date().isoformat()},
            )
            return


def seed_in_background(settings: Settings, until: datetime) -> threading.Thread:
    """`serve --demo`: play the demo campaign in a thread of its own, on an engine and a clock of
    its own, while the server starts (the cases appear over a few minutes: every step issues its
    documents as a real step does)."""

    def work() -> None:
        clock = FixedClock(until - timedelta(days=400))
        app = build(settings, clock)
        try:
            seed_campaign(app.ctx, clock, until=until)
        except Exception:  # a demo must never take the server down
            log.exception("演示专项行动未能完成 (the demo campaign stopped)")
        finally:
            app.close()

    thread = threading.Thread(target=work, name="demo-campaign", daemon=True)
    thread.start()
    return thread
