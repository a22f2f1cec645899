"""Land-law variant with the court route (§11), fines with surcharge and court enforcement
(APL Arts. 67, 72; ACL Arts. 45, 53-57), the correctable branch, and confiscation (§8)."""

from __future__ import annotations

from tests.process import paths as P
from tests.process.driver import Driver, at, midnight


def _correctable_with_fine(drv: Driver, fine: float) -> None:
    """Correctable: 限期改正 + fine, served Tue 02-10. Correction 10 CD -> Fri 02-20 (holiday)
    -> Tue 02-24 -> due 02-25 00:00; the fine 15 CD -> Wed 02-25 -> due 02-26 00:00."""
    P.to_decision(drv, "correctable", fine=fine)
    P.decide(
        drv, "penalty_decision", on="2026-02-10", days=10, fine=fine, penalty="限期改正并处罚款"
    )
    P.serve(drv, "2026-02-10")
    assert drv.timers() == {
        "correction_deadline": midnight("2026-02-25"),
        "fine_due": midnight("2026-02-26"),
    }


def _corrected(drv: Driver, on: str) -> None:
    drv.send("party_corrected", {"permit_no": "建字第001号"})
    drv.do(
        "verify_correction",
        {"verified_on": on, "correction_verified": True, "permit_obtained": True},
    )
    P.close(drv, on)


def test_correctable_corrected_and_fine_paid_on_time(drv: Driver) -> None:
    _correctable_with_fine(drv, 12000)  # 6 % of the 200,000 construction cost (URPL Art. 64)
    drv.go(at("2026-02-13 10:00"))
    drv.send("fine_paid", {"paid_on": "2026-02-13", "amount": 12000})
    assert "fine_due" not in drv.timers()
    drv.go(at("2026-02-24 10:00"))
    _corrected(drv, "2026-02-24")
    # Re-inspection 30 CD from Tue 02-24 -> Thu 03-26 -> due 03-27 00:00.
    drv.wait_until("reinspection_due")
    assert drv.clock.now() == midnight("2026-03-27")
    P.reinspect(drv, "2026-03-27")
    case = drv.now_case
    assert case.status == "closed"
    assert (case.data["outcome"], case.data["fine_status"], case.data["surcharge"]) == (
        "corrected",
        "paid",
        0,
    )
    assert drv.documents()[11:13] == ["行政处罚决定书", "送达回证"]
    assert drv.stage_path() == [*P.PREFIX, "compliance_period", "closed", "reinspection", "closed"]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "行政处罚决定书",
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
        "现场检查笔录",
    ]


def test_fine_paid_late_bears_the_surcharge(drv: Driver) -> None:
    _correctable_with_fine(drv, 10000)
    drv.wait_until("correction_deadline")
    # Not corrected: a 限期改正 is not enforced by demolition (URPL Arts. 64, 68); the case goes
    # back for a new decision while the fine, a decision of its own, is collected.
    assert drv.ready() == ["investigation"]
    drv.wait_until("fine_due")
    assert drv.ready() == ["fine_demand", "investigation"]
    drv.go(at("2026-02-26 09:00"))
    drv.do("fine_demand", {"fine_demand_issued_on": "2026-02-26", "surcharge_notified": True})
    P.serve(drv, "2026-02-26")
    # 10 WD from Thu 02-26: Fri 27, Sat 28 (make-up), Mar 2, 3, 4, 5, 6, 9, 10, 11 -> due 03-12.
    assert drv.due("fine_demand_period") == midnight("2026-03-12")
    drv.go(at("2026-03-05 10:00"))
    drv.send("fine_paid", {"paid_on": "2026-03-05", "amount": 12400})
    # Last day to pay Wed 02-25; paid Thu 03-05: 8 days late x 3 % x 10000 = 2400 (< the fine).
    assert (drv.data()["surcharge"], drv.data()["fine_status"]) == (2400.0, "paid")
    assert drv.ready() == ["investigation"]
    assert drv.now_case.status == "open"
    assert drv.stage_path() == [*P.PREFIX, "compliance_period", "investigation"]


def test_surcharge_is_capped_at_the_fine(drv: Driver) -> None:
    _correctable_with_fine(drv, 10000)
    drv.go(at("2026-02-20 10:00"))
    _corrected(drv, "2026-02-20")
    drv.wait_until("fine_due")
    drv.go(at("2026-02-26 09:00"))
    drv.do("fine_demand", {"fine_demand_issued_on": "2026-02-26", "surcharge_notified": True})
    P.serve(drv, "2026-02-26")
    drv.wait_until("fine_demand_period")  # due 03-12 00:00
    # Re-inspection of the corrected building: 30 CD from Fri 02-20 -> Sun 03-22 -> Mon 03-23
    # -> due 03-24 00:00.
    drv.wait_until("reinspection_due")
    P.reinspect(drv, "2026-03-24")
    assert drv.now_case.status == "open"  # the fine is still being collected
    drv.wait_until("review_window")  # the fine's remedy windows: 60 CD -> due 04-14 00:00
    assert drv.timers() == {"lawsuit_window_6m": midnight("2026-08-11")}
    drv.go(at("2026-04-20 10:00"))
    drv.send("fine_paid", {"paid_on": "2026-04-20"})
    # 54 days late (02-25 -> 04-20) x 3 % = 162 % of the fine: capped at the fine (APL Art. 72).
    case = drv.now_case
    assert case.status == "closed"
    assert (case.data["surcharge"], case.data["fine_status"]) == (10000, "paid")
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "closed",
        "compliance_period",
        "demand",
        "service",
        "demand",
        "reinspection",
        "remedy_period",
        "closed",
    ]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "行政处罚决定书",
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
        "催告书",
        "送达回证",
        "现场检查笔录",
    ]


def test_unpaid_fine_goes_to_the_court_after_the_remedy_windows(deep_drv: Driver) -> None:
    drv = deep_drv
    _correctable_with_fine(drv, 10000)
    drv.go(at("2026-02-20 10:00"))
    _corrected(drv, "2026-02-20")
    drv.wait_until("fine_due")
    drv.go(at("2026-02-26 09:00"))
    drv.do("fine_demand", {"fine_demand_issued_on": "2026-02-26", "surcharge_notified": True})
    P.serve(drv, "2026-02-26")
    drv.wait_until("fine_demand_period")  # due 03-12 00:00 (above)
    # Re-inspection of the corrected building meanwhile: 30 CD from Fri 02-20 -> Sun 03-22 ->
    # Mon 03-23 -> due 03-24 00:00.
    drv.wait_until("reinspection_due")
    P.reinspect(drv, "2026-03-24")
    assert drv.now_case.status == "open"  # the fine is still being collected
    # The fine's own remedy windows: 60 CD -> due 04-14 00:00, then 6 M -> Mon 08-10 -> due
    # 08-11 00:00 (ACL Art. 53: no court before they lapse).
    assert drv.timers() == {"review_window": midnight("2026-04-14")}
    drv.wait_until("review_window")
    drv.wait_until("lawsuit_window_6m")
    # Apply within 3 M of the lapse: Mon 08-10 -> Tue 11-10 -> due 11-11 00:00.
    assert drv.ready() == ["court_application"]
    assert drv.due("court_application_deadline") == midnight("2026-11-11")
    drv.go(at("2026-08-11 09:00"))
    drv.do("court_application", {"court_applied_on": "2026-08-11", "court_name": "区人民法院"})
    # The court accepts within 5 WD: 12, 13, 14, 17, 18 -> due 08-19 00:00 (ACL Art. 56).
    assert drv.due("court_acceptance_deadline") == midnight("2026-08-19")
    drv.do("court_acceptance", {"court_accepted": True, "court_accepted_on": "2026-08-12"})
    # ... and rules within 7 WD: 13, 14, 17, 18, 19, 20, 21 -> due 08-22 00:00 (ACL Art. 57).
    assert drv.due("court_ruling_deadline") == midnight("2026-08-22")
    drv.do("court_ruling_task", {"court_ruling": "enforce", "ruled_on": "2026-08-14"})
    case = drv.now_case
    assert case.status == "closed"
    assert (case.data["outcome"], case.data["fine_status"]) == ("corrected", "court_enforce")
    assert drv.documents()[-3:] == ["强制执行申请书", "受理通知书", "执行裁定书"]
    actors = {e.element_id: e.actor for e in drv.trail() if e.action == "task_completed"}
    # The court is not a user of the agency's system: an officer records its acts (issue 9.14).
    assert (actors["court_acceptance"], actors["court_ruling_task"]) == ("officer1", "officer1")
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "closed",
        "compliance_period",
        "demand",
        "service",
        "demand",
        "reinspection",
        "remedy_period",
        "litigation",
        "closed",
    ]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "行政处罚决定书",
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
        "催告书",
        "送达回证",
        "现场检查笔录",
        "强制执行申请书",
        "受理通知书",
        "执行裁定书",
    ]


def test_land_law_case_goes_to_the_court(drv: Driver) -> None:
    P.file_case(drv, legal_basis="LAL77")
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    P.respond(drv, waived=True)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10, lawsuit_period="15日")
    P.serve(drv, "2026-02-10")
    assert drv.data()["lawsuit_window"] == "15 CD"
    drv.wait_until("compliance_deadline")  # due 02-25 00:00
    drv.go(at("2026-02-25 09:00"))
    P.demand(drv, "2026-02-25")
    P.serve(drv, "2026-02-25")
    # Apply to the court >= 10 WD after the demand is served (ACL Art. 54): from Wed 02-25:
    # 26, 27, Sat 28 (make-up), Mar 2, 3, 4, 5, 6, 9, 10 -> due 03-11 00:00.
    court_demand = drv.timer("court_demand_period")
    assert (court_demand.due_at, court_demand.basis) == (midnight("2026-03-11"), "ACL Art. 54")
    drv.wait_until("court_demand_period")
    # Review window 60 CD from Tue 02-10 -> Sat 04-11 -> Mon 04-13 -> due 04-14 00:00; the
    # 15 CD lawsuit window (LAL Art. 83: -> Wed 02-25) has lapsed already.
    assert drv.timers() == {"review_window": midnight("2026-04-14")}
    drv.wait_until("review_window")
    assert drv.ready() == ["court_application"]
    assert drv.data()["remedy_lapsed_on"] == "2026-04-13"
    # Within 3 M of the lapse: Mon 04-13 -> Mon 07-13 -> due 07-14 00:00 (ACL Art. 53).
    assert drv.due("court_application_deadline") == midnight("2026-07-14")
    drv.go(at("2026-04-14 09:00"))
    drv.do("court_application", {"court_applied_on": "2026-04-14", "court_name": "区人民法院"})
    # Acceptance 5 WD from Tue 04-14: 15, 16, 17, 20, 21 -> due 04-22 00:00. The court is late.
    assert drv.due("court_acceptance_deadline") == midnight("2026-04-22")
    drv.wait_until("court_acceptance_deadline")
    drv.go(at("2026-04-23 09:00"))
    drv.do("court_acceptance", {"court_accepted": True, "court_accepted_on": "2026-04-23"})
    # Ruling 7 WD from Thu 04-23: 24, 27, 28, 29, 30, [05-01..05-05 Labour Day], 06, 07 -> due
    # 05-08 00:00.
    assert drv.due("court_ruling_deadline") == midnight("2026-05-08")
    drv.do("court_ruling_task", {"court_ruling": "enforce", "ruled_on": "2026-04-30"})
    assert drv.ready() == ["public_notice"]
    P.public_notice(drv, "2026-04-30")
    # 10 CD from Thu 04-30 -> Sun 05-10 -> Mon 05-11 -> due 05-12 00:00 (Sat 05-09 is a
    # make-up working day, but the period does not end on it).
    assert drv.timers() == {"public_notice_period": midnight("2026-05-12")}
    drv.wait_until("public_notice_period")
    assert drv.ready() == ["forced_demolition"]
    drv.go(at("2026-05-12 09:00"))
    P.forced_demolition(drv, "2026-05-12T09:00:00+08:00")
    P.close(drv, "2026-05-12")
    drv.send("rebuilt_found", {})
    case = drv.now_case
    assert (case.status, case.data["outcome"]) == ("closed", "forced_demolished")
    assert "court_acceptance_deadline" in drv.fired()
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "demand",
        "service",
        "demand",
        "remedy_period",
        "litigation",
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
        "强制执行申请书",
        "受理通知书",
        "执行裁定书",
        "强制拆除公告",
        "强制拆除现场笔录",
        "财物清单",
        "结案报告",
        "台账销号表",
    ]


def test_confiscation_when_the_building_cannot_be_demolished(drv: Driver) -> None:
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "cannot_demolish")
    P.appraise_and_approve_confiscation(drv, "三层加建部分（约120平方米）")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-12", fine=5000)
    P.serve(drv, "2026-02-12")
    P.respond(drv, waived=True)
    P.decide(
        drv, "penalty_decision", on="2026-02-12", days=30, fine=5000, penalty="没收实物并处罚款"
    )
    P.serve(drv, "2026-02-12")
    # No demolition deadline: the remedy windows (60 CD from Thu 02-12 -> Mon 04-13 -> due
    # 04-14 00:00) and the fine (15 CD -> Fri 02-27 -> due 02-28 00:00) run.
    assert drv.timers() == {
        "review_window": midnight("2026-04-14"),
        "fine_due": midnight("2026-02-28"),
    }
    drv.go(at("2026-02-27 11:00"))
    drv.send("fine_paid", {"paid_on": "2026-02-27"})
    # A review is filed during the windows; upheld, the wait for the windows resumes.
    drv.go(at("2026-03-02 10:00"))
    drv.send("review_filed", {"filed_on": "2026-03-02"})
    drv.do("litigation_reply", {"reply_kind": "review_reply", "replied_on": "2026-03-02"})
    drv.go(at("2026-04-01 10:00"))
    drv.send("remedy_result", {"outcome": "upheld"})
    assert drv.timers() == {"review_window": midnight("2026-04-14")}
    drv.wait_until("review_window")
    # 6 M from Thu 02-12 -> Wed 08-12 -> due 08-13 00:00.
    assert drv.timers() == {"lawsuit_window_6m": midnight("2026-08-13")}
    drv.wait_until("lawsuit_window_6m")
    assert drv.ready() == ["confiscation_handover"]
    # Hand-over within 90 days (土地管理法实施条例 Art. 58), counted here from the day the
    # windows lapsed, Wed 08-12: -> Tue 11-10 -> due 11-11 00:00. Missed, it is only recorded.
    assert drv.timers() == {"handover_deadline": midnight("2026-11-11")}
    drv.wait_until("handover_deadline")
    assert drv.data()["handover_late"] is True
    assert drv.ready() == ["confiscation_handover"]
    drv.go(at("2026-11-11 10:00"))
    drv.do(
        "confiscation_handover",
        {
            "handed_over_on": "2026-11-11",
            "receiving_department": "区财政局",
            "inventory_done": True,
            "inventory_items": "三层加建部分房屋一处，约120平方米，结构完好",
            # Late: the 移交清单 must say why (土地管理法实施条例 Art. 58).
            "late_reason": "接收部门场地交接手续未完成",
        },
    )
    P.close(drv, "2026-11-11")
    case = drv.now_case
    assert case.status == "closed"  # nothing to re-inspect
    assert (case.data["outcome"], case.data["fine_status"]) == ("confiscated", "paid")
    docs = drv.documents()
    assert docs[docs.index("调查终结报告") + 1 : docs.index("调查终结报告") + 3] == [
        "安全鉴定报告",
        "没收审批意见",
    ]
    assert "行政处罚决定书" in docs and "限期拆除决定书" not in docs
    assert drv.stage_path() == [
        "intake",
        "investigation",
        "confiscation",
        "legal_review",
        "notice",
        "service",
        "notice",
        "decision",
        "service",
        "compliance_period",
        "remedy_period",
        "litigation",
        "remedy_period",
        "confiscation",
        "closed",
    ]
    assert drv.documents() == [
        "案件来源登记表",
        "立案审批表",
        "现场检查笔录",
        "询问笔录",
        "责令停止违法行为通知书",
        "责令限期改正通知书",
        "调查终结报告",
        "安全鉴定报告",
        "没收审批意见",
        "法制审核意见书",
        "行政处罚事先告知书",
        "送达回证",
        "陈述申辩笔录",
        "行政处罚决定书",
        "送达回证",
        "行政复议答复书",
        "行政诉讼答辩状",
        "财物清单",
        "结案报告",
        "台账销号表",
    ]


def test_land_law_confiscation_keeps_the_six_month_lawsuit_window(drv: Driver) -> None:
    """LAL Art. 83's 15 days to sue cover only a 责令限期拆除: a land-law confiscation (LAL Art.
    77, the building cannot be demolished) is sued within ALL Art. 46's 6 months, and the
    hand-over waits for them."""
    P.file_case(drv, legal_basis="LAL77")
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "cannot_demolish")
    P.appraise_and_approve_confiscation(
        drv, "地上建筑物一处（约200平方米）", conforms_to_land_plan=True
    )
    P.notice_and_waiver(drv, "2026-02-12")
    P.decide(drv, "penalty_decision", on="2026-02-12", days=30, penalty="没收地上建筑物")
    P.serve(drv, "2026-02-12")
    assert drv.data()["lawsuit_window"] == "6 M"
    drv.wait_until("review_window")
    # 6 M from Thu 02-12 -> Wed 08-12 -> due 08-13 00:00 (not 15 CD).
    assert drv.timers() == {"lawsuit_window_6m": midnight("2026-08-13")}


def test_no_surcharge_while_a_review_is_pending(drv: Driver) -> None:
    """APL Art. 73(3): the surcharge is not counted while a review or lawsuit is pending. Fine
    5000 due Fri 02-27 (15 CD from Thu 02-12); a review filed Mon 03-02, upheld and received Mon
    03-09; paid Thu 03-12: 13 days late less the 7 pending (03-03 to 03-09) = 6 days x 3 % x
    5000 = 900."""
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "cannot_demolish")
    P.appraise_and_approve_confiscation(drv, "三层加建部分（约120平方米）")
    P.notice_and_waiver(drv, "2026-02-12", fine=5000)
    P.decide(
        drv, "penalty_decision", on="2026-02-12", days=30, fine=5000, penalty="没收实物并处罚款"
    )
    P.serve(drv, "2026-02-12")
    assert drv.data()["fine_due_on"] == "2026-02-27"
    drv.wait_until("fine_due")
    drv.go(at("2026-03-02 09:00"))
    drv.do("fine_demand", {"fine_demand_issued_on": "2026-03-02", "surcharge_notified": True})
    P.serve(drv, "2026-03-02")
    drv.send("review_filed", {"filed_on": "2026-03-02"})
    drv.do("litigation_reply", {"reply_kind": "review_reply", "replied_on": "2026-03-02"})
    drv.go(at("2026-03-09 10:00"))
    drv.send(
        "remedy_result",
        {"outcome": "upheld", "kind": "review_decision", "received_on": "2026-03-09"},
    )
    drv.go(at("2026-03-12 10:00"))
    drv.send("fine_paid", {"paid_on": "2026-03-12", "amount": 5900})
    assert (drv.data()["surcharge"], drv.data()["fine_status"]) == (900.0, "paid")
    received = [e for e in drv.trail() if e.data.get("message") == "fine_paid"]
    assert received[-1].data["engine"] == {"remedy_days": 7, "basis": "APL Art. 73"}
    assert received[-1].data["payload"] == {"paid_on": "2026-03-12", "amount": 5900}
