"""The Chinese words of the ledger's exports (台账): column headers and the values of codes.

One catalogue for the CSV, the XLSX and the campaign report, so a sheet handed upward never
shows an identifier; an unknown code (a new process may bring one) is shown as it is.
"""

from __future__ import annotations

STAGES = {
    "intake": "受理",
    "investigation": "调查取证",
    "legal_review": "法制审核",
    "notice": "事先告知",
    "hearing": "听证",
    "decision": "作出决定",
    "service": "送达",
    "compliance_period": "履行期限",
    "remedy_period": "复议诉讼期限",
    "demand": "催告",
    "enforcement_decision": "强制执行决定",
    "public_notice": "强制拆除公告",
    "forced_demolition": "强制拆除",
    "confiscation": "没收",
    "deferred": "暂缓拆除",
    "litigation": "复议诉讼",
    "closed": "结案",
    "reinspection": "回头看",
}
STATUSES = {"open": "办理中", "suspended": "中止", "closed": "已结案"}
SOURCES = {
    "hotline": "12345热线举报",
    "patrol": "巡查发现",
    "satellite": "卫星/无人机监测",
    "referral": "移送",
    "self_report": "自查上报",
    "reinspection": "回头看发现复建",
}
# The demolition mode (处置方式) of a case, from its outcome (engine.store.ledger_repo).
MODES = {
    "self": "自行拆除",
    "assisted": "帮助拆除",
    "forced": "强制拆除",
    "confiscated": "没收",
    "no_violation": "不构成违法建设",
    "referred": "移送",
    "corrected": "改正",
    "terminated": "终结执行",
    "court_refused": "法院不予执行",
    "government_declined": "政府未责成",
    "revoked": "决定撤销",
    "changed": "决定变更",
    "upheld": "维持",
    "resumed": "恢复执行",
}
METRICS = {
    "area_demolished_m2": "拆除面积（平方米）",
    "cases_closed": "结案数",
    "share_demolished": "拆除率",
}

LEDGER_HEADERS = (
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
    "区县/街道",
    "村/社区",
    "阶段",
    "原案编号",
    "更新时间",
)


def name(table: dict[str, str], code: str | None) -> str:
    if not code:
        return ""
    return table.get(code, code)
