"""The demo campaign: one 专项行动 over three districts and about 300 cases opened over the months
before the demo clock, driven through the real `enforcement` process (not inserted rows), so the
dashboard, the ledger and the work list show what they are for.

The cases are played in time order on a clock of their own (the server's demo clock is never
moved): each case is opened on its day and taken as far as its plan says — under investigation,
waiting for the legal review, in the party's period (which lapses into a demand when the clock
passes it), demolished by the party or with the agency's help some weeks later, closed out —
and the timers that fall due on the way fire as the worker would fire them. One demolished
structure is found rebuilt at 回头看, which opens a linked case.
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
# What becomes of a case (weights): how far the demo takes it.
PLANS = (
    ("investigation", 28),
    ("legal_review", 10),
    ("compliance", 20),
    ("self", 30),
    ("assisted", 12),
)
AGREEMENT = {"schedule": "两周内分阶段拆除", "costs_borne_by": "party"}
HEAD = Actor("head1", ("head",))


@dataclass
class Planned:
    """A case's script in phases: (instant, steps) in time order; phase one opens it."""

    phases: list[tuple[datetime, list[script.Step]]]
    runner: script.CaseRunner | None = None
    failed: bool = False


def _instant(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)), tzinfo=TZ)


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


def plan_cases(n: int, start: date, end: date, seed: int = 2026) -> list[Planned]:
    """`n` cases opened on working days between `start` and `end` (more towards the end, as a
    campaign gathers pace), each with its plan."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    span = (end - start).days
    out = []
    for i in range(n):
        day = start + timedelta(days=int(span * rng.random() ** 0.7))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        opened = _instant(max(day, start), rng)
        intake = _intake(rng, i + 1)
        iso = opened.date().isoformat()
        plan = rng.choices([p for p, _ in PLANS], weights=[w for _, w in PLANS])[0]
        area = float(intake["area_m2"])
        phases: list[tuple[datetime, list[script.Step]]]
        if plan == "investigation":
            phases = [(opened, script.to_investigation(intake))]
        elif plan == "legal_review":
            phases = [(opened, script.to_legal_review(intake, iso))]
        elif plan == "compliance":
            phases = [(opened, script.to_compliance_period(intake, iso, days=rng.choice([15, 30])))]
        else:
            later = _instant(opened.date() + timedelta(days=rng.randrange(5, 25)), rng)
            on = later.date().isoformat()
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
    months: int = 6,
    echo: Callable[[str], None] = log.info,
) -> int:
    """Create the demo campaign and play its cases up to `until` on `clock` (the context's own
    clock). Idempotent: nothing happens if the campaign exists or the process is not deployed.
    Returns the number of cases opened."""
    if any(c.name == CAMPAIGN_NAME for c in list_campaigns(ctx.uow(read_only=True), ctx=ctx)):
        return 0
    end = (until - timedelta(days=1)).astimezone(TZ).date()
    start = (end - timedelta(days=30 * months)).replace(day=1)
    planned = plan_cases(cases, start, end)
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
