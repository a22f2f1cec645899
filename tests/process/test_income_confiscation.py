"""Confiscation of the illegal income (issue 9 item 13; URPL Art. 64: "不能拆除的，没收实物或者
违法收入，可以并处建设工程造价百分之十以下的罚款").

The decision on a building that cannot be demolished chooses: the building (`property`, handed
over after the remedy windows) or the income it brought (`income`, e.g. it was sold or let),
which is collected like a fine — 15 days to pay, then demand, remedy windows, court — with no
hand-over. Dates: decided and served Thu 2026-02-12; payment due Fri 02-27 (15 CD, due 02-28
00:00); review window 60 CD -> Mon 04-13 (due 04-14 00:00); lawsuit 6 M -> Wed 08-12.
"""

from __future__ import annotations

from typing import Any

from tests.process import paths as P
from tests.process.driver import Driver, at, midnight
from tests.process.test_guards_in_process import refused

ARTICLE = "URPL Art. 64; APL Art. 59"


def to_confiscation_decision(drv: Driver, fine: float = 0) -> None:
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "cannot_demolish")
    P.appraise_and_approve_confiscation(drv, "临街二层加建商铺（约80平方米）")
    P.notice_and_waiver(drv, "2026-02-12", fine=fine)
    assert drv.ready() == ["penalty_decision"]


def income_decision(fine: float = 0, **extra: Any) -> dict[str, Any]:
    return P.decision_data(
        on="2026-02-12",
        days=15,
        fine=fine,
        penalty="没收违法收入并处罚款" if fine else "没收违法收入",
        confiscation_object="income",
        illegal_income_amount=80000,
        illegal_income_source="出租违法建筑所得",
        **extra,
    )


def test_income_is_refused_without_an_amount_and_property_with_one(drv: Driver) -> None:
    to_confiscation_decision(drv)
    no_amount = P.decision_data(
        on="2026-02-12", days=15, penalty="没收违法收入", confiscation_object="income"
    )
    refusal = refused(drv, "penalty_decision", no_amount, ARTICLE)
    assert "违法收入金额" in refusal.reason
    zero = {**no_amount, "illegal_income_amount": 0}
    refused(drv, "penalty_decision", zero, ARTICLE)
    both = P.decision_data(
        on="2026-02-12",
        days=15,
        penalty="没收实物",
        confiscation_object="property",
        illegal_income_amount=80000,
    )
    refusal = refused(drv, "penalty_decision", both, ARTICLE)
    assert "没收实物" in refusal.reason
    # Without a choice the building is confiscated: an amount alone is refused as well.
    amount_only = P.decision_data(
        on="2026-02-12", days=15, penalty="没收实物", illegal_income_amount=80000
    )
    refused(drv, "penalty_decision", amount_only, ARTICLE)
    assert drv.ready() == ["penalty_decision"]


def test_a_demolition_order_confiscates_nothing(drv: Driver) -> None:
    P.to_decision(drv)
    data = P.decision_data(
        on="2026-02-10", confiscation_object="income", illegal_income_amount=1000
    )
    refusal = refused(drv, "demolition_decision", data, "URPL Art. 64")
    assert "不能拆除" in refusal.reason


def test_income_paid_in_time_closes_without_a_hand_over(drv: Driver) -> None:
    to_confiscation_decision(drv, fine=5000)
    drv.do("penalty_decision", income_decision(fine=5000))
    P.serve(drv, "2026-02-12")
    # The money (income and fine) is due in 15 days; the windows run beside it.
    assert drv.timers() == {
        "review_window": midnight("2026-04-14"),
        "fine_due": midnight("2026-02-28"),
    }
    assert "fine_paid" in drv.now_case.waiting_messages
    drv.go(at("2026-02-26 10:00"))
    drv.send("fine_paid", {"paid_on": "2026-02-26", "amount": 85000})
    data = drv.data()
    assert (data["fine_status"], data["surcharge"]) == ("paid", 0)
    drv.wait_until("review_window")
    drv.wait_until("lawsuit_window_6m")
    # Nothing to hand over: the building stays; the case goes to closure as confiscated.
    assert drv.ready() == ["closure"]
    assert drv.data()["outcome"] == "confiscated"
    assert "confiscation_handover" not in drv.completed_tasks()
    assert "财物清单" not in drv.documents()
    assert drv.stage_path()[-3:] == ["compliance_period", "remedy_period", "closed"]


def test_unpaid_income_is_demanded_and_surcharged_on_the_fine_only(drv: Driver) -> None:
    """Unpaid by the due date: the fine branch demands it (ACL Art. 35, 45); paid late, the 3 %
    daily surcharge counts the fine alone (APL Art. 72), capped at the fine."""
    to_confiscation_decision(drv, fine=5000)
    drv.do("penalty_decision", income_decision(fine=5000))
    P.serve(drv, "2026-02-12")
    drv.wait_until("fine_due")
    assert drv.ready() == ["fine_demand"]
    drv.go(at("2026-03-02 09:00"))
    drv.do("fine_demand", {"fine_demand_issued_on": "2026-03-02", "surcharge_notified": True})
    P.serve(drv, "2026-03-02")
    drv.go(at("2026-03-04 10:00"))
    drv.send("fine_paid", {"paid_on": "2026-03-04"})
    # 02-27 -> 03-04: 5 days x 3 % x 5000 = 750 (on 85,000 it would have been 12,750).
    assert (drv.data()["surcharge"], drv.data()["fine_status"]) == (750, "paid")
    assert drv.data()["fine_total_paid"] == 85750


def test_income_alone_is_collected_like_a_fine(drv: Driver) -> None:
    """No fine, only the income: the collection still runs (15 days, then demand)."""
    to_confiscation_decision(drv)
    drv.do("penalty_decision", income_decision())
    P.serve(drv, "2026-02-12")
    assert drv.timers() == {
        "review_window": midnight("2026-04-14"),
        "fine_due": midnight("2026-02-28"),
    }
    drv.wait_until("fine_due")
    assert drv.ready() == ["fine_demand"]


def test_the_building_route_is_unchanged(drv: Driver) -> None:
    """property (the default) still hands the building over after the windows."""
    to_confiscation_decision(drv)
    P.decide(
        drv,
        "penalty_decision",
        on="2026-02-12",
        days=15,
        penalty="没收实物",
        confiscation_object="property",
    )
    P.serve(drv, "2026-02-12")
    assert drv.timers() == {"review_window": midnight("2026-04-14")}
    drv.wait_until("review_window")
    drv.wait_until("lawsuit_window_6m")
    assert drv.ready() == ["confiscation_handover"]
