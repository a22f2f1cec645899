"""Bulk intake (issue 12 item 6) on SQLite and PostgreSQL: leads from CSV, XLSX and a 12345
JSON export open cases through the open-case use case; a dry run opens nothing and says why a
row is refused; a second import of the same file creates nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from engine import services
from engine.bootstrap import App
from engine.errors import PermissionDenied
from engine.evidence.leads import SheetUnreadable, read_leads
from engine.services import Actor
from engine.services.leads import import_leads
from tests.integration.conftest import HEAD, OFFICER

HEADER = "编号,地址,区县,线索来源,情况描述,面积,举报人,坐标\n"
GOOD = [
    'L-001,朝阳区某路1号,朝阳,12345热线,屋顶加盖彩钢房,35.5,张先生,"39.9206,116.4431"',
    "L-002,海淀区某街2号,海淀,巡查,院内搭建,12,,",
    ",丰台区某村3号,丰台,卫片,疑似新建厂房,800,,",  # no id: the row's content names it
]
BAD = [
    "L-003,,朝阳,巡查,缺地址,,,",
    "L-004,西城区某胡同4号,西城,电话,来源不明,,,",
    "L-005,东城区某路5号,东城,巡查,面积错误,十平米,,",
    'L-006,通州区某路6号,通州,巡查,坐标错误,,,"north,east"',
    "L-001,朝阳区某路1号,朝阳,12345热线,重复行,35.5,,",
]


def sheet(tmp_path: Path, lines: list[str], name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(app: App, path: Path, *, dry_run: bool, actor: Actor = OFFICER) -> dict[str, list]:
    report = import_leads(
        app.ctx,
        actor=actor,
        leads=read_leads(path),
        batch=path.name,
        dry_run=dry_run,
        process_key="mini_case",
    )
    out: dict[str, list] = {}
    for r in report.results:
        out.setdefault(r.status, []).append(r)
    return out


def case_count(app: App) -> int:
    return services.list_cases(app.ctx.uow(read_only=True), ctx=app.ctx).total


def test_dry_run_lists_what_would_be_created_and_why_rows_are_refused(
    mini: App, tmp_path: Path
) -> None:
    out = run(mini, sheet(tmp_path, GOOD + BAD), dry_run=True)
    assert [r.row for r in out["would_create"]] == [1, 2, 3]
    refused = {r.source_id: " ".join(r.reasons) for r in out["refused"]}
    assert "缺少地址" in refused["L-003"]
    assert "线索来源无法识别：电话" in refused["L-004"]
    assert "面积不是有效数字：十平米" in refused["L-005"]
    assert "坐标格式错误" in refused["L-006"]
    skipped = out["skipped"]
    assert [(r.row, r.source_id) for r in skipped] == [(8, "L-001")]
    assert "第 1 行" in skipped[0].reasons[0]
    assert case_count(mini) == 0


def test_import_opens_cases_and_a_second_import_creates_nothing(mini: App, tmp_path: Path) -> None:
    path = sheet(tmp_path, GOOD + BAD)
    out = run(mini, path, dry_run=False)
    created = out["created"]
    assert len(created) == 3 and case_count(mini) == 3
    first = services.get_case(mini.ctx.uow(read_only=True), case_id=created[0].case_id)
    assert first.data["address"] == "朝阳区某路1号"
    assert first.data["source"] == "hotline"
    assert first.data["area_m2"] == 35.5
    assert first.data["location"] == {"lat": 39.9206, "lon": 116.4431}
    assert first.data["use_type"] == "residential" and first.data["party_known"] is False
    trail = services.case_trail(mini.ctx.uow(read_only=True), case_id=first.id)
    assert trail[0].action == "case_opened" and trail[0].actor == OFFICER.username
    assert len(out["refused"]) == 4
    # The same file again: every row already imported is skipped, nothing is opened.
    again = run(mini, path, dry_run=False)
    assert "created" not in again
    assert sorted(r.source_id for r in again["skipped"])[:2] == ["L-001", "L-001"]
    assert any("已导入：案件 " + created[0].case_no in r.reasons[0] for r in again["skipped"])
    assert case_count(mini) == 3
    # A dry run now says the same.
    assert "would_create" not in run(mini, path, dry_run=True)


def test_xlsx_and_12345_json(mini: App, tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["address", "district", "source", "description", "area", "reporter", "lat", "lng"])
    ws.append(["昌平区某路7号", "昌平", "patrol", "彩钢棚", 20, "", 40.22, 116.23])
    ws.append([None, None, None, None, None, None, None, None])  # blank rows are ignored
    ws.append(["顺义区某路8号", "顺义", "satellite", "", "", "", None, None])
    xlsx = tmp_path / "survey.xlsx"
    book.save(xlsx)
    hotline = tmp_path / "12345.json"
    hotline.write_text(
        json.dumps(
            {
                "records": [
                    {
                        "工单编号": "GD2026020900017",
                        "诉求地址": "大兴区某路9号",
                        "区县": "大兴",
                        "诉求内容": "邻居违建",
                        "来电人": "李女士",
                        "经度": 116.34,
                        "纬度": 39.73,
                    },
                    {"工单编号": "GD2026020900018", "诉求地址": "", "区县": "大兴"},
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = run(mini, xlsx, dry_run=False)
    assert [r.address for r in out["created"]] == ["昌平区某路7号", "顺义区某路8号"]
    case = services.get_case(mini.ctx.uow(read_only=True), case_id=out["created"][0].case_id)
    assert case.data["location"] == {"lat": 40.22, "lon": 116.23}
    out = run(mini, hotline, dry_run=False)
    [made] = out["created"]
    assert made.source_id == "GD2026020900017"
    case = services.get_case(mini.ctx.uow(read_only=True), case_id=made.case_id)
    assert (case.data["source"], case.data["reporter"]) == ("hotline", "李女士")
    assert case.data["location"] == {"lat": 39.73, "lon": 116.34}
    assert "缺少地址" in out["refused"][0].reasons[0]
    assert "created" not in run(mini, hotline, dry_run=False)


def test_who_may_import(mini: App, tmp_path: Path) -> None:
    path = sheet(tmp_path, GOOD)
    assert len(run(mini, path, dry_run=True, actor=HEAD)["would_create"]) == 3
    with pytest.raises(PermissionDenied):
        run(mini, path, dry_run=False, actor=HEAD)
    with pytest.raises(PermissionDenied):
        run(mini, path, dry_run=True, actor=Actor("auditor1", ("auditor",)))
    assert case_count(mini) == 0


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    (tmp_path / "noaddr.csv").write_text("名称,区县\n甲,乙\n", encoding="utf-8")
    for name in ("x.txt", "bad.xlsx", "noaddr.csv"):
        with pytest.raises(SheetUnreadable):
            list(read_leads(tmp_path / name))
