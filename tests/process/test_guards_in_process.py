"""The legal guards (PROCEDURE.md §3) on the real `enforcement` process, whatever its diagram says.

Forced demolition: the execution guard (ACL Art. 44, ARL Art. 20, ALL Art. 46) and the night and
holiday guard (ACL Art. 43(1)). Utility cutoff: ACL Art. 43(2) for residents, a legal basis for
a construction site, and the restoration when the case ends. A refusal names its article,
leaves the case exactly as it was (same case_version, ready tasks, timers, data) and is audited
as `guard_refused` with the article as its basis.

2026 calendar: Spring Festival Sun 02-15 .. Mon 02-23 (make-up working days Sat 02-14, Sat
02-28); Qingming Sat 04-04 .. Mon 04-06; Labour Day Fri 05-01 .. Tue 05-05; Mid-Autumn Fri 09-25
.. Sun 09-27 (make-up Sun 09-20); National Day Thu 10-01 .. Wed 10-07 (make-up Sat 10-10). A
deadline ends at 24:00 of its last day: the timer is due at 00:00 of the next day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine import services
from engine.errors import GuardRefused, TaskNotReady
from engine.store.models import LedgerEntry
from tests.process import paths as P
from tests.process.conftest import DESIGNER, bpmn_files
from tests.process.driver import DEPUTY_HEAD, OFFICER, Driver, at, midnight


# ---- helpers ------------------------------------------------------------------------------------
def to_forced_demolition(drv: Driver) -> None:
    """The main path of test_main_path up to the moment the forced demolition is offered.

    Filed, investigated, reviewed and noticed Tue 02-10; the hearing window (5 WD: 11, 12, 13,
    Sat 14, Tue 24) lapses 02-25 00:00; decided and served Wed 02-25 with 10 CD to comply
    (-> Sat 03-07 -> Mon 03-09 -> due 03-10 00:00); demand served Tue 03-10, 10 WD (11, 12, 13,
    16-20, 23, 24 -> due 03-25 00:00); enforcement decision, service and public notice Wed 03-25,
    10 CD (-> Sat 04-04, Qingming to Mon 04-06 -> Tue 04-07 -> due 04-08 00:00); review window
    60 CD from 02-25 (-> Sun 04-26 -> Mon 04-27 -> due 04-28 00:00); lawsuit window 6 M from
    02-25 (-> Tue 08-25 -> due Wed 08-26 00:00).
    """
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    drv.go(midnight("2026-02-25"))
    drv.go(at("2026-02-25 09:00"))
    P.decide(drv, "demolition_decision", on="2026-02-25", days=10)
    P.serve(drv, "2026-02-25")
    assert drv.due("compliance_deadline") == midnight("2026-03-10")
    drv.wait_until("compliance_deadline")
    drv.go(at("2026-03-10 09:00"))
    P.demand(drv, "2026-03-10")
    P.serve(drv, "2026-03-10")
    assert drv.due("demand_period") == midnight("2026-03-25")
    drv.wait_until("demand_period")
    drv.go(at("2026-03-25 09:00"))
    P.enforcement_decision(drv, "2026-03-25")
    P.serve(drv, "2026-03-25")
    P.public_notice(drv, "2026-03-25")
    assert drv.due("public_notice_period") == midnight("2026-04-08")
    drv.wait_until("public_notice_period")
    assert drv.due("review_window") == midnight("2026-04-28")
    drv.wait_until("review_window")
    assert drv.due("lawsuit_window_6m") == midnight("2026-08-26")
    drv.wait_until("lawsuit_window_6m")
    assert drv.ready() == ["forced_demolition"]


def demolition(instant: str, **extra: Any) -> dict[str, Any]:
    """The forced demolition record of paths.forced_demolition, carried out at `instant`."""
    return {
        "demolition_at": instant,
        "notified_in_writing": True,
        "party_present": False,
        "witness_or_notary": True,
        "witness_name": "公证员王某",
        "inventory_done": True,
        "record_made": True,
        "emergency": False,
        "demolished_area_m2": 45.0,
        **extra,
    }


def _snapshot(drv: Driver) -> tuple[Any, ...]:
    stored = services.get_case(drv.app.ctx.uow(), case_id=drv.now_case.id)
    return (
        stored.case_version,
        stored.status,
        stored.stage,
        sorted((t.id, t.element_id, t.lane) for t in stored.tasks),
        sorted((t.id, t.element_id, t.due_at) for t in stored.timers),
        stored.waiting_messages,
        stored.data,
    )


def refused(drv: Driver, element: str, data: dict[str, Any], article: str) -> GuardRefused:
    """Completing `element` with `data` is refused with `article`; nothing changes but the trail."""
    before = _snapshot(drv)
    seen = len(drv.trail())
    with pytest.raises(GuardRefused) as caught:
        drv.do(element, data)
    assert caught.value.article == article, caught.value
    assert _snapshot(drv) == before, "the refusal changed the case"
    new = drv.trail()[seen:]
    assert [(e.action, e.element_id, e.basis) for e in new] == [("guard_refused", element, article)]
    assert new[0].data["attempted"] == data
    assert new[0].data["reason"] == caught.value.reason
    verified = services.verify_case(drv.app.ctx.uow(), ctx=drv.app.ctx, case_id=drv.now_case.id)
    assert verified.valid, verified
    return caught.value


def demolished(drv: Driver, instant: str, **extra: Any) -> None:
    drv.do("forced_demolition", demolition(instant, **extra))
    assert drv.ready() == ["closure"]
    assert drv.data()["outcome"] == "forced_demolished"


# ---- the execution guard ------------------------------------------------------------------------
def test_a_process_that_shortens_the_lawsuit_window_cannot_demolish_early(drv: Driver) -> None:
    """A designer's edit routes around the 6 M lawsuit window (ALL Art. 46): the engine refuses
    the demolition anyway until the window, which it computes itself, has lapsed."""
    files = bpmn_files()
    xml = files["enforcement.bpmn"].decode("utf-8")
    six_months = "else:\n    lawsuit_window = '6 M'"
    assert xml.count(six_months) == 1
    files["enforcement.bpmn"] = xml.replace(
        six_months, "else:\n    lawsuit_window = '15 CD'"
    ).encode()
    deployed = services.deploy_process(
        drv.app.ctx.uow(), ctx=drv.app.ctx, files=files, actor=DESIGNER
    )
    assert {(r.key, r.version) for r in deployed if r.created} == {("enforcement", 2)}

    P.file_case(drv)
    assert drv.now_case.process_version == 2
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    drv.go(at("2026-02-25 09:00"))
    P.decide(drv, "demolition_decision", on="2026-02-25", days=10)
    P.serve(drv, "2026-02-25")
    drv.wait_until("compliance_deadline")  # 03-10 00:00, as on the main path
    drv.go(at("2026-03-10 09:00"))
    P.demand(drv, "2026-03-10")
    P.serve(drv, "2026-03-10")
    drv.wait_until("demand_period")  # 03-25 00:00
    drv.go(at("2026-03-25 09:00"))
    P.enforcement_decision(drv, "2026-03-25")
    P.serve(drv, "2026-03-25")
    P.public_notice(drv, "2026-03-25")
    drv.wait_until("public_notice_period")  # 04-08 00:00
    # Review window 60 CD from Wed 02-25 -> due 04-28 00:00; then the edited process waits
    # 15 CD from 02-25 (-> Thu 03-12 -> due 03-13 00:00), long past: it fires at once and the
    # demolition is offered four months early.
    drv.wait_until("review_window")
    assert drv.fired()[-2:] == ["review_window", "lawsuit_window_15cd"]
    assert drv.ready() == ["forced_demolition"]
    # Tue 04-28 09:30, a working day: the 6 M window (from Wed 02-25 -> Tue 08-25) still runs.
    drv.go(at("2026-04-28 09:30"))
    refusal = refused(
        drv, "forced_demolition", demolition("2026-04-28T09:30:00+08:00"), "ALL Art. 46"
    )
    assert "2026-08-25" in refusal.reason
    # Tue 08-25 16:00 is the window's last day: still the party's.
    drv.go(at("2026-08-25 16:00"))
    refused(drv, "forced_demolition", demolition("2026-08-25T16:00:00+08:00"), "ALL Art. 46")
    # Wed 08-26 09:30: lapsed at 00:00, a working day, daytime.
    drv.go(at("2026-08-26 09:30"))
    demolished(drv, "2026-08-26T09:30:00+08:00")
    actions = [e.action for e in drv.trail() if e.element_id == "forced_demolition"]
    assert actions == ["guard_refused", "guard_refused", "task_completed"]


def test_a_demolition_recorded_as_done_before_the_window_lapsed_is_refused(drv: Driver) -> None:
    """The record is made on the spot (ACL Art. 18(7)): a time stated more than the setting
    (2 h) away from the clock time of the step is refused, whichever way it points."""
    to_forced_demolition(drv)
    # Recorded Wed 08-26 09:00 as done Tue 08-25 10:00: the last day of the lawsuit window.
    drv.go(at("2026-08-26 09:00"))
    refusal = refused(
        drv, "forced_demolition", demolition("2026-08-25T10:00:00+08:00"), "ACL Art. 18(7)"
    )
    assert refusal.rule == "demolition_record"
    # Within the window the stated time is judged by the other guards (here: daytime, lawful).
    drv.go(at("2026-08-26 10:30"))
    demolished(drv, "2026-08-26T09:00:00+08:00")


def test_a_night_demolition_recorded_as_next_morning_is_refused(drv: Driver) -> None:
    """Wave 1 let a Sunday 23:00 demolition be recorded as Monday 09:00: the guard now reads
    the clock time of the step, and the stated time may not be 10 hours away from it."""
    to_forced_demolition(drv)
    drv.go(at("2026-08-30 23:00"))  # Sunday night
    refused(drv, "forced_demolition", demolition("2026-08-31T09:00:00+08:00"), "ACL Art. 18(7)")
    # Stated as the truth, it is a Sunday-night demolition: ACL Art. 43(1).
    refused(drv, "forced_demolition", demolition("2026-08-30T23:00:00+08:00"), "ACL Art. 43(1)")


def test_a_lawsuit_withdraws_the_demolition_until_the_result_upholds_it(drv: Driver) -> None:
    to_forced_demolition(drv)
    offered = drv.now_case.tasks[0].id
    # Wed 08-26 09:00: the party sues (admissibility is the court's business).
    drv.go(at("2026-08-26 09:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-08-26", "court": "区人民法院"})
    assert drv.ready() == ["litigation_reply"]
    assert drv.now_case.stage == "litigation"
    # The process itself withdraws the demolition: the task offered before is gone.
    before = _snapshot(drv)
    with pytest.raises(TaskNotReady):
        services.complete_task(
            drv.app.ctx.uow(),
            ctx=drv.app.ctx,
            actor=OFFICER,
            case_id=drv.now_case.id,
            task_id=offered,
            data=demolition("2026-08-26T09:30:00+08:00"),
            case_version=drv.now_case.case_version,
        )
    assert _snapshot(drv) == before
    drv.do("litigation_reply", {"reply_kind": "lawsuit_defence", "replied_on": "2026-08-26"})
    # Follow-up 30 CD from Wed 08-26 -> Fri 09-25, Mid-Autumn to Sun 09-27 -> Mon 09-28 -> due
    # 09-29 00:00.
    assert drv.timers() == {"remedy_followup": midnight("2026-09-29")}
    # Tue 09-15: the court upholds the decision. The windows lapsed long ago: they fire at once
    # and the demolition is offered again; no lawsuit is pending any more.
    drv.go(at("2026-09-15 09:00"))
    drv.send("remedy_result", {"outcome": "upheld", "decided_on": "2026-09-14"})
    assert drv.ready() == ["forced_demolition"]
    drv.go(at("2026-09-15 09:30"))
    demolished(drv, "2026-09-15T09:30:00+08:00")
    assert drv.stage_path()[-4:] == [
        "forced_demolition",
        "litigation",
        "forced_demolition",
        "closed",
    ]


def test_a_pending_lawsuit_keeps_the_demolition_out_of_reach(drv: Driver) -> None:
    """The party sues, then claims to have demolished; the officer finds the building still
    standing. The lawsuit windows lapsed long ago, but a lawsuit is pending (ACL Art. 44): the
    process goes back to waiting for the result, and offers the demolition only after it."""
    to_forced_demolition(drv)
    drv.go(at("2026-08-26 09:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-08-26", "court": "区人民法院"})
    drv.do("litigation_reply", {"reply_kind": "lawsuit_defence", "replied_on": "2026-08-26"})
    drv.go(at("2026-08-27 10:00"))  # Thu
    drv.send("party_demolished", {"evidence": "照片"})
    drv.do("verify_self_demolition", {"verified_on": "2026-08-27", "demolition_verified": False})
    assert drv.data()["remedy_pending"] is True
    assert drv.ready() == []
    assert "remedy_result" in drv.now_case.waiting_messages
    drv.go(at("2026-09-02 10:00"))  # Wed
    drv.send("remedy_result", {"outcome": "upheld", "decided_on": "2026-09-01"})
    assert drv.ready() == ["forced_demolition"]
    demolished(drv, "2026-09-02T10:30:00+08:00")


# ---- the night and holiday guard ----------------------------------------------------------------
def test_no_demolition_at_night(drv: Driver) -> None:
    to_forced_demolition(drv)
    # Wed 08-26 23:00: a working day, but night (22:00-06:00, local).
    drv.go(at("2026-08-26 23:00"))
    refusal = refused(
        drv, "forced_demolition", demolition("2026-08-26T23:00:00+08:00"), "ACL Art. 43(1)"
    )
    assert "夜间" in refusal.reason and "2026-08-27T06:00" in refusal.reason
    # Thu 08-27 06:00: the night is over.
    drv.go(at("2026-08-27 06:00"))
    demolished(drv, "2026-08-27T06:00:00+08:00")


def test_no_demolition_on_a_sunday(drv: Driver) -> None:
    to_forced_demolition(drv)
    # Sun 08-30 (08-26 is a Wednesday): a rest day (SPC reply (2016) 最高法行他81号).
    drv.go(at("2026-08-30 10:00"))
    refusal = refused(
        drv, "forced_demolition", demolition("2026-08-30T10:00:00+08:00"), "ACL Art. 43(1)"
    )
    assert "休息日" in refusal.reason and "2026-08-31T06:00" in refusal.reason  # Mon, after night
    drv.go(at("2026-08-31 09:00"))  # Mon
    demolished(drv, "2026-08-31T09:00:00+08:00")


def test_no_demolition_on_national_day_but_on_its_make_up_saturday(drv: Driver) -> None:
    to_forced_demolition(drv)
    # Thu 10-01: National Day (10-01 .. 10-07), a statutory holiday.
    drv.go(at("2026-10-01 10:00"))
    refusal = refused(
        drv, "forced_demolition", demolition("2026-10-01T10:00:00+08:00"), "ACL Art. 43(1)"
    )
    assert "国庆节" in refusal.reason and "2026-10-08T06:00" in refusal.reason  # Thu 10-08
    # Sat 10-10 is a make-up working day (调休): allowed.
    drv.go(at("2026-10-10 09:30"))
    demolished(drv, "2026-10-10T09:30:00+08:00")


def test_an_emergency_at_night_needs_and_records_its_reason(drv: Driver) -> None:
    to_forced_demolition(drv)
    services.add_user(
        drv.app.ctx.uow(), ctx=drv.app.ctx, username="head1", password="pw-head", roles=["head"]
    )
    services.add_user(
        drv.app.ctx.uow(),
        ctx=drv.app.ctx,
        username="officer9",
        password="pw-off",
        roles=["officer"],
    )
    drv.go(at("2026-08-26 23:00"))  # Wed, night
    # The form requires a reason with `emergency`; a blank one reaches the guard.
    refusal = refused(
        drv,
        "forced_demolition",
        demolition(
            "2026-08-26T23:00:00+08:00",
            emergency=True,
            emergency_reason="  ",
            emergency_approved_by="head1",
        ),
        "ACL Art. 43(1)",
    )
    assert "an emergency needs a reason" in refusal.reason
    reason = "台风来袭，违建彩钢板随时可能倒塌伤人"
    # A reason alone no longer overrides: the head of the agency must have approved, and the
    # approver must be a head (not another officer, not a name nobody holds).
    for approver in ("officer9", "nobody", "officer1"):
        refusal = refused(
            drv,
            "forced_demolition",
            demolition(
                "2026-08-26T23:00:00+08:00",
                emergency=True,
                emergency_reason=reason,
                emergency_approved_by=approver,
            ),
            "ACL Art. 43(1)",
        )
        assert "approval of the head" in refusal.reason
    demolished(
        drv,
        "2026-08-26T23:00:00+08:00",
        emergency=True,
        emergency_reason=reason,
        emergency_approved_by="head1",
    )
    done = [e for e in drv.trail() if e.action == "task_completed"][-1]
    assert done.element_id == "forced_demolition"
    after = done.data["after"]
    assert (after["emergency"], after["emergency_reason"], after["emergency_approved_by"]) == (
        True,
        reason,
        "head1",
    )
    assert drv.data()["emergency_reason"] == reason


# ---- the utility-cutoff guard -------------------------------------------------------------------
CUTOFF = {
    "stop_order_issued_on": "2026-02-10",
    "order_kind": "stop",
    "utility_cutoff": True,
    "cutoff_basis": "construction_site_supply",
    "utility_types": ["power", "water"],
}


@pytest.mark.parametrize(
    ("use_type", "article"),
    [("residential", "ACL Art. 43(2)"), ("business", "ACL Art. 13")],
)
def test_a_cutoff_without_a_basis_for_the_building_is_refused(
    drv: Driver, use_type: str, article: str
) -> None:
    # A home: never, whatever the basis (ACL Art. 43(2)). A shop: construction-site supply is
    # no basis for it (ACL Art. 13).
    P.file_case(drv, use_type=use_type)
    drv.do("investigation", P.INVESTIGATION)
    refused(drv, "stop_order", CUTOFF, article)
    drv.do(
        "stop_order",
        {"stop_order_issued_on": "2026-02-10", "order_kind": "stop", "utility_cutoff": False},
    )
    assert drv.ready() == ["investigation_report"]
    assert "停止供水供电供气联系函" not in drv.documents()


def test_a_construction_site_cutoff_runs_and_is_restored_when_the_case_ends(drv: Driver) -> None:
    P.file_case(drv, use_type="construction_site")
    drv.do("investigation", P.INVESTIGATION)
    drv.do("stop_order", CUTOFF)
    assert [(t.element_id, t.lane) for t in drv.now_case.tasks] == [("utility_letter", "officer")]
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
    assert [(t.element_id, t.lane) for t in drv.now_case.tasks] == [
        ("utility_cutoff_approval", "head")
    ]
    # A deputy head approves (the head approves the decision below; see driver.DEPUTY_HEAD).
    drv.do("utility_cutoff_approval", {"head_approved": True}, actor=DEPUTY_HEAD)
    # 24 h advance notice given with the letter on Tue 02-10 (安全生产法 Art. 70): the utility's
    # step opens Wed 02-11 09:00, not before.
    assert drv.now_case.tasks == []
    drv.go(at("2026-02-11 09:00"))
    assert [(t.element_id, t.lane) for t in drv.now_case.tasks] == [
        ("utility_cutoff_execution", "utility")
    ]
    drv.do(
        "utility_cutoff_execution",
        {"utility_cutoff": True, "cutoff_done_at": "2026-02-11T09:00:00+08:00"},
    )
    assert drv.ready() == ["investigation_report"]
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-11")
    P.serve(drv, "2026-02-11")
    P.respond(drv, waived=True)
    P.decide(drv, "demolition_decision", on="2026-02-11")
    P.serve(drv, "2026-02-11")
    # 10 CD from Wed 02-11 -> Sat 02-21, Spring Festival to Mon 02-23 -> Tue 02-24 -> due 02-25.
    assert drv.timers() == {"compliance_deadline": midnight("2026-02-25")}
    drv.go(at("2026-02-12 10:00"))  # Thu
    drv.send("party_demolished", {"evidence": "照片"})
    # The party complied: the supply is restored at once (安全生产法 Art. 70), not at closure.
    (task,) = drv.now_case.tasks
    assert (task.element_id, task.lane, task.stage) == (
        "restore_supply_on_compliance",
        "utility",
        "compliance_period",
    )
    assert "恢复供应" in task.name
    drv.do(
        "restore_supply_on_compliance",
        {
            "restored_at": "2026-02-12T15:00:00+08:00",
            "restoration_reason": "违法建设已拆除，隐患消除",
        },
    )
    P.verify_demolition(drv, "2026-02-12")
    drv.do("closure", {"closing_summary": "已拆除", "credit_recorded": True})
    assert drv.ready() == ["close_out"]
    drv.do("close_out", {"ledger_closed_out": True, "closed_out_on": "2026-02-12"})
    # Re-inspection 30 CD from Thu 02-12 -> Sat 03-14 -> Mon 03-16 -> due 03-17 00:00.
    assert drv.timers() == {"reinspection_due": midnight("2026-03-17")}
    drv.wait_until("reinspection_due")
    P.reinspect(drv, "2026-03-17")
    assert drv.now_case.status == "closed"
    actors = {e.element_id: e.actor for e in drv.trail() if e.action == "task_completed"}
    assert (actors["utility_cutoff_execution"], actors["restore_supply_on_compliance"]) == (
        "utility1",
        "utility1",
    )
    assert not [e for e in drv.trail() if e.action == "guard_refused"]
    docs = drv.documents()
    assert docs.count("停止供水供电供气联系函") == 3
    assert docs[-5:] == ["恢复供应通知", "现场检查笔录", "结案报告", "台账销号表", "现场检查笔录"]


def test_the_ledger_keeps_the_decision_date_after_the_enforcement_decision(drv: Driver) -> None:
    """Both decisions' forms say decided_on; the ledger's 决定日期 is the penalty decision's
    (02-25), not the enforcement decision's (03-25)."""
    to_forced_demolition(drv)
    assert drv.data()["decided_on"] == "2026-03-25"
    uow = drv.app.ctx.uow(read_only=True)
    with uow:
        assert uow.session is not None
        entry = uow.session.get(LedgerEntry, drv.now_case.id)
        assert entry is not None
        assert entry.decided_on == date(2026, 2, 25)
