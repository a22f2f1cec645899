"""The ledger (台账): counts by stage, filters, the CSV download."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Server, Shots, sign_in


def test_ledger_counts_filters_and_csv(page: Any, server: Server, shots: Shots) -> None:
    case = server.open_case(address="丰台区某路临街商铺", area_m2=38.5)
    stats = server.call("GET", "/ledger/stats", "officer1")

    sign_in(page, "officer1")
    page.locator("nav a", has_text="台账").click()
    expect(page.locator("#stat-area-found")).to_contain_text(
        f"{stats['area_found_m2']:,.1f}".rstrip("0").rstrip(".")
    )
    expect(page.locator("#stat-overdue")).to_contain_text(str(stats["overdue"]))
    expect(page.locator("#stage-chart")).to_contain_text("调查取证")
    shots("ledger")

    page.locator("#stage-chart button[data-stage='investigation']").click()
    expect(page).to_have_url(re.compile(r"stage=investigation"))
    rows = page.locator("#ledger-table tbody tr")
    expect(rows.first).to_contain_text("调查取证")
    for i in range(rows.count()):
        expect(rows.nth(i)).to_contain_text("调查取证")

    page.fill("#f-q", case["case_no"])
    page.locator("form.toolbar button[type=submit]").click()
    expect(page.locator(f"#ledger-table tr[data-case-id='{case['id']}']")).to_be_visible()
    shots("ledger-filtered")

    with page.expect_download() as info:
        page.click("#ledger-csv")
    download = info.value
    assert download.suggested_filename == "ledger.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("序号,案件编号,")  # Chinese headers (issue 13)
    assert case["case_no"] in text
