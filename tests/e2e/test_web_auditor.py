"""An auditor reads a case's trail with its hashes, verifies it, exports it, and sees tampering."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Server, Shots, sign_in


def test_auditor_verifies_a_trail(page: Any, server: Server, shots: Shots) -> None:
    case = server.open_case(area_m2=20.0)
    cid = case["id"]
    server.complete(cid, "officer1", {"classification": "correctable", "area_m2": 20})
    trail = server.call("GET", f"/cases/{cid}/audit", "auditor1")
    assert len(trail) == 2

    sign_in(page, "auditor1")
    expect(page).to_have_url(f"{server.base}/#/audit")
    page.fill("#audit-q", case["case_no"])
    page.locator("form.toolbar button[type=submit]").click()
    page.locator(f"#audit-cases tr[data-case-id='{cid}'] a.case-no").click()

    table = page.locator("#audit-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tr[data-seq='2'] td.hash")).to_have_attribute("title", trail[1]["hash"])
    expect(table.locator("tr[data-seq='2']")).to_contain_text("完成任务")

    page.click("#verify")
    ok = page.locator("#verify-result .verify-ok")
    expect(ok).to_contain_text("校验通过")
    expect(ok).to_contain_text("共 2 条记录")
    shots("verified")

    with page.expect_download() as info:
        page.click("#export-jsonl")
    lines = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["hash"] for line in lines] == [e["hash"] for e in trail]
    assert info.value.suggested_filename == f"{case['case_no']}-audit.jsonl"

    # Someone edits the first event behind the engine's back: the next check names it.
    with sqlite3.connect(server.db_path) as db:
        db.execute(
            "UPDATE audit_events SET actor = 'mallory' WHERE case_id = ? AND seq = 1", (cid,)
        )
    page.click("#verify")
    bad = page.locator("#verify-result .verify-bad")
    expect(bad).to_contain_text("校验失败")
    expect(bad).to_contain_text("第 1 条记录不符")
    expect(table.locator("tr[data-seq='1']")).to_have_class("ev-case_opened bad")
    expect(table.locator("tr[data-seq='1']")).to_contain_text("mallory")
    shots("tampered")
