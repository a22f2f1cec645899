"""The campaign dashboard (专项行动) and the filtered ledger in a browser, at 1280 and 375 px:
KPIs, targets on track or behind, the ECharts charts drawn, the district ranking, the report
download; the ledger's filters reach the table and the XLSX."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import Server, Shots, sign_in


def _demolished(server: Server, **data: Any) -> dict[str, Any]:
    case = server.open_case(**data)
    server.complete(
        case["id"],
        "officer1",
        {"classification": "not_correctable", "area_m2": data.get("area_m2", 10)},
    )
    server.complete(case["id"], "head1", {"compliance_days": 10})
    server.complete(case["id"], "officer1", {"service_method": "direct", "served_at": "2026-02-10"})
    done: dict[str, Any] = server.call(
        "POST",
        f"/cases/{case['id']}/messages",
        "officer1",
        json={"name": "party_demolished", "data": {}},
    )
    return done


def test_campaign_dashboard_and_filtered_ledger(page: Any, server: Server, shots: Shots) -> None:
    jia = _demolished(
        server,
        district="甲街道",
        village="一村",
        address="甲街道一村3号",
        area_m2=120,
        party_name="王某",
        party_known=True,
    )
    _demolished(server, district="乙镇", village="二村", address="乙镇二村8号", area_m2=60)
    server.open_case(district="乙镇", village="三村", address="乙镇三村1号", area_m2=200)
    server.open_case(district="丙镇", address="丙镇某路5号", area_m2=80)
    campaign = server.call(
        "POST",
        "/campaigns",
        "head1",
        json={
            "name": "清违专项行动（演示）",
            "starts_on": "2026-02-01",
            "ends_on": "2026-12-31",
            "districts": ["甲街道", "乙镇", "丙镇"],
            "targets": [
                {"metric": "area_demolished_m2", "value": 400, "by": "2026-06-20"},
                {"metric": "share_demolished", "value": 0.6, "by": "2026-06-20"},
                {"metric": "cases_closed", "value": 200, "by": "2026-09-10"},
            ],
            "phases": [{"name": "集中整治", "starts_on": "2026-02-01", "ends_on": "2026-06-20"}],
            "units": {"甲街道": "甲街道综合执法队"},
        },
    )

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "head1")
    page.locator("nav a", has_text="专项行动").click()
    card = page.locator(f".campaign-card[data-campaign-id='{campaign['id']}']")
    expect(card).to_contain_text("清违专项行动（演示）")
    card.click()
    expect(page.locator("#kpi-demolished")).to_contain_text(
        f"{campaign['totals']['demolished_m2']:g}"
    )
    expect(page.locator("#campaign-targets .target")).to_have_count(3)
    expect(page.locator("#campaign-targets [data-metric='cases_closed']")).to_contain_text("滞后")
    ranking = page.locator("#campaign-ranking tbody tr[data-district]")
    expect(ranking.first).to_contain_text("甲街道")
    expect(ranking.first).to_contain_text("甲街道综合执法队")
    expect(page.locator("#app [data-charts-ready='true']")).to_have_count(1)
    for chart in ("chart-trend", "chart-modes", "chart-districts", "chart-stages"):
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
    shots("campaign-1280")

    with page.expect_download() as info:
        page.click("#campaign-report")
    wb = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True)
    assert "区县排名" in wb.sheetnames
    assert next(r[1] for r in wb["区县排名"].iter_rows(min_row=2, values_only=True)) == "甲街道"

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    box = page.locator("#chart-trend").bounding_box()
    assert box is not None and box["width"] <= 375
    shots("campaign-375")

    # The ledger of the campaign, filtered to one district and mode; the XLSX follows.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#campaign-ledger")
    page.fill("#f-district", "甲街道")
    page.select_option("#f-mode", "self")
    page.locator("#ledger-filters button[type=submit]").click()
    rows = page.locator("#ledger-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(jia["case_no"])
    expect(rows.first).to_contain_text("自行拆除")
    shots("ledger-filtered-1280")
    with page.expect_download() as info:
        page.click("#ledger-xlsx")
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True)["台账"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "案件编号" and [v[1] for v in values[1:]] == [jia["case_no"]]
    page.set_viewport_size({"width": 375, "height": 800})
    shots("ledger-filtered-375")


def test_a_rebuilt_structure_links_both_case_pages(page: Any, server: Server, shots: Shots) -> None:
    closed = _demolished(server, district="甲街道", village="一村", address="甲街道一村9号")
    after = server.call(
        "POST",
        f"/cases/{closed['id']}/messages",
        "officer1",
        json={"name": "rebuilt_found", "data": {"area_m2": 30}},
    )
    (child,) = after["linked_cases"]
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "officer1")
    page.goto(f"/#/cases/{closed['id']}")
    link = page.locator(".linked-case")
    expect(link).to_have_text(f"复建另案 #{child}")
    link.click()
    expect(page.locator("#case-parent")).to_contain_text(f"#{closed['id']}")
    expect(page.locator("#case-no")).to_have_text(
        server.call("GET", f"/cases/{child}", "officer1")["case_no"]
    )
    shots("rebuilt-child-1280")


def test_the_head_edits_a_campaign_from_its_page(page: Any, server: Server, shots: Shots) -> None:
    campaign = server.call(
        "POST",
        "/campaigns",
        "head1",
        json={
            "name": "待修改的专项行动",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "districts": ["甲街道"],
            "targets": [{"metric": "cases_closed", "value": 10, "by": "2026-06-30"}],
            "units": {"甲街道": "甲街道综合执法队"},
        },
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "head1")
    page.goto(f"/#/campaigns/{campaign['id']}")
    page.locator("details.campaign-edit summary").click()
    page.fill("#campaign-edit #c-districts", "甲街道、乙镇")
    page.fill("#campaign-edit #c-area", "500")
    page.fill("#campaign-edit #c-area-by", "2026-06-20")
    page.locator("#campaign-edit button[type=submit]").click()
    expect(page.locator("#campaign-targets .target")).to_have_count(2)
    expect(page.locator("#campaign-ranking tbody tr[data-district='乙镇']")).to_have_count(1)
    after = server.call("GET", f"/campaigns/{campaign['id']}", "head1")
    assert after["version"] == 2 and after["districts"] == ["甲街道", "乙镇"]
    assert after["units"] == {"甲街道": "甲街道综合执法队"}
    assert {t["metric"] for t in after["targets"]} == {"cases_closed", "area_demolished_m2"}
    trail = server.call("GET", "/audit/system", "auditor1")
    assert any(e["action"] == "campaign_changed" for e in trail)
