"""The agency's own deadline to answer a review or lawsuit (`reply_deadline` on
`litigation_reply`): 10 days of ARL Art. 48 (working days, Art. 88) for a review, 15 days of
ALL Art. 67 (calendar days) for a lawsuit, counted from the day the filing is recorded. Missing
it does not stop the work: the task stays open and `reply_late` records the lapse (the review
body or court then deems the act to lack evidence, ARL Art. 70, ALL Art. 34).

2026 calendar: Spring Festival Sun 02-15 .. Mon 02-23 (make-up working days Sat 02-14, Sat
02-28); Qingming Sat 04-04 .. Mon 04-06. The start day is not counted; a calendar-day period
whose last day is a rest day ends on the next working day; a deadline runs to 24:00 Shanghai of
its last day, so the timer is due at 00:00 of the next day.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.process import paths as P
from tests.process.driver import Driver, at, midnight

BASIS = "ARL Art. 48; ALL Art. 67"


def _decided_and_served(drv: Driver, days: int = 60) -> None:
    """A demolition decision served Tue 02-10; `days` to comply (60 CD by default, so the
    compliance deadline, Mon 04-13, is still ahead when the party files)."""
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=days)
    P.serve(drv, "2026-02-10")


def _fired_event(drv: Driver, element_id: str) -> Any:
    found = [e for e in drv.trail() if e.action == "timer_fired" and e.element_id == element_id]
    assert len(found) == 1, [e.element_id for e in drv.trail() if e.action == "timer_fired"]
    return found[0]


def test_review_reply_is_due_in_10_working_days_and_its_lapse_only_flags(
    deep_drv: Driver,
) -> None:
    drv = deep_drv
    _decided_and_served(drv)
    drv.go(at("2026-02-13 10:00"))
    drv.send("review_filed", {"filed_on": "2026-02-13", "body": "区人民政府"})
    assert drv.ready() == ["litigation_reply"]
    data = drv.data()
    assert (data["remedy_kind"], data["reply_period"], data["reply_from"]) == (
        "review",
        "10 WD",
        "2026-02-13",
    )
    assert data["reply_late"] is False
    # 10 WD from Fri 02-13: Sat 02-14 (make-up), [02-15 .. 02-23 Spring Festival], 24, 25, 26,
    # 27, Sat 28 (make-up), Mar 2, 3, 4, Thu 5 -> due Fri 03-06 00:00.
    reply = drv.timer("reply_deadline")
    assert (reply.due_at, reply.period, reply.basis) == (midnight("2026-03-06"), "10 WD", BASIS)
    assert drv.timers() == {"reply_deadline": midnight("2026-03-06")}

    # A minute before 24:00 of the last day nothing has lapsed.
    drv.go(at("2026-03-05 23:59"))
    assert drv.timers() == {"reply_deadline": midnight("2026-03-06")}
    assert drv.data()["reply_late"] is False

    drv.wait_until("reply_deadline")
    assert drv.clock.now() == midnight("2026-03-06")
    # The lapse is recorded; nothing else moves: the reply is still to be made, the case still
    # waits for the result and forced demolition stays out of reach.
    assert drv.data()["reply_late"] is True
    assert drv.ready() == ["litigation_reply"]
    assert drv.now_case.stage == "litigation"
    assert drv.timers() == {}
    assert drv.now_case.waiting_messages == ["party_demolished", "remedy_result"]
    assert drv.fired() == ["reply_deadline"]
    fired = _fired_event(drv, "reply_deadline")
    assert fired.basis == BASIS
    assert fired.data["period"] == "10 WD"
    assert datetime.fromisoformat(fired.data["due_at"]) == midnight("2026-03-06")

    # The late reply is still accepted and the case goes on waiting for the result.
    drv.go(at("2026-03-06 09:00"))
    drv.do("litigation_reply", {"reply_kind": "review_reply", "replied_on": "2026-03-06"})
    assert drv.data()["remedy_replied"] is True
    assert drv.data()["reply_late"] is True
    # Follow-up (policy) 30 CD from the filing, Fri 02-13 -> Sun 03-15 -> Mon 03-16.
    assert drv.timers() == {"remedy_followup": midnight("2026-03-17")}


def test_lawsuit_defence_is_due_in_15_calendar_days_rolled_past_qingming(drv: Driver) -> None:
    _decided_and_served(drv)
    drv.go(at("2026-03-20 10:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-03-20", "court": "区人民法院"})
    assert drv.ready() == ["litigation_reply"]
    data = drv.data()
    assert (data["remedy_kind"], data["reply_period"], data["reply_from"]) == (
        "lawsuit",
        "15 CD",
        "2026-03-20",
    )
    # 15 CD from Fri 03-20 -> Sat 04-04, Qingming (04-04 .. 04-06) -> Tue 04-07 -> due 04-08.
    reply = drv.timer("reply_deadline")
    assert (reply.due_at, reply.period, reply.basis) == (midnight("2026-04-08"), "15 CD", BASIS)

    drv.go(at("2026-04-07 23:59"))
    assert drv.data()["reply_late"] is False
    assert drv.timers() == {"reply_deadline": midnight("2026-04-08")}
    drv.wait_until("reply_deadline")
    assert drv.data()["reply_late"] is True
    assert drv.ready() == ["litigation_reply"]
    assert drv.timers() == {}
    assert _fired_event(drv, "reply_deadline").data["period"] == "15 CD"

    # The result may arrive while the defence is still open: it ends the reply task.
    drv.go(at("2026-04-10 09:00"))
    drv.send("remedy_result", {"outcome": "revoked", "decided_on": "2026-04-09"})
    assert drv.ready() == ["closure"]
    assert drv.data()["reply_late"] is True


def test_a_reply_in_time_ends_the_deadline(drv: Driver) -> None:
    _decided_and_served(drv)
    drv.go(at("2026-02-12 11:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-02-12", "court": "区人民法院"})
    # 15 CD from Thu 02-12 -> Fri 02-27, a working day -> due 02-28 00:00.
    assert drv.timers() == {"reply_deadline": midnight("2026-02-28")}
    drv.go(at("2026-02-26 10:00"))
    drv.do("litigation_reply", {"reply_kind": "lawsuit_defence", "replied_on": "2026-02-26"})
    # Follow-up 30 CD from Thu 02-12 -> Sat 03-14 -> Mon 03-16 -> due 03-17 00:00.
    assert drv.timers() == {"remedy_followup": midnight("2026-03-17")}
    drv.go(at("2026-03-01 09:00"))
    assert drv.data()["reply_late"] is False
    assert "reply_deadline" not in drv.fired()


def test_the_deadline_counts_from_the_filing_when_the_reply_task_comes_back(
    drv: Driver,
) -> None:
    _decided_and_served(drv)
    drv.go(at("2026-03-20 10:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-03-20"})
    assert drv.due("reply_deadline") == midnight("2026-04-08")
    # A demolition claim interrupts the reply; the check refutes it and, the lawsuit still
    # pending, the reply is due again: by the same date, not 15 CD from the check.
    drv.go(at("2026-03-24 09:00"))
    drv.send("party_demolished", {"evidence": "照片"})
    assert drv.ready() == ["verify_self_demolition"]
    assert "reply_deadline" not in drv.timers()
    drv.do("verify_self_demolition", {"verified_on": "2026-03-24", "demolition_verified": False})
    assert drv.ready() == ["litigation_reply"]
    assert drv.timers() == {"reply_deadline": midnight("2026-04-08")}
    drv.wait_until("reply_deadline")
    assert drv.data()["reply_late"] is True
    assert drv.ready() == ["litigation_reply"]


def _late_review_reply_then_a_lawsuit(drv: Driver) -> None:
    """A review filed Fri 02-13 whose reply is late, upheld; then the party sues Tue 03-10."""
    _decided_and_served(drv, days=10)
    drv.go(at("2026-02-13 10:00"))
    drv.send("review_filed", {"filed_on": "2026-02-13"})
    drv.wait_until("reply_deadline")  # 03-06 00:00, see the first test
    assert drv.data()["reply_late"] is True
    drv.go(at("2026-03-06 09:00"))
    drv.do("litigation_reply", {"reply_kind": "review_reply", "replied_on": "2026-03-06"})
    drv.go(at("2026-03-09 09:00"))
    drv.send("remedy_result", {"outcome": "upheld", "decided_on": "2026-03-09"})
    # Upheld; the compliance deadline (02-25) has passed: the demand, served Mon 03-09.
    assert drv.ready() == ["demand"]
    P.demand(drv, "2026-03-09")
    P.serve(drv, "2026-03-09")
    # After the review decision the party sues (ALL Art. 45): the defence is the court's
    # 15 CD, from Tue 03-10 -> Wed 03-25 -> due 03-26 00:00; the earlier lapse is history.
    drv.go(at("2026-03-10 10:00"))
    drv.send("lawsuit_filed", {"filed_on": "2026-03-10", "court": "区人民法院"})
    assert drv.ready() == ["litigation_reply"]


def test_a_lawsuit_after_a_review_has_its_own_period(drv: Driver) -> None:
    _late_review_reply_then_a_lawsuit(drv)
    data = drv.data()
    assert (data["remedy_kind"], data["reply_period"], data["reply_from"]) == (
        "lawsuit",
        "15 CD",
        "2026-03-10",
    )
    reply = drv.timer("reply_deadline")
    assert (reply.due_at, reply.period) == (midnight("2026-03-26"), "15 CD")
    assert drv.fired().count("reply_deadline") == 1


def test_a_new_filing_clears_the_earlier_reply_late_flag(drv: Driver) -> None:
    _late_review_reply_then_a_lawsuit(drv)
    assert drv.data()["reply_late"] is False
