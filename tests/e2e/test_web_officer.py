"""An officer's morning: sign in, the work list, a task done through its form, the party."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Server, Shots, sign_in


def test_officer_completes_a_task_through_its_form(page: Any, server: Server, shots: Shots) -> None:
    case = server.open_case(area_m2=45.0, party_name="张某", source="hotline")
    cid = case["id"]

    page.goto("/")
    expect(page.locator("#username")).to_be_visible()
    shots("login")
    sign_in(page, "officer1")

    row = page.locator(f"table.worklist tr[data-case-id='{cid}']")
    expect(row).to_contain_text(case["case_no"])
    expect(row).to_contain_text("调查取证 Investigate")
    shots("worklist")

    row.locator("a.task-link").click()
    form = page.locator("#task-form")
    expect(form).to_contain_text("办理：调查取证")
    diagram = page.locator("#case-diagram .bpmn-canvas")
    expect(diagram).to_have_attribute("data-active", re.compile(r"\binvestigate\b"))
    expect(page.locator(".djs-element.qw-active[data-element-id='investigate']")).to_have_count(1)
    shots("task-form")

    # A wrong submission: no classification, a negative area. The server's 422 errors appear
    # under their fields, in Chinese with the original message.
    form.locator("[data-field='area_m2'] input").fill("-5")
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-field='classification'] .field-error")).to_contain_text("必填")
    expect(form.locator("[data-field='area_m2'] .field-error")).to_contain_text("不能小于 0")
    expect(form.locator("[data-field='notes'] .field-error")).to_be_empty()
    expect(form).to_contain_text("请更正标出的 2 处错误")
    shots("validation-errors")
    assert server.call("GET", f"/cases/{cid}", "officer1")["case_version"] == case["case_version"]

    form.locator("[data-field='classification'] select").select_option(label="尚可改正")
    form.locator("[data-field='area_m2'] input").fill("45")
    form.locator("[data-field='notes'] textarea").fill("现场核实：楼顶彩钢板房约45平方米。")
    form.locator("button[type=submit]").click()

    expect(page.locator(".notice.ok")).to_contain_text("已完成：调查取证 Investigate")
    expect(page.locator("#task-form")).to_have_count(0)
    # The highlight moved: investigation done, the decision is active.
    diagram = page.locator("#case-diagram .bpmn-canvas")
    expect(diagram).to_have_attribute("data-active", re.compile(r"\bdecide\b"))
    expect(diagram).to_have_attribute("data-completed", re.compile(r"\binvestigate\b"))
    expect(page.locator(".qw-completed[data-element-id='investigate']")).to_have_count(1)
    expect(page.locator(".qw-active[data-element-id='decide']")).to_have_count(1)
    expect(page.locator("#case-stage")).to_contain_text("作出决定")
    # The next task belongs to the head, not to this officer.
    expect(page.locator("#sec-tasks")).to_contain_text("需负责人办理")
    expect(page.locator("#sec-timeline")).to_contain_text("完成：调查取证 Investigate")
    expect(page.locator("#sec-timeline")).to_contain_text("定性：尚可改正")
    expect(page.locator("#sec-documents")).to_contain_text("现场检查笔录")
    shots("after-completion")

    after = server.call("GET", f"/cases/{cid}", "officer1")
    assert after["data"]["classification"] == "correctable"
    assert after["data"]["area_m2"] == 45


def test_officer_opens_a_case(page: Any, server: Server, shots: Shots) -> None:
    sign_in(page, "officer1")
    page.get_by_role("link", name="＋ 立案 New case").click()
    page.select_option("#process-key", "mini_case")
    page.fill("[data-field='address'] input", "东城区某胡同12号院内")
    page.fill("[data-field='district'] input", "东城区")
    page.select_option("[data-field='source'] select", label="巡查发现")
    page.select_option("[data-field='use_type'] select", label="居住")
    page.check("[data-field='construction_ongoing'] input[value='false']")
    page.check("[data-field='party_known'] input[value='true']")
    page.fill("[data-field='party_name'] input", "王某")
    page.fill("[data-field='area_m2'] input", "18.5")
    shots("new-case")
    page.locator("form.qw-form button[type=submit]").click()

    expect(page.locator(".notice.ok")).to_contain_text("已立案：QW-2026-")
    expect(page).to_have_url(re.compile(r"#/cases/\d+$"))
    expect(page.locator("#sec-tasks")).to_contain_text("调查取证 Investigate")
    expect(page.locator("#sec-data")).to_contain_text("巡查发现")
    shots("opened")
    case_id = int(page.url.rsplit("/", 1)[1])
    data = server.call("GET", f"/cases/{case_id}", "officer1")["data"]
    assert data["area_m2"] == 18.5
    assert data["construction_ongoing"] is False
    assert data["party_name"] == "王某"


def test_officer_serves_and_records_the_partys_action(
    page: Any, server: Server, shots: Shots
) -> None:
    case = server.open_case(area_m2=30.0, party_name="李某")
    cid = case["id"]
    server.complete(cid, "officer1", {"classification": "not_correctable", "area_m2": 30})
    server.complete(cid, "head1", {"compliance_days": 15})

    sign_in(page, "officer1")
    page.goto(f"/#/cases/{cid}")
    task = page.locator("#sec-tasks .task-row", has_text="送达 Serve")
    task.get_by_role("link", name="办理").click()
    form = page.locator("#task-form")
    form.locator("[data-field='service_method'] select").select_option(label="留置送达")
    form.locator("[data-field='served_at'] input").fill("2026-02-10")
    shots("serve-form")
    form.locator("button[type=submit]").click()
    expect(page.locator(".notice.ok")).to_contain_text("已完成：送达 Serve")

    # The review window runs, with its period and legal basis; the party may act meanwhile.
    timers = page.locator("#sec-timers")
    expect(timers).to_contain_text("复议期限 Review window")
    expect(timers).to_contain_text("60日（自然日）")
    expect(timers).to_contain_text("《行政复议法》第20条")
    expect(timers).to_contain_text("2026-04-13 24:00")
    expect(page.locator("#case-stage")).to_contain_text("履行期限")
    shots("waiting-for-party")

    page.locator("button[data-message='party_demolished']").click()
    msg = page.locator("#message-form")
    expect(msg).to_contain_text("当事人已自行拆除")
    msg.locator("[data-field='note'] textarea").fill("现场复查：已自行拆除，见照片3张。")
    msg.locator("button[type=submit]").click()

    expect(page.locator(".notice.ok")).to_contain_text("已记录：当事人已自行拆除")
    expect(page.locator(".case-head")).to_contain_text("已结案")
    expect(page.locator("#sec-timeline")).to_contain_text("当事人行为：当事人已自行拆除")
    expect(page.locator(".djs-element.qw-completed[data-element-id='end_closed']")).to_have_count(1)
    shots("closed")
    after = server.call("GET", f"/cases/{cid}", "officer1")
    assert after["status"] == "closed"
    assert after["data"]["outcome"] == "self_demolished"


def test_guard_refusal_is_shown_with_its_article(page: Any, server: Server, shots: Shots) -> None:
    case = server.open_case("guarded", area_m2=12.0)
    cid = case["id"]
    server.complete(cid, "officer1", {"notes": "已调查"})
    server.complete(cid, "reviewer1", {"review_passed": True})

    sign_in(page, "head1")
    row = page.locator(f"table.worklist tr[data-case-id='{cid}']")
    expect(row).to_contain_text("决定及送达")
    row.locator("a.task-link").click()
    form = page.locator("#task-form")
    # A fine that the advance notice never announced: APL Art. 62 forbids it.
    form.locator("[data-field='fine_amount'] input").fill("1000")
    form.locator("button[type=submit]").click()
    refusal = form.locator(".notice.refusal")
    expect(refusal).to_contain_text("依法不能办理")
    expect(refusal.locator(".article-ref")).to_have_text("《行政处罚法》第62条")
    expect(refusal).to_contain_text("APL Art. 62")
    shots("refusal")

    # The refusal is in the trail; the case did not move.
    page.goto(f"/#/cases/{cid}")
    expect(page.locator("#sec-timeline")).to_contain_text("依法拒绝")
    expect(page.locator("#sec-timeline")).to_contain_text("《行政处罚法》第62条")
    after = server.call("GET", f"/cases/{cid}", "head1")
    assert after["stage"] == "decision"


def test_segregation_of_duties_is_shown_with_its_article(
    page: Any, server: Server, shots: Shots
) -> None:
    # One person who both investigates and reviews: the law forbids reviewing one's own case.
    server.add_user("dual1", "officer", "legal_review")
    case = server.call(
        "POST",
        "/cases",
        "dual1",
        json={"process_key": "guarded", "data": {"address": "石景山区某小区", "area_m2": 9}},
    )
    cid = case["id"]
    server.complete(cid, "dual1", {"notes": "本人调查"})

    sign_in(page, "dual1")
    row = page.locator(f"table.worklist tr[data-case-id='{cid}']")
    expect(row).to_contain_text("法制审核")
    row.locator("a.task-link").click()
    form = page.locator("#task-form")
    form.locator("[data-field='review_passed'] input[value='true']").check()
    form.locator("button[type=submit]").click()
    refusal = form.locator(".notice.refusal")
    expect(refusal).to_have_attribute("data-status", "403")
    expect(refusal).to_contain_text("职责分离")
    expect(refusal.locator(".article-ref")).to_have_text("《行政处罚法》第58条")
    shots("segregation-refusal")
    assert server.call("GET", f"/cases/{cid}", "dual1")["stage"] == "legal_review"
