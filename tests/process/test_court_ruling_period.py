"""The court's time to rule on an application for enforcement (issue 9 item 13): 7 days from
acceptance (ACL Art. 57), 30 days where it first hears the party and the agency (ACL Art. 58).

An unpaid confiscated income goes to the court once its remedy windows lapse (served Thu
2026-02-12; the 6-month lawsuit window ends Wed 08-12).
"""

from __future__ import annotations

from tests.process import paths as P
from tests.process.driver import Driver, at, midnight
from tests.process.test_income_confiscation import income_decision, to_confiscation_decision


def to_court_acceptance(drv: Driver) -> None:
    to_confiscation_decision(drv)
    drv.do("penalty_decision", income_decision())
    P.serve(drv, "2026-02-12")
    drv.wait_until("fine_due")
    drv.go(at("2026-03-02 09:00"))
    drv.do("fine_demand", {"fine_demand_issued_on": "2026-03-02", "surcharge_notified": True})
    P.serve(drv, "2026-03-02")
    # The demand period, then the windows (both the building's and the money's) lapse.
    drv.go(at("2026-08-13 09:00"))
    assert "court_application" in drv.ready()
    drv.do("court_application", {"court_applied_on": "2026-08-13", "court_name": "区人民法院"})
    assert "court_acceptance" in drv.ready()


def test_a_hearing_gives_the_court_thirty_days(drv: Driver) -> None:
    to_court_acceptance(drv)
    drv.do(
        "court_acceptance",
        {"court_accepted": True, "court_accepted_on": "2026-08-14", "court_hears_parties": True},
    )
    # 30 CD from Fri 08-14 -> Sun 09-13 -> Mon 09-14 -> due 09-15 00:00 (ACL Art. 58).
    timer = drv.timer("court_ruling_deadline")
    assert (timer.due_at, timer.period) == (midnight("2026-09-15"), "30 CD")
    assert "ACL Art. 57, 58" in (timer.basis or "")


def test_without_a_hearing_the_court_rules_within_seven_working_days(drv: Driver) -> None:
    to_court_acceptance(drv)
    drv.do("court_acceptance", {"court_accepted": True, "court_accepted_on": "2026-08-14"})
    # 7 WD from Fri 08-14: 17, 18, 19, 20, 21, 24, 25 -> due 08-26 00:00 (ACL Art. 57).
    timer = drv.timer("court_ruling_deadline")
    assert (timer.due_at, timer.period) == (midnight("2026-08-26"), "7 WD")
