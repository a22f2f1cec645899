"""Timer incidents over HTTP on both databases: the admin list (paginated, filtered), retry and
resolve (with a reason, audited in the system trail), and the case's stuck timer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from tests.api.conftest import API, assert_problem
from tests.integration.conftest import OFFICER
from tests.integration.test_hostile_scripts import deploy, with_script


def test_incidents_listed_retried_resolved_and_shown_on_the_case(
    engine_app: App,
    client: TestClient,
    clock: FixedClock,
    headers: Callable[[str], dict[str, str]],
) -> None:
    ctx = engine_app.ctx
    deploy(engine_app, "poisoned", with_script("poisoned", "raise SystemExit", after_timer=True))
    case = services.open_case(ctx.uow(), ctx=ctx, actor=OFFICER, process_key="poisoned", data={})
    clock.advance(timedelta(days=3))
    admin = headers("admin")
    assert client.post(f"{API}/admin/timers/run", headers=admin).json() == {"fired": 0}

    r = client.get(f"{API}/admin/incidents", headers=admin)
    assert r.status_code == 200, r.text
    assert r.headers["X-Total-Count"] == "1"
    (inc,) = r.json()
    assert (inc["case_id"], inc["case_no"], inc["status"], inc["attempts"]) == (
        case.id,
        case.case_no,
        "open",
        1,
    )
    assert inc["timer_waiting"] is True and "SystemExit" in inc["error"]
    assert inc["next_attempt_at"].endswith("+08:00")  # local time, like every other time

    shown = client.get(f"{API}/cases/{case.id}", headers=headers("officer")).json()
    (timer,) = shown["timers"]
    assert timer["stuck"] is True
    assert (timer["incident"]["id"], timer["incident"]["status"]) == (inc["id"], "open")

    r = client.post(f"{API}/admin/incidents/{inc['id']}/retry", headers=admin)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["attempts"]) == ("open", 0)

    assert_problem(
        client.post(
            f"{API}/admin/incidents/{inc['id']}/resolve", headers=admin, json={"reason": "  "}
        ),
        422,
    )
    assert_problem(client.post(f"{API}/admin/incidents/999999/retry", headers=admin), 404)
    r = client.post(
        f"{API}/admin/incidents/{inc['id']}/resolve",
        headers=admin,
        json={"reason": "已改用人工处理 handled by hand"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["resolved_by"]) == ("resolved", "admin")
    assert_problem(
        client.post(
            f"{API}/admin/incidents/{inc['id']}/resolve", headers=admin, json={"reason": "x"}
        ),
        409,
    )
    assert_problem(client.post(f"{API}/admin/incidents/{inc['id']}/retry", headers=admin), 409)

    r = client.get(f"{API}/admin/incidents?status=active", headers=headers("auditor"))
    assert (r.status_code, r.json(), r.headers["X-Total-Count"]) == (200, [], "0")
    assert_problem(client.get(f"{API}/admin/incidents?status=bogus", headers=admin), 422)
    shown = client.get(f"{API}/cases/{case.id}", headers=headers("officer")).json()
    assert shown["timers"][0]["stuck"] is False and shown["timers"][0]["incident"] is None

    trail = client.get(f"{API}/audit/system", headers=admin).json()
    mine = [(e["action"], e["actor"]) for e in trail if "incident" in e["action"]]
    assert mine == [
        ("timer_incident_opened", "system"),
        ("timer_incident_retried", "admin"),
        ("timer_incident_resolved", "admin"),
    ]
    assert trail[-1]["data"]["reason"] == "已改用人工处理 handled by hand"
