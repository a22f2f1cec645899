"""Forms of service, the party's period, execution, fines and closure (see forms_spec.py)."""

from __future__ import annotations

from typing import Any

from tests.process.forms_fields import (
    OPINION,
    REMARKS,
    SERVICE_METHODS,
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

EXECUTION_FORMS: dict[str, dict[str, Any]] = {
    "service.json": form(
        "送达",
        "Service of a document by a CPL method (CPL Arts. 87-95): proof of service (送达回证). "
        "For public notice, record the failed attempts; publication follows.",
        {
            "service_method": choice("送达方式", "CPL service method.", SERVICE_METHODS),
            "served_at": day(
                "送达日期",
                "Date deemed served: signed (direct), left (留置), reached the system "
                "(electronic), postal receipt (post).",
            ),
            "recipient": name("签收人", "Who signed or received."),
            "signed_by": choice(
                "签收人身份",
                "The party, an adult family member living with the party, or an agent.",
                ["party", "family_member", "agent", "unit_receiver"],
            ),
            "refusal_recorded_by": choice(
                "留置见证", "Witness or photo/video of the refusal.", ["witness", "photo_video"]
            ),
            "electronic_consent": flag(
                "同意电子送达", "The party's signed consent to electronic service.", True
            ),
            "electronic_address": name("电子送达地址", "E-mail or system address."),
            "postal_receipt_no": name("邮寄回执号", "Postal receipt number."),
            "attempts": text("送达经过", "Why the other methods failed (public notice only)."),
        },
        ["service_method"],
        [
            when("service_method", "direct", ["served_at", "recipient", "signed_by"]),
            when("service_method", "left", ["served_at", "refusal_recorded_by"]),
            when(
                "service_method",
                "electronic",
                ["served_at", "electronic_consent", "electronic_address"],
            ),
            when("service_method", "post", ["served_at", "postal_receipt_no"]),
            when("service_method", "public_notice", ["attempts"]),
        ],
    ),
    "service_public_notice.json": form(
        "公告送达",
        "Service by public notice: deemed served 30 CD after publication (CPL Art. 95).",
        {
            "published_at": day("公告日期", "Date of publication."),
            "medium": name("公告方式", "Where published (newspaper, site, notice board)."),
            "notice_ref": name("公告编号", "Reference of the notice."),
        },
        ["published_at", "medium"],
    ),
    "decision_public_notice.json": form(
        "公告处罚决定",
        "The party cannot be identified: the decision is publicly announced (北京 Art. 78).",
        {
            "decision_published_on": day("公告日期", "Date of publication."),
            "medium": name("公告方式", "Where published."),
            "posted_at_site": flag("现场张贴", "Posted at the structure."),
        },
        ["decision_published_on", "medium", "posted_at_site"],
    ),
    "referral.json": form(
        "移送司法机关",
        "Suspected crime: the case is referred to the judicial organs.",
        {
            "referred_to": name("移送机关", "Receiving authority."),
            "referred_on": day("移送日期", "Date of referral."),
            "referral_reason": text("移送理由", "Why a crime is suspected."),
        },
        ["referred_to", "referred_on", "referral_reason"],
    ),
    "verify_demolition.json": form(
        "自拆核查",
        "On-site check that the party demolished the structure.",
        {
            "verified_on": day("核查日期", "Date of the check."),
            "demolition_verified": flag("确已拆除", "The structure is gone."),
            "demolished_area_m2": amount("拆除面积（平方米）", "Area demolished."),
        },
        ["verified_on", "demolition_verified"],
    ),
    "verify_correction.json": form(
        "整改核查",
        "On-site check that the party corrected and obtained the permit (补办).",
        {
            "verified_on": day("核查日期", "Date of the check."),
            "correction_verified": flag("确已改正", "The correction is done."),
            "permit_obtained": flag("已补办手续", "The planning permit was obtained."),
        },
        ["verified_on", "correction_verified", "permit_obtained"],
    ),
    "enforcement_agreement.json": form(
        "执行协议",
        "Enforcement agreement for assisted demolition (ACL Art. 42): schedule and costs.",
        {
            "agreement_signed_on": day("签订日期", "Date signed."),
            "schedule": text("履行安排", "Schedule (may be in stages)."),
            "costs_borne_by": choice(
                "费用承担", "Who bears the costs.", ["party", "agency", "shared"]
            ),
            "surcharge_reduced": flag("减免加处罚款", "Surcharge reduced for remedial action."),
        },
        ["agreement_signed_on", "schedule", "costs_borne_by"],
    ),
    "assisted_demolition.json": form(
        "协助拆除",
        "Assisted demolition done under the enforcement agreement (ACL Arts. 40, 42).",
        {
            "completed_on": day("完成日期", "Date completed."),
            "demolished_area_m2": amount("拆除面积（平方米）", "Area demolished."),
        },
        ["completed_on", "demolished_area_m2"],
    ),
    "litigation_reply.json": form(
        "答复或答辩",
        "The agency's reply to a review within 10 working days (ARL Art. 48, 88) or defence in a "
        "lawsuit within 15 days (ALL Art. 67), counted from the recorded filing; a late reply "
        "only sets reply_late, but the act is then deemed to lack evidence (ARL Art. 70, ALL "
        "Art. 34). Forced demolition waits for the result (ACL Art. 44).",
        {
            "reply_kind": choice(
                "种类", "Review reply or lawsuit defence.", ["review_reply", "lawsuit_defence"]
            ),
            "replied_on": day("提交日期", "Date submitted."),
            "summary": text("内容", "Summary."),
        },
        ["reply_kind", "replied_on"],
    ),
    "litigation_followup.json": form(
        "跟踪复议诉讼",
        "Periodic follow-up of a pending review or lawsuit.",
        {"checked_on": day("跟踪日期", "Date."), "status_note": text("进展", "Status.")},
        ["checked_on", "status_note"],
    ),
    "demand.json": form(
        "催告",
        "Formal demand in writing (ACL Art. 35): deadline, method, the right to state and argue.",
        {
            "demand_issued_on": day("催告日期", "Date of the demand."),
            "performance_deadline_text": text("履行期限", "Deadline stated in the demand."),
            "performance_method": text("履行方式", "How to perform."),
            "statement_rights_stated": flag(
                "已告知陈述申辩权", "Right to state and argue stated.", True
            ),
            "enforcement_decision_issuer": choice(
                "强制执行决定机关",
                "(local) Who issues the enforcement decision: the agency (default) or the "
                "government (URPL Art. 68).",
                ["agency", "government"],
            ),
        },
        [
            "demand_issued_on",
            "performance_deadline_text",
            "performance_method",
            "statement_rights_stated",
        ],
    ),
    "enforcement_decision.json": form(
        "强制执行决定",
        "Enforcement decision (ACL Art. 37): reasons, basis, method and time, remedies; or a "
        "proposal to defer (暂缓拆除).",
        {
            "decided_on": day("决定日期", "Date of the decision."),
            "reasons": text("理由", "Reasons; the party's arguments re-checked (ACL Art. 36)."),
            "basis": text("依据", "Legal basis."),
            "method": text("执行方式和时间", "Method and time of execution."),
            "remedies_stated": flag("已告知救济途径", "Review and lawsuit routes stated."),
            "demand_statement_rechecked": flag(
                "已复核陈述申辩",
                "The party's statement on the demand was re-checked (ACL Art. 36).",
            ),
            "defer": flag("暂缓拆除", "Propose deferral (中止执行, ACL Art. 39)."),
            "defer_reason": text("暂缓理由", "Why demolition should be deferred."),
        },
        [
            "decided_on",
            "reasons",
            "basis",
            "method",
            "remedies_stated",
            "demand_statement_rechecked",
            "defer",
        ],
        [when("defer", True, ["defer_reason"])],
    ),
    "government_order.json": form(
        "责成强制拆除",
        "The county government orders the departments to demolish (URPL Art. 68 责成); the "
        "agency acts on the order.",
        {
            "government_ordered_now": flag("责成拆除", "The government orders the demolition."),
            "order_no": name("责成文号", "Number of the government's order."),
            "ordered_on": day("责成日期", "Date of the order."),
            "responsible_department": name("责成部门", "Department ordered to act."),
            "opinion": OPINION,
        },
        ["government_ordered_now", "ordered_on"],
        [when("government_ordered_now", True, ["order_no", "responsible_department"])],
    ),
    "deferral_approval.json": form(
        "中止执行审批",
        "The government approves the deferral, filed on record (备案).",
        {
            "defer_approved": flag("批准中止", "Deferral approved."),
            "filed_on_record": flag("已备案", "Filed on record."),
            "opinion": OPINION,
        },
        ["defer_approved", "filed_on_record"],
    ),
    "deferral_review.json": form(
        "中止情形复查",
        "Periodic review of a deferral: resume when the reasons end or harm appears (ACL Art. 39).",
        {
            "reviewed_on": day("复查日期", "Date of the review."),
            "reasons_persist": flag("中止情形仍存在", "The reasons for deferral persist."),
            "social_harm": flag("有明显社会危害", "The structure causes obvious social harm."),
            "notes": REMARKS,
        },
        ["reviewed_on", "reasons_persist", "social_harm"],
    ),
    "changed_decision.json": form(
        "记录变更后的决定",
        "The review body (ARL Art. 63) or the court (ALL Art. 77) changed the decision: record "
        "what it now orders; execution continues on it from its receipt.",
        {
            "changed_by": choice(
                "变更机关",
                "Who changed the decision.",
                ["review_body", "court"],
            ),
            "changed_document_no": name("文书编号", "Number of the review decision or judgment."),
            "changed_received_on": day("收到日期", "Date the changed decision was received."),
            "penalty": text("变更后的处理", "What the changed decision orders."),
            "compliance_days": {
                "type": "integer",
                "title": "履行期限（日）",
                "description": "Days to comply set by the changed decision.",
                "minimum": 1,
                "maximum": 3650,
            },
            "fine_amount": amount("罚款（元）", "Fine set by the changed decision (0 if none)."),
        },
        ["changed_by", "changed_document_no", "changed_received_on", "penalty", "compliance_days"],
    ),
    "termination.json": form(
        "终结执行审查",
        "After three years deferred, enforcement ends only if the building causes no obvious "
        "social harm and the party truly cannot perform (ACL Art. 39(1)(5), 40); otherwise it "
        "resumes.",
        {
            "terminate": flag("终结执行", "End enforcement (otherwise it resumes)."),
            "no_obvious_social_harm": flag("无明显社会危害", "No obvious social harm."),
            "party_unable_to_perform": flag(
                "当事人确无能力履行", "The party truly cannot perform."
            ),
            "terminated_on": day("终结日期", "Date."),
            "termination_reason": text("理由", "Reason."),
        },
        [
            "terminate",
            "no_obvious_social_harm",
            "party_unable_to_perform",
            "terminated_on",
            "termination_reason",
        ],
    ),
    "public_notice.json": form(
        "强制拆除公告",
        "Public notice before forced demolition (ACL Art. 44): a last deadline to demolish, the "
        "date of demolition, the deadline to remove belongings.",
        {
            "public_notice_at": day("公告日期", "Date the notice was published."),
            "demolition_date": day("拟拆除日期", "Planned date of the demolition."),
            "belongings_deadline": day("清理物品期限", "Deadline to remove belongings."),
            "posted_at_site": flag("现场张贴", "Posted at the structure."),
            "remedies_waived": flag(
                "书面放弃复议诉讼（仅记录）",
                "Recorded only: a written waiver does not shorten the review and lawsuit periods "
                "(ACL Art. 44).",
            ),
        },
        ["public_notice_at", "demolition_date", "belongings_deadline", "posted_at_site"],
    ),
    "forced_demolition.json": form(
        "强制拆除",
        "Forced demolition record (浙江 Art. 17-19, 北京 Art. 67, 69); the engine's execution and "
        "night/holiday guards check it (ACL Arts. 43, 44).",
        {
            "demolition_at": instant(
                "拆除时间", "When the demolition is carried out (with UTC offset)."
            ),
            "notified_in_writing": flag(
                "书面通知到场", "The party was notified in writing to attend."
            ),
            "party_present": flag("当事人到场", "The party attended."),
            "witness_or_notary": flag("见证人或公证", "A neutral witness or a notary attended."),
            "witness_name": name("见证人", "Name of the witness or notary."),
            "inventory_done": flag("财物清单", "Belongings inventoried and stored (财物清单)."),
            "record_made": flag("现场笔录", "Written record, photos and audio/video made."),
            "emergency": flag("紧急情况", "Emergency (ACL Art. 43(1) exception)."),
            "emergency_reason": text("紧急理由", "Reason for the emergency."),
            "emergency_approved_by": name(
                "批准负责人", "The head of the agency who approved the emergency (user name)."
            ),
            "demolished_area_m2": amount("拆除面积（平方米）", "Area demolished."),
        },
        [
            "demolition_at",
            "notified_in_writing",
            "party_present",
            "witness_or_notary",
            "inventory_done",
            "record_made",
            "emergency",
            "demolished_area_m2",
        ],
        [
            when("emergency", True, ["emergency_reason", "emergency_approved_by"]),
            when("party_present", False, ["witness_name"]),
        ],
    ),
    "confiscation_handover.json": form(
        "没收移交",
        "The confiscated building is handed over to the finance department.",
        {
            "handed_over_on": day("移交日期", "Date of hand-over."),
            "receiving_department": name("接收部门", "Receiving department (finance)."),
            "inventory_done": flag("清单", "Inventory made."),
        },
        ["handed_over_on", "receiving_department", "inventory_done"],
    ),
    "court_application.json": form(
        "申请法院强制执行",
        "Application to the court of the place of the property (ACL Arts. 53-55).",
        {
            "court_applied_on": day("申请日期", "Date of the application."),
            "court_name": name("法院", "Court."),
            "materials": text("申请材料", "Materials filed (ACL Art. 55)."),
        },
        ["court_applied_on", "court_name"],
    ),
    "court_acceptance.json": form(
        "法院受理",
        "The court accepts the application within 5 WD (ACL Art. 56).",
        {
            "court_accepted": flag("受理", "Accepted."),
            "court_accepted_on": day("受理日期", "Date."),
            "court_case_no": name("案号", "Court case number."),
        },
        ["court_accepted", "court_accepted_on"],
    ),
    "court_ruling.json": form(
        "法院裁定",
        "The court rules within 7 WD of acceptance (ACL Art. 57).",
        {
            "court_ruling": choice("裁定", "Enforce or refuse.", ["enforce", "refused"]),
            "ruled_on": day("裁定日期", "Date of the ruling."),
            "ruling_no": name("裁定书文号", "Number of the ruling."),
        },
        ["court_ruling", "ruled_on"],
    ),
    "higher_court_request.json": form(
        "申请上一级法院复议",
        "Within 15 days of the refusal the agency may ask the court one level up to review "
        "(ACL Arts. 56, 58).",
        {
            "higher_court_requested": flag("申请复议", "The review is requested."),
            "higher_court_requested_on": day("申请日期", "Date of the request."),
            "higher_court_name": name("上一级法院", "The court asked."),
        },
        ["higher_court_requested"],
        [
            when(
                "higher_court_requested",
                True,
                ["higher_court_requested_on", "higher_court_name"],
            )
        ],
    ),
    "higher_court_ruling.json": form(
        "上一级法院复议裁定",
        "The higher court rules within 30 days of the request (ACL Art. 58).",
        {
            "higher_court_result": choice("裁定", "Enforce or refuse.", ["enforce", "refused"]),
            "higher_ruled_on": day("裁定日期", "Date of the ruling."),
            "higher_ruling_no": name("裁定书文号", "Number of the ruling."),
        },
        ["higher_court_result", "higher_ruled_on"],
    ),
    "fine_demand.json": form(
        "罚款催告",
        "Demand to pay the fine and the surcharge (3 %/day, APL Art. 72; ACL Arts. 45, 54).",
        {
            "fine_demand_issued_on": day("催告日期", "Date of the demand."),
            "surcharge_notified": flag(
                "已告知加处罚款标准", "Surcharge rate notified (ACL Art. 45).", True
            ),
            "amount_due_text": text("应缴金额", "Amount due."),
        },
        ["fine_demand_issued_on", "surcharge_notified"],
    ),
    "closure.json": form(
        "结案",
        "Closing report (结案报告) and the credit-platform record (北京 Art. 68).",
        {
            "closing_summary": text("结案情况", "Summary of how the case ended."),
            "demolished_area_m2": amount("拆除面积（平方米）", "Area demolished in total."),
            "credit_recorded": flag("已记入信用平台", "Recorded on the credit platform."),
        },
        ["closing_summary", "credit_recorded"],
    ),
    "utility_restoration.json": form(
        "恢复供应",
        "The case has ended: the utility restores the supply (恢复供应通知).",
        {
            "restored_at": instant("恢复时间", "When the supply was restored (with UTC offset)."),
            "note": REMARKS,
        },
        ["restored_at"],
    ),
    "close_out.json": form(
        "台账销号",
        "Ledger close-out (台账销号).",
        {
            "ledger_closed_out": flag("已销号", "Closed out in the ledger.", True),
            "closed_out_on": day("销号日期", "Date."),
        },
        ["ledger_closed_out", "closed_out_on"],
    ),
    "reinspection.json": form(
        "回头看",
        "Re-inspection after closure (policy); a rebuilt structure opens a new linked case.",
        {
            "inspected_on": day("复查日期", "Date of the re-inspection."),
            "rebuilt_found": flag("发现复建", "The structure was rebuilt."),
            "notes": REMARKS,
        },
        ["inspected_on", "rebuilt_found"],
    ),
}
