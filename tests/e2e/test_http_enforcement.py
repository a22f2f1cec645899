"""The forced-demolition path of the real `enforcement` process, end to end over HTTP only.

A real `qingwei serve --demo` runs on a free port with a fresh SQLite file, the fake clock and the
real processes/ and forms/ of the repository. The demo users sign in with POST /auth/token; one
case is opened, every task is completed through its form with `case_version`, and the fake clock
is moved across each deadline with POST /admin/clock and POST /admin/timers/run (the server's
own timer worker may fire a timer first: tests/e2e/http_driver.py copes with both). The data and
dates are those of tests/process/test_main_path.py, which drives the same path through
engine.services; here nothing but HTTP touches the server.

2026 calendar: Spring Festival holidays Sun 02-15 .. Mon 02-23, make-up working days Sat 02-14
and Sat 02-28; Qingming Sat 04-04 .. Mon 04-06; Labour Day Fri 05-01 .. Tue 05-05; Mid-Autumn
Fri 09-25 .. Sun 09-27. A deadline ends at 24:00 Shanghai of its last day, so its timer is due at
00:00 of the next day; the start day is not counted; a CD period whose last day is a rest day
ends on the next working day.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

import pytest

from engine.audit import GENESIS, compute_hash
from tests.e2e.http_driver import (
    SHANGHAI,
    Api,
    HttpDriver,
    at,
    free_port,
    instant,
    midnight,
    running_server,
)
from tests.process import paths as P
from tests.process.driver import Driver

ROOT = Path(__file__).resolve().parents[2]
# Tuesday 10 February 2026, 09:00 in Shanghai: a working day just before the Spring Festival.
START = "2026-02-10T09:00:00+08:00"
DEMO_ROLES = {
    "officer1": ["officer"],
    "reviewer1": ["legal_review"],
    "head1": ["head"],
    "gov1": ["government"],
    "utility1": ["utility"],
    "auditor1": ["auditor"],
    "admin": ["admin"],
}


SERVICE_BASIS = "APL Art. 61, 85 (处罚决定书; policy for other documents)"
DEMAND_BASIS = "ACL Art. 35 (period: local setting)"


class Steps:
    """tests/process/paths.py speaks to a driver with `do(element, data)`: route it to HTTP."""

    def __init__(self, drv: HttpDriver) -> None:
        self.drv = drv

    def open(self, data: dict[str, Any]) -> None:
        self.drv.open(dict(data))

    def do(self, element_id: str, data: dict[str, Any] | None = None) -> None:
        self.drv.do(element_id, dict(data or {}))

    def ready(self) -> list[str]:
        return self.drv.ready()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    workdir = tmp_path_factory.mktemp("http-enforcement")
    with running_server(
        workdir, free_port(), processes=ROOT / "processes", forms=ROOT / "forms"
    ) as (base, _log):
        client = Api(base)
        try:
            yield client
        finally:
            client.close()


def _fd(demolition_at: str) -> dict[str, Any]:
    """The forced demolition record of paths.forced_demolition, at `demolition_at`."""
    return {
        "demolition_at": demolition_at,
        "notified_in_writing": True,
        "party_present": False,
        "witness_or_notary": True,
        "witness_name": "公证员王某",
        "inventory_done": True,
        "record_made": True,
        "emergency": False,
        "demolished_area_m2": 45.0,
    }


def _refused_and_unchanged(
    drv: HttpDriver, api: Api, data: dict[str, Any], article: str, rule: str
) -> dict[str, Any]:
    """Attempt the forced demolition: 409 naming `article`; the case stays exactly as it was and
    the trail gains one `guard_refused` event (with that article) chained to the last one."""
    before = drv.read()
    trail_before = api.call("GET", f"/cases/{drv.case_id}/audit", "auditor1")
    r = drv.attempt("forced_demolition", data)
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["status"] == 409
    assert problem["detail"].startswith(f"{article}:"), problem  # API.md: detail names it
    after = drv.read()
    assert after == before, "a refused forced demolition changed the case"
    trail = api.call("GET", f"/cases/{drv.case_id}/audit", "auditor1")
    assert trail[: len(trail_before)] == trail_before
    (event,) = trail[len(trail_before) :]
    assert (event["action"], event["element_id"], event["basis"]) == (
        "guard_refused",
        "forced_demolition",
        article,
    )
    assert event["actor"] == "officer1"
    assert (event["data"]["rule"], event["data"]["attempted"]) == (rule, data)
    assert event["prev_hash"] == trail_before[-1]["hash"]
    return dict(problem)


def test_forced_demolition_path_over_http(api: Api) -> None:
    started = time.monotonic()

    # ---- the demo users sign in ---------------------------------------------------------------
    for user, roles in DEMO_ROLES.items():
        assert api.sign_in(user)["roles"] == roles, user
    drv = HttpDriver(api)
    drv.set_clock(datetime.fromisoformat(START))
    # paths.py is typed for the engine.services driver; Steps offers the `open`/`do` it uses.
    steps = cast(Driver, Steps(drv))

    # ---- intake and filing, Tue 02-10 ---------------------------------------------------------
    steps.open(P.INTAKE)
    assert drv.now_case["status"] == "open"
    assert drv.now_case["process_key"] == "enforcement"
    # Lead check 15 CD from Tue 02-10 -> Wed 02-25 (a working day) -> due 02-26 00:00.
    assert drv.timers() == {
        "lead_check_deadline": (
            midnight("2026-02-26"),
            "15 CD",
            "住房和城乡建设行政处罚程序规定 (lead check 15 CD)",
        )
    }
    steps.do("lead_check", {"check_result": "file", "check_summary": "属实"})
    steps.do("filing_approval", {"filing_approved": True, "case_cause": "未批先建"})
    # Decision deadline 90 CD from filing Tue 02-10: Feb 18 + Mar 31 + Apr 30 + May 11 -> Mon
    # 05-11 -> due 05-12 00:00.
    decision_deadline = (midnight("2026-05-12"), "90 CD", "APL Art. 60")
    assert drv.timers() == {"decision_deadline": decision_deadline}

    # ---- investigation, legal review, advance notice and its service ---------------------------
    P.investigate(steps, on="2026-02-10")
    P.report(steps, "not_correctable")
    # A stale case_version is refused (409) and changes nothing.
    stale = drv.now_case["case_version"] - 1
    task = drv.task("legal_review")
    before = drv.read()
    r = api.send(
        "POST",
        f"/cases/{drv.case_id}/tasks/{task['id']}/complete",
        "reviewer1",
        json={"data": {"review_passed": True, "opinion": "同意"}, "case_version": stale},
    )
    assert r.status_code == 409, r.text
    assert drv.read() == before
    P.legal_review(steps)
    P.advance_notice(steps, "2026-02-10")
    # Service within 7 WD from Tue 02-10: Wed 11, Thu 12, Fri 13, Sat 14 (make-up day),
    # [15..23 holiday], Tue 24, Wed 25, Thu 26 -> due 02-27 00:00.
    assert drv.timers() == {
        "service_deadline": (midnight("2026-02-27"), "7 WD", SERVICE_BASIS),
        "decision_deadline": decision_deadline,
    }
    P.serve(steps, "2026-02-10")
    # Hearing request window 5 WD from Tue 02-10: 11, 12, 13, Sat 14, Tue 24 -> due 02-25 00:00.
    assert drv.ready() == ["party_response"]
    assert drv.timers() == {
        "hearing_request_window": (midnight("2026-02-25"), "5 WD", "APL Art. 64"),
        "decision_deadline": decision_deadline,
    }

    # ---- the party says nothing: the window lapses; the decision, Wed 02-25 -------------------
    drv.go(midnight("2026-02-25"))
    assert drv.ready() == ["demolition_decision"]
    assert drv.timers() == {"decision_deadline": decision_deadline}
    drv.go(at("2026-02-25 09:00"))
    P.decide(steps, "demolition_decision", on="2026-02-25", days=10)
    # Service within 7 WD from Wed 02-25: 26, 27, Sat 28 (make-up day), Mar 2, 3, 4, 5 -> due
    # 03-06 00:00. The decision was taken within the 90 CD: that deadline is gone.
    assert drv.timers() == {"service_deadline": (midnight("2026-03-06"), "7 WD", SERVICE_BASIS)}
    P.serve(steps, "2026-02-25")
    assert drv.data()["decision_served_at"] == "2026-02-25"
    # Compliance deadline: the decision's 10 CD from Wed 02-25 -> Sat 03-07, a rest day -> Mon
    # 03-09 -> due 03-10 00:00.
    due, period, basis = drv.timers()["compliance_deadline"]
    assert (due, basis) == (midnight("2026-03-10"), "URPL Art. 64 (period set by the decision)")
    assert set(drv.timers()) == {"compliance_deadline"}
    assert period == "10 CD"  # the period the decision set, not the diagram's default
    assert drv.now_case["waiting_messages"] == [
        "lawsuit_filed",
        "party_demolished",
        "party_requests_assistance",
        "review_filed",
    ]

    # ---- the party does not comply: formal demand, Tue 03-10 ----------------------------------
    drv.wait_until("compliance_deadline")
    assert drv.ready() == ["demand"]
    drv.go(at("2026-03-10 09:00"))
    P.demand(steps, "2026-03-10")
    # Service within 7 WD from Tue 03-10: 11, 12, 13, 16, 17, 18, 19 -> due 03-20 00:00.
    assert drv.timers() == {"service_deadline": (midnight("2026-03-20"), "7 WD", SERVICE_BASIS)}
    P.serve(steps, "2026-03-10")
    assert drv.data()["demand_served_at"] == "2026-03-10"
    # Demand period (local, 10 WD) from Tue 03-10: 11, 12, 13, 16, 17, 18, 19, 20, 23, 24 ->
    # due 03-25 00:00.
    assert drv.timers() == {"demand_period": (midnight("2026-03-25"), "10 WD", DEMAND_BASIS)}

    # ---- enforcement decision and public notice, Wed 03-25 ------------------------------------
    drv.wait_until("demand_period")
    assert drv.ready() == ["government_order"]  # URPL Art. 68: the government orders it
    drv.go(at("2026-03-25 09:00"))
    P.enforcement_decision(steps, "2026-03-25")
    # Service within 7 WD from Wed 03-25: 26, 27, 30, 31, Apr 1, 2, 3 -> due 04-04 00:00.
    assert drv.timers() == {"service_deadline": (midnight("2026-04-04"), "7 WD", SERVICE_BASIS)}
    P.serve(steps, "2026-03-25")
    P.public_notice(steps, "2026-03-25")
    # Public notice (local, 10 CD) from Wed 03-25 -> Sat 04-04, Qingming holiday to Mon 04-06
    # -> Tue 04-07 -> due 04-08 00:00.
    assert drv.timers() == {
        "public_notice_period": (midnight("2026-04-08"), "10 CD", "ACL Art. 44")
    }

    # ---- the remedy windows from service of the decision, Wed 02-25 ---------------------------
    drv.wait_until("public_notice_period")
    # Review 60 CD: Feb 3 + Mar 31 + Apr 26 -> Sun 04-26 -> Mon 04-27 -> due 04-28 00:00.
    assert drv.timers() == {"review_window": (midnight("2026-04-28"), "60 CD", "ARL Art. 20")}
    drv.wait_until("review_window")
    # Lawsuit 6 M -> Tue 08-25 (a working day) -> due 08-26 00:00.
    assert drv.timers() == {"lawsuit_window_6m": (midnight("2026-08-26"), "6 M", "ALL Art. 46")}
    drv.wait_until("lawsuit_window_6m")
    assert drv.ready() == ["forced_demolition"]
    assert drv.timers() == {}
    assert drv.now_case["stage"] == "forced_demolition"

    # ---- premature attempts: refused, naming the article, changing nothing ---------------------
    # 1. The moment the last window lapsed, Wed 08-26 00:00: still night (22:00-06:00).
    problem = _refused_and_unchanged(
        drv, api, _fd("2026-08-26T00:00:00+08:00"), "ACL Art. 43(1)", "night_holiday"
    )
    assert "2026-08-26T06:00+08:00" in problem["detail"]
    # 2. On Tue 08-25, the last day of the lawsuit window (a working day, 10:00). The BPMN holds
    # the task back until every window has lapsed, so to put the question to the engine's own
    # execution guard (which applies whatever the diagram says) the fake clock is turned back.
    drv.set_clock(at("2026-08-25 10:00"))
    problem = _refused_and_unchanged(
        drv, api, _fd("2026-08-25T10:00:00+08:00"), "ALL Art. 46", "execution"
    )
    assert "2026-08-25" in problem["detail"]

    # ---- forced demolition, Wed 08-26 09:30: a working day, daytime ---------------------------
    drv.go(at("2026-08-26 09:30"))
    assert drv.ready() == ["forced_demolition"]
    drv.do("forced_demolition", _fd("2026-08-26T09:30:00+08:00"))
    assert drv.data()["demolition_at"] == "2026-08-26T09:30:00+08:00"
    P.close(steps, "2026-08-26")
    assert (drv.now_case["status"], drv.now_case["stage"]) == ("open", "reinspection")
    # Re-inspection (policy, 30 CD) from Wed 08-26 -> Fri 09-25, Mid-Autumn holiday to Sun
    # 09-27 -> Mon 09-28 -> due 09-29 00:00.
    assert drv.timers() == {
        "reinspection_due": (midnight("2026-09-29"), "30 CD", "policy: re-inspection (回头看)")
    }
    drv.wait_until("reinspection_due")
    drv.go(at("2026-09-29 09:00"))
    P.reinspect(steps, "2026-09-29")

    # ---- closed: the stages it went through ----------------------------------------------------
    case = drv.read("auditor1")
    assert (case["status"], case["stage"]) == ("closed", "closed")
    assert case["data"]["outcome"] == "forced_demolished"
    assert case["tasks"] == [] and case["timers"] == []
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

    # ---- the audit trail, as the auditor -------------------------------------------------------
    trail = api.call("GET", f"/cases/{drv.case_id}/audit", "auditor1")
    assert [e["seq"] for e in trail] == list(range(1, len(trail) + 1))
    assert trail[0]["prev_hash"] == GENESIS
    for prev, event in pairwise(trail):
        assert event["prev_hash"] == prev["hash"], f"chain broken at seq {event['seq']}"
    for event in trail:
        # The hash covers the event as served (at in UTC, microseconds) and the case id.
        body = {k: event[k] for k in ("seq", "actor", "roles", "action", "element_id", "data")}
        body |= {"basis": event["basis"], "prev_hash": event["prev_hash"]}
        body |= {"case_id": drv.case_id}
        body["at"] = instant(event["at"]).astimezone(UTC).isoformat(timespec="microseconds")
        assert compute_hash(event["prev_hash"], body) == event["hash"], event["seq"]
    assert len({e["hash"] for e in trail}) == len(trail)
    fired = [e["element_id"] for e in trail if e["action"] == "timer_fired"]
    assert fired == [
        "hearing_request_window",
        "statement_period",  # lapsed before the party's statement was recorded
        "compliance_deadline",
        "demand_period",
        "public_notice_period",
        "review_window",
        "lawsuit_window_6m",
        "reinspection_due",
    ]
    refusals = [(e["basis"], e["data"]["rule"]) for e in trail if e["action"] == "guard_refused"]
    assert refusals == [("ACL Art. 43(1)", "night_holiday"), ("ALL Art. 46", "execution")]
    completed = [e for e in trail if e["action"] == "task_completed"]
    (demolition,) = [e for e in completed if e["element_id"] == "forced_demolition"]
    done_at = instant(demolition["at"]).astimezone(SHANGHAI)
    assert done_at == at("2026-08-26 09:30")
    assert done_at.weekday() == 2 and 6 <= done_at.hour < 22  # Wednesday, daytime
    assert demolition["actor"] == "officer1"
    documents = [d for e in completed for d in e["data"].get("documents") or []]
    assert documents == [
        *P.DOCS_PREFIX[:-1],  # no statement record: the rights were not waived, time ran out
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
    verify = api.call("GET", f"/cases/{drv.case_id}/audit/verify", "auditor1")
    assert verify["valid"] is True
    assert (verify["events"], verify["first_bad_seq"]) == (len(trail), None)
    # The auditor reads everything and changes nothing.
    r = api.send("POST", f"/cases/{drv.case_id}/messages", "auditor1", json={"name": "x"})
    assert r.status_code == 403, r.text

    # ---- the diagram ---------------------------------------------------------------------------
    diagram = api.call("GET", f"/cases/{drv.case_id}/diagram", "auditor1")
    assert "forced_demolition" in diagram["completed"]
    assert "forced_demolition" not in diagram["active"]
    assert 'id="forced_demolition"' in diagram["bpmn_xml"]

    elapsed = time.monotonic() - started
    print(f"\n{api.calls} HTTP calls, {elapsed:.1f} s driving; stages {drv.stage_path()}")
