"""The periodic report of a campaign (通报) as a workbook: the targets and whether each is on
track, the district ranking, villages, the demolition split, stages, the weekly trend, the cases
waiting longest: the numbers behind every chart of the dashboard, in Chinese, Beijing time."""

from __future__ import annotations

from typing import IO, Any

from engine.services.campaigns import CampaignView, get_campaign
from engine.services.context import EngineContext
from engine.services.ledger import LedgerQuery, ledger_xlsx_sheet
from engine.services.ledger_labels import METRICS, MODES, STAGES, name
from engine.store.ledger_repo import CN
from engine.store.uow import UnitOfWork


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _metric_value(metric: str, value: float) -> Any:
    return _pct(value) if metric == "share_demolished" else value


def report_sheets(c: CampaignView, now_text: str) -> dict[str, list[list[Any]]]:
    """Sheet name → rows (the first row of each is its header)."""
    overview: list[list[Any]] = [
        ["项目", "内容"],
        ["专项行动", c.name],
        ["起止日期", f"{c.starts_on.isoformat()} 至 {c.ends_on.isoformat()}"],
        ["当前阶段", c.current_phase or "—"],
        ["统计时间", now_text],
        ["案件数", c.totals.get("cases", 0)],
        ["结案数", c.totals.get("closed", 0)],
        ["查处面积（平方米）", c.totals.get("found_m2", 0)],
        ["拆除面积（平方米）", c.totals.get("demolished_m2", 0)],
        ["拆除率", _pct(float(c.totals.get("share_demolished", 0)))],
        ["逾期案件", c.totals.get("overdue", 0)],
        ["复建另案", c.totals.get("rebuilt", 0)],
    ]
    targets: list[list[Any]] = [["目标指标", "目标值", "完成时限", "当前值", "按趋势预计", "进度"]]
    for p in c.progress:
        targets.append(
            [
                name(METRICS, p.metric),
                _metric_value(p.metric, p.target),
                p.by.isoformat(),
                _metric_value(p.metric, p.value),
                _metric_value(p.metric, p.projected),
                "正常" if p.on_track else "滞后",
            ]
        )
    ranking: list[list[Any]] = [
        [
            "排名",
            "区县/街道",
            "责任单位",
            "案件数",
            "结案数",
            "查处面积（平方米）",
            "拆除面积（平方米）",
            "拆除率",
            *(name(MODES, m) for m in c.by_mode),
            "逾期",
            "复建",
        ]
    ]
    villages: list[list[Any]] = [
        [
            "区县/街道",
            "村/社区",
            "案件数",
            "结案数",
            "查处面积（平方米）",
            "拆除面积（平方米）",
            "拆除率",
            "复建",
        ]
    ]
    for d in c.by_district:
        ranking.append(
            [
                d.rank,
                d.district,
                d.unit or "",
                d.cases,
                d.closed,
                d.found_m2,
                d.demolished_m2,
                _pct(d.share_demolished),
                *(d.modes.get(m, 0) for m in c.by_mode),
                d.overdue,
                d.rebuilt,
            ]
        )
        for v in d.villages:
            villages.append(
                [
                    d.district,
                    v["village"],
                    v["cases"],
                    v["closed"],
                    v["found_m2"],
                    v["demolished_m2"],
                    _pct(v["share_demolished"]),
                    v["rebuilt"],
                ]
            )
    modes: list[list[Any]] = [
        ["处置方式", "案件数"],
        *([name(MODES, m), n] for m, n in c.by_mode.items()),
    ]
    stages: list[list[Any]] = [
        ["阶段", "案件数"],
        *([name(STAGES, s), n] for s, n in sorted(c.by_stage.items())),
    ]
    trend: list[list[Any]] = [
        ["周（周一）", "新发现", "结案", "拆除面积（平方米）", "累计拆除（平方米）"]
    ]
    trend += [
        [w["week"], w["found"], w["closed"], w["demolished_m2"], w["cumulative_m2"]]
        for w in c.trend
    ]
    waiting: list[list[Any]] = [
        ["案件编号", "区县/街道", "村/社区", "地址", "阶段", "立案时间", "已办天数"]
    ]
    waiting += [
        [
            w.case_no,
            w.district,
            w.village or "",
            w.address,
            name(STAGES, w.stage),
            w.opened_at.astimezone(CN).strftime("%Y-%m-%d %H:%M"),
            w.days_open,
        ]
        for w in c.waiting_longest
    ]
    return {
        "概况": overview,
        "目标进度": targets,
        "区县排名": ranking,
        "村社区": villages,
        "处置方式": modes,
        "阶段": stages,
        "周趋势": trend,
        "久拖未结": waiting,
    }


def campaign_report_xlsx(
    uow: UnitOfWork, *, ctx: EngineContext, campaign_id: int, out: IO[bytes]
) -> None:
    """The report workbook, its last sheet the campaign's ledger (streamed, write-only)."""
    from openpyxl import Workbook

    view = get_campaign(uow, ctx=ctx, campaign_id=campaign_id)
    now_text = ctx.clock.now().astimezone(CN).strftime("%Y-%m-%d %H:%M（北京时间）")
    wb = Workbook(write_only=True)
    for title, rows in report_sheets(view, now_text).items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    ledger_xlsx_sheet(
        ctx.uow(read_only=True), ctx=ctx, query=LedgerQuery(campaign_id=campaign_id), wb=wb
    )
    wb.save(out)
