"""Investigation to decision: evidence preservation, legal review, advance notice, statement,
hearing, collective discussion and the 90-day decision deadline (APL Arts. 44-64)."""

from __future__ import annotations

from collections.abc import Callable

from tests.process import paths as P
from tests.process.driver import Driver, at, midnight


def _end_by_self_demolition(drv: Driver, on: str) -> None:
    """After the decision: served on `on`, the party demolishes the same day; a rebuilt
    structure is reported during the re-inspection wait (a new linked case follows)."""
    P.serve(drv, on)
    drv.send("party_demolished", {"evidence": "照片"})
    P.verify_demolition(drv, on)
    P.close(drv, on)
    drv.send("rebuilt_found", {"found_on": on})
    assert drv.now_case.status == "closed"
    assert drv.now_case.data["rebuilt_found"] is True


def test_failed_legal_review_returns_to_investigation(drv: Driver) -> None:
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv, passed=False)
    # Back to the investigation; the stop order was already issued and is not repeated.
    assert drv.ready() == ["investigation"]
    drv.do("investigation", P.INVESTIGATION)
    assert drv.ready() == ["investigation_report"]
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-11")
    P.serve(drv, "2026-02-11")
    P.respond(drv, waived=True)
    P.decide(drv, "demolition_decision", on="2026-02-11")
    _end_by_self_demolition(drv, "2026-02-11")
    assert drv.stage_path() == [
        "intake",
        "investigation",
        "legal_review",
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
    assert drv.completed_tasks()[:8] == [
        "lead_check",
        "filing_approval",
        "investigation",
        "stop_order",
        "investigation_report",
        "legal_review",
        "investigation",
        "investigation_report",
    ]
    assert drv.documents().count("法制审核意见书") == 2
    assert drv.documents() == [
        "案件来源登记表",
        "立案审批表",
        "现场检查笔录",
        "询问笔录",
        "责令停止违法行为通知书",
        "责令限期改正通知书",
        "调查终结报告",
        "法制审核意见书",
        "现场检查笔录",
        "询问笔录",
        "调查终结报告",
        "法制审核意见书",
        "行政处罚事先告知书",
        "送达回证",
        "陈述申辩笔录",
        "限期拆除决定书",
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]


def test_hearing_then_review_again_and_collective_discussion(drv: Driver) -> None:
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable", major=True)
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    drv.go(at("2026-02-12 10:00"))
    P.respond(drv, statement=True, hearing=True)
    drv.do(
        "hearing_notice",
        {
            "hearing_notified_on": "2026-02-12",
            "hearing_date": "2026-03-02",
            "hearing_place": "执法局听证室",
            "chair_name": "reviewer1",
            "chair_is_investigator": False,
        },
    )
    # Notice >= 7 WD ahead, from Thu 02-12: Fri 13, Sat 14 (make-up), [holidays], Tue 24,
    # Wed 25, Thu 26, Fri 27, Sat 28 (make-up) -> due 03-01 00:00: both make-up Saturdays count.
    assert drv.timers() == {
        "hearing_notice_period": midnight("2026-03-01"),
        "decision_deadline": midnight("2026-05-12"),
    }
    assert drv.now_case.stage == "hearing"
    drv.wait_until("hearing_notice_period")
    assert drv.ready() == ["hearing"]
    drv.go(at("2026-03-02 09:00"))
    drv.do(
        "hearing",
        {"held_on": "2026-03-02", "party_appeared": True, "hearing_summary": "当事人陈述意见"},
    )
    # Back to legal review on the hearing record (APL Art. 65), then collective discussion.
    assert drv.ready() == ["legal_review"]
    P.legal_review(drv)
    drv.do(
        "collective_discussion",
        {
            "discussed_on": "2026-03-03",
            "participants": ["head1", "副局长"],
            "conclusion": "维持拟处罚意见",
            "decision_agreed": True,
        },
    )
    P.decide(drv, "demolition_decision", on="2026-03-03")
    _end_by_self_demolition(drv, "2026-03-04")
    assert drv.stage_path() == [
        "intake",
        "investigation",
        "legal_review",
        "notice",
        "service",
        "notice",
        "hearing",
        "legal_review",
        "decision",
        "service",
        "compliance_period",
        "closed",
        "reinspection",
        "closed",
    ]
    docs = drv.documents()
    assert docs[docs.index("行政处罚事先告知书") :] == [
        "行政处罚事先告知书",
        "送达回证",
        "陈述申辩笔录",
        "听证通知书",
        "听证笔录",
        "听证报告",
        "法制审核意见书",
        "集体讨论记录",
        "限期拆除决定书",
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "听证通知书",
        "听证笔录",
        "听证报告",
        "法制审核意见书",
        "集体讨论记录",
        "限期拆除决定书",
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]


def test_decision_overdue_escalates_to_the_head_without_stopping_the_case(drv: Driver) -> None:
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    assert drv.ready() == ["legal_review"]
    # 90 CD from filing on Tue 02-10 -> Mon 05-11 -> due 05-12 00:00 (APL Art. 60).
    drv.wait_until("decision_deadline")
    assert drv.ready() == ["decision_overdue", "legal_review"]
    assert drv.now_case.status == "open"
    drv.do("decision_overdue", {"escalation_action": "expedite", "note": "限期办结"})
    assert drv.ready() == ["legal_review"]
    P.legal_review(drv)
    P.advance_notice(drv, "2026-05-12")
    P.serve(drv, "2026-05-12")
    P.respond(drv, waived=True)
    P.decide(drv, "demolition_decision", on="2026-05-12")
    _end_by_self_demolition(drv, "2026-05-12")
    assert drv.fired() == ["decision_deadline"]
    trail = drv.trail()
    fired = next(e for e in trail if e.action == "timer_fired")
    assert (fired.basis, fired.data["period"]) == ("APL Art. 60", "90 CD")
    assert "延期审批表" in drv.documents()
    assert drv.stage_path() == [*P.PREFIX, "compliance_period", "closed", "reinspection", "closed"]
    assert drv.documents() == [
        "案件来源登记表",
        "立案审批表",
        "现场检查笔录",
        "询问笔录",
        "责令停止违法行为通知书",
        "责令限期改正通知书",
        "调查终结报告",
        "延期审批表",
        "法制审核意见书",
        "行政处罚事先告知书",
        "送达回证",
        "陈述申辩笔录",
        "限期拆除决定书",
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]


def test_evidence_preservation_needs_the_head_and_a_decision_within_7_wd(drv: Driver) -> None:
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10", preservation=True)
    drv.do("evidence_preservation_approval", {"preservation_approved": True, "items": "施工工具"})
    # 7 WD from Tue 02-10: 11, 12, 13, Sat 14 (make-up), [holidays], 24, 25, 26 -> due 02-27
    # 00:00 (APL Art. 56).
    assert drv.ready() == ["evidence_disposal"]
    assert drv.due("evidence_disposal_deadline") == midnight("2026-02-27")
    drv.wait_until("evidence_disposal_deadline")
    assert drv.ready() == ["evidence_disposal"]  # recorded as overdue, the task stays
    drv.do("evidence_disposal", {"disposal": "return", "disposed_on": "2026-02-27"})
    assert drv.ready() == ["stop_order"]
    drv.do(
        "stop_order",
        {"stop_order_issued_on": "2026-02-27", "order_kind": "stop", "utility_cutoff": False},
    )
    P.report(drv, "no_violation")
    P.close(drv, "2026-02-27")
    assert drv.now_case.status == "closed"
    assert drv.fired() == ["evidence_disposal_deadline"]
    assert drv.documents()[:6] == [
        "案件来源登记表",
        "立案审批表",
        "现场检查笔录",
        "询问笔录",
        "证据先行登记保存通知书",
        "先行登记保存证据处理决定书",
    ]
    assert drv.stage_path() == ["intake", "investigation", "closed"]
    assert drv.documents() == [
        "案件来源登记表",
        "立案审批表",
        "现场检查笔录",
        "询问笔录",
        "证据先行登记保存通知书",
        "先行登记保存证据处理决定书",
        "责令停止违法行为通知书",
        "责令限期改正通知书",
        "调查终结报告",
        "结案报告",
        "台账销号表",
    ]


def test_a_longer_local_statement_period_is_waited_for(
    local_driver: Callable[..., Driver],
) -> None:
    drv = local_driver(statement_period="8 WD")
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    drv.wait_until("hearing_request_window")  # 5 WD -> due 02-25 00:00, as in the main path
    # This city's statement period is 8 WD: 11, 12, 13, 14 (make-up), 24, 25, 26, 27 -> due
    # 02-28 00:00; the timer shows the period in force, not the diagram's default.
    statement = drv.timer("statement_period")
    assert (statement.due_at, statement.period, statement.basis) == (
        midnight("2026-02-28"),
        "8 WD",
        "APL Art. 44, 45 (period: local setting)",
    )
    assert drv.ready() == []
    drv.wait_until("statement_period")
    assert drv.ready() == ["demolition_decision"]
    drv.go(at("2026-03-02 09:00"))
    P.decide(drv, "demolition_decision", on="2026-03-02")
    _end_by_self_demolition(drv, "2026-03-02")
