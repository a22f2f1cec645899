"""The main procedure (PROCEDURE.md §2) end to end, and its early exits.

2026 calendar used throughout: Spring Festival holidays Sun 02-15 .. Mon 02-23, make-up working
days Sat 02-14 and Sat 02-28; Qingming Sat 04-04 .. Mon 04-06; Labour Day Fri 05-01 .. Tue 05-05
(make-up Sat 05-09); Mid-Autumn Fri 09-25 .. Sun 09-27. A deadline ends at 24:00 Shanghai of its
last day, i.e. the timer is due at 00:00 of the next day; the start day is not counted; a CD
period ending on a rest day ends on the next working day.
"""

from __future__ import annotations

from tests.process import paths as P
from tests.process.driver import Driver, at, midnight


def test_main_path_to_forced_demolition_and_reinspection(deep_drv: Driver) -> None:
    drv = deep_drv
    P.file_case(drv)
    # Lead check: 15 CD from Tue 02-10 -> Wed 02-25 (a working day) -> due 02-26 00:00.
    # (checked in test_lead_check_extension_is_approved_by_the_head; here filing is same-day)
    # Decision deadline: 90 CD from filing Tue 02-10 = Feb 18 + Mar 31 + Apr 30 + May 11 -> Mon
    # 05-11 -> due 05-12 00:00 (APL Art. 60).
    assert drv.due("decision_deadline") == midnight("2026-05-12")
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    # Hearing request window 5 WD from Tue 02-10 across the Spring Festival: Wed 11, Thu 12,
    # Fri 13, Sat 14 (make-up working day), [15..23 holiday], Tue 24 -> due 02-25 00:00.
    assert drv.ready() == ["party_response"]
    assert drv.due("hearing_request_window") == midnight("2026-02-25")
    assert drv.timer("hearing_request_window").basis == "APL Art. 64"
    # The party says nothing: the window lapses; the statement period (3 WD: 11, 12, 13 -> due
    # 02-14 00:00) is already over, so the decision is next.
    drv.go(midnight("2026-02-25"))
    assert drv.ready() == ["demolition_decision"]
    drv.go(at("2026-02-25 09:00"))
    P.decide(drv, "demolition_decision", on="2026-02-25", days=10)
    P.serve(drv, "2026-02-25")
    assert drv.data()["decision_served_at"] == "2026-02-25"
    # Compliance deadline 10 CD from Wed 02-25 -> Sat 03-07, a rest day -> Mon 03-09 -> due
    # 03-10 00:00. The party may demolish, ask for help, or seek review or sue meanwhile.
    assert drv.timers() == {"compliance_deadline": midnight("2026-03-10")}
    assert drv.now_case.waiting_messages == [
        "lawsuit_filed",
        "party_demolished",
        "party_requests_assistance",
        "review_filed",
    ]
    drv.wait_until("compliance_deadline")
    assert drv.ready() == ["demand"]
    drv.go(at("2026-03-10 09:00"))
    P.demand(drv, "2026-03-10")
    P.serve(drv, "2026-03-10")
    assert drv.data()["demand_served_at"] == "2026-03-10"
    # Demand period (local, 10 WD) from Tue 03-10: 11, 12, 13, 16, 17, 18, 19, 20, 23, 24 ->
    # due 03-25 00:00 (ACL Art. 35).
    demand_timer = drv.timer("demand_period")
    assert (demand_timer.due_at, demand_timer.period, demand_timer.basis) == (
        midnight("2026-03-25"),
        "10 WD",
        "ACL Art. 35 (period: local setting)",
    )
    drv.wait_until("demand_period")
    drv.go(at("2026-03-25 09:00"))
    P.enforcement_decision(drv, "2026-03-25")
    P.serve(drv, "2026-03-25")
    P.public_notice(drv, "2026-03-25")
    # Public notice (local, 10 CD) from Wed 03-25 -> Sat 04-04, Qingming holiday to Mon 04-06
    # -> Tue 04-07 -> due 04-08 00:00 (ACL Art. 44).
    assert drv.timers() == {"public_notice_period": midnight("2026-04-08")}
    drv.wait_until("public_notice_period")
    # Remedy windows from service Wed 02-25: review 60 CD (Feb 3 + Mar 31 + Apr 26) -> Sun
    # 04-26 -> Mon 04-27 -> due 04-28 00:00 (ARL Art. 20) ...
    assert drv.timers() == {"review_window": midnight("2026-04-28")}
    drv.wait_until("review_window")
    # ... then the lawsuit window 6 M -> Tue 08-25 -> due 08-26 00:00 (ALL Art. 46).
    assert drv.timers() == {"lawsuit_window_6m": midnight("2026-08-26")}
    drv.wait_until("lawsuit_window_6m")
    assert drv.ready() == ["forced_demolition"]
    # Wed 08-26 09:30: a working day, daytime; every window has lapsed (execution guard).
    drv.go(at("2026-08-26 09:00"))
    P.forced_demolition(drv, "2026-08-26T09:30:00+08:00")
    P.close(drv, "2026-08-26")
    # Re-inspection (policy, 30 CD) from Wed 08-26 -> Fri 09-25, Mid-Autumn holiday to Sun
    # 09-27 -> Mon 09-28 -> due 09-29 00:00.
    assert drv.timers() == {"reinspection_due": midnight("2026-09-29")}
    assert drv.now_case.status == "open"
    drv.wait_until("reinspection_due")
    P.reinspect(drv, "2026-09-29")

    case = drv.now_case
    assert (case.status, case.stage) == ("closed", "closed")
    assert case.data["outcome"] == "forced_demolished"
    assert drv.stage_path() == [
        "intake",
        "investigation",
        "legal_review",
        "notice",
        "service",
        "notice",
        "decision",
        "service",
        "compliance_period",
        "demand",
        "service",
        "demand",
        "enforcement_decision",
        "service",
        "public_notice",
        "remedy_period",
        "forced_demolition",
        "closed",
        "reinspection",
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
        "法制审核意见书",
        "行政处罚事先告知书",
        "送达回证",
        "限期拆除决定书",
        "送达回证",
        "催告书",
        "送达回证",
        "责成通知",
        "强制执行决定书",
        "送达回证",
        "强制拆除公告",
        "强制拆除现场笔录",
        "财物清单",
        "结案报告",
        "台账销号表",
        "现场检查笔录",
    ]
    assert drv.fired() == [
        "hearing_request_window",
        "statement_period",  # lapsed before the party's statement was recorded
        "compliance_deadline",
        "demand_period",
        "public_notice_period",
        "review_window",
        "lawsuit_window_6m",
        "reinspection_due",
    ]


def test_lead_without_a_case_is_not_filed(drv: Driver) -> None:
    drv.open(P.INTAKE)
    assert drv.now_case.stage == "intake"
    # 15 CD from Tue 02-10 -> Wed 02-25 -> due 02-26 00:00.
    assert drv.timers() == {"lead_check_deadline": midnight("2026-02-26")}
    drv.do("lead_check", {"check_result": "no_case", "check_summary": "已有规划许可"})
    assert drv.now_case.status == "closed"
    assert drv.stage_path() == ["intake", "closed"]
    assert drv.documents() == ["案件来源登记表"]


def test_lead_check_extension_is_approved_by_the_head(drv: Driver) -> None:
    drv.open(P.INTAKE)
    drv.go(at("2026-02-24 10:00"))
    drv.do("lead_check", {"check_result": "extend", "check_summary": "需补充核查"})
    drv.do("lead_check_extension", {"extension_approved": True})
    # 15 CD ended Wed 02-25; 10 CD more -> Sat 03-07 -> Mon 03-09 -> due 03-10 00:00.
    assert drv.ready() == ["lead_check_extended"]
    assert drv.timers() == {"lead_check_extended_deadline": midnight("2026-03-10")}
    drv.wait_until("lead_check_extended_deadline")
    # Non-interrupting: the check goes on, the overdue is recorded.
    assert drv.ready() == ["lead_check_extended"]
    assert drv.data()["lead_check_overdue"] is True
    drv.do("lead_check_extended", {"check_result": "file", "check_summary": "属实"})
    drv.do("filing_approval", {"filing_approved": True})
    # Filed Tue 03-10: 90 CD -> Mon 06-08 -> due 06-09 00:00.
    assert drv.due("decision_deadline") == midnight("2026-06-09")
    P.investigate(drv, on="2026-03-10")
    P.report(drv, "no_violation")
    P.close(drv, "2026-03-10")
    assert drv.now_case.status == "closed"
    assert drv.now_case.data["outcome"] == "no_violation"
    assert drv.stage_path() == ["intake", "investigation", "closed"]
    assert drv.completed_tasks() == [
        "lead_check",
        "lead_check_extension",
        "lead_check_extended",
        "filing_approval",
        "investigation",
        "stop_order",
        "investigation_report",
        "closure",
        "close_out",
    ]
    assert drv.fired() == ["lead_check_extended_deadline"]
    assert drv.documents() == [
        "案件来源登记表",
        "核查延期审批表",
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


def test_suspected_crime_is_referred_and_closed(drv: Driver) -> None:
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "crime")
    drv.do(
        "referral",
        {
            "referred_to": "区公安分局",
            "referred_on": "2026-02-11",
            "referral_reason": "涉嫌非法占地",
        },
    )
    assert drv.ready() == ["closure"]
    P.close(drv, "2026-02-11")
    assert drv.now_case.status == "closed"
    assert drv.now_case.data["outcome"] == "referred"
    assert drv.stage_path() == ["intake", "investigation", "closed"]
    assert drv.documents()[-3:] == ["案件移送书", "结案报告", "台账销号表"]
    assert drv.documents() == [
        "案件来源登记表",
        "立案审批表",
        "现场检查笔录",
        "询问笔录",
        "责令停止违法行为通知书",
        "责令限期改正通知书",
        "调查终结报告",
        "案件移送书",
        "结案报告",
        "台账销号表",
    ]


def test_party_demolishes_during_the_compliance_period(drv: Driver) -> None:
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=15)
    P.serve(drv, "2026-02-12")
    # 15 CD from Thu 02-12 -> Fri 02-27 -> due 02-28 00:00.
    assert drv.timers() == {"compliance_deadline": midnight("2026-02-28")}
    drv.go(at("2026-02-26 15:00"))
    drv.send("party_demolished", {"evidence": "照片-001"})
    assert drv.ready() == ["verify_self_demolition"]
    assert drv.timers() == {}
    P.verify_demolition(drv, "2026-02-26")
    P.close(drv, "2026-02-26")
    # Re-inspection 30 CD from Thu 02-26 -> Sat 03-28 -> Mon 03-30 -> due 03-31 00:00.
    assert drv.timers() == {"reinspection_due": midnight("2026-03-31")}
    drv.wait_until("reinspection_due")
    P.reinspect(drv, "2026-03-31")
    assert drv.now_case.status == "closed"
    assert drv.now_case.data["outcome"] == "self_demolished"
    assert drv.stage_path() == [
        "intake",
        "investigation",
        "legal_review",
        "notice",
        "service",
        "notice",
        "decision",
        "service",
        "compliance_period",
        "closed",
        "reinspection",
        "closed",
    ]
    assert drv.documents()[-5:] == [
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
        "现场检查笔录",
    ]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "限期拆除决定书",
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
        "现场检查笔录",
    ]


def test_a_written_waiver_does_not_shorten_the_remedy_windows(drv: Driver) -> None:
    """ACL Art. 44 allows forced demolition only when the party "在法定期限内不申请行政复议或者
    提起行政诉讼": the periods must run out. A written waiver on the public notice is recorded
    and changes nothing (wave 1 demolished 42 days after service here)."""
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=3)
    P.serve(drv, "2026-02-10")
    # 3 CD from Tue 02-10 -> Fri 02-13 -> due 02-14 00:00.
    assert drv.timers() == {"compliance_deadline": midnight("2026-02-14")}
    drv.wait_until("compliance_deadline")
    drv.go(at("2026-02-24 09:00"))
    P.demand(drv, "2026-02-24")
    P.serve(drv, "2026-02-24")
    # 10 WD from Tue 02-24: 25, 26, 27, Sat 28 (make-up day), Mar 2, 3, 4, 5, 6, 9 -> due
    # 03-10 00:00.
    assert drv.timers() == {"demand_period": midnight("2026-03-10")}
    drv.wait_until("demand_period")
    drv.go(at("2026-03-10 09:00"))
    P.enforcement_decision(drv, "2026-03-10")
    P.serve(drv, "2026-03-10")
    P.public_notice(drv, "2026-03-10", waived=True)
    assert drv.data()["remedies_waived"] is True  # recorded
    # 10 CD from Tue 03-10 -> Fri 03-20 -> due 03-21 00:00.
    assert drv.timers() == {"public_notice_period": midnight("2026-03-21")}
    drv.wait_until("public_notice_period")
    # No forced demolition yet: the review window (60 CD from Tue 02-10 -> Sat 04-11 -> Mon
    # 04-13) is still running, and the lawsuit window (6 M -> Mon 08-10) after it.
    assert drv.ready() == []
    assert drv.timers() == {"review_window": midnight("2026-04-14")}
    drv.wait_until("review_window")
    assert drv.ready() == []
    assert drv.timers() == {"lawsuit_window_6m": midnight("2026-08-11")}
    drv.wait_until("lawsuit_window_6m")
    assert drv.ready() == ["forced_demolition"]
    drv.go(at("2026-08-11 08:00"))
    P.forced_demolition(drv, "2026-08-11T08:30:00+08:00")
    P.close(drv, "2026-08-11")
    drv.send("rebuilt_found", {"found_on": "2026-09-01"})
    case = drv.now_case
    assert case.status == "closed"
    assert case.data["rebuilt_found"] is True
    assert drv.fired() == [
        "compliance_deadline",
        "demand_period",
        "public_notice_period",
        "review_window",
        "lawsuit_window_6m",
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
        "强制拆除现场笔录",
        "财物清单",
        "结案报告",
        "台账销号表",
    ]


def test_extension_refused_and_filing_refused(drv: Driver) -> None:
    drv.open(P.INTAKE)
    drv.do("lead_check", {"check_result": "extend", "check_summary": "需补充核查"})
    drv.do("lead_check_extension", {"extension_approved": False, "opinion": "按期核查"})
    # Back to the lead check, still within the first 15 CD (due 02-26 00:00).
    assert drv.ready() == ["lead_check"]
    assert drv.timers() == {"lead_check_deadline": midnight("2026-02-26")}
    drv.do("lead_check", {"check_result": "file", "check_summary": "属实"})
    drv.do("filing_approval", {"filing_approved": False, "opinion": "证据不足"})
    assert drv.now_case.status == "closed"
    assert drv.documents() == ["案件来源登记表", "核查延期审批表", "案件来源登记表", "立案审批表"]
    assert drv.stage_path() == ["intake", "closed"]


def test_unconfirmed_self_demolition_returns_to_the_party_period(drv: Driver) -> None:
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=30)
    P.serve(drv, "2026-02-10")
    # 30 CD from Tue 02-10 -> Thu 03-12 -> due 03-13 00:00.
    assert drv.timers() == {"compliance_deadline": midnight("2026-03-13")}
    drv.go(at("2026-02-26 10:00"))
    drv.send("party_demolished", {})
    drv.do("verify_self_demolition", {"verified_on": "2026-02-26", "demolition_verified": False})
    # Only partly removed: the party's period goes on with the same deadline.
    assert drv.timers() == {"compliance_deadline": midnight("2026-03-13")}
    drv.go(at("2026-03-05 10:00"))
    drv.send("party_demolished", {})
    P.verify_demolition(drv, "2026-03-05")
    P.close(drv, "2026-03-05")
    drv.send("rebuilt_found", {})
    assert drv.now_case.status == "closed"
    assert drv.completed_tasks().count("verify_self_demolition") == 2
    assert drv.stage_path() == [*P.PREFIX, "compliance_period", "closed", "reinspection", "closed"]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "限期拆除决定书",
        "送达回证",
        "现场检查笔录",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]
