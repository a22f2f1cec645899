"""Call activities of service and execution: service of documents, remedy windows, deferral,
court enforcement and fine collection. See generate.py."""

from __future__ import annotations

from tests.process.bpmn_builder import Process
from tests.process.bpmn_common import OFFICER, flag_on_timeout


def service() -> Process:
    """送达 (CPL Arts. 87-95; APL Art. 61; ACL Art. 38): every method; public notice is deemed
    served 30 CD after publication and the deemed date becomes `served_at`."""
    p = Process("service", "送达 Service of documents", [OFFICER])
    p.start("service_start", "开始送达 Start", OFFICER)
    p.script(
        "service_init",
        "送达准备 Prepare",
        OFFICER,
        "service_started_on = today()\ndeemed_served = False\nservice_late = False",
    )
    p.user(
        "serve_document",
        "送达 Serve the document",
        OFFICER,
        form="service.json",
        stage="service",
        docs="送达回证",
        basis="APL Art. 61; CPL Art. 87-95",
    )
    p.boundary_timer(
        "service_deadline",
        "送达期限 Serve within 7 WD",
        "serve_document",
        start="service_started_on",
        period="7 WD",
        # APL Art. 61 (7 days, working days by APL Art. 85) binds the 处罚决定书; the engine holds
        # every other document it serves to the same period (policy).
        basis="APL Art. 61, 85 (处罚决定书; policy for other documents)",
        stage="service",
        holder="agency",
    )
    flag_on_timeout(p, "service_deadline", "service_late")
    p.xor("gw_service_method", "送达方式 Method", OFFICER)
    p.user(
        "publish_service_notice",
        "公告送达 Serve by public notice",
        OFFICER,
        form="service_public_notice.json",
        stage="service",
        docs="送达公告",
        basis="CPL Art. 95",
    )
    p.timer(
        "public_notice_service_period",
        "公告期满视为送达 Deemed served after 30 CD",
        OFFICER,
        start="published_at",
        period="30 CD",
        basis="CPL Art. 95",
        stage="service",
        holder="party",
    )
    p.script(
        "deem_served",
        "视为送达 Deemed served",
        OFFICER,
        'served_at = last_day(published_at, "30 CD")\ndeemed_served = True',
    )
    p.end("service_done", "已送达 Served", OFFICER)
    p.end("service_done_public", "公告送达完成 Served by notice", OFFICER)
    p.chain("service_start", "service_init", "serve_document", "gw_service_method")
    p.flow("gw_service_method", "publish_service_notice", "service_method == 'public_notice'")
    p.flow("gw_service_method", "service_done", default=True)
    p.chain(
        "publish_service_notice",
        "public_notice_service_period",
        "deem_served",
        "service_done_public",
    )
    return p


def remedy_windows() -> Process:
    """The party's remedy windows from service of the decision: review 60 CD (ARL Art. 20), then
    the lawsuit window: 6 M (ALL Art. 46), 15 CD for land-law orders (LAL Art. 83), or 1 Y when
    the decision omitted the remedy rights (SPC ALL interpretation Art. 64)."""
    p = Process("remedy_windows", "复议诉讼期限 Remedy windows", [OFFICER])
    p.start("rw_start", "开始 Start", OFFICER)
    p.timer(
        "review_window",
        "复议期限 Review window",
        OFFICER,
        start="decision_served_at",
        period="60 CD",
        basis="ARL Art. 20",
        stage="compliance_period",
        holder="party",
    )
    p.xor("gw_lawsuit_window", "起诉期限 Lawsuit window", OFFICER)
    p.timer(
        "lawsuit_window_6m",
        "起诉期限六个月 Lawsuit window 6 M",
        OFFICER,
        start="decision_served_at",
        period="6 M",
        basis="ALL Art. 46",
        stage="compliance_period",
        holder="party",
    )
    p.timer(
        "lawsuit_window_1y",
        "未告知诉权一年 Lawsuit window 1 Y (rights omitted)",
        OFFICER,
        start="decision_served_at",
        period="1 Y",
        basis="SPC ALL interpretation Art. 64",
        stage="compliance_period",
        holder="party",
    )
    p.timer(
        "lawsuit_window_15cd",
        "土地法起诉期限 Lawsuit window 15 CD",
        OFFICER,
        start="decision_served_at",
        period="15 CD",
        basis="LAL Art. 83",
        stage="compliance_period",
        holder="party",
    )
    p.xor("gw_windows_lapsed", "期限届满 Windows lapsed", OFFICER)
    p.end("rw_done", "救济期限届满 Windows lapsed", OFFICER)
    # ACL Art. 44: the periods must run out; a written waiver does not shorten them.
    p.chain("rw_start", "review_window")
    p.flow("review_window", "gw_lawsuit_window")
    p.flow("gw_lawsuit_window", "lawsuit_window_1y", "lawsuit_window == '1 Y'")
    p.flow("gw_lawsuit_window", "lawsuit_window_15cd", "lawsuit_window == '15 CD'")
    p.flow("gw_lawsuit_window", "lawsuit_window_6m", default=True)
    p.flow("lawsuit_window_6m", "gw_windows_lapsed")
    p.flow("lawsuit_window_1y", "gw_windows_lapsed")
    p.flow("lawsuit_window_15cd", "gw_windows_lapsed")
    p.flow("gw_windows_lapsed", "rw_done")
    return p


def deferral() -> Process:
    """暂缓拆除 as 中止执行 (ACL Art. 39): periodic review every 6 months; resumes when the reasons
    end or harm appears. The 3-year limit is a boundary timer on the caller's call activity."""
    p = Process("deferral", "中止执行 Deferral", [OFFICER])
    p.start("deferral_start", "中止 Deferred", OFFICER)
    p.script(
        "deferral_init",
        "准备 Prepare",
        OFFICER,
        "last_review_on = deferred_since\ndeferral_outcome = 'resumed'",
    )
    p.event_gateway("wait_deferral_review", "中止期间 While deferred", OFFICER)
    p.timer(
        "deferral_review_due",
        "定期复查 Periodic review",
        OFFICER,
        start="last_review_on",
        period="6 M",
        basis="ACL Art. 39 (policy: review every 6 months)",
        stage="deferred",
        holder="agency",
    )
    p.catch_message(
        "deferral_party_demolished", "当事人自拆 Party demolished", OFFICER, "party_demolished"
    )
    p.user(
        "deferral_review",
        "中止情形复查 Review the deferral",
        OFFICER,
        form="deferral_review.json",
        stage="deferred",
        docs="中止执行复查记录",
        basis="ACL Art. 39",
    )
    p.xor("gw_resume", "恢复执行? Resume?", OFFICER)
    p.script("next_review", "下次复查 Next review", OFFICER, "last_review_on = today()")
    p.script(
        "deferral_demolished", "记录自拆 Record", OFFICER, "deferral_outcome = 'party_demolished'"
    )
    p.end("deferral_resumed", "恢复执行 Resume", OFFICER)
    p.end("deferral_ended_demolished", "已自拆 Demolished", OFFICER)
    p.chain("deferral_start", "deferral_init", "wait_deferral_review")
    p.flow("wait_deferral_review", "deferral_review_due")
    p.flow("wait_deferral_review", "deferral_party_demolished")
    p.chain("deferral_review_due", "deferral_review", "gw_resume")
    p.flow("gw_resume", "deferral_resumed", "social_harm or not reasons_persist")
    p.flow("gw_resume", "next_review", default=True)
    p.flow("next_review", "wait_deferral_review")
    p.chain("deferral_party_demolished", "deferral_demolished", "deferral_ended_demolished")
    return p


def court_enforcement() -> Process:
    """申请人民法院强制执行 (ACL Arts. 53-57): apply within 3 M after the remedy windows lapse; the
    court accepts within 5 WD and rules within 7 WD (both ≤ 10 days, so working days, Art. 69).

    The court is not a user of the agency's system: officers record its acts (受理, 裁定) with the
    court's documents as evidence, and the court's own deadlines are tracked for them."""
    p = Process("court_enforcement", "申请法院强制执行 Court enforcement", [OFFICER])
    p.start("court_start", "开始 Start", OFFICER)
    p.script(
        "court_init",
        "准备 Prepare",
        OFFICER,
        "court_ruling = 'pending'\ncourt_application_late = False\n"
        "court_acceptance_late = False\ncourt_ruling_late = False",
    )
    p.user(
        "court_application",
        "申请强制执行 Apply to the court",
        OFFICER,
        form="court_application.json",
        stage="litigation",
        docs="强制执行申请书",
        basis="ACL Art. 53, 54, 55",
    )
    p.boundary_timer(
        "court_application_deadline",
        "申请期限 Apply within 3 M",
        "court_application",
        start="remedy_lapsed_on",
        period="3 M",
        basis="ACL Art. 53",
        stage="litigation",
        holder="agency",
    )
    flag_on_timeout(p, "court_application_deadline", "court_application_late")
    p.user(
        "court_acceptance",
        "记录法院受理 Record the court's acceptance",
        OFFICER,
        form="court_acceptance.json",
        stage="litigation",
        docs="受理通知书",
        basis="ACL Art. 56",
    )
    p.boundary_timer(
        "court_acceptance_deadline",
        "受理期限 Accept within 5 WD",
        "court_acceptance",
        start="court_applied_on",
        period="5 WD",
        basis="ACL Art. 56",
        stage="litigation",
        holder="court",
    )
    flag_on_timeout(p, "court_acceptance_deadline", "court_acceptance_late")
    p.xor("gw_court_accepted", "受理? Accepted?", OFFICER)
    p.user(
        "court_ruling_task",
        "记录法院裁定 Record the court's ruling",
        OFFICER,
        form="court_ruling.json",
        stage="litigation",
        docs="执行裁定书",
        basis="ACL Art. 57, 58",
    )
    p.boundary_timer(
        "court_ruling_deadline",
        "裁定期限 Rule within 7 WD",
        "court_ruling_task",
        start="court_accepted_on",
        period="7 WD",
        basis="ACL Art. 57",
        stage="litigation",
        holder="court",
    )
    flag_on_timeout(p, "court_ruling_deadline", "court_ruling_late")
    p.script(
        "court_not_accepted",
        "不予受理 Not accepted",
        OFFICER,
        "court_ruling = 'not_accepted'\ncourt_refused_on = today()",
    )
    p.xor("gw_court_ruled", "裁定执行? Enforce?", OFFICER)
    p.script("note_court_refusal", "不予执行 Refused", OFFICER, "court_refused_on = today()")
    # ACL Art. 56 (不予受理) and Art. 58 (裁定不予执行): the agency may ask the court one level
    # up to review within 15 days; that court rules within 30 days (Art. 58).
    p.user(
        "higher_court_request",
        "向上一级法院申请复议 Ask the higher court to review",
        OFFICER,
        form="higher_court_request.json",
        stage="litigation",
        docs="复议申请书",
        basis="ACL Art. 56, 58",
    )
    p.boundary_timer(
        "higher_court_request_deadline",
        "申请复议期限 Within 15 days",
        "higher_court_request",
        start="court_refused_on",
        period="15 CD",
        basis="ACL Art. 56, 58",
        stage="litigation",
        interrupting=True,
        holder="agency",
    )
    p.xor("gw_higher_court_requested", "申请复议? Requested?", OFFICER)
    p.user(
        "higher_court_ruling",
        "记录上一级法院裁定 Record the higher court's ruling",
        OFFICER,
        form="higher_court_ruling.json",
        stage="litigation",
        docs="复议裁定书",
        basis="ACL Art. 58",
    )
    p.boundary_timer(
        "higher_court_ruling_deadline",
        "复议裁定期限 Within 30 days",
        "higher_court_ruling",
        start="higher_court_requested_on",
        period="30 CD",
        basis="ACL Art. 58",
        stage="litigation",
        holder="court",
    )
    flag_on_timeout(p, "higher_court_ruling_deadline", "higher_court_ruling_late")
    p.script(
        "apply_higher_court_ruling",
        "以上级法院裁定为准 The higher court's ruling stands",
        OFFICER,
        "court_ruling = higher_court_result",
    )
    p.end("court_done", "裁定作出 Ruled", OFFICER)
    p.end("court_rejected", "不予受理 Rejected", OFFICER)
    p.chain(
        "court_start", "court_init", "court_application", "court_acceptance", "gw_court_accepted"
    )
    p.flow("gw_court_accepted", "court_ruling_task", "court_accepted")
    p.flow("gw_court_accepted", "court_not_accepted", default=True)
    p.flow("court_ruling_task", "gw_court_ruled")
    p.flow("gw_court_ruled", "court_done", "court_ruling == 'enforce'")
    p.flow("gw_court_ruled", "note_court_refusal", default=True)
    p.flow("note_court_refusal", "higher_court_request")
    p.flow("court_not_accepted", "higher_court_request")
    p.flow("higher_court_request", "gw_higher_court_requested")
    p.flow("higher_court_request_deadline", "court_rejected")
    p.flow("gw_higher_court_requested", "higher_court_ruling", "higher_court_requested")
    p.flow("gw_higher_court_requested", "court_rejected", default=True)
    p.chain("higher_court_ruling", "apply_higher_court_ruling", "court_done")
    return p


def fine_collection() -> Process:
    """罚款: pay within 15 CD of service (APL Art. 67); 3 %/day surcharge capped at the fine
    (APL Art. 72, ACL Art. 45); demand and application to the court (ACL Arts. 53-54)."""
    p = Process("fine_collection", "罚款收缴 Fine collection", [OFFICER])
    # Only these cross the call: the fine runs in parallel with the execution track, and its own
    # working data (its service's served_at, remedy-window defaults) must not flow back into the
    # case data over the execution track's values when it ends.
    p.io(
        inputs=["decision_served_at", "fine_amount", "lawsuit_window"],
        outputs=["fine_status", "surcharge"],
    )
    p.start("fine_start", "罚款决定送达 Fine decided", OFFICER)
    p.script(
        "fine_init",
        "准备 Prepare",
        OFFICER,
        """fine_due_on = last_day(decision_served_at, "15 CD")
surcharge = 0
fine_status = 'unpaid'
# LAL Art. 83's 15 days to sue cover only a 限期拆除 order; a fine follows ALL Art. 46 (6 M).
# (lawsuit_window is not an output of this call: the execution track keeps its own.)
if lawsuit_window == '15 CD':
    lawsuit_window = '6 M'""",
    )
    p.event_gateway("wait_fine_payment", "缴纳期限 Payment period", OFFICER)
    p.timer(
        "fine_due",
        "缴纳期限 Pay within 15 CD",
        OFFICER,
        start="decision_served_at",
        period="15 CD",
        basis="APL Art. 67",
        stage="compliance_period",
        holder="party",
    )
    p.catch_message("fine_paid_on_time", "已缴纳 Fine paid", OFFICER, "fine_paid")
    p.user(
        "fine_demand",
        "罚款催告 Demand payment",
        OFFICER,
        form="fine_demand.json",
        stage="demand",
        docs="催告书",
        basis="APL Art. 72; ACL Art. 35, 45, 46",
    )
    p.script(
        "prepare_fine_demand_service",
        "送达准备 Prepare service",
        OFFICER,
        "service_document = 'fine_demand'",
    )
    p.call("serve_fine_demand", "送达催告书 Serve the demand", OFFICER, "service")
    p.script(
        "record_fine_demand_service",
        "记录送达 Record service",
        OFFICER,
        "fine_demand_served_at = served_at",
    )
    p.event_gateway("wait_fine_demand", "催告期 Demand period", OFFICER)
    p.timer(
        "fine_demand_period",
        "催告送达后十日 10 WD after the demand",
        OFFICER,
        start="fine_demand_served_at",
        period="10 WD",
        basis="ACL Art. 54",
        stage="demand",
        holder="party",
    )
    p.catch_message("fine_paid_after_demand", "已缴纳 Fine paid", OFFICER, "fine_paid")
    p.call("fine_remedy_windows", "救济期限 Remedy windows", OFFICER, "remedy_windows")
    p.boundary_message(
        "fine_paid_in_windows", "已缴纳 Fine paid", "fine_remedy_windows", "fine_paid"
    )
    p.script(
        "fine_remedy_lapsed",
        "期限届满 Windows lapsed",
        OFFICER,
        'remedy_lapsed_on = max(last_day(decision_served_at, "60 CD"), '
        "last_day(decision_served_at, lawsuit_window))",
    )
    p.call("fine_court", "申请法院强制执行 Court enforcement", OFFICER, "court_enforcement")
    p.boundary_message("fine_paid_at_court", "已缴纳 Fine paid", "fine_court", "fine_paid")
    p.script(
        "record_court_result",
        "法院裁定 Court result",
        OFFICER,
        "fine_status = 'court_' + court_ruling",
    )
    p.script(
        "settle_fine",
        "计算加处罚款 Settle with surcharge",
        OFFICER,
        """paid_on = fine_paid['paid_on'] if 'paid_on' in fine_paid else today()
days_late = max(0, days_between(fine_due_on, paid_on))
surcharge = min(fine_amount, round(fine_amount * 0.03 * days_late, 2))
fine_total_paid = fine_amount + surcharge
fine_status = 'paid'""",
    )
    p.end("fine_settled", "已缴清 Paid", OFFICER)
    p.end("fine_court_done", "法院处理完毕 Court done", OFFICER)
    p.chain("fine_start", "fine_init", "wait_fine_payment")
    p.flow("wait_fine_payment", "fine_due")
    p.flow("wait_fine_payment", "fine_paid_on_time")
    p.flow("fine_paid_on_time", "settle_fine")
    p.chain(
        "fine_due",
        "fine_demand",
        "prepare_fine_demand_service",
        "serve_fine_demand",
        "record_fine_demand_service",
        "wait_fine_demand",
    )
    p.flow("wait_fine_demand", "fine_demand_period")
    p.flow("wait_fine_demand", "fine_paid_after_demand")
    p.flow("fine_paid_after_demand", "settle_fine")
    p.chain("fine_demand_period", "fine_remedy_windows", "fine_remedy_lapsed", "fine_court")
    p.flow("fine_paid_in_windows", "settle_fine")
    p.chain("fine_court", "record_court_result", "fine_court_done")
    p.flow("fine_paid_at_court", "settle_fine")
    p.flow("settle_fine", "fine_settled")
    return p
