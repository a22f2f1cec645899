"""Legal fidelity, round 2 (issue 9): paths where wave 1 allowed what the statutes forbid,
each driven on the real processes. Every test here fails on the wave-1 engine.

Dates: decided and served Tue 2026-02-10 with 3 CD to comply (-> Fri 02-13, due 02-14 00:00);
demand served Tue 02-24, 10 WD counting the make-up Saturday 02-28 (due 03-10 00:00); the
enforcement decision and its service Tue 03-10.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.process import paths as P
from tests.process.driver import Driver, at
from tests.process.test_guards_in_process import (
    demolished,
    demolition,
    refused,
    to_forced_demolition,
)


def to_enforcement_decision(drv: Driver, *, order: bool = True) -> None:
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=3)
    P.serve(drv, "2026-02-10")
    drv.wait_until("compliance_deadline")
    drv.go(at("2026-02-24 09:00"))
    P.demand(drv, "2026-02-24")
    P.serve(drv, "2026-02-24")
    drv.wait_until("demand_period")
    drv.go(at("2026-03-10 09:00"))
    assert drv.ready() == ["government_order"]
    if order:
        P.government_order(drv, "2026-03-10")
        assert drv.ready() == ["enforcement_decision"]


def notice(on: str, demolition: str, belongings: str) -> dict[str, Any]:
    return {
        "public_notice_at": on,
        "demolition_date": demolition,
        "belongings_deadline": belongings,
        "posted_at_site": True,
    }


def test_an_enforcement_decision_without_the_remedies_is_refused(drv: Driver) -> None:
    """ACL Art. 37: the decision states the way and period to seek review or sue."""
    to_enforcement_decision(drv)
    data = {
        "decided_on": "2026-03-10",
        "reasons": "逾期不拆除",
        "basis": "《行政强制法》第三十七条",
        "method": "强制拆除",
        "remedies_stated": False,
        "demand_statement_rechecked": True,
        "defer": False,
    }
    refusal = refused(drv, "enforcement_decision", data, "ACL Art. 37")
    assert refusal.rule == "enforcement_decision"
    P.enforcement_decision(drv, "2026-03-10")  # with the remedies stated: issued
    assert drv.ready() != ["enforcement_decision"]


def test_a_public_notice_must_leave_the_party_its_own_period(drv: Driver) -> None:
    """ACL Art. 44: the notice sets a period for the party to demolish; the planned demolition
    comes after it (10 CD from Tue 03-10 -> Fri 03-20) and the belongings deadline after the
    notice day, not after the demolition."""
    to_enforcement_decision(drv)
    P.enforcement_decision(drv, "2026-03-10")
    P.serve(drv, "2026-03-10")
    assert drv.ready() == ["public_notice"]
    same_day = notice("2026-03-10", "2026-03-10", "2026-03-10")
    assert "须在公告限期" in refused(drv, "public_notice", same_day, "ACL Art. 44").reason
    inside = notice("2026-03-10", "2026-03-20", "2026-03-15")  # the period's last day
    refused(drv, "public_notice", inside, "ACL Art. 44")
    no_time = notice("2026-03-10", "2026-03-23", "2026-03-10")
    assert "清理物品期限" in refused(drv, "public_notice", no_time, "ACL Art. 44").reason
    late = notice("2026-03-10", "2026-03-23", "2026-03-24")
    refused(drv, "public_notice", late, "ACL Art. 44")
    drv.do("public_notice", notice("2026-03-10", "2026-03-23", "2026-03-20"))
    assert drv.timers()["public_notice_period"] is not None


def test_a_demolition_order_carries_no_fine(drv: Driver) -> None:
    """URPL Art. 64: 限期拆除 without a fine (the fine comes with correction or confiscation)."""
    P.to_decision(drv, "not_correctable", fine=5000)
    data = {**P.DECISION, "decided_on": "2026-02-10", "compliance_days": 10, "fine_amount": 5000}
    refusal = refused(drv, "demolition_decision", data, "URPL Art. 64")
    assert refusal.rule == "fine_amount"
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10, fine=0)


def test_a_correction_fine_is_five_to_ten_percent_of_the_cost(drv: Driver) -> None:
    """URPL Art. 64: 5-10 % of the construction cost (200,000 in the report): 10,000-20,000."""
    P.to_decision(drv, "correctable", fine=25000)
    base = {**P.DECISION, "decided_on": "2026-02-10", "compliance_days": 10}
    base["penalty"] = "限期改正并处罚款"
    for fine in (9999.0, 20000.5, 25000.0):
        refusal = refused(drv, "penalty_decision", {**base, "fine_amount": fine}, "URPL Art. 64")
        assert "百分之五以上百分之十以下" in refusal.reason
    drv.do("penalty_decision", {**base, "fine_amount": 20000})
    assert drv.data()["fine_amount"] == 20000


def test_a_land_law_fine_is_counted_per_square_metre(drv: Driver) -> None:
    """LAL Art. 77 with 实施条例 Art. 57: 100-1,000 yuan per m² occupied (45 m²: 4,500-45,000)."""
    P.file_case(drv, legal_basis="LAL77")
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")  # LAL Art. 77: 限期拆除, and a fine may be added
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10", 50000)
    P.serve(drv, "2026-02-10")
    P.respond(drv, waived=True)
    element = drv.ready()[0]
    base = {**P.DECISION, "decided_on": "2026-02-10", "compliance_days": 30}
    refusal = refused(drv, element, {**base, "fine_amount": 50000}, "土地管理法实施条例 Art. 57")
    assert "4500.00–45000.00" in refusal.reason
    refused(drv, element, {**base, "fine_amount": 4000}, "土地管理法实施条例 Art. 57")
    drv.do(element, {**base, "fine_amount": 45000})
    assert drv.data()["fine_amount"] == 45000


def test_coercion_waits_for_a_review_or_lawsuit_still_in_the_post(
    local_driver: Callable[..., Driver],
) -> None:
    """CPL Art. 85 and SPC ALL interpretation Art. 48: a filing mailed before the period ends
    is in time. With 5 mail days (a city's setting), the forced demolition offered when the
    lawsuit window lapses (6 M from Wed 02-25 -> Tue 08-25, 08-26 00:00) waits to 08-31."""
    drv = local_driver(postal_days=5)
    to_forced_demolition(drv)
    drv.go(at("2026-08-28 10:00"))  # Fri
    refusal = refused(
        drv, "forced_demolition", demolition("2026-08-28T10:00:00+08:00"), "CPL Art. 85"
    )
    assert "2026-08-30" in refusal.reason
    drv.go(at("2026-08-31 09:00"))  # Mon
    demolished(drv, "2026-08-31T09:00:00+08:00")


def _to_litigation(drv: Driver) -> None:
    """The forced demolition is offered; the party sues on Wed 08-26 and the agency replies."""
    to_forced_demolition(drv)
    drv.go(at("2026-08-26 09:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-08-26", "court": "区人民法院"})
    drv.do("litigation_reply", {"reply_kind": "lawsuit_defence", "replied_on": "2026-08-26"})


def test_a_first_instance_judgment_leaves_the_appeal_period(drv: Driver) -> None:
    """ALL Art. 85: a first-instance judgment is final only when the 15-day appeal period from
    its service lapses. Received Mon 09-07 -> Tue 09-22 -> coercion from 09-23."""
    _to_litigation(drv)
    drv.go(at("2026-09-08 09:00"))
    drv.send(
        "remedy_result",
        {"outcome": "upheld", "kind": "first_instance_judgment", "received_on": "2026-09-07"},
    )
    assert drv.ready() == ["forced_demolition"]
    refusal = refused(
        drv, "forced_demolition", demolition("2026-09-08T09:00:00+08:00"), "ALL Art. 85"
    )
    assert "2026-09-22" in refusal.reason
    drv.go(at("2026-09-23 09:00"))
    demolished(drv, "2026-09-23T09:00:00+08:00")


def test_after_a_review_decision_the_party_may_still_sue(drv: Driver) -> None:
    """ALL Art. 45: 15 days to sue from receiving the review decision (received Tue 09-01 ->
    Wed 09-16); a lawsuit filed in that time makes the remedy pending again."""
    to_forced_demolition(drv)
    drv.go(at("2026-08-26 09:00"))
    drv.send("review_filed", {"filed_on": "2026-08-26"})
    drv.do("litigation_reply", {"reply_kind": "review_reply", "replied_on": "2026-08-26"})
    drv.go(at("2026-09-02 09:00"))
    drv.send(
        "remedy_result",
        {"outcome": "upheld", "kind": "review_decision", "received_on": "2026-09-01"},
    )
    assert drv.ready() == ["forced_demolition"]
    refusal = refused(
        drv, "forced_demolition", demolition("2026-09-02T09:00:00+08:00"), "ALL Art. 45"
    )
    assert "2026-09-16" in refusal.reason
    drv.go(at("2026-09-10 09:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-09-10", "court": "区人民法院"})
    assert drv.ready() == ["litigation_reply"]  # pending again: no demolition offered
    drv.do("litigation_reply", {"reply_kind": "lawsuit_defence", "replied_on": "2026-09-10"})
    drv.go(at("2026-10-09 09:00"))  # Fri, before the monthly follow-up (due 10-11 00:00)
    drv.send("remedy_result", {"outcome": "upheld", "kind": "final_judgment"})
    demolished(drv, "2026-10-09T09:00:00+08:00")


def test_the_government_orders_the_demolition_unless_the_city_empowers_the_agency(
    drv: Driver, local_driver: Callable[..., Driver]
) -> None:
    """URPL Art. 68: the county government 责成 the departments to demolish (上海 Art. 10,
    浙江 Art. 16): by default the case waits for the government's order, and a refusal ends
    the enforcement track. Where a local rule empowers the agency (北京 Arts. 74, 78) the
    setting turns the step off."""
    to_enforcement_decision(drv, order=False)
    drv.do("government_order", {"government_ordered_now": False, "ordered_on": "2026-03-10"})
    assert drv.data()["outcome"] == "government_declined"
    assert "enforcement_decision" not in drv.ready()

    beijing = local_driver(government_order_required=False)
    P.to_decision(beijing)
    P.decide(beijing, "demolition_decision", on="2026-02-10", days=3)
    P.serve(beijing, "2026-02-10")
    beijing.wait_until("compliance_deadline")
    beijing.go(at("2026-02-24 09:00"))
    P.demand(beijing, "2026-02-24")
    P.serve(beijing, "2026-02-24")
    beijing.wait_until("demand_period")
    assert beijing.ready() == ["enforcement_decision"]


def test_sealing_ends_at_thirty_days_without_a_timely_extension(drv: Driver) -> None:
    """ACL Art. 25: sealing lasts at most 30 days (sealed Tue 02-10 -> Thu 03-12, not rolled);
    an extension is decided within them. Undecided at the limit, the decision task is gone
    and the release is due: no extension can be granted afterwards (wave 1 allowed it)."""
    from tests.process.test_fast_track_and_utilities import ONGOING, _onsite, _seal

    drv.open(ONGOING)
    drv.go(at("2026-02-10 09:40"))
    _onsite(drv, "2026-02-10T09:40:00+08:00", emergency=False)
    drv.do("sealing_approval", {"sealing_approved": True})
    _seal(drv, "2026-02-10T11:00:00+08:00")
    assert "sealing_expiry_decision" in drv.ready()
    drv.wait_until("sealing_expiry")
    assert drv.clock.now() == at("2026-03-13 00:00")
    assert "sealing_expiry_decision" not in drv.ready()
    assert "sealing_lift" in drv.ready()
    assert drv.data()["sealing_expired"] is True


def test_a_land_law_fine_keeps_six_months_to_sue(drv: Driver) -> None:
    """LAL Art. 83's 15 days cover only the 限期拆除 order: the fine decided with it follows
    ALL Art. 46 (6 M from service Tue 02-10 -> Mon 08-10), so its court route waits for that,
    while the demolition track keeps its 15 days. (Wave 1 used the 15 days for the fine.)"""
    P.file_case(drv, legal_basis="LAL77")
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10", 9000)
    P.serve(drv, "2026-02-10")
    P.respond(drv, waived=True)
    element = drv.ready()[0]
    P.decide(drv, element, on="2026-02-10", days=10, fine=9000)  # 200 元/m² x 45 m²
    P.serve(drv, "2026-02-10")
    assert drv.data()["lawsuit_window"] == "15 CD"  # the demolition order (LAL Art. 83)
    drv.wait_until("fine_due")
    drv.do("fine_demand", {"fine_demand_issued_on": "2026-02-26", "surcharge_notified": True})
    P.serve(drv, "2026-02-26")
    drv.wait_until("fine_demand_period")
    drv.wait_until("review_window")  # the fine's 60 CD review window
    assert drv.due("lawsuit_window_6m") == at("2026-08-11 00:00")
    assert drv.data()["lawsuit_window"] == "15 CD"  # the fine's own windows stayed its own


def test_a_refused_court_application_may_go_to_the_higher_court(drv: Driver) -> None:
    """ACL Art. 58: the court refuses to enforce; within 15 days the agency asks the court one
    level up, which rules within 30 days; its ruling stands. (Wave 1 ended at the refusal.)"""
    from tests.process.test_land_fines_confiscation import _correctable_with_fine, _corrected

    _correctable_with_fine(drv, 10000)
    drv.go(at("2026-02-20 10:00"))
    _corrected(drv, "2026-02-20")
    drv.wait_until("fine_due")
    drv.go(at("2026-02-26 09:00"))
    drv.do("fine_demand", {"fine_demand_issued_on": "2026-02-26", "surcharge_notified": True})
    P.serve(drv, "2026-02-26")
    drv.wait_until("fine_demand_period")
    drv.wait_until("reinspection_due")
    P.reinspect(drv, "2026-03-24")
    drv.wait_until("review_window")
    drv.wait_until("lawsuit_window_6m")
    drv.go(at("2026-08-11 09:00"))
    drv.do("court_application", {"court_applied_on": "2026-08-11", "court_name": "区人民法院"})
    drv.do("court_acceptance", {"court_accepted": True, "court_accepted_on": "2026-08-12"})
    drv.go(at("2026-08-14 09:00"))
    drv.do("court_ruling_task", {"court_ruling": "refused", "ruled_on": "2026-08-14"})
    # 15 days from Fri 08-14 -> Sat 08-29 -> Mon 08-31 -> due 09-01 00:00 (ACL Art. 58).
    assert drv.ready() == ["higher_court_request"]
    assert drv.due("higher_court_request_deadline") == at("2026-09-01 00:00")
    drv.go(at("2026-08-20 09:00"))
    drv.do(
        "higher_court_request",
        {
            "higher_court_requested": True,
            "higher_court_requested_on": "2026-08-20",
            "higher_court_name": "市中级人民法院",
        },
    )
    # The higher court rules within 30 days: Thu 08-20 -> Sat 09-19, a rest day -> Sun 09-20,
    # a make-up working day (国庆 调休) -> due 09-21 00:00.
    assert drv.due("higher_court_ruling_deadline") == at("2026-09-21 00:00")
    drv.do(
        "higher_court_ruling", {"higher_court_result": "enforce", "higher_ruled_on": "2026-09-10"}
    )
    assert drv.data()["fine_status"] == "court_enforce"


def test_a_lapsed_correction_order_is_never_enforced_by_demolition(drv: Driver) -> None:
    """Issue 9 item 2 (URPL Arts. 64, 68): a 限期改正 that lapses leads back to the investigation
    for a new 限期拆除 decision, with its own advance notice and hearing rights; only that
    decision's period leads to the demand."""
    P.to_decision(drv, "correctable")
    P.decide(drv, "penalty_decision", on="2026-02-10", days=3, penalty="限期改正")
    P.serve(drv, "2026-02-10")
    drv.wait_until("correction_deadline")
    assert drv.ready() == ["investigation"]
    assert "demand" not in drv.ready()
    drv.go(at("2026-02-16 09:00"))
    P.investigate(drv, on="2026-02-16")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-16")
    P.serve(drv, "2026-02-16")
    P.respond(drv, waived=True)
    P.decide(drv, "demolition_decision", on="2026-02-16", days=3)
    P.serve(drv, "2026-02-16")
    assert "compliance_deadline" in drv.timers()
    drv.wait_until("compliance_deadline")
    assert drv.ready() == ["demand"]
    assert drv.documents().count("行政处罚事先告知书") == 2


def test_a_revocation_ordering_a_new_decision_forbids_the_same_decision(drv: Driver) -> None:
    """ARL Art. 64 / ALL Art. 70: the review body revokes and orders a new decision; the case goes
    back to the investigation; ALL Art. 71 refuses a new decision on the same facts and reasons
    that is basically the same; one on completed facts goes through."""
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10)
    P.serve(drv, "2026-02-10")
    drv.go(at("2026-02-12 09:00"))
    drv.send("review_filed", {"filed_on": "2026-02-12"})
    drv.do("litigation_reply", {"reply_kind": "review_reply", "replied_on": "2026-02-12"})
    drv.go(at("2026-03-02 09:00"))
    drv.send(
        "remedy_result",
        {
            "outcome": "revoked",
            "kind": "review_decision",
            "received_on": "2026-03-02",
            "redo_ordered": True,
        },
    )
    assert drv.ready() == ["investigation"]
    assert drv.data()["outcome"] == ""
    assert drv.data()["revoked_decision"]["facts_and_evidence"] == P.DECISION["facts_and_evidence"]
    P.investigate(drv, on="2026-03-02")
    P.report(drv, "not_correctable")
    P.notice_and_waiver(drv, "2026-03-02")
    same = P.decision_data(on="2026-03-02")
    refused(drv, "demolition_decision", same, "ALL Art. 71")
    P.decide(
        drv,
        "demolition_decision",
        on="2026-03-02",
        days=10,
        facts_and_evidence="补充测绘报告：加盖部分面积45平方米，未取得建设工程规划许可证",
    )
    assert drv.ready() == ["serve_document"]


def test_zhejiang_defers_demolition_while_the_party_would_be_homeless(
    local_driver: Callable[..., Driver],
) -> None:
    """浙江 Art. 20 (setting housing_guarantee_required): a party eligible for housing support who
    would be left without a home: the enforcement decision must defer the demolition until
    housing or a transitional arrangement is secured."""
    drv = local_driver(housing_guarantee_required=True)
    to_enforcement_decision(drv)
    homeless = {"housing_hardship": True, "housing_secured": False}
    data = {
        "decided_on": "2026-03-10",
        "reasons": "逾期不拆除",
        "basis": "《行政强制法》第三十七条",
        "method": "强制拆除",
        "remedies_stated": True,
        "demand_statement_rechecked": True,
        "defer": False,
        **homeless,
    }
    refused(drv, "enforcement_decision", data, "浙江 Art. 20")
    P.enforcement_decision(drv, "2026-03-10", defer=True, defer_reason="住房困难", **homeless)
    assert drv.ready() == ["deferral_approval"]


def test_no_penalty_for_a_finished_violation_found_after_two_years(drv: Driver) -> None:
    """APL Art. 36: built and finished in June 2023, reported in February 2026 and recorded as
    not continuing: the decision is refused, naming the day the two years ended (a continuing
    violation, or one found in time, is tested in tests/unit/test_guards.py)."""
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    drv.do(
        "investigation_report",
        {
            "classification": "not_correctable",
            "construction_cost": 200000,
            "major_case": False,
            "facts": "违法建设事实清楚",
            "construction_completed_on": "2023-06-30",
            "violation_continuing": False,
        },
    )
    P.notice_and_waiver(drv, "2026-02-10")
    refusal = refused(drv, "demolition_decision", P.decision_data(on="2026-02-10"), "APL Art. 36")
    assert "2025-06-30" in refusal.reason


def test_substitute_execution_after_the_windows(drv: Driver) -> None:
    """ACL Arts. 50, 51: the enforcement decision chooses 代履行; after the remedy windows the
    head decides it (on one of Art. 50's grounds), it is served, the party is demanded to perform
    three working days ahead, and the execution is supervised and signed; the execution guards
    apply to it as to a forced demolition."""
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    P.respond(drv, waived=True)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=3)
    P.serve(drv, "2026-02-10")
    drv.wait_until("compliance_deadline")
    drv.go(at("2026-02-24 09:00"))
    P.demand(drv, "2026-02-24")
    P.serve(drv, "2026-02-24")
    drv.wait_until("demand_period")
    drv.go(at("2026-03-10 09:00"))
    P.enforcement_decision(drv, "2026-03-10", execution_mode="substitute")
    P.serve(drv, "2026-03-10")
    P.public_notice(drv, "2026-03-10")
    drv.wait_until("public_notice_period")
    drv.wait_until("review_window")
    drv.wait_until("lawsuit_window_6m")
    assert drv.ready() == ["substitute_decision"]
    drv.go(at("2026-08-11 09:00"))
    drv.do(
        "substitute_decision",
        {
            "decided_on": "2026-08-11",
            "grounds": "traffic_safety",
            "reasons": "违法建筑占压消防通道，危害交通安全；《行政强制法》第五十条",
            "executor": "某拆除工程公司",
            "method_and_time": "2026年8月20日机械拆除",
            "estimated_cost": 18000,
        },
    )
    P.serve(drv, "2026-08-11")
    drv.do("substitute_demand", {"substitute_demand_on": "2026-08-12"})
    # 3 WD from Wed 08-12: Thu 13, Fri 14, Mon 17 -> due 08-18 00:00 (ACL Arts. 51, 69).
    assert drv.due("substitute_notice_period") == at("2026-08-18 00:00")
    drv.wait_until("substitute_notice_period")
    drv.go(at("2026-08-20 09:00"))
    record = {
        "demolition_at": "2026-08-20T09:00:00+08:00",
        "supervisor": "officer2",
        "executor": "某拆除工程公司",
        "signed_by_party_or_witness": False,
        "record_made": True,
        "cost": 17500,
        "demolished_area_m2": 45.0,
    }
    refused(drv, "substitute_execution_record", record, "ACL Art. 51")
    drv.do("substitute_execution_record", {**record, "signed_by_party_or_witness": True})
    assert drv.data()["outcome"] == "substitute_executed"
    assert drv.ready() == ["closure"]
