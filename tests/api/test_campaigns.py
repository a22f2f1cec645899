"""Campaigns and the ledger over HTTP (both databases): campaign progress and its on-track
projection, the district ranking, re-inspection lists, the ledger page and the CSV / XLSX
exports honouring the filters (the XLSX opened with openpyxl), rebuilt_found → a linked case."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.conftest import API, INTAKE, Driver, assert_problem

Headers = Any

CAMPAIGN: dict[str, Any] = {
    "name": "XX镇清违行动",
    "starts_on": "2026-02-01",
    "ends_on": "2026-12-31",
    "districts": ["甲区", "乙区"],
    "targets": [
        {"metric": "area_demolished_m2", "value": 30, "by": "2026-06-20"},
        {"metric": "cases_closed", "value": 50, "by": "2026-09-10"},
    ],
    "phases": [{"name": "集中整治", "starts_on": "2026-02-01", "ends_on": "2026-09-10"}],
    "villages": {"甲区": ["一村"]},
    "units": {"甲区": "甲区城管执法队", "乙区": "乙区城管执法队"},
}


def demolished(drive: Driver, client: TestClient, headers: Headers, **data: Any) -> dict[str, Any]:
    case = drive.serve(drive.decide(drive.investigate(drive.open({**INTAKE, **data}))))
    r = client.post(
        f"{API}/cases/{case['id']}/messages",
        json={"name": "party_demolished", "data": {}},
        headers=headers("officer"),
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def seed(drive: Driver, client: TestClient, headers: Headers) -> dict[str, dict[str, Any]]:
    """甲区: one demolished (12.5 m²) and one open; 乙区: one open; 丙区 (outside): one."""
    return {
        "jia_done": demolished(
            drive,
            client,
            headers,
            district="甲区",
            village="一村",
            party_name="张某",
            party_known=True,
        ),
        "jia_open": drive.open({**INTAKE, "district": "甲区", "village": "二村"}),
        "yi_open": drive.open({**INTAKE, "district": "乙区", "area_m2": 40}),
        "bing": drive.open({**INTAKE, "district": "丙区"}),
    }


def test_campaign_progress_ranking_and_projection(
    client: TestClient, headers: Headers, drive: Driver
) -> None:
    cases = seed(drive, client, headers)
    r = client.post(f"{API}/campaigns", json=CAMPAIGN, headers=headers("head"))
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["districts"] == ["甲区", "乙区"]
    by = {d["district"]: d for d in c["by_district"]}
    assert set(by) == {"甲区", "乙区"}
    assert {k: by["甲区"][k] for k in ("found_m2", "demolished_m2", "cases", "closed")} == {
        "found_m2": 25.0,
        "demolished_m2": 12.5,
        "cases": 2,
        "closed": 1,
    }
    assert by["乙区"]["cases"] == 1 and by["乙区"]["demolished_m2"] == 0
    assert [d["district"] for d in c["by_district"]] == ["甲区", "乙区"]  # ranked by share
    assert by["甲区"]["rank"] == 1 and by["甲区"]["unit"] == "甲区城管执法队"
    assert by["甲区"]["modes"]["self"] == 1
    progress = {p["metric"]: p for p in c["progress"]}
    area = progress["area_demolished_m2"]
    assert (area["value"], area["target"], area["by"]) == (12.5, 30, "2026-06-20")
    # 12.5 m² in the first ten days of the campaign: that pace reaches 30 m² long before June.
    assert area["on_track"] is True and area["projected"] >= 30
    assert progress["cases_closed"]["on_track"] is False  # 1 closed; 50 needed by September
    assert c["totals"]["cases"] == 3

    read = client.get(f"{API}/campaigns/{c['id']}", headers=headers("auditor"))
    assert read.status_code == 200 and read.json()["by_district"] == c["by_district"]
    listed = client.get(f"{API}/campaigns", headers=headers("officer")).json()
    assert [x["id"] for x in listed] == [c["id"]]
    assert cases["bing"]["id"] not in [w["case_id"] for w in c["waiting_longest"]]

    # Past the date with 12.5 < 30: behind, whatever the trend.
    drive.set_clock("2026-06-21T09:00:00+08:00")
    later = client.get(f"{API}/campaigns/{c['id']}", headers=headers("head")).json()
    assert {p["metric"]: p for p in later["progress"]}["area_demolished_m2"]["on_track"] is False

    # 回头看: the closed cases per officer, with the site photos on record.
    from tests.integration.evidence_files import jpeg

    photo = client.post(
        f"{API}/cases/{cases['jia_done']['id']}/attachments",
        files={"file": ("现场.jpg", jpeg(), "image/jpeg")},
        headers=headers("officer"),
    )
    assert photo.status_code == 201, photo.text
    lists = client.get(f"{API}/campaigns/{c['id']}/reinspection", headers=headers("officer"))
    assert lists.status_code == 200
    assert [(x["officer"], [y["case_no"] for y in x["cases"]]) for x in lists.json()] == [
        ("officer1", [cases["jia_done"]["case_no"]])
    ]
    assert lists.json()[0]["cases"][0]["photos"] == [photo.json()["id"]]


def test_campaign_writes_are_for_the_head_validated_and_versioned(
    client: TestClient, headers: Headers
) -> None:
    assert_problem(client.post(f"{API}/campaigns", json=CAMPAIGN, headers=headers("officer")), 403)
    bad = {
        **CAMPAIGN,
        "ends_on": "2026-01-01",
        "targets": [{"metric": "share_demolished", "value": 60, "by": "2026-06-20"}],
    }
    body = assert_problem(client.post(f"{API}/campaigns", json=bad, headers=headers("head")), 422)
    locs = [e["loc"] for e in body["errors"]]
    assert ["body", "ends_on"] in locs and ["body", "targets", 0, "value"] in locs
    assert client.get(f"{API}/campaigns", headers=headers("head")).json() == []
    c = client.post(f"{API}/campaigns", json=CAMPAIGN, headers=headers("head")).json()
    edited = client.put(
        f"{API}/campaigns/{c['id']}",
        json={**CAMPAIGN, "districts": ["甲区"], "units": {}, "villages": {}, "version": 1},
        headers=headers("head"),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    stale = client.put(
        f"{API}/campaigns/{c['id']}", json={**CAMPAIGN, "version": 1}, headers=headers("head")
    )
    assert_problem(stale, 409)
    trail = client.get(f"{API}/audit/system", headers=headers("auditor"))
    assert trail.status_code == 200
    actions = [e["action"] for e in trail.json() if e["action"].startswith("campaign_")]
    assert actions == ["campaign_created", "campaign_changed"]
    assert_problem(client.get(f"{API}/campaigns/999", headers=headers("head")), 404)
    assert_problem(client.get(f"{API}/campaigns", headers=headers("utility")), 403)


def test_ledger_filters_csv_and_xlsx_honour_them(
    client: TestClient, headers: Headers, drive: Driver
) -> None:
    cases = seed(drive, client, headers)
    c = client.post(f"{API}/campaigns", json=CAMPAIGN, headers=headers("head")).json()
    params = {"campaign": c["id"], "district": "甲区", "mode": "self"}
    page = client.get(f"{API}/ledger", params=params, headers=headers("auditor"))
    assert page.status_code == 200, page.text
    assert [r["case_no"] for r in page.json()["items"]] == [cases["jia_done"]["case_no"]]
    in_campaign = client.get(
        f"{API}/ledger", params={"campaign": c["id"]}, headers=headers("auditor")
    ).json()
    assert in_campaign["total"] == 3
    stats = client.get(
        f"{API}/ledger/stats", params={"district": "甲区"}, headers=headers("auditor")
    ).json()
    assert stats["total"] == 2 and stats["by_mode"] == {"self": 1}

    r = client.get(f"{API}/ledger.csv", params=params, headers=headers("auditor"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:14] == [
        "序号",
        "案件编号",
        "地址",
        "当事人",
        "面积（平方米）",
        "来源",
        "发现日期",
        "立案日期",
        "决定日期",
        "处置方式",
        "拆除日期",
        "拆除面积（平方米）",
        "状态",
        "销号日期",
    ]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["序号"], row["案件编号"], row["当事人"], row["处置方式"], row["状态"]) == (
        "1",
        cases["jia_done"]["case_no"],
        "张某",
        "自行拆除",
        "已结案",
    )
    assert row["村/社区"] == "一村" and row["更新时间"].endswith("+08:00")

    x = client.get(f"{API}/ledger.xlsx", params=params, headers=headers("auditor"))
    assert x.status_code == 200, x.text
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(x.content), read_only=True)["台账"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("序号", "案件编号", "地址")
    assert [v[1] for v in values[1:]] == [cases["jia_done"]["case_no"]]
    assert values[1][4] == 12.5 and values[1][9] == "自行拆除"

    everything = client.get(f"{API}/ledger.xlsx", headers=headers("auditor"))
    all_rows = list(
        load_workbook(io.BytesIO(everything.content), read_only=True)["台账"].iter_rows(
            values_only=True
        )
    )
    assert len(all_rows) == 1 + 4

    bad = client.get(
        f"{API}/ledger",
        params={"opened_from": "2026-03-02", "opened_to": "2026-03-01"},
        headers=headers("auditor"),
    )
    assert_problem(bad, 422)
    assert_problem(
        client.get(f"{API}/ledger.xlsx", params={"campaign": 999}, headers=headers("auditor")), 404
    )
    assert_problem(client.get(f"{API}/ledger.xlsx", headers=headers("utility")), 403)


def test_campaign_report_holds_the_ranking_and_the_numbers_behind_the_charts(
    client: TestClient, headers: Headers, drive: Driver
) -> None:
    seed(drive, client, headers)
    c = client.post(f"{API}/campaigns", json=CAMPAIGN, headers=headers("head")).json()
    r = client.get(f"{API}/campaigns/{c['id']}/report.xlsx", headers=headers("gov1"))
    assert r.status_code == 200, r.text
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    assert wb.sheetnames == [
        "概况",
        "目标进度",
        "区县排名",
        "村社区",
        "处置方式",
        "阶段",
        "周趋势",
        "久拖未结",
        "台账",
    ]
    ranking = list(wb["区县排名"].iter_rows(values_only=True))
    assert ranking[0][:4] == ("排名", "区县/街道", "责任单位", "案件数")
    assert [row[1] for row in ranking[1:]] == ["甲区", "乙区"]
    targets = list(wb["目标进度"].iter_rows(values_only=True))
    assert targets[1][0] == "拆除面积（平方米）" and targets[1][5] == "正常"
    assert len(list(wb["台账"].iter_rows(values_only=True))) == 1 + 3
    assert_problem(client.get(f"{API}/campaigns/999/report.xlsx", headers=headers("head")), 404)


def test_rebuilt_found_on_a_closed_case_opens_a_linked_case(
    client: TestClient, headers: Headers, drive: Driver
) -> None:
    closed = demolished(
        drive, client, headers, district="甲区", party_name="张某", party_known=True
    )
    r = client.post(
        f"{API}/cases/{closed['id']}/messages",
        json={"name": "rebuilt_found", "data": {"area_m2": 6}},
        headers=headers("officer"),
    )
    assert r.status_code == 200, r.text
    (child_id,) = r.json()["linked_cases"]
    child = client.get(f"{API}/cases/{child_id}", headers=headers("officer")).json()
    assert child["parent_case_id"] == closed["id"]
    assert (child["data"]["source"], child["data"]["party_name"]) == ("reinspection", "张某")
    stats = client.get(f"{API}/ledger/stats", headers=headers("head")).json()
    assert stats["rebuilt"] == 1
