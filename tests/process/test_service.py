"""Service of documents (CPL Arts. 87-95) and the party that cannot be identified (§10).

Every period "from service" starts at the deemed-served date; a public notice is deemed served
30 CD after publication (CPL Art. 95).
"""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from tests.process import paths as P
from tests.process.driver import Driver, at, midnight


def _demolished_and_closed(drv: Driver, on: str) -> None:
    drv.send("party_demolished", {"evidence": "照片"})
    P.verify_demolition(drv, on)
    P.close(drv, on)
    drv.send("rebuilt_found", {"found_on": on})
    assert drv.now_case.status == "closed"


def test_service_by_public_notice_is_deemed_after_30_cd(drv: Driver) -> None:
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10)
    # The decision must be served within 7 WD (APL Art. 61): from Tue 02-10: 11, 12, 13, Sat 14
    # (make-up), [holidays], 24, 25, 26 -> due 02-27 00:00. Nobody can be found in time.
    assert drv.due("service_deadline") == midnight("2026-02-27")
    drv.wait_until("service_deadline")
    assert drv.ready() == ["serve_document"]  # late service is recorded, not prevented
    drv.go(at("2026-02-27 09:00"))
    P.serve(drv, "2026-02-27", method="public_notice", published="2026-02-27")
    # Published Fri 02-27; 30 CD -> Sun 03-29, a rest day -> Mon 03-30 -> due 03-31 00:00.
    assert drv.timers() == {"public_notice_service_period": midnight("2026-03-31")}
    assert drv.now_case.stage == "service"
    drv.wait_until("public_notice_service_period")
    data = drv.data()
    assert (data["decision_served_at"], data["decision_service_method"]) == (
        "2026-03-30",
        "public_notice",
    )
    # The compliance period runs from the deemed date: 10 CD from Mon 03-30 -> Thu 04-09 ->
    # due 04-10 00:00.
    assert drv.timers() == {"compliance_deadline": midnight("2026-04-10")}
    drv.go(at("2026-04-03 09:00"))
    _demolished_and_closed(drv, "2026-04-03")
    assert drv.fired() == ["service_deadline", "public_notice_service_period"]
    assert drv.documents()[-6:] == [
        "限期拆除决定书",
        "送达回证",
        "送达公告",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]
    assert drv.stage_path() == [*P.PREFIX, "compliance_period", "closed", "reinspection", "closed"]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "限期拆除决定书",
        "送达回证",
        "送达公告",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]


@pytest.mark.parametrize("method", ["left", "electronic", "post"])
def test_service_methods_record_the_date_of_service(drv: Driver, method: str) -> None:
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10)
    if method == "electronic":
        # Electronic service only with the party's signed consent (CPL Art. 90).
        with pytest.raises(ValidationFailed) as refused:
            drv.do("serve_document", {"service_method": "electronic", "served_at": "2026-02-12"})
        assert sorted(tuple(e.loc) for e in refused.value.errors) == [
            ("electronic_address",),
            ("electronic_consent",),
        ]
    P.serve(drv, "2026-02-12", method=method)
    data = drv.data()
    assert (data["decision_served_at"], data["decision_service_method"]) == ("2026-02-12", method)
    # 10 CD from Thu 02-12 -> Sun 02-22, inside the Spring Festival -> first working day Tue
    # 02-24 -> due 02-25 00:00.
    assert drv.timers() == {"compliance_deadline": midnight("2026-02-25")}
    assert drv.now_case.stage == "compliance_period"
    drv.go(at("2026-02-24 09:00"))
    _demolished_and_closed(drv, "2026-02-24")
    assert drv.stage_path() == [*P.PREFIX, "compliance_period", "closed", "reinspection", "closed"]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "限期拆除决定书",
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]


def test_party_unknown_decision_by_public_notice_then_forced_demolition(drv: Driver) -> None:
    unknown = {k: v for k, v in P.INTAKE.items() if not k.startswith("party_")}
    P.file_case(drv, {**unknown, "party_known": False})
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10", method="public_notice", published="2026-02-10")
    # Notice published Tue 02-10; deemed served 30 CD later: Thu 03-12 -> due 03-13 00:00.
    assert drv.due("public_notice_service_period") == midnight("2026-03-13")
    drv.wait_until("public_notice_service_period")
    # Hearing window 5 WD from Thu 03-12: 13, 16, 17, 18, 19 -> due 03-20 00:00.
    assert drv.due("hearing_request_window") == midnight("2026-03-20")
    drv.wait_until("hearing_request_window")
    drv.go(at("2026-03-20 09:00"))
    P.decide(drv, "demolition_decision", on="2026-03-20", days=10)
    # Party unknown: the decision is announced (北京 Art. 78), (local) 10 CD from Fri 03-20 ->
    # Mon 03-30 -> due 03-31 00:00; the remedy windows then run from the end of the notice.
    assert drv.ready() == ["decision_public_notice"]
    drv.do(
        "decision_public_notice",
        {"decision_published_on": "2026-03-20", "medium": "现场张贴及网站", "posted_at_site": True},
    )
    notice = drv.timer("party_unknown_notice")
    assert (notice.due_at, notice.period, notice.basis) == (
        midnight("2026-03-31"),
        "10 CD",
        "北京 Art. 78",
    )
    drv.wait_until("party_unknown_notice")
    assert drv.data()["decision_served_at"] == "2026-03-30"
    # 10 CD from Mon 03-30 -> Thu 04-09 -> due 04-10 00:00.
    assert drv.timers() == {"compliance_deadline": midnight("2026-04-10")}
    drv.wait_until("compliance_deadline")
    drv.go(at("2026-04-10 09:00"))
    P.demand(drv, "2026-04-10")
    P.serve(drv, "2026-04-10", method="public_notice", published="2026-04-10")
    # 30 CD from Fri 04-10 -> Sun 05-10 -> Mon 05-11 -> due 05-12 00:00: deemed served 05-11.
    drv.wait_until("public_notice_service_period")
    assert drv.data()["demand_served_at"] == "2026-05-11"
    # Demand period 10 WD from Mon 05-11: 12, 13, 14, 15, 18, 19, 20, 21, 22, 25 -> due 05-26.
    assert drv.timers() == {"demand_period": midnight("2026-05-26")}
    drv.wait_until("demand_period")
    drv.go(at("2026-05-26 09:00"))
    P.enforcement_decision(drv, "2026-05-26")
    P.serve(drv, "2026-05-26", method="public_notice", published="2026-05-26")
    # 30 CD from Tue 05-26 -> Thu 06-25 -> due 06-26 00:00.
    drv.wait_until("public_notice_service_period")
    assert drv.now_case.data["enforcement_decision_served_at"] == "2026-06-25"
    drv.go(at("2026-06-26 09:00"))
    P.public_notice(drv, "2026-06-26")
    # 10 CD from Fri 06-26 -> Mon 07-06 -> due 07-07 00:00.
    drv.wait_until("public_notice_period")
    # Review window (60 CD from 03-30 -> 05-29) has lapsed; the lawsuit window 6 M from Mon
    # 03-30 -> Wed 09-30 -> due 10-01 00:00.
    assert drv.timers() == {"lawsuit_window_6m": midnight("2026-10-01")}
    drv.wait_until("lawsuit_window_6m")
    # National Day holiday 10-01 .. 10-07: Thu 10-08 is the first working day.
    drv.go(at("2026-10-08 09:00"))
    P.forced_demolition(drv, "2026-10-08T09:00:00+08:00")
    P.close(drv, "2026-10-08")
    drv.send("rebuilt_found", {"found_on": "2026-10-20"})
    case = drv.now_case
    assert (case.status, case.data["outcome"]) == ("closed", "forced_demolished")
    # advance notice, decision, demand, enforcement decision: all by public notice
    assert drv.documents().count("送达公告") == 4
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
        "送达公告",
        "限期拆除决定书",
        "送达公告",
        "催告书",
        "送达回证",
        "送达公告",
        "责成通知",
        "强制执行决定书",
        "送达回证",
        "送达公告",
        "强制拆除公告",
        "强制拆除现场笔录",
        "财物清单",
        "结案报告",
        "台账销号表",
    ]
