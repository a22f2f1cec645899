"""Demo data for `qingwei serve --demo`: the users of API.md and a few cases.

Idempotent: running it again on the same database adds nothing.
"""

from __future__ import annotations

from engine import services
from engine.errors import Conflict, NotFound
from engine.services.context import Actor, EngineContext

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


def seed_cases(ctx: EngineContext, process_key: str = "enforcement") -> int:
    """Open the demo cases once, if the process is deployed and no case exists yet."""
    if services.list_cases(ctx.uow(read_only=True), ctx=ctx).total > 0:
        return 0
    officer = Actor("officer1", ("officer",))
    opened = 0
    for data in DEMO_CASES:
        try:
            services.open_case(
                ctx.uow(), ctx=ctx, actor=officer, process_key=process_key, data=data
            )
        except NotFound:
            return opened
        opened += 1
    return opened
