"""The execution track of `enforcement` after the decision is served (PROCEDURE.md §12-§16,
§4, §7, §9, §11): the party's period, demand, enforcement decision, public notice, remedy
windows, forced demolition, confiscation, the court route, agreements and remedies."""

from __future__ import annotations

from tests.process.bpmn_builder import Process
from tests.process.bpmn_common import GOV, HEAD, OFFICER, flag_on_timeout

PARTY_MESSAGES = (
    ("party_demolished", "当事人自拆 Party demolished", "verify_self_demolition"),
    ("party_requests_assistance", "申请助拆 Asks for help", "enforcement_agreement"),
    ("review_filed", "申请复议 Review filed", "record_review_filed"),
    ("lawsuit_filed", "提起诉讼 Lawsuit filed", "record_lawsuit_filed"),
)
# The agency's reply after a review or lawsuit is filed, counted from the day the filing is
# recorded (standing in for the day the agency receives the copy): review, 10 days of ARL Art. 48,
# working days by Art. 88; lawsuit, 15 days of ALL Art. 67, calendar days.
REVIEW_REPLY = "10 WD"
LAWSUIT_REPLY = "15 CD"
REPLY_LATE = (
    "逾期不答复、不提交证据的，视为该行政行为没有证据、依据 (ARL Art. 70; ALL Art. 34): "
    "no reply in time and the act is deemed to lack evidence"
)


def _party_wait(p: Process, gw: str, name: str, suffix: str, timer: str) -> None:
    """An event-based gateway on one timer plus what the party may do meanwhile."""
    p.event_gateway(gw, name, OFFICER)
    p.flow(gw, timer)
    for message, label, handler in PARTY_MESSAGES:
        catch = p.catch_message(f"{message}_{suffix}", label, OFFICER, message)
        p.flow(gw, catch)
        p.flow(catch, handler)


def _party_boundaries(p: Process, host: str, suffix: str) -> None:
    """What the party may do while an officer step of the execution is still open ("at any
    time before forced demolition", §7): each interrupts the step and is handled as usual."""
    for message, label, handler in PARTY_MESSAGES:
        b = p.boundary_message(f"{message}_{suffix}", label, host, message)
        p.flow(b, handler)


def execution_track(p: Process) -> None:
    p.xor("router", "执行进度 Where to continue", OFFICER)
    p.timer(
        "compliance_deadline",
        "履行期限 Compliance deadline",
        OFFICER,
        start="decision_served_at",
        period="15 CD",
        period_expr="compliance_period",
        basis="URPL Art. 64 (period set by the decision)",
        stage="compliance_period",
        period_source="compliance_days",
        holder="party",
    )
    p.timer(
        "correction_deadline",
        "改正期限 Correction deadline",
        OFFICER,
        start="decision_served_at",
        period="15 CD",
        period_expr="compliance_period",
        basis="URPL Art. 64 (period set by the decision)",
        stage="compliance_period",
        period_source="compliance_days",
        holder="party",
    )
    _party_wait(p, "wait_compliance", "履行期 Party's period", "c", "compliance_deadline")
    _party_wait(p, "wait_correction", "改正期 Correction period", "k", "correction_deadline")
    corrected = p.catch_message("party_corrected_k", "已改正 Corrected", OFFICER, "party_corrected")
    p.flow("wait_correction", corrected)
    p.flow(corrected, "verify_correction")
    p.script("compliance_lapsed", "逾期未履行 Not complied", OFFICER, "phase = 'demand'")

    # handlers of the party's acts
    p.user(
        "verify_self_demolition",
        "自拆核查 Verify self-demolition",
        OFFICER,
        form="verify_demolition.json",
        stage="compliance_period",
        docs="现场检查笔录",
        basis="URPL Art. 64; ACL Art. 44",
    )
    p.xor("gw_demolition_verified", "已拆除? Demolished?", OFFICER)
    p.script(
        "outcome_self_demolished",
        "自行拆除 Self-demolished",
        OFFICER,
        "outcome = 'self_demolished'",
    )
    p.user(
        "verify_correction",
        "整改核查 Verify the correction",
        OFFICER,
        form="verify_correction.json",
        stage="compliance_period",
        docs="现场检查笔录",
        basis="URPL Art. 64",
    )
    p.xor("gw_correction_verified", "已改正? Corrected?", OFFICER)
    p.script("outcome_corrected", "已改正 Corrected", OFFICER, "outcome = 'corrected'")
    p.user(
        "enforcement_agreement",
        "执行协议 Enforcement agreement",
        OFFICER,
        form="enforcement_agreement.json",
        stage="compliance_period",
        docs="执行协议",
        basis="ACL Art. 42",
    )
    p.user(
        "assisted_demolition",
        "协助拆除 Assisted demolition",
        OFFICER,
        form="assisted_demolition.json",
        stage="compliance_period",
        docs="现场检查笔录",
        basis="ACL Art. 42",
    )
    p.boundary_message(
        "agreement_breached_b",
        "不履行协议 Agreement breached",
        "assisted_demolition",
        "agreement_breached",
    )
    p.script("resume_at_demand", "恢复强制执行 Resume at the demand", OFFICER, "phase = 'demand'")
    p.script(
        "outcome_assisted",
        "协助拆除完毕 Assisted demolition done",
        OFFICER,
        "outcome = 'assisted_demolished'",
    )
    p.script(
        "record_review_filed",
        "复议答复期 Review: reply within 10 WD",
        OFFICER,
        f"remedy_kind = 'review'\nreply_period = '{REVIEW_REPLY}'",
    )
    p.script(
        "record_lawsuit_filed",
        "诉讼答辩期 Lawsuit: defence within 15 CD",
        OFFICER,
        f"remedy_kind = 'lawsuit'\nreply_period = '{LAWSUIT_REPLY}'",
    )
    p.script(
        "record_remedy_filed",
        "复议或诉讼 Remedy filed",
        OFFICER,
        "remedy_pending = True\nremedy_replied = False\nremedy_followup_from = today()\n"
        "reply_from = today()\nreply_late = False",
    )
    p.script("record_reply", "已答复 Replied", OFFICER, "remedy_replied = True")
    # A demolition claim the check refutes while a review or lawsuit is pending goes back to
    # the remedy (ACL Art. 44: demolition waits for the result), not to the execution.
    p.xor("gw_remedy_still_pending", "已答复? Replied?", OFFICER)
    p.user(
        "litigation_reply",
        "答复或答辩 Reply to the review or lawsuit",
        OFFICER,
        form="litigation_reply.json",
        stage="litigation",
        docs="行政复议答复书,行政诉讼答辩状",
        basis="ARL Art. 48; ALL Art. 67",
    )
    # The agency's own deadline: on lapse it is only recorded (the task stays open); the
    # consequence is the review body's or the court's (REPLY_LATE).
    p.boundary_timer(
        "reply_deadline",
        "答复期限 Reply deadline",
        "litigation_reply",
        start="reply_from",
        period=REVIEW_REPLY,
        period_expr="reply_period",
        basis="ARL Art. 48; ALL Art. 67",
        stage="litigation",
        holder="agency",
        period_source="reply_period",
        consequence=REPLY_LATE,
    )
    flag_on_timeout(p, "reply_deadline", "reply_late", "答复超期 Reply late")
    p.boundary_message(
        "remedy_result_b", "复议诉讼结果 Result", "litigation_reply", "remedy_result"
    )
    p.boundary_message(
        "party_demolished_l", "当事人自拆 Party demolished", "litigation_reply", "party_demolished"
    )
    p.event_gateway("wait_remedy_result", "等待结果 Await the result", OFFICER)
    p.catch_message(
        "party_demolished_w", "当事人自拆 Party demolished", OFFICER, "party_demolished"
    )
    p.catch_message("remedy_result_w", "复议诉讼结果 Result", OFFICER, "remedy_result")
    p.timer(
        "remedy_followup",
        "跟踪复议诉讼 Follow up",
        OFFICER,
        start="remedy_followup_from",
        period="30 CD",
        basis="policy: follow up a pending review or lawsuit monthly",
        stage="litigation",
        holder="agency",
    )
    p.user(
        "litigation_followup",
        "跟踪复议诉讼 Follow up the review or lawsuit",
        OFFICER,
        form="litigation_followup.json",
        stage="litigation",
        docs="复议诉讼跟踪记录",
        basis="ACL Art. 44",
    )
    p.script("next_followup", "下次跟踪 Next follow-up", OFFICER, "remedy_followup_from = today()")
    p.script(
        "read_remedy_result",
        "结果 Result",
        OFFICER,
        "remedy_outcome = remedy_result['outcome'] if 'outcome' in remedy_result else ''",
    )
    p.xor("gw_remedy_outcome", "维持/撤销/变更 Upheld, revoked, changed", OFFICER)
    p.script("remedy_upheld", "维持 Upheld", OFFICER, "remedy_pending = False")
    p.script(
        "record_set_aside",
        "撤销或变更 Set aside",
        OFFICER,
        "remedy_pending = False\noutcome = 'changed' if remedy_outcome == 'changed' else 'revoked'",
    )
    p.throw_signal("throw_set_aside", "通知罚款程序 Stop the fine", OFFICER, "decision_set_aside")
    p.xor("gw_set_aside", "变更? Changed?", OFFICER)
    # ARL Art. 63 / ALL Art. 77: the review body (or court) changes the decision itself; the
    # agency records the changed decision and executes it. No head's revision: that would be a
    # new decision without investigation, notice or hearing.
    p.user(
        "record_changed_decision",
        "记录变更后的决定 Record the decision as changed",
        OFFICER,
        form="changed_decision.json",
        stage="decision",
        docs="行政复议决定书或判决书（变更）",
        basis="ARL Art. 63; ALL Art. 77",
    )
    p.script(
        "apply_changed_decision",
        "按变更后的决定执行 Execute the changed decision",
        OFFICER,
        "decision_served_at = changed_received_on",
    )

    # demand (催告) and enforcement decision
    p.user(
        "demand",
        "催告 Formal demand",
        OFFICER,
        form="demand.json",
        stage="demand",
        docs="催告书",
        basis="ACL Art. 35",
    )
    p.script(
        "prepare_demand_service", "送达准备 Prepare service", OFFICER, "service_document = 'demand'"
    )
    p.call("serve_demand", "送达催告书 Serve the demand", OFFICER, "service")
    p.script(
        "record_demand_service", "记录送达 Record service", OFFICER, "demand_served_at = served_at"
    )
    p.xor("gw_demand_track", "申请法院? Court route?", OFFICER)
    p.timer(
        "demand_period",
        "催告期限 Demand period",
        OFFICER,
        start="demand_served_at",
        period="10 WD",
        local="demand_period",
        # ACL Art. 35 requires a deadline in the demand but sets none: the period is local.
        basis="ACL Art. 35 (period: local setting)",
        stage="demand",
        holder="party",
    )
    _party_wait(p, "wait_demand", "催告期 Demand period", "d", "demand_period")
    p.script("demand_lapsed", "催告期满 Demand lapsed", OFFICER, "phase = 'enforcement_decision'")
    p.timer(
        "court_demand_period",
        "催告送达十日后 10 WD after the demand",
        OFFICER,
        start="demand_served_at",
        period="10 WD",
        basis="ACL Art. 54",
        stage="demand",
        holder="party",
    )
    _party_wait(
        p, "wait_court_demand", "催告期 Demand period (court route)", "cd", "court_demand_period"
    )
    p.script("court_demand_lapsed", "催告期满 Demand lapsed", OFFICER, "phase = 'remedy_wait'")
    p.xor("gw_order_needed", "须政府责成? Government order needed?", OFFICER)
    p.user(
        "government_order",
        "责成强制拆除 Government order to demolish",
        GOV,
        form="government_order.json",
        stage="enforcement_decision",
        docs="责成通知",
        basis="URPL Art. 68; 上海 Art. 10; 浙江 Art. 16",
    )
    p.xor("gw_ordered", "责成? Ordered?", GOV)
    p.script("record_order", "已责成 Ordered", GOV, "government_ordered = True")
    p.script(
        "outcome_order_refused", "未予责成 Not ordered", GOV, "outcome = 'government_declined'"
    )
    p.xor("gw_issuer", "作出机关 Who decides", OFFICER)
    p.user(
        "enforcement_decision",
        "强制执行决定 Enforcement decision",
        HEAD,
        form="enforcement_decision.json",
        stage="enforcement_decision",
        docs="强制执行决定书",
        basis="ACL Art. 37",
    )
    p.user(
        "enforcement_decision_gov",
        "强制执行决定（政府） Enforcement decision (government)",
        GOV,
        form="enforcement_decision.json",
        stage="enforcement_decision",
        docs="强制执行决定书",
        basis="ACL Art. 37; URPL Art. 68",
    )
    p.xor("gw_defer", "暂缓拆除? Defer?", HEAD)
    p.user(
        "deferral_approval",
        "中止执行审批 Approve the deferral",
        GOV,
        form="deferral_approval.json",
        stage="deferred",
        docs="中止执行决定书",
        basis="ACL Art. 39",
    )
    p.xor("gw_deferral_approved", "批准? Approved?", GOV)
    p.script("start_deferral", "中止执行 Deferred", GOV, "deferred_since = today()")
    p.call("deferral", "中止执行 Deferral", GOV, "deferral")
    p.boundary_timer(
        "deferral_limit",
        "中止满三年 Three years deferred",
        "deferral",
        start="deferred_since",
        period="3 Y",
        basis="ACL Art. 39",
        stage="deferred",
        interrupting=True,
        holder="agency",
    )
    p.user(
        "termination",
        "终结执行 Terminate enforcement",
        HEAD,
        form="termination.json",
        stage="deferred",
        docs="终结执行决定书",
        basis="ACL Art. 39, 40",
    )
    p.xor("gw_terminate", "终结? Terminate?", HEAD)
    p.script("outcome_terminated", "终结 Terminated", HEAD, "outcome = 'terminated'")
    p.xor("gw_deferral_outcome", "中止结束 Deferral ended", GOV)
    p.script("resume_after_deferral", "恢复执行 Resume", OFFICER, "phase = 'enforcement_decision'")
    p.script(
        "prepare_ed_service",
        "送达准备 Prepare service",
        OFFICER,
        "service_document = 'enforcement_decision'",
    )
    p.call("serve_enforcement_decision", "送达强制执行决定书 Serve it", OFFICER, "service")
    p.script(
        "record_ed_service",
        "记录送达 Record service",
        OFFICER,
        "enforcement_decision_served_at = served_at",
    )
    p.user(
        "public_notice",
        "强制拆除公告 Public notice",
        OFFICER,
        form="public_notice.json",
        stage="public_notice",
        docs="强制拆除公告",
        basis="ACL Art. 44",
    )
    p.script("public_notice_posted", "公告 Posted", OFFICER, "phase = 'public_notice'")
    p.timer(
        "public_notice_period",
        "公告期限 Public notice period",
        OFFICER,
        start="public_notice_at",
        period="10 CD",
        local="public_notice_period",
        basis="ACL Art. 44",
        stage="public_notice",
        holder="party",
    )
    _party_wait(p, "wait_public_notice", "公告期 Public notice period", "n", "public_notice_period")
    p.script("public_notice_lapsed", "公告期满 Notice lapsed", OFFICER, "phase = 'remedy_wait'")
    p.script(
        "prepare_remedy_wait",
        "等待救济期限 Await the remedy windows",
        OFFICER,
        "phase = 'remedy_wait'",
    )
    p.call("await_remedy", "复议诉讼期限 Remedy windows", OFFICER, "remedy_windows")
    for message, label, handler in PARTY_MESSAGES:
        b = p.boundary_message(f"{message}_rw", label, "await_remedy", message)
        p.flow(b, handler)
    p.script(
        "remedy_lapsed",
        "救济期限届满 Windows lapsed",
        OFFICER,
        'remedy_lapsed_on = max(last_day(decision_served_at, "60 CD"), '
        "last_day(decision_served_at, lawsuit_window))",
    )
    p.xor("gw_after_remedy", "下一步 Next", OFFICER)
    p.script("prepare_court", "申请法院 To the court", OFFICER, "court_purpose = 'demolition'")
    p.call("court_demolition", "申请法院强制执行 Court enforcement", OFFICER, "court_enforcement")
    p.boundary_message(
        "party_demolished_court",
        "当事人自拆 Party demolished",
        "court_demolition",
        "party_demolished",
    )
    p.xor("gw_court_result", "裁定执行? Enforce?", OFFICER)
    p.script("outcome_court_refused", "法院不予执行 Refused", OFFICER, "outcome = 'court_refused'")
    p.user(
        "forced_demolition",
        "强制拆除 Forced demolition",
        OFFICER,
        form="forced_demolition.json",
        stage="forced_demolition",
        docs="强制拆除现场笔录,财物清单",
        basis="ACL Art. 44; URPL Art. 68",
    )
    p.script("outcome_forced", "已强制拆除 Demolished", OFFICER, "outcome = 'forced_demolished'")
    _party_boundaries(p, "forced_demolition", "fd")
    _party_boundaries(p, "serve_demand", "sd")
    _party_boundaries(p, "serve_enforcement_decision", "se")
    p.user(
        "confiscation_handover",
        "没收移交 Hand over the confiscated building",
        OFFICER,
        form="confiscation_handover.json",
        stage="confiscation",
        docs="财物清单",
        basis="URPL Art. 64; APL Art. 74",
    )
    p.script("outcome_confiscated", "已没收 Confiscated", OFFICER, "outcome = 'confiscated'")
    p.xor("gw_track_done", "执行终结 Enforcement ended", OFFICER)

    # flows
    p.flow("fork_fine", "router")
    p.flow("router", "wait_correction", "phase == 'compliance' and classification == 'correctable'")
    p.flow("router", "wait_compliance", "phase == 'compliance' and classification != 'correctable'")
    p.flow("router", "demand", "phase == 'demand'")
    p.flow("router", "gw_order_needed", "phase == 'enforcement_decision'")
    p.flow(
        "gw_order_needed",
        "government_order",
        "government_order_required and not government_ordered",
    )
    p.flow("gw_order_needed", "gw_issuer", default=True)
    p.flow("government_order", "gw_ordered")
    p.flow("gw_ordered", "record_order", "government_ordered_now")
    p.flow("gw_ordered", "outcome_order_refused", default=True)
    p.flow("record_order", "gw_issuer")
    p.flow("outcome_order_refused", "gw_track_done")
    p.flow("router", "wait_public_notice", "phase == 'public_notice'")
    p.flow("router", "prepare_remedy_wait", default=True)
    p.flow("compliance_deadline", "compliance_lapsed")
    p.flow("correction_deadline", "compliance_lapsed")
    p.flow("compliance_lapsed", "router")
    p.flow("verify_self_demolition", "gw_demolition_verified")
    p.flow("gw_demolition_verified", "outcome_self_demolished", "demolition_verified")
    p.flow(
        "gw_demolition_verified",
        "gw_remedy_still_pending",
        "not demolition_verified and remedy_pending",
    )
    p.flow("gw_demolition_verified", "router", default=True)
    p.flow("gw_remedy_still_pending", "wait_remedy_result", "remedy_replied")
    p.flow("gw_remedy_still_pending", "litigation_reply", default=True)
    p.flow("outcome_self_demolished", "gw_track_done")
    p.flow("verify_correction", "gw_correction_verified")
    p.flow("gw_correction_verified", "outcome_corrected", "correction_verified")
    p.flow("gw_correction_verified", "router", default=True)
    p.flow("outcome_corrected", "gw_track_done")
    p.chain("enforcement_agreement", "assisted_demolition", "outcome_assisted", "gw_track_done")
    p.chain("agreement_breached_b", "resume_at_demand", "router")
    p.flow("record_review_filed", "record_remedy_filed")
    p.flow("record_lawsuit_filed", "record_remedy_filed")
    p.chain("record_remedy_filed", "litigation_reply", "record_reply", "wait_remedy_result")
    p.flow("remedy_result_b", "read_remedy_result")
    p.flow("wait_remedy_result", "remedy_result_w")
    p.flow("wait_remedy_result", "remedy_followup")
    p.flow("remedy_result_w", "read_remedy_result")
    p.flow("wait_remedy_result", "party_demolished_w")
    p.flow("party_demolished_w", "verify_self_demolition")
    p.flow("party_demolished_l", "verify_self_demolition")
    p.chain("remedy_followup", "litigation_followup", "next_followup", "wait_remedy_result")
    p.flow("read_remedy_result", "gw_remedy_outcome")
    p.flow("gw_remedy_outcome", "remedy_upheld", "remedy_outcome == 'upheld'")
    p.flow("gw_remedy_outcome", "record_set_aside", "remedy_outcome in ('revoked', 'changed')")
    # anything else is not a result: keep waiting (and keep forced demolition out of reach)
    p.flow("gw_remedy_outcome", "wait_remedy_result", default=True)
    p.flow("remedy_upheld", "router")
    p.chain("record_set_aside", "throw_set_aside", "gw_set_aside")
    p.flow("gw_set_aside", "record_changed_decision", "outcome == 'changed'")
    p.flow("gw_set_aside", "gw_track_done", default=True)
    p.chain("record_changed_decision", "apply_changed_decision", "gw_decision_served")

    p.chain("demand", "prepare_demand_service", "serve_demand", "record_demand_service")
    p.flow("record_demand_service", "gw_demand_track")
    p.flow("gw_demand_track", "wait_court_demand", "track == 'land'")
    p.flow("gw_demand_track", "wait_demand", default=True)
    p.chain("demand_period", "demand_lapsed", "router")
    p.chain("court_demand_period", "court_demand_lapsed", "router")
    p.flow("gw_issuer", "enforcement_decision_gov", "enforcement_decision_issuer == 'government'")
    p.flow("gw_issuer", "enforcement_decision", default=True)
    p.flow("enforcement_decision", "gw_defer")
    p.flow("enforcement_decision_gov", "gw_defer")
    p.flow("gw_defer", "deferral_approval", "defer")
    p.flow("gw_defer", "prepare_ed_service", default=True)
    p.flow("deferral_approval", "gw_deferral_approved")
    p.flow("gw_deferral_approved", "start_deferral", "defer_approved")
    p.flow("gw_deferral_approved", "prepare_ed_service", default=True)
    p.chain("start_deferral", "deferral", "gw_deferral_outcome")
    p.flow(
        "gw_deferral_outcome", "verify_self_demolition", "deferral_outcome == 'party_demolished'"
    )
    p.flow("gw_deferral_outcome", "resume_after_deferral", default=True)
    p.flow("resume_after_deferral", "router")
    p.chain("deferral_limit", "termination", "gw_terminate")
    p.flow("gw_terminate", "outcome_terminated", "terminate")
    # ACL Art. 39: with harm, or a party able to perform, the three years end nothing.
    p.flow("gw_terminate", "resume_after_deferral", default=True)
    p.flow("outcome_terminated", "gw_track_done")
    p.chain(
        "prepare_ed_service",
        "serve_enforcement_decision",
        "record_ed_service",
        "public_notice",
        "public_notice_posted",
        "wait_public_notice",
    )
    p.chain("public_notice_period", "public_notice_lapsed", "router")
    p.chain("prepare_remedy_wait", "await_remedy", "remedy_lapsed", "gw_after_remedy")
    p.flow("gw_after_remedy", "confiscation_handover", "track == 'confiscation'")
    p.flow("gw_after_remedy", "prepare_court", "track == 'land' and court_ruling != 'enforce'")
    p.flow("gw_after_remedy", "forced_demolition", default=True)
    p.chain("prepare_court", "court_demolition", "gw_court_result")
    p.flow("party_demolished_court", "verify_self_demolition")
    p.flow("gw_court_result", "public_notice", "court_ruling == 'enforce'")
    p.flow("gw_court_result", "outcome_court_refused", default=True)
    p.flow("outcome_court_refused", "gw_track_done")
    p.chain("forced_demolition", "outcome_forced", "gw_track_done")
    p.chain("confiscation_handover", "outcome_confiscated", "gw_track_done")
