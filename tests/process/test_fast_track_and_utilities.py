"""Fast track for ongoing construction (§6: stop, seal ≤ 30 CD + 30 CD, emergency report within
24 h) and the utility cutoff with its restoration (§3)."""

from __future__ import annotations

import pytest

from engine.errors import GuardRefused
from tests.process import paths as P
from tests.process.driver import DEPUTY_HEAD, Driver, at, midnight

ONGOING = {**P.INTAKE, "construction_ongoing": True, "use_type": "construction_site"}


def _onsite(drv: Driver, arrived: str, *, emergency: bool) -> None:
    data = {
        "arrived_at": arrived,
        "work_halted": True,
        "stop_order_issued_on": arrived[:10],
        "sealing_needed": True,
        "emergency_sealing": emergency,
    }
    if emergency:
        data["sealing_emergency_reason"] = "正在浇筑混凝土"
    drv.do("onsite_stop", data)


def _seal(drv: Driver, sealed_at: str) -> None:
    drv.do(
        "sealing_execution",
        {
            "sealed_at": sealed_at,
            "sealing_scope": "施工现场及机具",
            "sealing_inventory_done": True,
            "handed_over_on_site": True,
        },
    )


def test_fast_track_seals_extends_and_releases_while_the_case_goes_on(deep_drv: Driver) -> None:
    drv = deep_drv
    drv.open(ONGOING)
    # Arrival target (policy, seed action plan): 1 h after the report at 09:00 -> 10:00.
    assert drv.ready() == ["onsite_stop"]
    assert drv.timers() == {"arrival_target": at("2026-02-10 10:00")}
    drv.go(at("2026-02-10 09:40"))
    _onsite(drv, "2026-02-10T09:40:00+08:00", emergency=False)
    drv.do("sealing_approval", {"sealing_approved": True})
    _seal(drv, "2026-02-10T11:00:00+08:00")
    # Sealed Tue 02-10: at most 30 days -> Thu 03-12 -> due 03-13 00:00 (ACL Art. 25); the
    # head may extend or release within them; meanwhile the lead check goes on.
    assert drv.ready() == ["lead_check", "sealing_expiry_decision"]
    assert drv.due("sealing_expiry") == midnight("2026-03-13")
    drv.do("lead_check", {"check_result": "file", "check_summary": "在建"})
    drv.do("filing_approval", {"filing_approved": True})
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    P.respond(drv, waived=True)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=50)
    P.serve(drv, "2026-02-10")
    # 50 CD from Tue 02-10 -> Wed 04-01 -> due 04-02 00:00.
    assert drv.timers() == {
        "sealing_expiry": midnight("2026-03-13"),
        "compliance_deadline": midnight("2026-04-02"),
    }
    # Within the 30 days (Thu 03-05) the head extends, notifying the party in writing.
    drv.go(at("2026-03-05 10:00"))
    extension = {"extend_sealing": True, "reason": "情况复杂", "notified_on": "2026-03-05"}
    with pytest.raises(GuardRefused, match="ACL Art. 25"):
        drv.do(
            "sealing_expiry_decision",
            {**extension, "notified_in_writing": False},
            actor=DEPUTY_HEAD,
        )
    drv.do("sealing_expiry_decision", {**extension, "notified_in_writing": True}, actor=DEPUTY_HEAD)
    # Extended by 30 days from the unrolled last day Thu 03-12 -> Sat 04-11, not rolled to
    # Monday (a limit on the agency, not a party's period) -> due 04-12 00:00.
    assert drv.due("sealing_extended_expiry") == midnight("2026-04-12")
    drv.go(at("2026-03-20 10:00"))
    drv.send("party_demolished", {})
    P.verify_demolition(drv, "2026-03-20")
    P.close(drv, "2026-03-20")
    # Re-inspection 30 CD from Fri 03-20 -> Sun 04-19 -> Mon 04-20 -> due 04-21 00:00; the
    # sealing is still to be released.
    assert drv.timers() == {
        "sealing_extended_expiry": midnight("2026-04-12"),
        "reinspection_due": midnight("2026-04-21"),
    }
    drv.wait_until("sealing_extended_expiry")
    assert drv.data()["sealing_expired"] is True
    drv.do("sealing_lift", {"released_at": "2026-04-12T09:00:00+08:00", "reason": "期满"})
    drv.wait_until("reinspection_due")
    P.reinspect(drv, "2026-04-21")
    assert drv.now_case.status == "closed"
    docs = drv.documents()
    assert docs[:5] == [
        "责令停止违法行为通知书",
        "现场检查笔录",
        "查封决定书",
        "查封决定书",
        "清单",
    ]
    assert "延长查封期限决定书" in docs and "解除查封决定书" in docs
    assert drv.fired() == ["sealing_extended_expiry", "reinspection_due"]
    assert drv.data()["arrival_late"] is False
    assert drv.stage_path() == [
        *P.PREFIX,
        "investigation",
        "compliance_period",
        "closed",
        "investigation",
        "reinspection",
        "closed",
    ]
    assert drv.documents() == [
        "责令停止违法行为通知书",
        "现场检查笔录",
        "查封决定书",
        "查封决定书",
        "清单",
        "案件来源登记表",
        "立案审批表",
        "现场检查笔录",
        "询问笔录",
        "责令停止违法行为通知书",
        "责令限期改正通知书",
        "调查终结报告",
        "法制审核意见书",
        "行政处罚事先告知书",
        "送达回证",
        "陈述申辩笔录",
        "限期拆除决定书",
        "送达回证",
        "延长查封期限决定书",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
        "解除查封决定书",
        "现场检查笔录",
    ]


def test_emergency_sealing_not_approved_within_24h_is_released(drv: Driver) -> None:
    drv.open(ONGOING)
    drv.go(at("2026-02-10 09:30"))
    _onsite(drv, "2026-02-10T09:30:00+08:00", emergency=True)
    _seal(drv, "2026-02-10T10:00:00+08:00")
    # Emergency: report to the head within 24 h of the sealing (ACL Art. 19): 02-11 10:00.
    assert drv.ready() == ["emergency_sealing_approval"]
    report = drv.timer("emergency_report_deadline")
    assert (report.due_at, report.period, report.basis) == (
        at("2026-02-11 10:00"),
        "24 H",
        "ACL Art. 19",
    )
    drv.wait_until("emergency_report_deadline")
    # Not approved in time: released at once; the lead is then checked as usual.
    assert drv.ready() == ["sealing_release"]
    drv.do("sealing_release", {"released_at": "2026-02-11T10:30:00+08:00", "reason": "未获批准"})
    assert drv.ready() == ["lead_check"]
    drv.do("lead_check", {"check_result": "no_case", "check_summary": "已停工并补办手续"})
    assert drv.now_case.status == "closed"
    assert drv.data()["sealed"] is False
    assert drv.documents() == [
        "责令停止违法行为通知书",
        "现场检查笔录",
        "查封决定书",
        "清单",
        "解除查封决定书",
        "案件来源登记表",
    ]
    assert drv.stage_path() == ["intake", "closed"]


def test_utility_cutoff_letter_approval_act_and_restoration(drv: Driver) -> None:
    P.file_case(drv, use_type="construction_site")
    drv.do("investigation", P.INVESTIGATION)
    drv.do(
        "stop_order",
        {
            "stop_order_issued_on": "2026-02-10",
            "order_kind": "stop",
            "utility_cutoff": True,
            "cutoff_basis": "construction_site_supply",
            "utility_types": ["power", "water"],
        },
    )
    drv.do(
        "utility_letter",
        {
            "utility_company": "区供电公司",
            "cutoff_scope": "施工用电",
            "advance_notice_24h": True,
            "party_notified_at": "2026-02-10T09:00:00+08:00",
            "cutoff_at": "2026-02-11T09:00:00+08:00",
        },
    )
    # The deputy head approves: completing an investigation-stage task makes the approver an
    # "investigator" for the segregation guard, and the head approves the decision below.
    drv.do("utility_cutoff_approval", {"head_approved": True}, actor=DEPUTY_HEAD)
    # 安全生产法 Art. 70: the supply stops no sooner than 24 h after the written notice.
    assert drv.ready() == []
    assert drv.timers()["utility_notice_period"] == at("2026-02-11 09:00")
    drv.wait_until("utility_notice_period")
    assert drv.ready() == ["utility_cutoff_execution"]
    drv.do(
        "utility_cutoff_execution",
        {"utility_cutoff": True, "cutoff_done_at": "2026-02-11T09:00:00+08:00"},
    )
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-11")
    P.serve(drv, "2026-02-11")
    P.respond(drv, waived=True)
    P.decide(drv, "demolition_decision", on="2026-02-11")
    P.serve(drv, "2026-02-11")
    drv.send("party_demolished", {})
    # 安全生产法 Art. 70: the party complied, the supply is restored at once, then the check.
    assert drv.ready() == ["restore_supply_on_compliance"]
    drv.do(
        "restore_supply_on_compliance",
        {
            "restored_at": "2026-02-12T15:00:00+08:00",
            "restoration_reason": "当事人已自行拆除违法建设",
        },
    )
    P.verify_demolition(drv, "2026-02-12")
    drv.do("closure", {"closing_summary": "已拆除", "credit_recorded": True})
    # Closure does not ask for it again.
    assert drv.ready() == ["close_out"]
    drv.do("close_out", {"ledger_closed_out": True, "closed_out_on": "2026-02-12"})
    drv.send("rebuilt_found", {})
    assert drv.now_case.status == "closed"
    docs = drv.documents()
    assert docs.count("停止供水供电供气联系函") == 3
    assert docs[-4:] == ["恢复供应通知", "现场检查笔录", "结案报告", "台账销号表"]
    actors = {e.element_id: e.actor for e in drv.trail() if e.action == "task_completed"}
    assert actors["utility_cutoff_execution"] == "utility1"
    assert actors["restore_supply_on_compliance"] == "utility1"
    assert drv.stage_path() == [*P.PREFIX, "compliance_period", "closed", "reinspection", "closed"]
    assert drv.documents() == [
        "案件来源登记表",
        "立案审批表",
        "现场检查笔录",
        "询问笔录",
        "责令停止违法行为通知书",
        "责令限期改正通知书",
        "停止供水供电供气联系函",
        "停止供水供电供气联系函",
        "停止供水供电供气联系函",
        "调查终结报告",
        "法制审核意见书",
        "行政处罚事先告知书",
        "送达回证",
        "陈述申辩笔录",
        "限期拆除决定书",
        "送达回证",
        "恢复供应通知",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]


def test_cutting_residents_supply_is_refused(drv: Driver) -> None:
    P.file_case(drv, use_type="residential")
    drv.do("investigation", P.INVESTIGATION)
    with pytest.raises(GuardRefused) as refused:
        drv.do(
            "stop_order",
            {
                "stop_order_issued_on": "2026-02-10",
                "order_kind": "stop",
                "utility_cutoff": True,
                "cutoff_basis": "local_regulation",
                "utility_types": ["water"],
            },
        )
    assert refused.value.article == "ACL Art. 43(2)"
    assert drv.ready() == ["stop_order"]
    drv.do(
        "stop_order",
        {"stop_order_issued_on": "2026-02-10", "order_kind": "stop", "utility_cutoff": False},
    )
    P.report(drv, "no_violation")
    P.close(drv, "2026-02-10")
    assert drv.now_case.status == "closed"
    assert "停止供水供电供气联系函" not in drv.documents()
    assert drv.stage_path() == ["intake", "investigation", "closed"]
    assert drv.documents() == [
        "案件来源登记表",
        "立案审批表",
        "现场检查笔录",
        "询问笔录",
        "责令停止违法行为通知书",
        "责令限期改正通知书",
        "调查终结报告",
        "结案报告",
        "台账销号表",
    ]
