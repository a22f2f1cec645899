"""Restoration of a cut supply as soon as the party complies (安全生产法 Art. 70: "生产经营单位
依法履行行政决定、采取相应措施消除事故隐患的，…应当及时解除前款规定的措施"), not at closure.

A workshop's power is cut after a refused 停产停业 decision (investigation, 2026-02-10/11); the
decision is served Wed 02-11. When the party demolishes or corrects, the utility's restoration
task is ready in the same step as the party's message, and the officer's check of the
compliance follows it; closure no longer asks for it. A case that ends without the party
complying still restores at closure.
"""

from __future__ import annotations

from typing import Any

from tests.process import paths as P
from tests.process.driver import DEPUTY_HEAD, Driver

RESTORED = {
    "restored_at": "2026-02-12T15:00:00+08:00",
    "restoration_reason": "当事人已履行决定，消除事故隐患",
}


def cut_the_power(drv: Driver) -> None:
    """安全生产法 Art. 70: power only, after the refused 停产停业 decision, with the head's
    approval and 24 h after the written notice."""
    P.file_case(drv, use_type="production")
    drv.do("investigation", P.INVESTIGATION)
    drv.do(
        "stop_order",
        {
            "stop_order_issued_on": "2026-02-10",
            "order_kind": "both",
            "utility_cutoff": True,
            "cutoff_basis": "safety_law_70",
            "utility_types": ["power"],
            "halt_decision_refused": True,
        },
    )
    drv.do(
        "utility_letter",
        {
            "utility_company": "区供电公司",
            "cutoff_scope": "二层车间生产用电",
            "advance_notice_24h": True,
            "party_notified_at": "2026-02-10T09:00:00+08:00",
            "cutoff_at": "2026-02-11T09:30:00+08:00",
            "halt_decision_number": "某应急停字〔2026〕第0003号",
            "halt_decision_date": "2026-02-05",
        },
    )
    drv.do("utility_cutoff_approval", {"head_approved": True}, actor=DEPUTY_HEAD)
    drv.wait_until("utility_notice_period")
    drv.do(
        "utility_cutoff_execution",
        {"utility_cutoff": True, "cutoff_done_at": "2026-02-11T09:30:00+08:00"},
    )
    assert drv.data()["utility_cut"] is True


def decide_and_serve(drv: Driver, classification: str, **decision: Any) -> None:
    P.report(drv, classification)
    P.notice_and_waiver(drv, "2026-02-11", fine=decision.get("fine", 0))
    element = "penalty_decision" if classification == "correctable" else "demolition_decision"
    P.decide(drv, element, on="2026-02-11", **decision)
    P.serve(drv, "2026-02-11")


def test_party_demolishes_and_the_supply_is_restored_at_once(drv: Driver) -> None:
    cut_the_power(drv)
    decide_and_serve(drv, "not_correctable")
    assert "restore_supply_on_compliance" not in drv.ready()
    drv.send("party_demolished", {"evidence": "照片"})
    # The same step: the utility restores the supply; then the officer checks the demolition.
    assert drv.ready() == ["restore_supply_on_compliance"]
    (restore,) = drv.now_case.tasks
    assert restore.lane == "utility"
    drv.do("restore_supply_on_compliance", RESTORED)
    assert drv.documents()[-1] == "恢复供应通知"
    assert drv.ready() == ["verify_self_demolition"]
    P.verify_demolition(drv, "2026-02-12")
    drv.do("closure", {"closing_summary": "已拆除", "credit_recorded": True})
    # Closure does not ask again.
    assert drv.ready() == ["close_out"]
    assert drv.documents().count("恢复供应通知") == 1


def test_party_corrects_and_the_supply_is_restored_at_once(drv: Driver) -> None:
    cut_the_power(drv)
    decide_and_serve(drv, "correctable", days=10, fine=12000, penalty="限期改正并处罚款")
    drv.send("party_corrected", {"evidence": "已补办规划许可"})
    assert drv.ready() == ["restore_supply_on_compliance"]
    drv.do("restore_supply_on_compliance", RESTORED)
    assert drv.ready() == ["verify_correction"]


def test_a_refuted_claim_does_not_order_a_second_restoration(drv: Driver) -> None:
    cut_the_power(drv)
    decide_and_serve(drv, "not_correctable")
    drv.send("party_demolished", {})
    drv.do("restore_supply_on_compliance", RESTORED)
    drv.do(
        "verify_self_demolition",
        {"verified_on": "2026-02-12", "demolition_verified": False, "demolished_area_m2": 0},
    )
    # Not demolished: the party's period goes on; a second claim goes straight to the check.
    assert drv.ready() == []
    drv.send("party_demolished", {})
    assert drv.ready() == ["verify_self_demolition"]
    assert drv.completed_tasks().count("restore_supply_on_compliance") == 1


def test_without_the_party_complying_closure_restores(drv: Driver) -> None:
    """No violation after all: nothing to comply with, the case ends and closure lifts it."""
    cut_the_power(drv)
    P.report(drv, "no_violation")
    drv.do("closure", {"closing_summary": "不构成违法建设", "credit_recorded": False})
    assert drv.ready() == ["utility_restoration"]
