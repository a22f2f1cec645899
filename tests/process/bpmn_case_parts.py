"""Call activities before the decision: fast-track sealing, investigation to decision, and the
penalty procedure. See generate.py."""

from __future__ import annotations

from tests.process.bpmn_builder import Process
from tests.process.bpmn_common import GOV, HEAD, OFFICER, REVIEW, UTILITY, flag_on_timeout


def sealing() -> Process:
    """即查即拆 fast track on site: stop order, sealing (查封) with the head's prior approval, or in
    an emergency a report within 24 h and release if not approved (ACL Arts. 9, 18, 19, 24)."""
    p = Process("sealing", "现场制止与查封 Fast track: stop and seal", [OFFICER, HEAD])
    p.start("sealing_start", "发现在建 Ongoing construction", OFFICER)
    p.script("sealing_init", "准备 Prepare", OFFICER, "sealed = False\narrival_late = False")
    p.user(
        "onsite_stop",
        "现场制止 Stop work on site",
        OFFICER,
        form="onsite_stop.json",
        stage="intake",
        docs="责令停止违法行为通知书,现场检查笔录",
        basis="URPL Art. 64, 68",
    )
    p.boundary_timer(
        "arrival_target",
        "到场时限 Arrive within 1 h",
        "onsite_stop",
        start="reported_at",
        period="1 H",
        basis="policy: seed action plan (arrival 1 h)",
        stage="intake",
        holder="agency",
    )
    flag_on_timeout(p, "arrival_target", "arrival_late")
    p.xor("gw_sealing_needed", "需要查封? Seal?", OFFICER)
    p.xor("gw_emergency", "紧急? Emergency?", OFFICER)
    p.user(
        "sealing_approval",
        "查封审批 Approve sealing",
        HEAD,
        form="sealing_approval.json",
        stage="intake",
        docs="查封决定书",
        basis="ACL Art. 18, 24",
    )
    p.xor("gw_sealing_approved", "批准? Approved?", HEAD)
    p.user(
        "sealing_execution",
        "实施查封 Seal the site",
        OFFICER,
        form="sealing_execution.json",
        stage="intake",
        docs="查封决定书,清单",
        basis="ACL Art. 24, 25",
    )
    p.script("mark_sealed", "已查封 Sealed", OFFICER, "sealed = True")
    p.xor("gw_emergency_report", "紧急查封? Emergency sealing?", OFFICER)
    p.user(
        "emergency_sealing_approval",
        "紧急查封补批 Approve emergency sealing",
        HEAD,
        form="sealing_approval.json",
        stage="intake",
        docs="查封决定书",
        basis="ACL Art. 19",
    )
    p.boundary_timer(
        "emergency_report_deadline",
        "报告时限 Report within 24 h",
        "emergency_sealing_approval",
        start="sealed_at",
        period="24 H",
        basis="ACL Art. 19",
        stage="intake",
        interrupting=True,
        holder="agency",
    )
    p.xor("gw_emergency_approved", "补批? Approved?", HEAD)
    p.user(
        "sealing_release",
        "立即解除查封 Release the sealing",
        OFFICER,
        form="sealing_lift.json",
        stage="intake",
        docs="解除查封决定书",
        basis="ACL Art. 19",
    )
    p.script("mark_released", "已解除 Released", OFFICER, "sealed = False")
    p.end("sealing_done", "现场处置完毕 Done", OFFICER)
    p.end("sealing_released", "已解除查封 Released", OFFICER)
    p.end("sealing_not_approved", "未获批准 Not approved", HEAD)
    p.chain("sealing_start", "sealing_init", "onsite_stop", "gw_sealing_needed")
    p.flow("gw_sealing_needed", "gw_emergency", "sealing_needed")
    p.flow("gw_sealing_needed", "sealing_done", default=True)
    p.flow("gw_emergency", "sealing_execution", "emergency_sealing")
    p.flow("gw_emergency", "sealing_approval", default=True)
    p.flow("sealing_approval", "gw_sealing_approved")
    p.flow("gw_sealing_approved", "sealing_execution", "sealing_approved")
    p.flow("gw_sealing_approved", "sealing_not_approved", default=True)
    p.chain("sealing_execution", "mark_sealed", "gw_emergency_report")
    p.flow("gw_emergency_report", "emergency_sealing_approval", "emergency_sealing")
    p.flow("gw_emergency_report", "sealing_done", default=True)
    p.flow("emergency_sealing_approval", "gw_emergency_approved")
    p.flow("gw_emergency_approved", "sealing_done", "sealing_approved")
    p.flow("gw_emergency_approved", "sealing_release", default=True)
    p.flow("emergency_report_deadline", "sealing_release")
    p.chain("sealing_release", "mark_released", "sealing_released")
    return p


def investigation_phase() -> Process:
    """调查取证: investigation, evidence preservation (APL Art. 56), the stop and correction
    orders, and the utility cutoff where the law allows one (安全生产法 Art. 70)."""
    p = Process("investigation_phase", "调查取证 Investigation", [OFFICER, HEAD, UTILITY])
    p.start("investigation_start", "开始调查 Investigate", OFFICER)
    p.user(
        "investigation",
        "调查取证 Investigation",
        OFFICER,
        form="investigation.json",
        stage="investigation",
        docs="现场检查笔录,询问笔录",
        basis="APL Art. 42, 47, 55",
    )
    p.xor("gw_preservation", "先行登记保存? Preserve evidence?", OFFICER)
    p.user(
        "evidence_preservation_approval",
        "先行登记保存审批 Approve evidence preservation",
        HEAD,
        form="preservation_approval.json",
        stage="investigation",
        docs="证据先行登记保存通知书",
        basis="APL Art. 56",
    )
    p.xor("gw_preservation_approved", "批准? Approved?", HEAD)
    p.script("record_preservation", "登记保存 Preserved", OFFICER, "preserved_on = today()")
    p.user(
        "evidence_disposal",
        "保存证据处理决定 Decide on preserved evidence",
        OFFICER,
        form="evidence_disposal.json",
        stage="investigation",
        docs="先行登记保存证据处理决定书",
        basis="APL Art. 56",
    )
    p.boundary_timer(
        "evidence_disposal_deadline",
        "七日内处理 Decide within 7 WD",
        "evidence_disposal",
        start="preserved_on",
        period="7 WD",
        basis="APL Art. 56",
        stage="investigation",
        holder="agency",
    )
    flag_on_timeout(p, "evidence_disposal_deadline", "evidence_disposal_late")
    p.xor("gw_stop_order_done", "已责令停止? Stop order issued?", OFFICER)
    p.user(
        "stop_order",
        "责令停止/限期改正 Stop or correction order",
        OFFICER,
        form="stop_order.json",
        stage="investigation",
        docs="责令停止违法行为通知书,责令限期改正通知书",
        basis="URPL Art. 64; APL Art. 28",
    )
    p.script("mark_stop_order", "已责令 Ordered", OFFICER, "stop_order_done = True")
    p.xor("gw_utility_cutoff", "停止供水供电? Utility cutoff?", OFFICER)
    p.user(
        "utility_letter",
        "停止供应联系函 Letter to the utility",
        OFFICER,
        form="utility_letter.json",
        stage="investigation",
        docs="停止供水供电供气联系函",
        basis="ACL Art. 43(2); 北京 Art. 65",
    )
    p.user(
        "utility_cutoff_approval",
        "停止供应审批 Approve the cutoff",
        HEAD,
        form="utility_cutoff_approval.json",
        stage="investigation",
        docs="停止供水供电供气联系函",
        basis="ACL Art. 43(2); 安全生产法 Art. 70",
    )
    p.xor("gw_cutoff_approved", "批准? Approved?", HEAD)
    p.user(
        "utility_cutoff_execution",
        "停止供应 Stop the supply",
        UTILITY,
        form="utility_cutoff_execution.json",
        stage="investigation",
        docs="停止供水供电供气联系函",
        basis="ACL Art. 43(2); 安全生产法 Art. 70",
    )
    p.script("mark_utility_cut", "已停止供应 Supply stopped", UTILITY, "utility_cut = True")
    p.end("investigation_end", "调查完毕 Investigated", OFFICER)
    p.chain("investigation_start", "investigation", "gw_preservation")
    p.flow("gw_preservation", "evidence_preservation_approval", "evidence_preservation")
    p.flow("gw_preservation", "gw_stop_order_done", default=True)
    p.flow("evidence_preservation_approval", "gw_preservation_approved")
    p.flow("gw_preservation_approved", "record_preservation", "preservation_approved")
    p.flow("gw_preservation_approved", "gw_stop_order_done", default=True)
    p.chain("record_preservation", "evidence_disposal", "gw_stop_order_done")
    p.flow("gw_stop_order_done", "investigation_end", "stop_order_done")
    p.flow("gw_stop_order_done", "stop_order", default=True)
    p.chain("stop_order", "mark_stop_order", "gw_utility_cutoff")
    p.flow("gw_utility_cutoff", "utility_letter", "utility_cutoff")
    p.flow("gw_utility_cutoff", "investigation_end", default=True)
    p.chain("utility_letter", "utility_cutoff_approval", "gw_cutoff_approved")
    p.flow("gw_cutoff_approved", "utility_cutoff_execution", "head_approved")
    p.flow("gw_cutoff_approved", "investigation_end", default=True)
    p.chain("utility_cutoff_execution", "mark_utility_cut", "investigation_end")
    p.happy(
        "investigation_start",
        "investigation",
        "gw_preservation",
        "gw_stop_order_done",
        "stop_order",
        "mark_stop_order",
        "gw_utility_cutoff",
        "investigation_end",
    )
    return p


def case_handling() -> Process:
    """立案后至决定: investigation, stop order, utility cutoff, classification, confiscation
    prerequisites, the penalty procedure and the decision (URPL Art. 64; APL Arts. 54-59)."""
    p = Process(
        "case_handling",
        "调查至决定 Investigation to decision",
        [OFFICER, HEAD, GOV],
    )
    p.start("handling_start", "立案 Filed", OFFICER)
    p.script(
        "handling_init",
        "准备 Prepare",
        OFFICER,
        "stop_order_done = False\nutility_cut = False\nevidence_disposal_late = False",
    )
    p.call("investigation_stage", "调查取证 Investigation", OFFICER, "investigation_phase")
    p.user(
        "investigation_report",
        "调查终结 Investigation report",
        OFFICER,
        form="investigation_report.json",
        stage="investigation",
        docs="调查终结报告",
        basis="URPL Art. 64",
    )
    p.xor("gw_classification", "定性 Classification", OFFICER)
    p.user(
        "safety_appraisal",
        "安全鉴定 Safety appraisal",
        OFFICER,
        form="safety_appraisal.json",
        stage="confiscation",
        docs="安全鉴定报告",
        basis="浙江 Art. 12",
    )
    p.user(
        "confiscation_approval",
        "没收审批 Approve confiscation",
        GOV,
        form="confiscation_approval.json",
        stage="confiscation",
        docs="没收审批意见",
        basis="URPL Art. 64; 浙江 Art. 12",
    )
    p.xor("gw_confiscation_approved", "批准? Approved?", GOV)
    p.call("penalty", "法制审核、告知、听证 Review, notice, hearing", OFFICER, "penalty_procedure")
    p.xor("gw_review_passed", "审核通过? Review passed?", OFFICER)
    p.xor("gw_decision_kind", "决定种类 Kind of decision", HEAD)
    p.user(
        "demolition_decision",
        "限期拆除决定 Demolition decision",
        HEAD,
        form="decision.json",
        stage="decision",
        docs="限期拆除决定书",
        duty="decision_approval",
        basis="URPL Art. 64; APL Art. 59",
    )
    p.user(
        "penalty_decision",
        "行政处罚决定 Penalty decision",
        HEAD,
        form="decision.json",
        stage="decision",
        docs="行政处罚决定书",
        duty="decision_approval",
        basis="URPL Art. 64; APL Art. 59",
    )
    p.end("handling_no_violation", "不予处罚 No violation", OFFICER)
    p.end("handling_crime", "涉嫌犯罪 Crime", OFFICER)
    p.end("handling_decided", "已决定 Decided", HEAD)

    p.chain("handling_start", "handling_init", "investigation_stage", "investigation_report")
    p.flow("investigation_report", "gw_classification")
    p.flow("gw_classification", "handling_no_violation", "classification == 'no_violation'")
    p.flow("gw_classification", "handling_crime", "classification == 'crime'")
    p.flow("gw_classification", "safety_appraisal", "classification == 'cannot_demolish'")
    p.flow("gw_classification", "penalty", default=True)
    p.chain("safety_appraisal", "confiscation_approval", "gw_confiscation_approved")
    p.flow("gw_confiscation_approved", "penalty", "confiscation_approved")
    p.flow("gw_confiscation_approved", "investigation_report", default=True)
    p.flow("penalty", "gw_review_passed")
    p.flow("gw_review_passed", "gw_decision_kind", "review_passed")
    p.flow("gw_review_passed", "investigation_stage", default=True)
    p.flow("gw_decision_kind", "demolition_decision", "classification == 'not_correctable'")
    p.flow("gw_decision_kind", "penalty_decision", default=True)
    p.flow("demolition_decision", "handling_decided")
    p.flow("penalty_decision", "handling_decided")
    p.happy(
        "handling_start",
        "handling_init",
        "investigation_stage",
        "investigation_report",
        "gw_classification",
        "penalty",
        "gw_review_passed",
        "gw_decision_kind",
        "demolition_decision",
        "handling_decided",
    )
    return p


def penalty_procedure() -> Process:
    """法制审核 (APL Art. 58), 事先告知 (Art. 44) and its service, 陈述申辩 (Art. 45, statement
    period local 3 WD), 听证 (Art. 64: request within 5 WD, notice 7 WD ahead), back to legal
    review, 集体讨论 (Art. 57) for major cases."""
    p = Process(
        "penalty_procedure",
        "法制审核、告知与听证 Review, notice and hearing",
        [OFFICER, REVIEW, HEAD],
    )
    p.start("pp_start", "开始 Start", OFFICER)
    p.script(
        "pp_init",
        "准备 Prepare",
        OFFICER,
        "advance_notice_done = False\nneeds_rereview = False\nhearing_held = False\n"
        "rights_waived = False\nstatement_made = False\nhearing_requested = False",
    )
    p.user(
        "legal_review",
        "法制审核 Legal review",
        REVIEW,
        form="legal_review.json",
        stage="legal_review",
        docs="法制审核意见书",
        basis="APL Art. 58",
    )
    p.xor("gw_legal_review", "审核通过? Passed?", REVIEW)
    p.xor("gw_notice_done", "已告知? Notice given?", OFFICER)
    p.user(
        "advance_notice",
        "事先告知 Advance notice",
        OFFICER,
        form="advance_notice.json",
        stage="notice",
        docs="行政处罚事先告知书",
        basis="APL Art. 44",
    )
    p.script(
        "prepare_notice_service",
        "送达准备 Prepare service",
        OFFICER,
        "service_document = 'advance_notice'",
    )
    p.call("serve_advance_notice", "送达告知书 Serve the notice", OFFICER, "service")
    p.script(
        "record_notice_service",
        "记录送达 Record service",
        OFFICER,
        "notice_served_at = served_at\nadvance_notice_done = True",
    )
    p.user(
        "party_response",
        "陈述申辩与听证申请 Statement and hearing request",
        OFFICER,
        form="party_response.json",
        stage="notice",
        docs="陈述申辩笔录",
        basis="APL Art. 45, 64",
    )
    p.boundary_timer(
        "hearing_request_window",
        "听证申请期限 Hearing request window",
        "party_response",
        start="notice_served_at",
        period="5 WD",
        basis="APL Art. 64",
        stage="notice",
        interrupting=True,
        holder="party",
    )
    p.xor("gw_response", "当事人意见 Response", OFFICER)
    p.script(
        "note_statement",
        "复核陈述申辩 Note the statement",
        OFFICER,
        "needs_rereview = needs_rereview or statement_made",
    )
    p.timer(
        "statement_period",
        "陈述申辩期限 Statement period",
        OFFICER,
        start="notice_served_at",
        period="3 WD",
        local="statement_period",
        # APL Art. 44, 45 give the right to state and defend but set no period: the period is
        # local (PROCEDURE §13).
        basis="APL Art. 44, 45 (period: local setting)",
        stage="notice",
        holder="party",
    )
    p.user(
        "hearing_notice",
        "听证通知 Hearing notice",
        OFFICER,
        form="hearing_notice.json",
        stage="hearing",
        docs="听证通知书",
        basis="APL Art. 64",
    )
    p.timer(
        "hearing_notice_period",
        "提前七日通知 Notice 7 WD ahead",
        OFFICER,
        start="hearing_notified_on",
        period="7 WD",
        basis="APL Art. 64",
        stage="hearing",
        holder="agency",
    )
    p.user(
        "hearing",
        "听证 Hearing",
        REVIEW,
        form="hearing.json",
        stage="hearing",
        docs="听证笔录,听证报告",
        basis="APL Art. 64, 65",
    )
    p.script(
        "record_hearing",
        "听证完毕 Hearing held",
        REVIEW,
        "hearing_held = True\nneeds_rereview = True",
    )
    p.xor("gw_rereview", "需再审核? Review again?", OFFICER)
    p.script("clear_rereview", "再次审核 Back to review", OFFICER, "needs_rereview = False")
    p.xor("gw_major", "重大案件? Major case?", HEAD)
    p.user(
        "collective_discussion",
        "集体讨论 Collective discussion",
        HEAD,
        form="collective_discussion.json",
        stage="decision",
        docs="集体讨论记录",
        basis="APL Art. 57",
    )
    p.script(
        "record_discussion",
        "讨论结论 Conclusion",
        HEAD,
        "review_passed = decision_agreed",
    )
    p.end("pp_failed", "审核未通过 Review failed", REVIEW)
    p.end("pp_passed", "可以决定 Ready to decide", HEAD)

    p.chain("pp_start", "pp_init", "legal_review", "gw_legal_review")
    p.flow("gw_legal_review", "gw_notice_done", "review_passed")
    p.flow("gw_legal_review", "pp_failed", default=True)
    p.flow("gw_notice_done", "gw_major", "advance_notice_done")
    p.flow("gw_notice_done", "advance_notice", default=True)
    p.chain(
        "advance_notice",
        "prepare_notice_service",
        "serve_advance_notice",
        "record_notice_service",
        "party_response",
        "note_statement",
        "gw_response",
    )
    p.flow("gw_response", "hearing_notice", "hearing_requested")
    p.flow("gw_response", "gw_rereview", "rights_waived")
    p.flow("gw_response", "party_response", default=True)
    p.chain("hearing_request_window", "statement_period", "gw_rereview")
    p.chain("hearing_notice", "hearing_notice_period", "hearing", "record_hearing", "gw_rereview")
    p.flow("gw_rereview", "clear_rereview", "needs_rereview")
    p.flow("gw_rereview", "gw_major", default=True)
    p.flow("clear_rereview", "legal_review")
    p.flow("gw_major", "collective_discussion", "major_case")
    p.flow("gw_major", "pp_passed", default=True)
    p.chain("collective_discussion", "record_discussion", "pp_passed")
    return p
