"""Form data and common stretches of the procedure, shared by the process tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.process.driver import Driver

# Stages from intake to the decision's service when nothing unusual happens: the advance
# notice (notice), its service, the party's response (notice), the decision, its service.
PREFIX = [
    "intake",
    "investigation",
    "legal_review",
    "notice",
    "service",
    "notice",
    "decision",
    "service",
]
# Documents of the same stretch (to_decision with the rights waived), before the decision itself.
DOCS_PREFIX = [
    "案件来源登记表",
    "立案审批表",
    "现场检查笔录",
    "询问笔录",
    "责令停止违法行为通知书",
    "责令限期改正通知书",
    "调查终结报告",
    "法制审核意见书",
    "行政处罚事先告知书",
    "送达回证",
    "陈述申辩笔录",
]
INTAKE: dict[str, Any] = {
    "address": "朝阳区望京街道某小区3号楼顶",
    "district": "朝阳区",
    "source": "hotline",
    "description": "楼顶加盖彩钢板房 Rooftop steel shed",
    "area_m2": 45.0,
    "use_type": "business",
    "construction_ongoing": False,
    "party_known": True,
    "party_name": "张某",
    "party_phone": "13800000000",
    "location": {"lat": 39.99, "lon": 116.47},
    "legal_basis": "URPL64",
}
INVESTIGATION = {
    "officers": ["officer1", "officer2"],
    "certificates_shown": True,
    "av_recorded": True,
    "site_record_done": True,
    "interview_record_done": True,
    "evidence_preservation": False,
    "findings": "未取得建设工程规划许可证",
}
DECISION = {
    "facts_and_evidence": "未经许可加盖",
    "penalty": "限期拆除",
    "legal_basis_text": "《城乡规划法》第六十四条",
    "remedy_rights_stated": True,
    "review_body": "区人民政府",
    "review_period": "60日",
    "lawsuit_court": "区人民法院",
    "lawsuit_period": "6个月",
}


def file_case(drv: Driver, data: dict[str, Any] | None = None, **intake: Any) -> None:
    """Lead received, checked and filed the same day."""
    drv.open({**(INTAKE if data is None else data), **intake})
    drv.do("lead_check", {"check_result": "file", "check_summary": "属实"})
    drv.do("filing_approval", {"filing_approved": True, "case_cause": "未批先建"})


def investigate(
    drv: Driver,
    *,
    on: str,
    stop_order: dict[str, Any] | None = None,
    preservation: bool = False,
) -> None:
    """Investigation, then (unless evidence is to be preserved first) the stop order."""
    drv.do("investigation", {**INVESTIGATION, "evidence_preservation": preservation})
    if preservation:
        return
    drv.do(
        "stop_order",
        {
            "stop_order_issued_on": on,
            "order_kind": "both",
            "utility_cutoff": False,
            **(stop_order or {}),
        },
    )


def report(drv: Driver, classification: str, *, major: bool = False, cost: float = 200000) -> None:
    drv.do(
        "investigation_report",
        {
            "classification": classification,
            "construction_cost": cost,
            "major_case": major,
            "facts": "违法建设事实清楚",
        },
    )


def serve(drv: Driver, on: str, method: str = "direct", published: str | None = None) -> None:
    """The service subprocess: one CPL method; public notice then waits 30 CD (not here)."""
    data: dict[str, Any] = {"service_method": method}
    if method == "direct":
        data |= {"served_at": on, "recipient": "张某", "signed_by": "party"}
    elif method == "left":
        data |= {"served_at": on, "refusal_recorded_by": "photo_video"}
    elif method == "electronic":
        data |= {"served_at": on, "electronic_consent": True, "electronic_address": "z@example.cn"}
    elif method == "post":
        data |= {"served_at": on, "postal_receipt_no": "EMS123"}
    else:
        data |= {"attempts": "直接送达、邮寄均未成功"}
    drv.do("serve_document", data)
    if method == "public_notice":
        drv.do("publish_service_notice", {"published_at": published or on, "medium": "报纸"})


def legal_review(drv: Driver, passed: bool = True) -> None:
    drv.do("legal_review", {"review_passed": passed, "opinion": "事实清楚，依据正确"})


def advance_notice(drv: Driver, on: str, fine: float = 0) -> None:
    drv.do(
        "advance_notice",
        {
            "intended_penalty": "限期拆除",
            "intended_fine_amount": fine,
            "facts_and_reasons": "未取得规划许可",
            "rights_stated": True,
            "notice_issued_on": on,
        },
    )


def respond(
    drv: Driver, *, statement: bool = False, hearing: bool = False, waived: bool = False
) -> None:
    drv.do(
        "party_response",
        {"statement_made": statement, "hearing_requested": hearing, "rights_waived": waived},
    )


def to_decision(
    drv: Driver,
    classification: str = "not_correctable",
    *,
    on: str = "2026-02-10",
    fine: float = 0,
    major: bool = False,
) -> None:
    """Filing, investigation, legal review, advance notice served on `on`, rights waived in
    writing the same day (no statement or hearing): the decision task is next."""
    file_case(drv)
    investigate(drv, on=on)
    report(drv, classification, major=major)
    legal_review(drv)
    advance_notice(drv, on, fine)
    serve(drv, on)
    respond(drv, waived=True)
    if major:
        drv.do(
            "collective_discussion",
            {
                "discussed_on": on,
                "participants": ["head1", "deputy"],
                "conclusion": "同意",
                "decision_agreed": True,
            },
        )


def decision_data(
    *, on: str, days: int = 10, fine: float = 0, rights: bool = True, **extra: Any
) -> dict[str, Any]:
    """The decision form's data (a test that expects a refusal submits it itself)."""
    data = {**DECISION, "decided_on": on, "compliance_days": days, "fine_amount": fine}
    if not rights:
        data = {
            k: v
            for k, v in data.items()
            if k not in ("review_body", "review_period", "lawsuit_court", "lawsuit_period")
        }
    return {**data, "remedy_rights_stated": rights, **extra}


def decide(
    drv: Driver,
    element: str,
    *,
    on: str,
    days: int = 10,
    fine: float = 0,
    rights: bool = True,
    **extra: Any,
) -> None:
    drv.do(element, decision_data(on=on, days=days, fine=fine, rights=rights, **extra))


def notice_and_waiver(drv: Driver, on: str, fine: float = 0) -> None:
    """Legal review, advance notice served on `on`, the rights waived in writing that day."""
    legal_review(drv)
    advance_notice(drv, on, fine)
    serve(drv, on)
    respond(drv, waived=True)


def appraise_and_approve_confiscation(drv: Driver, items: str, **approval: Any) -> None:
    """The safety appraisal (announced) and the government's approval to confiscate `items`."""
    drv.do(
        "safety_appraisal",
        {
            "safety_appraisal_done": True,
            "appraisal_unit": "市房屋安全鉴定所",
            "appraisal_date": "2026-02-11",
            "conclusion": "拆除将危及相邻建筑",
            "announced": True,
        },
    )
    drv.do(
        "confiscation_approval",
        {"confiscation_approved": True, "confiscated_items": items, **approval},
    )


def demand(drv: Driver, on: str, **extra: Any) -> None:
    drv.do(
        "demand",
        {
            "demand_issued_on": on,
            "performance_deadline_text": "十个工作日内",
            "performance_method": "自行拆除",
            "statement_rights_stated": True,
            **extra,
        },
    )


GOVERNMENT_ORDER = {
    "government_ordered_now": True,
    "order_no": "某政责〔2026〕1号",
    "responsible_department": "区城管执法局",
}


def government_order(drv: Driver, on: str) -> None:
    """URPL Art. 68: the county government orders (责成) the demolition."""
    drv.do("government_order", {**GOVERNMENT_ORDER, "ordered_on": on})


def enforcement_decision(
    drv: Driver, on: str, element: str = "enforcement_decision", **extra: Any
) -> None:
    if "government_order" in drv.ready():
        government_order(drv, on)
    drv.do(
        element,
        {
            "decided_on": on,
            "reasons": "逾期不拆除",
            "basis": "《行政强制法》第三十七条",
            "method": "强制拆除",
            "remedies_stated": True,
            "demand_statement_rechecked": True,
            "defer": False,
            **extra,
        },
    )


def public_notice(drv: Driver, on: str, waived: bool = False) -> None:
    """The notice gives the party its own period (ACL Art. 44): the planned demolition comes
    after that period (10 CD by default), the belongings deadline after the notice day."""
    day = date.fromisoformat(on)
    drv.do(
        "public_notice",
        {
            "public_notice_at": on,
            "demolition_date": (day + timedelta(days=20)).isoformat(),
            "belongings_deadline": (day + timedelta(days=10)).isoformat(),
            "posted_at_site": True,
            "remedies_waived": waived,
        },
    )


def forced_demolition(drv: Driver, at_text: str, **extra: Any) -> None:
    drv.do(
        "forced_demolition",
        {
            "demolition_at": at_text,
            "notified_in_writing": True,
            "party_present": False,
            "witness_or_notary": True,
            "witness_name": "公证员王某",
            "inventory_done": True,
            "record_made": True,
            "emergency": False,
            "demolished_area_m2": 45.0,
            **extra,
        },
    )


def close(drv: Driver, on: str) -> None:
    drv.do(
        "closure",
        {"closing_summary": "已办结", "credit_recorded": True, "demolished_area_m2": 45.0},
    )
    drv.do("close_out", {"ledger_closed_out": True, "closed_out_on": on})


def verify_demolition(drv: Driver, on: str) -> None:
    drv.do(
        "verify_self_demolition",
        {"verified_on": on, "demolition_verified": True, "demolished_area_m2": 45.0},
    )


def reinspect(drv: Driver, on: str, rebuilt: bool = False) -> None:
    drv.do("reinspection", {"inspected_on": on, "rebuilt_found": rebuilt})
