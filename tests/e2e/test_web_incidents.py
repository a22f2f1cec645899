"""Timer incidents in the browser: a deployed process whose timer leads to `raise SystemExit`
is stuck after its deadline; the officer's case page says so under the deadline; the admin's
定时器故障 page lists it, retries it and resolves it with a reason; both actions are in the
system trail. Screenshots at 1280 px and 375 px."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import START, Server, Shots
from tests.e2e.test_web_calendar import at_widths, switch_user
from tests.integration.test_hostile_scripts import with_script

LATER = "2026-02-13T10:00:00+08:00"  # past the one-day deadline of timer_only's copy


def test_a_stuck_timer_is_shown_on_the_case_and_handled_on_the_incidents_page(
    page: Any, server: Server, shots: Shots
) -> None:
    snap = at_widths(page, shots)
    server.call(
        "POST",
        "/processes",
        "designer1",
        files=[
            (
                "files",
                (
                    "e2e_poisoned.bpmn",
                    with_script("e2e_poisoned", "raise SystemExit", after_timer=True),
                    "application/xml",
                ),
            )
        ],
    )
    case = server.open_case("e2e_poisoned", address="丰台区某厂房加层")
    try:
        server.call("POST", "/admin/clock", "admin", json={"now": LATER})
        server.call("POST", "/admin/timers/run", "admin")
        mine = [
            i
            for i in server.call("GET", f"/admin/incidents?case_id={case['id']}", "admin")
            if i["status"] != "resolved"
        ]
        assert len(mine) == 1 and "SystemExit" in mine[0]["error"], mine

        # ---- the officer sees, under the deadline, that it has not fired and why
        switch_user(page, "officer1")
        page.goto(f"/#/cases/{case['id']}")
        note = page.locator("#sec-timers .stuck-timer")
        expect(note).to_contain_text("定时器故障：期限已到但未能触发")
        expect(note).to_contain_text("已失败 1 次")
        expect(note.locator("a")).to_have_count(0)  # the incidents page is not the officer's
        snap("case-stuck-timer")

        # ---- the admin's page lists it; retry, then resolve with a reason
        switch_user(page, "admin")
        page.click("nav a[href='#/incidents']")
        row = page.locator(f"#incidents-table tr[data-incident='{mine[0]['id']}']")
        expect(row).to_contain_text(case["case_no"])
        expect(row.locator(".incident-status")).to_have_text("重试中")
        expect(row).to_contain_text("流程故障")
        snap("incidents")
        row.locator("button[data-action=retry]").click()
        expect(page.locator("#app .notice.ok")).to_contain_text("已安排重试")
        row = page.locator(f"#incidents-table tr[data-incident='{mine[0]['id']}']")
        row.locator("button[data-action=resolve]").click()
        row.locator("textarea").fill("流程已改为人工办理")
        snap("resolve-form")
        row.locator("button[type=submit]").click()
        expect(page.locator("#app .notice.ok")).to_contain_text("故障已解决")
        page.click("a[data-filter=resolved]")
        done = page.locator(f"#incidents-table tr[data-incident='{mine[0]['id']}']")
        expect(done.locator(".incident-status")).to_have_text("已解决")
        expect(done).to_contain_text("由 admin")
        expect(done).to_contain_text("流程已改为人工办理")
        snap("resolved")

        trail = server.call("GET", "/audit/system", "admin")
        acts = [
            (e["action"], e["actor"])
            for e in trail
            if e["data"].get("incident_id") == mine[0]["id"]
        ]
        assert ("timer_incident_retried", "admin") in acts
        assert ("timer_incident_resolved", "admin") in acts
    finally:
        server.call("POST", "/admin/clock", "admin", json={"now": START})
