"""Demo data for `qingwei serve --demo`: the users of API.md and a few cases at different stages.

Idempotent: running it again on the same database adds nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from engine import services
from engine.calendar import TZ
from engine.demo import script
from engine.errors import Conflict, NotFound
from engine.services.context import EngineContext

log = logging.getLogger("qingwei.demo")

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo password (API.md), demo mode only
DEMO_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("officer1", "执法人员一 Officer One", ("officer",)),
    ("officer2", "执法人员二 Officer Two", ("officer",)),
    ("reviewer1", "法制审核员 Legal reviewer", ("legal_review",)),
    ("head1", "负责人 Head of agency", ("head",)),
    ("gov1", "区政府 County government", ("government",)),
    ("utility1", "供电公司 Utility", ("utility",)),
    ("auditor1", "审计员 Auditor", ("auditor",)),
    ("designer1", "流程设计员 Designer", ("designer",)),
    ("admin", "管理员 Administrator", ("admin",)),
)

DEMO_CASES: tuple[dict[str, object], ...] = (
    {
        "address": "朝阳区望京街道某小区3号楼顶",
        "district": "朝阳区",
        "source": "hotline",
        "description": "楼顶加盖彩钢板房 Rooftop steel shed",
        "area_m2": 45.0,
        "use_type": "residential",
        "construction_ongoing": False,
        "party_known": True,
        "party_name": "张某",
        "legal_basis": "URPL64",
    },
    {
        "address": "海淀区某村工业大院",
        "district": "海淀区",
        "source": "satellite",
        "description": "未批先建厂房 Factory built without a permit",
        "area_m2": 620.0,
        "use_type": "production",
        "construction_ongoing": True,
        "party_known": True,
        "party_name": "某某建材有限公司",
        "legal_basis": "URPL64",
    },
    {
        "address": "丰台区某路临街商铺",
        "district": "丰台区",
        "source": "patrol",
        "description": "临街违建门脸房 Street-front extension",
        "area_m2": 38.5,
        "use_type": "business",
        "construction_ongoing": False,
        "party_known": False,
        "legal_basis": "URPL64",
    },
)


def seed_users(ctx: EngineContext) -> int:
    created = 0
    for username, full_name, roles in DEMO_USERS:
        try:
            services.add_user(
                ctx.uow(),
                ctx=ctx,
                username=username,
                password=DEMO_PASSWORD,
                roles=roles,
                full_name=full_name,
            )
            created += 1
        except Conflict:
            continue
    return created


def _onsite_and_sealing(now: datetime) -> list[script.Step]:
    """Construction still going on (PROCEDURE §6): work stopped on arrival, the site sealed with
    the head's prior approval; the sealing runs 30 CD while the lead is checked and filed."""
    instant = now.astimezone(TZ).isoformat(timespec="seconds")
    return [
        script.Do(
            "onsite_stop",
            {
                "arrived_at": instant,
                "work_halted": True,
                "stop_order_issued_on": instant[:10],
                "sealing_needed": True,
                "emergency_sealing": False,
            },
        ),
        script.Do("sealing_approval", {"sealing_approved": True}),
        script.Do(
            "sealing_execution",
            {
                "sealed_at": instant,
                "sealing_scope": "施工现场及机具",
                "sealing_inventory_done": True,
                "handed_over_on_site": True,
            },
        ),
        script.Do("lead_check", script.LEAD_CHECK),
        script.Do("filing_approval", script.FILING),
    ]


def demo_scripts(now: datetime) -> list[list[script.Step]]:
    """One script per demo case, every step taken at `now` (the clock is not moved), leaving
    the cases at different stages:

    1. the rooftop shed: decided and served today, the party's period running (履行期限) - with
       the default demo clock, Mon 2026-03-02: 15 CD -> Tue 03-17 -> due 03-18 00:00;
    2. the factory still being built: stopped and sealed on site, filed, under investigation
       (调查取证), the sealing period (30 CD) and the 90 CD decision deadline running;
    3. the street-front extension: investigated, waiting for the legal review (法制审核).
    """
    day = now.astimezone(TZ).date().isoformat()
    rooftop, factory, shopfront = DEMO_CASES
    return [
        script.to_compliance_period(rooftop, day, days=15),
        [script.Open(factory), *_onsite_and_sealing(now)],
        script.to_legal_review(shopfront, day),
    ]


def seed_cases(ctx: EngineContext, process_key: str = script.PROCESS_KEY) -> int:
    """Open the demo cases once, if the process is deployed and no case exists yet, and advance
    them to different stages at the clock's current instant (the clock is left where it is).

    A step the deployed process does not accept (a designer changed it) stops that case where it
    is, with a warning; the server starts anyway. Returns how many cases were opened."""
    if services.list_cases(ctx.uow(read_only=True), ctx=ctx).total > 0:
        return 0
    opened = 0
    for steps in demo_scripts(ctx.clock.now()):
        runner = script.CaseRunner(ctx, process_key=process_key)
        try:
            runner.run(steps[0])
        except script.ScriptFailed as exc:
            if isinstance(exc.__cause__, NotFound):
                return opened  # the process is not deployed: nothing to seed
            log.warning("demo case not opened: %s", exc)
            continue
        opened += 1
        try:
            runner.run_all(steps[1:])
        except script.ScriptFailed as exc:
            case = runner.case
            where = f"{case.case_no} left at stage {case.stage}" if case else "not advanced"
            log.warning("demo case %s: %s", where, exc)
    return opened
