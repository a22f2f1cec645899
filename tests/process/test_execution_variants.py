"""Execution variants: assisted demolition by agreement (ACL Art. 42), breach back to the demand,
the government issuing the enforcement decision (local), deferral (ACL Art. 39) resumed or ended
after three years, and the night/holiday guard on the way."""

from __future__ import annotations

import pytest

from engine import services
from engine.errors import GuardRefused
from tests.process import paths as P
from tests.process.driver import OFFICER, Driver, at, midnight

AGREEMENT = {"schedule": "两周内分阶段拆除", "costs_borne_by": "party"}


def _to_enforcement_decision(drv: Driver) -> None:
    """Decision served Tue 02-10 (10 days); compliance due 02-25 00:00; demand served Wed 02-25;
    10 WD: 26, 27, Sat 28 (make-up), Mar 2, 3, 4, 5, 6, 9, 10 -> due 03-11 00:00."""
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10)
    P.serve(drv, "2026-02-10")
    drv.wait_until("compliance_deadline")
    drv.go(at("2026-02-25 09:00"))
    P.demand(drv, "2026-02-25")
    P.serve(drv, "2026-02-25")
    assert drv.timers() == {"demand_period": midnight("2026-03-11")}
    drv.wait_until("demand_period")
    drv.go(at("2026-03-11 09:00"))


def test_assisted_demolition_by_agreement_and_rebuilt_found(drv: Driver) -> None:
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10)
    P.serve(drv, "2026-02-10")
    drv.go(at("2026-02-11 10:00"))
    drv.send("party_requests_assistance", {"requested_on": "2026-02-11"})
    drv.do("enforcement_agreement", {"agreement_signed_on": "2026-02-11", **AGREEMENT})
    assert drv.ready() == ["assisted_demolition"]
    assert drv.now_case.waiting_messages == ["agreement_breached"]
    drv.go(at("2026-02-13 16:00"))
    drv.do("assisted_demolition", {"completed_on": "2026-02-13", "demolished_area_m2": 45.0})
    P.close(drv, "2026-02-13")
    # Re-inspection 30 CD from Fri 02-13 -> Sun 03-15 -> Mon 03-16 -> due 03-17 00:00.
    assert drv.timers() == {"reinspection_due": midnight("2026-03-17")}
    drv.wait_until("reinspection_due")
    assert drv.ready() == ["reinspection"]
    assert drv.now_case.waiting_messages == ["rebuilt_found"]
    drv.send("rebuilt_found", {"found_on": "2026-03-17", "evidence": "无人机照片"})
    case = drv.now_case
    assert case.status == "closed"
    assert (case.data["outcome"], case.data["rebuilt_found"]) == ("assisted_demolished", True)
    assert drv.documents()[-5:] == [
        "送达回证",
        "执行协议",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]
    # The engine opens the rebuilt structure as a new case linked to this one.
    linked = services.open_case(
        drv.app.ctx.uow(),
        ctx=drv.app.ctx,
        actor=OFFICER,
        process_key="enforcement",
        data=P.INTAKE,
        parent_case_id=case.id,
    )
    assert (linked.parent_case_id, [t.element_id for t in linked.tasks]) == (
        case.id,
        ["lead_check"],
    )
    assert drv.stage_path() == [*P.PREFIX, "compliance_period", "closed", "reinspection", "closed"]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "限期拆除决定书",
        "送达回证",
        "执行协议",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]


def test_breached_agreement_resumes_at_the_demand_and_government_decides(drv: Driver) -> None:
    _to_enforcement_decision(drv)
    # URPL Art. 68: the county government orders the demolition first (责成).
    assert drv.ready() == ["government_order"]
    P.enforcement_decision(drv, "2026-03-11")
    P.serve(drv, "2026-03-11")
    P.public_notice(drv, "2026-03-11")
    drv.go(at("2026-03-12 10:00"))
    drv.send("party_requests_assistance", {})
    drv.do("enforcement_agreement", {"agreement_signed_on": "2026-03-12", **AGREEMENT})
    drv.go(at("2026-03-20 10:00"))
    drv.send("agreement_breached", {"noted_on": "2026-03-20"})
    # ACL Art. 42: enforcement resumes, at a fresh demand.
    assert drv.ready() == ["demand"]
    P.demand(drv, "2026-03-20", enforcement_decision_issuer="government")
    P.serve(drv, "2026-03-20")
    # 10 WD from Fri 03-20: 23, 24, 25, 26, 27, 30, 31, Apr 1, 2, 3 -> due 04-04 00:00.
    assert drv.timers() == {"demand_period": midnight("2026-04-04")}
    drv.wait_until("demand_period")
    # (local) Shanghai style: the district government issues the enforcement decision.
    assert drv.ready() == ["enforcement_decision_gov"]
    drv.go(at("2026-04-07 09:00"))
    P.enforcement_decision(drv, "2026-04-07", element="enforcement_decision_gov")
    P.serve(drv, "2026-04-07")
    P.public_notice(drv, "2026-04-07")
    # 10 CD from Tue 04-07 -> Fri 04-17 -> due 04-18 00:00.
    assert drv.timers() == {"public_notice_period": midnight("2026-04-18")}
    drv.go(at("2026-04-10 09:00"))
    drv.send("party_demolished", {})
    P.verify_demolition(drv, "2026-04-10")
    P.close(drv, "2026-04-10")
    drv.send("rebuilt_found", {})
    assert drv.now_case.status == "closed"
    trail = drv.trail()
    by_gov = [e for e in trail if e.element_id == "enforcement_decision_gov"]
    assert [(e.actor, e.roles) for e in by_gov] == [("gov1", ["government"])]
    assert drv.documents().count("催告书") == 2
    assert drv.documents().count("强制执行决定书") == 2
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "demand",
        "service",
        "demand",
        "enforcement_decision",
        "service",
        "public_notice",
        "compliance_period",
        "demand",
        "service",
        "demand",
        "enforcement_decision",
        "service",
        "public_notice",
        "compliance_period",
        "closed",
        "reinspection",
        "closed",
    ]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "限期拆除决定书",
        "送达回证",
        "催告书",
        "送达回证",
        "责成通知",
        "强制执行决定书",
        "送达回证",
        "强制拆除公告",
        "执行协议",
        "催告书",
        "送达回证",
        "强制执行决定书",
        "送达回证",
        "强制拆除公告",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]


def test_deferral_resumed_then_holiday_guard_then_forced_demolition(deep_drv: Driver) -> None:
    drv = deep_drv
    _to_enforcement_decision(drv)
    P.enforcement_decision(drv, "2026-03-11", defer=True, defer_reason="当事人无其他住房")
    drv.do("deferral_approval", {"defer_approved": True, "filed_on_record": True})
    # Deferred from Wed 03-11 (ACL Art. 39). Review every 6 M -> Fri 09-11 -> due 09-12 00:00;
    # three years -> Sun 2029-03-11 -> Mon 03-12 -> due 2029-03-13 00:00 (stand-in schedule).
    assert drv.timers() == {
        "deferral_review_due": midnight("2026-09-12"),
        "deferral_limit": midnight("2029-03-13"),
    }
    assert drv.now_case.stage == "deferred"
    assert "party_demolished" in drv.now_case.waiting_messages
    drv.wait_until("deferral_review_due")
    drv.go(at("2026-09-14 09:00"))
    drv.do(
        "deferral_review",
        {"reviewed_on": "2026-09-14", "reasons_persist": False, "social_harm": False},
    )
    # The reasons ended: execution resumes with a new enforcement decision.
    assert drv.ready() == ["enforcement_decision"]
    assert drv.timers() == {}
    P.enforcement_decision(drv, "2026-09-14")
    P.serve(drv, "2026-09-14")
    P.public_notice(drv, "2026-09-14")
    # 10 CD from Mon 09-14 -> Thu 09-24 -> due 09-25 00:00; both remedy windows ran out long ago
    # (6 M from 02-10 -> 08-10), so forced demolition is next.
    drv.wait_until("public_notice_period")
    assert drv.ready() == ["forced_demolition"]
    # Fri 09-25 is the Mid-Autumn holiday: no coercive execution (ACL Art. 43(1)).
    drv.go(at("2026-09-25 10:00"))
    with pytest.raises(GuardRefused) as refused:
        P.forced_demolition(drv, "2026-09-25T10:00:00+08:00")
    assert refused.value.article == "ACL Art. 43(1)"
    drv.go(at("2026-09-28 09:00"))
    P.forced_demolition(drv, "2026-09-28T09:00:00+08:00")
    P.close(drv, "2026-09-28")
    drv.send("rebuilt_found", {})
    case = drv.now_case
    assert (case.status, case.data["outcome"]) == ("closed", "forced_demolished")
    assert [e.action for e in drv.trail()].count("guard_refused") == 1
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "demand",
        "service",
        "demand",
        "enforcement_decision",
        "deferred",
        "enforcement_decision",
        "service",
        "public_notice",
        "forced_demolition",
        "closed",
        "reinspection",
        "closed",
    ]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "限期拆除决定书",
        "送达回证",
        "催告书",
        "送达回证",
        "责成通知",
        "强制执行决定书",
        "中止执行决定书",
        "中止执行复查记录",
        "强制执行决定书",
        "送达回证",
        "强制拆除公告",
        "强制拆除现场笔录",
        "财物清单",
        "结案报告",
        "台账销号表",
    ]


def test_three_years_deferred_without_harm_ends_enforcement(drv: Driver) -> None:
    _to_enforcement_decision(drv)
    P.enforcement_decision(drv, "2026-03-11", defer=True, defer_reason="重大公共利益")
    drv.do("deferral_approval", {"defer_approved": True, "filed_on_record": True})
    assert drv.due("deferral_limit") == midnight("2029-03-13")
    # Reviews 6 M after the last one, each done on the day it falls due (stand-in schedule for
    # 2027-2029: only 元旦, 劳动节, 国庆节):
    # Fri 2026-09-11 -> due 09-12; reviewed Sat 09-12 -> Fri 2027-03-12 -> due 03-13;
    # reviewed Sat 03-13 -> Mon 2027-09-13 -> due 09-14; reviewed Tue 09-14 -> Tue 2028-03-14
    # -> due 03-15; reviewed Wed 03-15 -> Fri 2028-09-15 -> due 09-16; reviewed Sat 09-16 ->
    # Fri 2029-03-16, after the three-year limit.
    expected = ["2026-09-12", "2027-03-13", "2027-09-14", "2028-03-15", "2028-09-16"]
    for due in expected:
        assert drv.due("deferral_review_due") == midnight(due)
        drv.wait_until("deferral_review_due")
        drv.do(
            "deferral_review",
            {"reviewed_on": due, "reasons_persist": True, "social_harm": False},
        )
    assert drv.due("deferral_review_due") == midnight("2029-03-17")
    drv.wait_until("deferral_limit")
    assert drv.ready() == ["termination"]
    assert drv.timers() == {}
    drv.go(at("2029-03-13 09:00"))
    ended = {
        "terminate": True,
        "no_obvious_social_harm": True,
        "party_unable_to_perform": True,
        "terminated_on": "2029-03-13",
        "termination_reason": "中止满三年，无明显社会危害，当事人确无能力履行",
    }
    # ACL Art. 39: three years alone end nothing; the party's inability must be established.
    with pytest.raises(GuardRefused, match="ACL Art. 39"):
        drv.do("termination", {**ended, "party_unable_to_perform": False})
    drv.do("termination", ended)
    P.close(drv, "2029-03-13")
    case = drv.now_case
    assert (case.status, case.data["outcome"]) == ("closed", "terminated")
    fired_last = {
        e.element_id
        for e in drv.trail()
        if e.action == "timer_fired" and e.at == (midnight("2029-03-13"))
    }
    # (The engine also audits the review timer that the limit cancelled as "fired": reported.)
    assert "deferral_limit" in fired_last
    assert drv.documents().count("中止执行复查记录") == 5
    assert drv.documents()[-3:] == ["终结执行决定书", "结案报告", "台账销号表"]
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "demand",
        "service",
        "demand",
        "enforcement_decision",
        "deferred",
        "closed",
    ]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "限期拆除决定书",
        "送达回证",
        "催告书",
        "送达回证",
        "责成通知",
        "强制执行决定书",
        "中止执行决定书",
        "中止执行复查记录",
        "中止执行复查记录",
        "中止执行复查记录",
        "中止执行复查记录",
        "中止执行复查记录",
        "终结执行决定书",
        "结案报告",
        "台账销号表",
    ]
