"""Review and lawsuit (§4, §12): forced demolition waits for the result; upheld continues,
revoked closes, changed goes back to the decision; omitted remedy rights give 1 year."""

from __future__ import annotations

from pathlib import Path

from engine.documents import DocumentCatalog
from engine.files import LocalFileStore
from engine.services.documents import DocumentDesk
from tests.process import paths as P
from tests.process.driver import Driver, at, midnight

NO_FILES = LocalFileStore(Path("no-files"))  # never written: no template, no document


def _reply(drv: Driver, kind: str, on: str) -> None:
    drv.do("litigation_reply", {"reply_kind": kind, "replied_on": on})


def test_review_upheld_continues_where_the_case_was(drv: Driver) -> None:
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10)
    P.serve(drv, "2026-02-10")
    # 10 CD from Tue 02-10 -> Fri 02-20, a holiday -> Tue 02-24 -> due 02-25 00:00.
    assert drv.timers() == {"compliance_deadline": midnight("2026-02-25")}
    drv.go(at("2026-02-13 10:00"))
    drv.send("review_filed", {"filed_on": "2026-02-13", "body": "区人民政府"})
    assert drv.ready() == ["litigation_reply"]
    assert drv.now_case.stage == "litigation"
    # The compliance wait is left while the review is pending; the agency's reply is due within
    # 10 WD (ARL Art. 48, 88): Sat 02-14 (make-up), 24, 25, 26, 27, Sat 28 (make-up), Mar 2, 3,
    # 4, 5 -> due 03-06 00:00 (see test_reply_deadlines).
    assert drv.timers() == {"reply_deadline": midnight("2026-03-06")}
    assert drv.now_case.waiting_messages == ["party_demolished", "remedy_result"]
    _reply(drv, "review_reply", "2026-02-13")
    # Follow-up (policy) 30 CD from Fri 02-13 -> Sun 03-15 -> Mon 03-16 -> due 03-17 00:00.
    assert drv.timers() == {"remedy_followup": midnight("2026-03-17")}
    drv.wait_until("remedy_followup")
    drv.do("litigation_followup", {"checked_on": "2026-03-17", "status_note": "复议审理中"})
    # Next follow-up from Tue 03-17: 30 CD -> Thu 04-16 -> due 04-17 00:00.
    assert drv.timers() == {"remedy_followup": midnight("2026-04-17")}
    drv.go(at("2026-03-18 09:00"))
    # A result that is none of upheld / revoked / changed keeps the case waiting.
    drv.send("remedy_result", {"outcome": "hearing_adjourned"})
    assert drv.timers() == {"remedy_followup": midnight("2026-04-17")}
    assert drv.now_case.stage == "litigation"
    drv.go(at("2026-03-20 09:00"))
    drv.send("remedy_result", {"outcome": "upheld", "decided_on": "2026-03-19"})
    # Upheld: back to the party's period, whose deadline (02-25) has long passed: the demand.
    assert drv.ready() == ["demand"]
    assert drv.data()["remedy_outcome"] == "upheld"
    P.demand(drv, "2026-03-20")
    P.serve(drv, "2026-03-20")
    # 10 WD from Fri 03-20: 23, 24, 25, 26, 27, 30, 31, Apr 1, 2, 3 -> due 04-04 00:00.
    assert drv.timers() == {"demand_period": midnight("2026-04-04")}
    drv.go(at("2026-03-25 09:00"))
    drv.send("party_demolished", {"evidence": "照片"})
    P.verify_demolition(drv, "2026-03-25")
    P.close(drv, "2026-03-25")
    drv.send("rebuilt_found", {})
    assert drv.now_case.status == "closed"
    # The compliance deadline, already past on return, lapses inside the message step and is
    # audited there too.
    assert drv.fired() == ["remedy_followup", "compliance_deadline"]
    assert "行政复议答复书" in drv.documents()
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "litigation",
        "demand",
        "service",
        "demand",
        "compliance_period",
        "closed",
        "reinspection",
        "closed",
    ]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "限期拆除决定书",
        "送达回证",
        "行政复议答复书",
        "行政诉讼答辩状",
        "复议诉讼跟踪记录",
        "催告书",
        "送达回证",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
    ]


def test_lawsuit_revoking_the_decision_closes_and_stops_the_fine(deep_drv: Driver) -> None:
    drv = deep_drv
    P.to_decision(drv, "correctable", fine=10000)
    P.decide(
        drv, "penalty_decision", on="2026-02-10", days=10, fine=10000, penalty="限期改正并处罚款"
    )
    P.serve(drv, "2026-02-10")
    # Correction 10 CD -> due 02-25 00:00; the fine 15 CD from Tue 02-10 -> Wed 02-25 -> due
    # 02-26 00:00 (APL Art. 67), both running in parallel.
    assert drv.timers() == {
        "correction_deadline": midnight("2026-02-25"),
        "fine_due": midnight("2026-02-26"),
    }
    assert "party_corrected" in drv.now_case.waiting_messages
    assert "fine_paid" in drv.now_case.waiting_messages
    drv.go(at("2026-02-12 11:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-02-12", "court": "区人民法院"})
    _reply(drv, "lawsuit_defence", "2026-02-12")
    assert drv.timers().keys() == {"remedy_followup", "fine_due"}
    drv.go(at("2026-03-05 09:00"))
    drv.wait_until("remedy_followup")  # 30 CD from Thu 02-12 -> Sat 03-14 -> Mon 03-16
    drv.do("litigation_followup", {"checked_on": "2026-03-17", "status_note": "一审中"})
    drv.send("remedy_result", {"outcome": "revoked", "decided_on": "2026-04-01"})
    # Revoked: the case closes and the parallel fine procedure is stopped (signal).
    assert drv.ready() == ["closure"]
    assert drv.timers() == {}
    assert "fine_paid" not in drv.now_case.waiting_messages
    P.close(drv, "2026-04-01")
    case = drv.now_case
    assert (case.status, case.data["outcome"]) == ("closed", "revoked")
    assert drv.fired() == ["fine_due", "remedy_followup"]
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "litigation",
        "compliance_period",
        "demand",
        "litigation",
        "demand",
        "closed",
    ]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "行政处罚决定书",
        "送达回证",
        "行政复议答复书",
        "行政诉讼答辩状",
        "复议诉讼跟踪记录",
        "结案报告",
        "台账销号表",
    ]


def test_remedy_result_changed_goes_back_to_the_decision(drv: Driver) -> None:
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10)
    P.serve(drv, "2026-02-10")
    drv.go(at("2026-02-12 09:00"))
    drv.send("review_filed", {"filed_on": "2026-02-12"})
    _reply(drv, "review_reply", "2026-02-12")
    drv.go(at("2026-03-02 09:00"))
    drv.send("remedy_result", {"outcome": "changed", "decided_on": "2026-03-02"})
    # ARL Art. 63: the review body changed the decision itself; the officer records it and
    # execution continues on it (no head's revision without investigation, notice, hearing).
    assert drv.ready() == ["record_changed_decision"]
    assert drv.now_case.stage == "decision"
    drv.do(
        "record_changed_decision",
        {
            "changed_by": "review_body",
            "changed_document_no": "某复决字〔2026〕5号",
            "changed_received_on": "2026-03-03",
            "penalty": "限期拆除，期限变更为二十日",
            "compliance_days": 20,
        },
    )
    # The changed decision's period: 20 CD from its receipt Tue 03-03 -> Mon 03-23 -> due
    # 03-24 00:00.
    assert drv.timers() == {"compliance_deadline": midnight("2026-03-24")}
    assert drv.data()["decision_served_at"] == "2026-03-03"
    drv.go(at("2026-03-20 09:00"))
    drv.send("party_demolished", {})
    P.verify_demolition(drv, "2026-03-20")
    P.close(drv, "2026-03-20")
    drv.wait_until("reinspection_due")  # 30 CD from Fri 03-20 -> Sun 04-19 -> Mon 04-20
    assert drv.clock.now() == midnight("2026-04-21")
    P.reinspect(drv, "2026-04-21")
    assert drv.now_case.status == "closed"
    assert drv.documents().count("限期拆除决定书") == 1
    assert "行政复议决定书或判决书（变更）" in drv.documents()
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "litigation",
        "decision",
        "compliance_period",
        "closed",
        "reinspection",
        "closed",
    ]
    assert drv.documents() == [
        *P.DOCS_PREFIX,
        "限期拆除决定书",
        "送达回证",
        "行政复议答复书",
        "行政诉讼答辩状",
        "行政复议决定书或判决书（变更）",
        "现场检查笔录",
        "结案报告",
        "台账销号表",
        "现场检查笔录",
    ]


def test_remedy_rights_omitted_gives_a_one_year_lawsuit_window(drv: Driver) -> None:
    # The engine refuses to issue a decision without the remedy statement (APL Art. 59, see
    # tests/integration/test_documents.py); a decision written on paper without it (a case
    # taken over from before the engine issued documents) still gets the 1-year window.
    drv.app.ctx.documents = DocumentDesk(DocumentCatalog(Path("no-templates")), NO_FILES)
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10, rights=False)
    P.serve(drv, "2026-02-10")
    assert drv.data()["lawsuit_window"] == "1 Y"
    drv.wait_until("compliance_deadline")  # due 02-25 00:00 (see above)
    drv.go(at("2026-02-25 09:00"))
    P.demand(drv, "2026-02-25")
    P.serve(drv, "2026-02-25")
    # 10 WD from Wed 02-25: 26, 27, Sat 28 (make-up), Mar 2, 3, 4, 5, 6, 9, 10 -> due 03-11.
    assert drv.timers() == {"demand_period": midnight("2026-03-11")}
    drv.wait_until("demand_period")
    drv.go(at("2026-03-11 09:00"))
    P.enforcement_decision(drv, "2026-03-11")
    P.serve(drv, "2026-03-11")
    P.public_notice(drv, "2026-03-11")
    drv.wait_until("public_notice_period")  # 10 CD -> Sat 03-21 -> Mon 03-23 -> due 03-24
    # Review window 60 CD from Tue 02-10 -> Sat 04-11 -> Mon 04-13 -> due 04-14 00:00.
    assert drv.timers() == {"review_window": midnight("2026-04-14")}
    drv.wait_until("review_window")
    # Lawsuit window 1 Y (SPC ALL interpretation Art. 64) -> Wed 2027-02-10 -> due 02-11
    # 00:00. (2027's schedule is not published; the test loads a stand-in without a Spring
    # Festival, so this date is test data.)
    window = drv.timer("lawsuit_window_1y")
    assert (window.due_at, window.period, window.basis) == (
        midnight("2027-02-11"),
        "1 Y",
        "SPC ALL interpretation Art. 64",
    )
    drv.wait_until("lawsuit_window_1y")
    drv.go(at("2027-02-11 09:00"))
    P.forced_demolition(drv, "2027-02-11T09:30:00+08:00")
    P.close(drv, "2027-02-11")
    drv.send("rebuilt_found", {})
    assert drv.now_case.status == "closed"
    assert drv.fired()[-3:] == ["public_notice_period", "review_window", "lawsuit_window_1y"]
    assert drv.stage_path() == [
        *P.PREFIX,
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


def test_lawsuit_at_the_forced_demolition_step_suspends_it(drv: Driver) -> None:
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=3)
    P.serve(drv, "2026-02-10")
    drv.wait_until("compliance_deadline")  # 3 CD -> Fri 02-13 -> due 02-14 00:00
    drv.go(at("2026-02-24 09:00"))
    P.demand(drv, "2026-02-24")
    P.serve(drv, "2026-02-24")
    drv.wait_until("demand_period")  # 10 WD, counting Sat 02-28 -> due 03-10 00:00
    drv.go(at("2026-03-10 09:00"))
    P.enforcement_decision(drv, "2026-03-10")
    P.serve(drv, "2026-03-10")
    P.public_notice(drv, "2026-03-10", waived=True)
    drv.wait_until("public_notice_period")  # 10 CD -> Fri 03-20 -> due 03-21 00:00
    # The written waiver changes nothing (ACL Art. 44): the remedy windows run out first.
    assert drv.ready() == []
    drv.wait_until("review_window")  # 60 CD -> Sat 04-11 -> Mon 04-13 -> due 04-14 00:00
    drv.wait_until("lawsuit_window_6m")  # 6 M -> Mon 08-10 -> due 08-11 00:00
    assert drv.ready() == ["forced_demolition"]
    # Until the demolition is done the party may still act (§7, §4): a lawsuit suspends it.
    assert drv.now_case.waiting_messages == [
        "lawsuit_filed",
        "party_demolished",
        "party_requests_assistance",
        "review_filed",
    ]
    drv.go(at("2026-08-11 08:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-08-11"})
    assert drv.ready() == ["litigation_reply"]
    _reply(drv, "lawsuit_defence", "2026-08-11")
    drv.go(at("2026-08-28 09:00"))
    drv.send("remedy_result", {"outcome": "upheld"})
    # Upheld: straight back to the forced demolition (every period has lapsed).
    assert drv.ready() == ["forced_demolition"]
    P.forced_demolition(drv, "2026-08-28T09:30:00+08:00")
    P.close(drv, "2026-08-28")
    drv.send("rebuilt_found", {})
    assert drv.now_case.status == "closed"
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "demand",
        "service",
        "demand",
        "enforcement_decision",
        "service",
        "public_notice",
        "remedy_period",  # the remedy windows run out (the waiver shortens nothing)
        "forced_demolition",
        "litigation",
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
        "送达回证",
        "强制拆除公告",
        "行政复议答复书",
        "行政诉讼答辩状",
        "强制拆除现场笔录",
        "财物清单",
        "结案报告",
        "台账销号表",
    ]


def test_demolition_claim_refuted_while_a_lawsuit_is_pending_keeps_waiting_for_the_result(
    drv: Driver,
) -> None:
    # As above: every period has lapsed and the forced demolition is offered.
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=3)
    P.serve(drv, "2026-02-10")
    drv.wait_until("compliance_deadline")
    drv.go(at("2026-02-24 09:00"))
    P.demand(drv, "2026-02-24")
    P.serve(drv, "2026-02-24")
    drv.wait_until("demand_period")
    drv.go(at("2026-03-10 09:00"))
    P.enforcement_decision(drv, "2026-03-10")
    P.serve(drv, "2026-03-10")
    P.public_notice(drv, "2026-03-10", waived=True)
    drv.wait_until("public_notice_period")
    drv.wait_until("review_window")
    drv.wait_until("lawsuit_window_6m")  # due 08-11 00:00
    assert drv.ready() == ["forced_demolition"]
    drv.go(at("2026-08-11 08:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-08-11", "court": "区人民法院"})
    assert drv.ready() == ["litigation_reply"]
    # The party claims to have demolished before the defence is filed; the check finds the
    # building standing: the lawsuit is still pending, so the defence is still due.
    drv.go(at("2026-08-12 09:00"))
    drv.send("party_demolished", {"evidence": "照片"})
    assert drv.ready() == ["verify_self_demolition"]
    drv.do("verify_self_demolition", {"verified_on": "2026-08-12", "demolition_verified": False})
    assert drv.ready() == ["litigation_reply"]
    assert drv.data()["remedy_pending"] is True
    _reply(drv, "lawsuit_defence", "2026-08-12")
    # Again, from the wait for the result: the building still stands.
    drv.go(at("2026-08-13 09:00"))
    drv.send("party_demolished", {"evidence": "照片"})
    drv.do("verify_self_demolition", {"verified_on": "2026-08-13", "demolition_verified": False})
    # Forced demolition stays out of reach (ACL Art. 44) and the result is still accepted.
    assert drv.ready() == []
    assert drv.now_case.stage == "litigation"
    assert drv.now_case.waiting_messages == ["party_demolished", "remedy_result"]
    # Follow-up 30 CD from the filing, Tue 08-11 -> Thu 09-10 -> due 09-11 00:00.
    assert drv.timers() == {"remedy_followup": midnight("2026-09-11")}
    drv.go(at("2026-08-28 09:00"))
    drv.send("remedy_result", {"outcome": "upheld", "decided_on": "2026-08-27"})
    assert drv.ready() == ["forced_demolition"]
    # Friday 09:30: a working day, daytime; no remedy pending: the guard allows it.
    P.forced_demolition(drv, "2026-08-28T09:30:00+08:00")
    assert drv.data()["outcome"] == "forced_demolished"
    P.close(drv, "2026-04-10")
    assert drv.completed_tasks()[-7:] == [
        "public_notice",
        "verify_self_demolition",
        "litigation_reply",
        "verify_self_demolition",
        "forced_demolition",
        "closure",
        "close_out",
    ]
    trail = drv.trail()
    assert [e.action for e in trail].count("guard_refused") == 0
    # Every completed task records its legal basis from the BPMN.
    completed = [e for e in trail if e.action == "task_completed"]
    assert all(e.basis for e in completed)
    assert [e.basis for e in completed if e.element_id == "forced_demolition"] == [
        "ACL Art. 44; URPL Art. 68"
    ]
    # The stage shows the verification (compliance_period) between the litigation stages.
    assert drv.stage_path() == [
        *P.PREFIX,
        "compliance_period",
        "demand",
        "service",
        "demand",
        "enforcement_decision",
        "service",
        "public_notice",
        "remedy_period",
        "forced_demolition",
        "litigation",
        "compliance_period",
        "litigation",
        "compliance_period",
        "litigation",
        "forced_demolition",
        "closed",
        "reinspection",
    ]
