"""Holiday schedules as data: a year without the State Council's schedule is 暂定 (provisional),
deadlines on it say so, an administrator loads the schedule through the 法定节假日安排 page, the
deadlines are recomputed, and the load is in the system audit trail.

The fake clock moves to 1 December 2026 so that a 60-day window served that day, and a 90-day
duty to decide a case opened that day, end in 2027, a year the server only knows provisionally. A
case of the same duty opened in August is by then past its deadline: the duty stays on the work
list, marked 已逾期. The clock is put back to the suite's start day afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import START, Server, Shots, sign_in

AUGUST = "2026-08-03T09:00:00+08:00"
DECEMBER = "2026-12-01T09:00:00+08:00"
SOURCE = "国办发明电〔2026〕7号"
# A made-up but well-formed 2027 schedule: every statutory holiday of 2027 is a rest day, and the
# weekend days worked instead (调休) are listed. Saturday 30 January 2027 is one of them, so the
# 60-day window served on 1 December 2026 (whose last day it is) ends that day, not on Monday.
REST_2027 = """2027-01-01..2027-01-03
2027-02-05 至 2027-02-13
2027-04-03..2027-04-05
2027-05-01..2027-05-05
2027-06-09
2027-09-15
2027-10-01..2027-10-07"""
WORK_2027 = "2027-01-30, 2027-02-20, 2027-04-25, 2027-05-08, 2027-09-26, 2027-10-09"
SPRING_FESTIVAL = ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"]

# The agency's duty to decide within 90 days of filing (APL Art. 60), as a non-interrupting
# boundary timer of holder `agency` on the officer's task: the task stays ready after it lapses.
DUTY_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="d_duty" targetNamespace="http://qingwei.example/e2e">
  <bpmn:process id="e2e_duty" name="办理期限测试 Duty deadline" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="officer">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>decide</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>decide_deadline</bpmn:flowNodeRef><bpmn:flowNodeRef>flag</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef><bpmn:flowNodeRef>end_flag</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" name="立案"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="decide" name="作出处罚决定 Decide">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="mini_decide.json" />
        <spiffworkflow:property name="stage" value="decision" />
        <spiffworkflow:property name="basis" value="APL Art. 60" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="decide_deadline" name="九十日内作出决定 Decide within 90 days"
        attachedToRef="decide" cancelActivity="false">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="period" value="90 CD" />
        <spiffworkflow:property name="basis" value="APL Art. 60" />
        <spiffworkflow:property name="stage" value="decision" />
        <spiffworkflow:property name="holder" value="agency" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="dd"><bpmn:timeDate>deadline(now(), "90 CD")</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="flag" name="记录超期 Record overdue">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>decide_late = True</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end" name="结束"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_flag" name="已记录"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="decide_deadline" targetRef="flag" />
    <bpmn:sequenceFlow id="f4" sourceRef="flag" targetRef="end_flag" />
  </bpmn:process>
</bpmn:definitions>
""".encode()


def switch_user(page: Any, user: str) -> None:
    if page.locator("#logout").count():
        page.click("#logout")
        expect(page.locator("#username")).to_be_visible()
    sign_in(page, user)


def at_widths(page: Any, shots: Shots) -> Callable[[str], None]:
    """Screenshots of the page as it is, at 1280 px and at 375 px (a phone)."""

    def take(name: str) -> None:
        for width, height in ((1280, 900), (375, 800)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(150)  # the layout settles (the diagram refits)
            shots(f"{name}-{width}")
        page.set_viewport_size({"width": 1400, "height": 900})

    return take


def test_holiday_calendar_provisional_deadlines_and_system_trail(
    page: Any, server: Server, shots: Shots
) -> None:
    snap = at_widths(page, shots)
    server.call("POST", "/admin/clock", "admin", json={"now": AUGUST})
    try:
        server.call(
            "POST",
            "/processes",
            "designer1",
            files=[("files", ("e2e_duty.bpmn", DUTY_BPMN, "application/xml"))],
        )
        # Opened in August: its 90 days end on Monday 2 November 2026 (1 November is a Sunday).
        late = server.open_case("e2e_duty", address="海淀区某村民宅加层", area_m2=60.0)
        server.call("POST", "/admin/clock", "admin", json={"now": DECEMBER})
        server.call("POST", "/admin/timers/run", "admin")
        # Opened in December: its 90 days end on 1 March 2027, a provisional year.
        fresh = server.open_case("e2e_duty", address="通州区某厂房扩建", area_m2=80.0)

        # A case whose party window (60 CD from service on 2026-12-01) ends in 2027.
        case = server.open_case(area_m2=25.0, party_name="赵某", source="patrol")
        cid = case["id"]
        server.complete(cid, "officer1", {"classification": "not_correctable", "area_m2": 25})
        server.complete(cid, "head1", {"compliance_days": 15})
        server.complete(cid, "officer1", {"service_method": "direct", "served_at": "2026-12-01"})
        api_case = server.call("GET", f"/cases/{cid}", "officer1")
        window = next(t for t in api_case["timers"] if t["element_id"] == "compliance_timer")
        assert window["provisional"] is True, window
        assert window["provisional_years"] == [2027], window
        late_case = server.call("GET", f"/cases/{late['id']}", "officer1")
        assert late_case["tasks"][0]["overdue"] is True, late_case["tasks"]
        assert [d["element_id"] for d in late_case["overdue_duties"]] == ["decide"]
        fresh_task = server.call("GET", f"/cases/{fresh['id']}", "officer1")["tasks"][0]
        assert fresh_task["due_provisional"] is True, fresh_task
        assert fresh_task["overdue"] is False, fresh_task
        stats = server.call("GET", "/ledger/stats", "officer1")
        assert stats["provisional"] >= 2 and stats["overdue"] >= 1, stats

        # ---- the officer's work list: the lapsed duty first, red; the 2027 one 暂定
        sign_in(page, "officer1")
        late_row = page.locator(f"table.worklist tr[data-case-id='{late['id']}']")
        expect(late_row).to_have_class(re.compile(r"\boverdue\b"))
        expect(late_row.locator(".badge.overdue")).to_have_text("已逾期")
        expect(late_row).to_contain_text("2026-11-02 24:00")
        expect(late_row).to_contain_text("《行政处罚法》第60条")
        fresh_row = page.locator(f"table.worklist tr[data-case-id='{fresh['id']}']")
        expect(fresh_row).to_contain_text("2027-03-01 24:00")
        expect(fresh_row.locator(".badge.provisional")).to_have_text("暂定")
        expect(fresh_row.locator(".badge.overdue")).to_have_count(0)
        first = page.locator("table.worklist tbody tr").first
        expect(first).to_have_class(re.compile(r"\boverdue\b"))
        snap("worklist")

        # ---- the lapsed duty on its case page: listed, and the task marked
        late_row.locator("a.case-no").click()
        duties = page.locator("#sec-overdue")
        expect(duties).to_contain_text("九十日内作出决定")
        expect(duties.locator(".badge.overdue")).to_have_text("已逾期")
        expect(duties).to_contain_text("《行政处罚法》第60条")
        task = page.locator("#sec-tasks .task-row[data-overdue='true']")
        expect(task).to_contain_text("作出处罚决定 Decide")
        expect(task.locator(".badge.overdue")).to_have_text("已逾期")
        snap("case-overdue-duty")

        # ---- the 暂定 mark on the party's window, with its explanation
        page.goto(f"/#/cases/{cid}")
        timer = page.locator("#sec-timers li[data-element='compliance_timer']")
        expect(timer).to_contain_text("复议期限 Review window")
        mark = timer.locator(".badge.provisional")
        expect(mark).to_have_text("暂定")
        expect(mark).to_have_attribute("title", re.compile("2027年度国务院放假安排尚未载入"))
        expect(mark).to_have_attribute("href", "#/calendar/2027")
        expect(page.locator("#provisional-notice")).to_contain_text("2027年")
        snap("case-provisional")
        page.goto(f"/#/cases/{fresh['id']}")
        task = page.locator("#sec-tasks .task-row", has_text="作出处罚决定 Decide")
        expect(task.locator(".badge.provisional")).to_have_text("暂定")
        expect(task).to_contain_text("2027-03-01 24:00")

        # ---- the ledger counts cases with a provisional deadline
        page.locator("nav a", has_text="台账").click()
        expect(page.locator("#stat-provisional .num")).to_have_text(str(stats["provisional"]))
        expect(page.locator("#stat-overdue .num")).to_have_text(str(stats["overdue"]))
        ledger_row = page.locator(f"#ledger-table tr[data-case-id='{cid}']")
        if ledger_row.count():
            expect(ledger_row.locator(".badge.provisional")).to_have_text("暂定")
        snap("ledger")

        # ---- the administrator: 2027 is 暂定, with the statutory Spring Festival days
        switch_user(page, "admin")
        page.locator("nav a", has_text="节假日").click()
        row = page.locator("#calendar-years tr[data-year='2027']")
        expect(row.locator(".badge")).to_have_text("暂定")
        expect(page.locator("#calendar-years tr[data-year='2026'] .badge")).to_have_text("正式")
        snap("calendar-years")

        row.locator("a.year-link").click()
        expect(page.locator("#year-status .badge")).to_have_text("暂定")
        expect(page.locator("#provisional-year")).to_contain_text("尚未载入")
        rest = page.locator("#rest-days")
        expect(rest).to_contain_text("春节")
        for day in SPRING_FESTIVAL:
            expect(rest.locator(f".day-chip[data-date='{day}']")).to_be_visible()
            expect(page.locator(f"#month-grid .cal-cell.rest[data-date='{day}']")).to_have_count(1)
        snap("calendar-2027-provisional")

        form = page.locator("#calendar-form")
        # Pasted JSON without the notice's number: the server's 422 is shown at the JSON box.
        form.locator("#cal-mode-json").click()
        form.locator("#cal-json").fill('{"rest_days": ["2027-01-01"], "work_days": []}')
        form.locator("#cal-submit").click()
        expect(form.locator("[data-field='json'] .field-error")).to_contain_text("source")
        snap("calendar-2027-json-error")
        form.locator("#cal-mode-fields").click()
        expect(form.locator("[data-field='json'] .field-error")).to_be_empty()

        # A date of another year: the server's 422 is shown at the rest-days field.
        form.locator("#cal-source").fill(SOURCE)
        form.locator("#cal-rest").fill(REST_2027 + "\n2028-01-01")
        form.locator("#cal-work").fill(WORK_2027)
        form.locator("#cal-submit").click()
        error = form.locator("[data-field='rest_days'] .field-error")
        expect(error).to_contain_text("2028-01-01")
        expect(form.locator("[data-field='work_days'] .field-error")).to_be_empty()
        snap("calendar-2027-error")
        assert server.call("GET", "/calendar/2027", "admin")["status"] == "provisional"

        # The schedule as published: 2027 becomes 正式 and the deadlines are recomputed.
        form.locator("#cal-rest").fill(REST_2027)
        form.locator("#cal-submit").click()
        result = page.locator("#load-result")
        expect(result).to_contain_text("已载入 2027 年放假安排")
        expect(result).to_contain_text("重新计算")
        expect(page.locator("#year-status .badge")).to_have_text("正式")
        expect(page.locator("#year-source")).to_contain_text(SOURCE)
        expect(page.locator("#work-days .day-chip[data-date='2027-01-30']")).to_be_visible()
        expect(page.locator("#month-grid .cal-cell.work[data-date='2027-01-30']")).to_have_count(1)
        expect(page.locator("#rest-days .day-chip[data-date='2027-02-12']")).to_be_visible()
        recomputed = re.search(r"重新计算 (\d+) 件案件", result.inner_text())
        assert recomputed and int(recomputed.group(1)) >= 1, result.inner_text()
        snap("calendar-2027-official")

        page.locator("a", has_text="全部年度").click()
        expect(page.locator("#calendar-years tr[data-year='2027'] .badge")).to_have_text("正式")
        expect(page.locator("#calendar-years tr[data-year='2027']")).to_contain_text(SOURCE)
        loaded = server.call("GET", "/calendar/2027", "officer1")
        assert loaded["status"] == "official" and loaded["source"] == SOURCE
        assert "2027-01-30" in loaded["work_days"]

        # ---- the case's window is no longer provisional; it ends on the 调休 Saturday
        switch_user(page, "officer1")
        page.goto(f"/#/cases/{cid}")
        timer = page.locator("#sec-timers li[data-element='compliance_timer']")
        expect(timer).to_contain_text("2027-01-30 24:00")
        expect(timer.locator(".badge.provisional")).to_have_count(0)
        expect(page.locator("#provisional-notice")).to_have_count(0)
        snap("case-official")
        fresh_row = page.locator(f"table.worklist tr[data-case-id='{fresh['id']}']")
        page.locator("nav a", has_text="待办").click()
        expect(fresh_row).to_contain_text("2027-03-01 24:00")
        expect(fresh_row.locator(".badge.provisional")).to_have_count(0)

        # ---- an officer may read the calendar, not load it
        page.goto("/#/calendar/2027")
        expect(page.locator("#year-status .badge")).to_have_text("正式")
        expect(page.locator("#calendar-form")).to_have_count(0)
        expect(page.locator("#calendar-readonly")).to_be_visible()

        # ---- the auditor finds the load in the system trail, which verifies
        switch_user(page, "auditor1")
        page.locator("#tab-system").click()
        trail = page.locator("#system-audit-table")
        loaded_row = trail.locator("tbody tr.ev-calendar_loaded").last
        expect(loaded_row).to_contain_text("calendar_loaded")
        expect(loaded_row).to_contain_text("载入节假日安排")
        expect(loaded_row).to_contain_text("admin")
        page.click("#verify-system")
        expect(page.locator("#verify-result .verify-ok")).to_contain_text("校验通过")
        snap("system-trail")
        verdict = server.call("GET", "/audit/system/verify", "auditor1")
        assert verdict["valid"] is True, verdict
    finally:
        server.call("POST", "/admin/clock", "admin", json={"now": START})
