"""Forms from the intake to the decision (see forms_spec.py)."""

from __future__ import annotations

from typing import Any

from tests.process.forms_fields import (
    CLASSIFICATIONS,
    CUTOFF_BASES,
    OPINION,
    amount,
    choice,
    day,
    flag,
    form,
    instant,
    name,
    text,
    when,
)


def _intake() -> dict[str, Any]:
    return form(
        "案件来源登记",
        "Lead record (案件来源登记表): what was reported, where, and who the party is. "
        "The engine validates POST /cases data against this form.",
        {
            "address": name("地址", "Address of the structure."),
            "district": name("区县/街道", "District or sub-district."),
            "village": name(
                "村/社区",
                "Village or residential community within the district (campaign ledgers are kept"
                " per village).",
            ),
            "source": choice(
                "线索来源",
                "Where the lead came from.",
                ["hotline", "patrol", "satellite", "referral", "self_report", "reinspection"],
            ),
            "description": text("情况描述", "What was reported or seen."),
            "area_m2": amount("面积（平方米）", "Floor area of the structure in square metres."),
            "use_type": choice(
                "用途",
                "Use of the structure; decides whether a utility cutoff is ever lawful.",
                ["residential", "business", "production", "public", "construction_site"],
            ),
            "construction_ongoing": flag(
                "正在施工", "Construction is still going on (fast track: stop and seal)."
            ),
            "party_known": flag("当事人明确", "The party (当事人) can be identified."),
            "party_name": name("当事人", "Name of the party (person or organisation)."),
            "party_id_no": {
                "type": "string",
                "title": "身份证件号码",
                "description": "ID card or unified social credit code of the party.",
                "maxLength": 30,
            },
            "party_phone": {
                "type": "string",
                "title": "联系电话",
                "description": "Phone number of the party.",
                "maxLength": 30,
            },
            "location": {
                "type": "object",
                "title": "坐标",
                "description": "GPS position (WGS-84).",
                "required": ["lat", "lon"],
                "properties": {
                    "lat": {
                        "type": "number",
                        "minimum": -90,
                        "maximum": 90,
                        "title": "纬度",
                        "description": "Latitude.",
                    },
                    "lon": {
                        "type": "number",
                        "minimum": -180,
                        "maximum": 180,
                        "title": "经度",
                        "description": "Longitude.",
                    },
                },
                "additionalProperties": False,
            },
            "legal_basis": {
                **choice(
                    "法律依据",
                    "Legal basis: URPL Art. 64 (city/town), Art. 65 (township/village), "
                    "LAL Art. 77/78 (land law).",
                    ["URPL64", "URPL65", "LAL77", "LAL78"],
                ),
                "default": "URPL64",
            },
            "reporter": text("举报人", "Reporter (may be anonymous).", 200),
            "photos": {
                "type": "array",
                "title": "照片",
                "description": "References of the photos taken.",
                "items": {"type": "string", "maxLength": 500},
                "maxItems": 100,
            },
        },
        ["address", "district", "source", "use_type", "construction_ongoing", "party_known"],
        [when("party_known", True, ["party_name"])],
    )


CASE_FORMS: dict[str, dict[str, Any]] = {
    "intake.json": _intake(),
    "lead_check.json": form(
        "线索核查",
        "Lead check within 15 CD: file the case, close the lead, or ask the head for 10 more days.",
        {
            "check_result": choice(
                "核查结论",
                "File a case, no case, or ask for an extension.",
                ["file", "no_case", "extend"],
            ),
            "check_summary": text("核查情况", "What the check found."),
            "checked_on": day("核查日期", "Date of the check."),
        },
        ["check_result", "check_summary"],
    ),
    "lead_check_extension.json": form(
        "核查延期审批",
        "The head approves (or not) 10 more calendar days for the lead check.",
        {"extension_approved": flag("批准延期", "Extension approved."), "opinion": OPINION},
        ["extension_approved"],
    ),
    "lead_check_extended.json": form(
        "延期核查",
        "Lead check within the extended period: file the case or close the lead.",
        {
            "check_result": choice("核查结论", "File a case or no case.", ["file", "no_case"]),
            "check_summary": text("核查情况", "What the check found."),
            "checked_on": day("核查日期", "Date of the check."),
        },
        ["check_result", "check_summary"],
    ),
    "filing_approval.json": form(
        "立案审批",
        "Filing approval (立案审批表) by the head; the 90 CD decision deadline runs from filing.",
        {
            "filing_approved": flag("批准立案", "Filing approved."),
            "case_cause": text("案由", "Cause of the case.", 500),
            "opinion": OPINION,
        },
        ["filing_approved"],
    ),
    "onsite_stop.json": form(
        "现场制止",
        "Fast track on site: arrival, work halted, written stop order, and whether to seal.",
        {
            "arrived_at": instant("到场时间", "When the officers arrived (with UTC offset)."),
            "work_halted": flag("已制止施工", "Work was halted on the spot."),
            "stop_order_issued_on": day("责令停止通知日期", "Date of the written stop order."),
            "sealing_needed": flag("需要查封", "The site must be sealed (查封)."),
            "emergency_sealing": flag(
                "紧急查封", "Seal at once before approval (report within 24 h, ACL Art. 19)."
            ),
            "sealing_emergency_reason": text("紧急理由", "Why the sealing could not wait."),
        },
        [
            "arrived_at",
            "work_halted",
            "stop_order_issued_on",
            "sealing_needed",
            "emergency_sealing",
        ],
        [when("emergency_sealing", True, ["sealing_emergency_reason"])],
    ),
    "sealing_approval.json": form(
        "查封审批",
        "The head approves the sealing (beforehand, or within 24 h after an emergency sealing).",
        {"sealing_approved": flag("批准查封", "Sealing approved."), "opinion": OPINION},
        ["sealing_approved"],
    ),
    "sealing_execution.json": form(
        "实施查封",
        "Sealing carried out; the decision and the inventory are handed over on the spot.",
        {
            "sealed_at": instant("查封时间", "When the site was sealed (with UTC offset)."),
            "sealing_scope": text("查封范围", "What was sealed."),
            "sealing_inventory_done": flag("清单已制作", "Inventory (清单) made.", True),
            "handed_over_on_site": flag(
                "当场交付", "Decision and inventory handed over on the spot."
            ),
        },
        ["sealed_at", "sealing_scope", "sealing_inventory_done", "handed_over_on_site"],
    ),
    "sealing_extension.json": form(
        "延长或解除查封",
        "Within the first 30 days the head extends the sealing by 30 days at most, notified to "
        "the party in writing with the reason, or releases it (ACL Art. 25); at the limit it "
        "is released.",
        {
            "extend_sealing": flag("延长查封", "Extend by 30 days (complex case, ACL Art. 25)."),
            "reason": text("理由", "Reason."),
            "notified_in_writing": flag(
                "已书面告知当事人", "The extension was notified to the party in writing."
            ),
            "notified_on": day("告知日期", "Date of the written notice."),
        },
        ["extend_sealing", "reason"],
        [when("extend_sealing", True, ["notified_in_writing", "notified_on"])],
    ),
    "sealing_lift.json": form(
        "解除查封",
        "Release of the sealing (period over, or emergency sealing not approved).",
        {
            "released_at": instant("解除时间", "When the sealing was released (with UTC offset)."),
            "reason": text("理由", "Reason for the release."),
        },
        ["released_at", "reason"],
    ),
    "decision_overdue.json": form(
        "超期督办",
        "The decision was not made within 90 CD of filing (APL Art. 60): the head acts.",
        {
            "escalation_action": choice(
                "处理",
                "Approve an extension or order the case expedited.",
                ["extension_approved", "expedite"],
            ),
            "note": text("说明", "Note."),
        },
        ["escalation_action"],
    ),
    "investigation.json": form(
        "调查取证",
        "Investigation by two officers with certificates, with audio/video (APL Arts. 42, 47).",
        {
            "officers": {
                "type": "array",
                "title": "执法人员",
                "description": "Names of the officers on site (at least two).",
                "items": {"type": "string", "minLength": 1, "maxLength": 100},
                "minItems": 2,
                "maxItems": 10,
            },
            "certificates_shown": flag("出示证件", "Enforcement certificates shown.", True),
            "av_recorded": flag("全程音像记录", "Full audio/video record made (APL Art. 47)."),
            "site_record_done": flag("现场检查笔录", "Site record (现场检查笔录) made.", True),
            "interview_record_done": flag("询问笔录", "Interview record (询问笔录) made."),
            "evidence_preservation": flag(
                "先行登记保存", "Evidence must be preserved (head's approval, APL Art. 56)."
            ),
            "findings": text("调查情况", "Findings."),
        },
        [
            "officers",
            "certificates_shown",
            "av_recorded",
            "site_record_done",
            "interview_record_done",
            "evidence_preservation",
        ],
    ),
    "preservation_approval.json": form(
        "先行登记保存审批",
        "The head approves preserving evidence (证据先行登记保存); a decision follows in 7 WD.",
        {
            "preservation_approved": flag("批准保存", "Preservation approved."),
            "items": text("保存物品", "What is preserved."),
        },
        ["preservation_approved"],
    ),
    "evidence_disposal.json": form(
        "保存证据处理决定",
        "Decision on preserved evidence within 7 WD (APL Art. 56).",
        {
            "disposal": choice(
                "处理方式",
                "How the preserved evidence is dealt with.",
                ["return", "confiscate", "transfer", "keep_as_evidence"],
            ),
            "disposed_on": day("处理日期", "Date of the decision."),
        },
        ["disposal", "disposed_on"],
    ),
    "stop_order.json": form(
        "责令停止/限期改正",
        "Stop or correction order issued at once (APL Art. 28, URPL Art. 64); optionally ask "
        "for water/power/gas to be stopped (the engine's utility guard checks the request).",
        {
            "stop_order_issued_on": day("通知日期", "Date of the order."),
            "order_kind": choice(
                "通知种类", "Stop order, correction order, or both.", ["stop", "correct", "both"]
            ),
            "utility_cutoff": flag(
                "申请停止供水供电供气", "Ask the utility to stop water, power or gas."
            ),
            "cutoff_basis": choice("停止供应依据", "Legal basis of the cutoff.", CUTOFF_BASES),
            "halt_decision_refused": flag(
                "停产停业决定拒不执行",
                "A 停产停业 decision for a major accident hazard was refused (安全生产法 Art. 70).",
            ),
            "utility_types": {
                "type": "array",
                "title": "停止供应种类",
                "description": "Which supplies to stop.",
                "items": {"enum": ["water", "power", "gas", "heat"]},
                "uniqueItems": True,
            },
        },
        ["stop_order_issued_on", "order_kind", "utility_cutoff"],
        [when("utility_cutoff", True, ["cutoff_basis", "utility_types"])],
    ),
    "utility_letter.json": form(
        "停止供应联系函",
        "Letter (联系函) asking the utility to stop the supply, with 24 h notice to the party.",
        {
            "utility_company": name("供应单位", "Water, power or gas company."),
            "cutoff_scope": text("停止范围", "Premises and supplies concerned."),
            "advance_notice_24h": flag(
                "已提前24小时通知",
                "The party was notified in writing 24 h ahead (安全生产法 Art. 70).",
            ),
        },
        ["utility_company", "cutoff_scope", "advance_notice_24h"],
    ),
    "utility_cutoff_approval.json": form(
        "停止供应审批",
        "The head approves the cutoff before the letter goes to the utility.",
        {"head_approved": flag("批准停止供应", "Cutoff approved by the head."), "opinion": OPINION},
        ["head_approved"],
    ),
    "utility_cutoff_execution.json": form(
        "停止供应",
        "The utility stops the supply as asked by the letter.",
        {
            "utility_cutoff": flag("已停止供应", "The supply is stopped.", True),
            "cutoff_done_at": instant("停止时间", "When the supply was stopped (with UTC offset)."),
        },
        ["utility_cutoff", "cutoff_done_at"],
    ),
    "investigation_report.json": form(
        "调查终结报告",
        "End of investigation: classification (URPL Art. 64; 建法〔2012〕99号) and the facts.",
        {
            "classification": choice("定性", "Classification of the structure.", CLASSIFICATIONS),
            "construction_cost": amount(
                "工程造价（元）", "Construction cost in yuan (fine basis)."
            ),
            "major_case": flag(
                "重大复杂案件", "Complex or serious: collective discussion (APL Art. 57)."
            ),
            "facts": text("违法事实", "Facts established."),
            "evidence_summary": text("证据", "Evidence relied on."),
        },
        ["classification", "construction_cost", "major_case", "facts"],
    ),
    "safety_appraisal.json": form(
        "安全鉴定",
        "Safety appraisal by a qualified unit before confiscation (浙江 Art. 12).",
        {
            "safety_appraisal_done": flag("已安全鉴定", "Safety appraisal done.", True),
            "appraisal_unit": name("鉴定单位", "Qualified appraisal unit."),
            "appraisal_date": day("鉴定日期", "Date of the appraisal report."),
            "conclusion": text("鉴定结论", "Conclusion: why the building cannot be demolished."),
            "announced": flag("已公告", "The finding was publicly announced."),
        },
        ["safety_appraisal_done", "appraisal_unit", "appraisal_date", "conclusion", "announced"],
    ),
    "confiscation_approval.json": form(
        "没收审批",
        "The government approves confiscation instead of demolition.",
        {"confiscation_approved": flag("批准没收", "Confiscation approved."), "opinion": OPINION},
        ["confiscation_approved"],
    ),
    "legal_review.json": form(
        "法制审核",
        "Legal review before the decision (APL Art. 58); a failed review returns the case to "
        "investigation.",
        {
            "review_passed": flag("审核通过", "Review passed."),
            "opinion": text("审核意见", "Review opinion (法制审核意见书)."),
        },
        ["review_passed", "opinion"],
    ),
    "advance_notice.json": form(
        "行政处罚事先告知",
        "Advance notice of the intended penalty with the rights to state, argue and request a "
        "hearing (APL Art. 44, 64).",
        {
            "intended_penalty": text("拟作出的处罚", "Intended penalty (e.g. 限期拆除)."),
            "intended_fine_amount": amount(
                "拟罚款金额（元）",
                "Intended fine in yuan (0 if none); the decision may not exceed it.",
            ),
            "facts_and_reasons": text("事实、理由及依据", "Facts, reasons and legal basis."),
            "rights_stated": flag(
                "已告知权利", "Rights to state, argue and request a hearing stated.", True
            ),
            "notice_issued_on": day("告知日期", "Date of the notice."),
        },
        [
            "intended_penalty",
            "intended_fine_amount",
            "facts_and_reasons",
            "rights_stated",
            "notice_issued_on",
        ],
    ),
    "party_response.json": form(
        "陈述申辩与听证申请",
        "What the party said after the advance notice. Statements are re-checked (APL Art. 45); a "
        "hearing may be requested within 5 WD (APL Art. 64).",
        {
            "statement_made": flag("已陈述申辩", "The party stated or argued."),
            "hearing_requested": flag("申请听证", "The party requested a hearing."),
            "rights_waived": flag("书面放弃", "The party expressly waived the rights in writing."),
            "statement_summary": text("陈述申辩内容", "Summary of the statement."),
            "responded_on": day("日期", "Date of the response."),
        },
        ["statement_made", "hearing_requested", "rights_waived"],
    ),
    "hearing_notice.json": form(
        "听证通知",
        "Notice of the hearing >= 7 WD ahead; the chair is not an investigator (APL Art. 64).",
        {
            "hearing_notified_on": day("通知日期", "Date the party was notified."),
            "hearing_date": day("听证日期", "Date of the hearing."),
            "hearing_place": name("听证地点", "Place of the hearing."),
            "chair_name": name("主持人", "Hearing chair."),
            "chair_is_investigator": flag(
                "主持人为调查人员", "The chair investigated the case.", False
            ),
        },
        [
            "hearing_notified_on",
            "hearing_date",
            "hearing_place",
            "chair_name",
            "chair_is_investigator",
        ],
    ),
    "hearing.json": form(
        "听证",
        "The hearing and its record (听证笔录) and report (听证报告).",
        {
            "held_on": day("听证日期", "Date held."),
            "party_appeared": flag("当事人到场", "The party appeared."),
            "absent_without_reason": flag(
                "无正当理由缺席", "Absent without good reason: the hearing is waived."
            ),
            "hearing_summary": text("听证情况", "Summary of the hearing."),
        },
        ["held_on", "party_appeared", "hearing_summary"],
    ),
    "collective_discussion.json": form(
        "集体讨论",
        "Collective discussion of the heads for complex or serious cases (APL Art. 57).",
        {
            "discussed_on": day("讨论日期", "Date of the discussion."),
            "participants": {
                "type": "array",
                "title": "参加人员",
                "description": "Who took part.",
                "items": {"type": "string", "minLength": 1, "maxLength": 100},
                "minItems": 1,
            },
            "conclusion": text("讨论结论", "Conclusion (集体讨论记录)."),
            "decision_agreed": flag(
                "同意作出处罚决定", "The discussion agrees to decide the penalty."
            ),
        },
        ["discussed_on", "participants", "conclusion", "decision_agreed"],
    ),
    "decision.json": form(
        "处罚决定",
        "The decision (限期拆除决定书 / 行政处罚决定书) with the content APL Art. 59 requires, "
        "including the route and period for review and lawsuit.",
        {
            "decided_on": day("决定日期", "Date of the decision."),
            "facts_and_evidence": text("违法事实和证据", "Facts and evidence."),
            "penalty": text("处罚内容", "Penalty and its legal basis."),
            "legal_basis_text": text("法律依据", "Articles applied."),
            "compliance_days": {
                "type": "integer",
                "minimum": 1,
                "maximum": 365,
                "title": "履行期限（日）",
                "description": "Days from service to comply (demolish, correct, hand over).",
            },
            "fine_amount": amount("罚款金额（元）", "Fine in yuan (0 if none)."),
            "remedy_rights_stated": flag(
                "已告知救济途径和期限",
                "The decision states the route and period for review and lawsuit; if not, the "
                "lawsuit window is 1 year.",
            ),
            "review_body": name("复议机关", "Body that hears an administrative review."),
            "review_period": name("复议期限", "Review period stated (e.g. 60日)."),
            "lawsuit_court": name("管辖法院", "Court for a lawsuit."),
            "lawsuit_period": name("起诉期限", "Lawsuit period stated (e.g. 6个月, or 15日)."),
        },
        [
            "decided_on",
            "facts_and_evidence",
            "penalty",
            "legal_basis_text",
            "compliance_days",
            "fine_amount",
            "remedy_rights_stated",
        ],
        [
            when(
                "remedy_rights_stated",
                True,
                ["review_body", "review_period", "lawsuit_court", "lawsuit_period"],
            )
        ],
    ),
}
