"""The main process `enforcement` (PROCEDURE.md §2-§17) and the phases it calls that are not
execution: the sealing period, the lead check and filing, the decision's service, the closure.
One-time restructuring source (see bpmn_phases.py for the execution)."""

from __future__ import annotations

from tests.process.bpmn_builder import Process
from tests.process.bpmn_common import GOV, HEAD, OFFICER, UTILITY, flag_on_timeout

REINSPECTED = "('self_demolished', 'assisted_demolished', 'forced_demolished', 'corrected')"


def sealing_period() -> Process:
    """The sealing's term while the case goes on (ACL Arts. 25, 28)."""
    p = Process("sealing_period", "查封期限 Sealing period", [OFFICER, HEAD])
    p.start("sealing_period_start", "已查封 Sealed", HEAD)
    p.script(
        "sealing_watch_init",
        "查封期限 Sealing period",
        HEAD,
        # ACL Art. 25: at most 30 days, never rolled off a rest day; an extension (at most 30
        # days) counts from that unrolled last day.
        'sealing_expiry_on = last_day(sealed_at, "30 LD")\nsealing_expired = False',
    )
    p.user(
        "sealing_expiry_decision",
        "延长或解除查封 Extend or release (within the 30 days)",
        HEAD,
        form="sealing_extension.json",
        stage="investigation",
        docs="延长查封期限决定书",
        basis="ACL Art. 25",
    )
    p.boundary_timer(
        "sealing_expiry",
        "查封期满 Sealing expires",
        "sealing_expiry_decision",
        start="sealed_at",
        period="30 LD",
        basis="ACL Art. 25",
        stage="investigation",
        interrupting=True,
        holder="agency",
    )
    p.script(
        "sealing_limit_reached",
        "期满须解除 Limit reached: release",
        HEAD,
        "sealing_expired = True",
    )
    p.xor("gw_extend_sealing", "延长? Extend?", HEAD)
    p.timer(
        "sealing_extended_expiry",
        "延长期满 Extension expires",
        HEAD,
        start="sealing_expiry_on",
        period="30 LD",
        basis="ACL Art. 25",
        stage="investigation",
        holder="agency",
    )
    p.script(
        "sealing_extension_limit_reached",
        "延长期满须解除 Extension over: release",
        HEAD,
        "sealing_expired = True",
    )
    p.user(
        "sealing_lift",
        "解除查封 Release the sealing",
        OFFICER,
        form="sealing_lift.json",
        stage="investigation",
        docs="解除查封决定书",
        basis="ACL Art. 28",
    )
    p.end("sealing_period_end", "查封解除 Sealing released", OFFICER)
    p.flow("sealing_period_start", "sealing_watch_init")
    p.chain("sealing_watch_init", "sealing_expiry_decision", "gw_extend_sealing")
    # No decision within the 30 days: the limit releases the sealing (ACL Art. 25, 28).
    p.chain("sealing_expiry", "sealing_limit_reached", "sealing_lift")
    p.flow("gw_extend_sealing", "sealing_extended_expiry", "extend_sealing")
    p.flow("gw_extend_sealing", "sealing_lift", default=True)
    p.chain("sealing_extended_expiry", "sealing_extension_limit_reached", "sealing_lift")
    p.flow("sealing_lift", "sealing_period_end")
    p.happy(
        "sealing_period_start",
        "sealing_watch_init",
        "sealing_expiry_decision",
        "gw_extend_sealing",
        "sealing_lift",
        "sealing_period_end",
    )
    return p


def filing() -> Process:
    """Lead check (15 CD, extended by 10 CD with the head's approval) and the filing decision."""
    p = Process("filing", "线索核查与立案 Lead check and filing", [OFFICER, HEAD])
    p.start("filing_start", "核查线索 Check the lead", OFFICER)
    p.user(
        "lead_check",
        "线索核查 Lead check",
        OFFICER,
        form="lead_check.json",
        stage="intake",
        docs="案件来源登记表",
        basis="PROCEDURE §2.3",
    )
    p.boundary_timer(
        "lead_check_deadline",
        "核查期限 Check within 15 CD",
        "lead_check",
        start="received_on",
        period="15 CD",
        basis="PROCEDURE §2.3 (lead check 15 CD)",
        stage="intake",
        holder="agency",
    )
    flag_on_timeout(p, "lead_check_deadline", "lead_check_overdue")
    p.xor("gw_lead_check", "核查结论 Result", OFFICER)
    p.user(
        "lead_check_extension",
        "核查延期审批 Approve the extension",
        HEAD,
        form="lead_check_extension.json",
        stage="intake",
        docs="核查延期审批表",
        basis="PROCEDURE §2.3",
    )
    p.xor("gw_lead_check_extension", "批准延期? Extension approved?", HEAD)
    p.script(
        "extend_lead_check",
        "延长核查 Extend by 10 CD",
        HEAD,
        'lead_check_due_on = last_day(received_on, "15 CD")',
    )
    p.user(
        "lead_check_extended",
        "延期核查 Extended lead check",
        OFFICER,
        form="lead_check_extended.json",
        stage="intake",
        docs="案件来源登记表",
        basis="PROCEDURE §2.3",
    )
    p.boundary_timer(
        "lead_check_extended_deadline",
        "延长核查期限 Extended by 10 CD",
        "lead_check_extended",
        start="lead_check_due_on",
        period="10 CD",
        basis="PROCEDURE §2.3 (extension 10 CD, head's approval)",
        stage="intake",
        holder="agency",
    )
    flag_on_timeout(p, "lead_check_extended_deadline", "lead_check_overdue")
    p.xor("gw_lead_check_extended", "核查结论 Result", OFFICER)
    p.user(
        "filing_approval",
        "立案审批 Filing approval",
        HEAD,
        form="filing_approval.json",
        stage="intake",
        docs="立案审批表",
        basis="APL Art. 54",
    )
    p.xor("gw_filing", "立案? File?", HEAD)
    p.script(
        "record_filing",
        "立案 Filed",
        HEAD,
        "filed_on = today()\ndecision_clock_from = filed_on\nfiled = True",
    )
    p.end("filing_end", "已立案 Filed", HEAD)
    p.end("filing_refused", "不予立案 Not filed", OFFICER)
    p.chain("filing_start", "lead_check", "gw_lead_check")
    p.flow("gw_lead_check", "filing_approval", "check_result == 'file'")
    p.flow("gw_lead_check", "lead_check_extension", "check_result == 'extend'")
    p.flow("gw_lead_check", "filing_refused", default=True)
    p.flow("lead_check_extension", "gw_lead_check_extension")
    p.flow("gw_lead_check_extension", "extend_lead_check", "extension_approved")
    p.flow("gw_lead_check_extension", "lead_check", default=True)
    p.chain("extend_lead_check", "lead_check_extended", "gw_lead_check_extended")
    p.flow("gw_lead_check_extended", "filing_approval", "check_result == 'file'")
    p.flow("gw_lead_check_extended", "filing_refused", default=True)
    p.flow("filing_approval", "gw_filing")
    p.flow("gw_filing", "record_filing", "filing_approved")
    p.flow("gw_filing", "filing_refused", default=True)
    p.flow("record_filing", "filing_end")
    p.happy(
        "filing_start",
        "lead_check",
        "gw_lead_check",
        "filing_approval",
        "gw_filing",
        "record_filing",
        "filing_end",
    )
    return p


def decision_service() -> Process:
    """Service of the decision (`service`), or its public notice when the party is unknown
    (北京 Art. 78): either way `decision_served_at` is set."""
    p = Process("decision_service", "送达处罚决定 Serve the decision", [OFFICER])
    p.start("decision_service_start", "决定已作出 Decision made", OFFICER)
    p.xor("gw_party_known", "当事人明确? Party known?", OFFICER)
    p.script(
        "prepare_decision_service",
        "送达准备 Prepare service",
        OFFICER,
        "service_document = 'decision'",
    )
    p.call("serve_decision", "送达决定书 Serve the decision", OFFICER, "service")
    p.script(
        "record_decision_service",
        "记录送达 Record service",
        OFFICER,
        "decision_served_at = served_at\ndecision_service_method = service_method",
    )
    p.user(
        "decision_public_notice",
        "公告处罚决定 Publish the decision (party unknown)",
        OFFICER,
        form="decision_public_notice.json",
        stage="service",
        docs="送达公告",
        basis="北京 Art. 78",
    )
    p.timer(
        "party_unknown_notice",
        "公告期 Notice period (party unknown)",
        OFFICER,
        start="decision_published_on",
        period="10 CD",
        local="party_unknown_notice_period",
        basis="北京 Art. 78",
        stage="service",
        holder="party",
    )
    p.script(
        "record_decision_notice",
        "公告期满 Notice lapsed",
        OFFICER,
        'decision_served_at = last_day(decision_published_on, local("party_unknown_notice_period"))'
        "\ndecision_service_method = 'public_notice'",
    )
    p.xor("gw_decision_served", "已送达 Served", OFFICER)
    p.end("decision_service_end", "已送达 Served", OFFICER)
    p.flow("decision_service_start", "gw_party_known")
    p.flow("gw_party_known", "prepare_decision_service", "party_known")
    p.flow("gw_party_known", "decision_public_notice", default=True)
    p.chain(
        "prepare_decision_service",
        "serve_decision",
        "record_decision_service",
        "gw_decision_served",
    )
    p.chain(
        "decision_public_notice",
        "party_unknown_notice",
        "record_decision_notice",
        "gw_decision_served",
    )
    p.flow("gw_decision_served", "decision_service_end")
    p.happy(
        "decision_service_start",
        "gw_party_known",
        "prepare_decision_service",
        "serve_decision",
        "record_decision_service",
        "gw_decision_served",
        "decision_service_end",
    )
    return p


def case_closure() -> Process:
    """结案, utility restoration, 台账销号 and 回头看 (re-inspection)."""
    p = Process("case_closure", "结案与回头看 Closure and re-inspection", [OFFICER, UTILITY])
    p.start("case_closure_start", "执行终结 Enforcement ended", OFFICER)
    p.user(
        "closure",
        "结案 Closure",
        OFFICER,
        form="closure.json",
        stage="closed",
        docs="结案报告",
        basis="PROCEDURE §2.17",
    )
    p.script("record_closure", "结案日期 Closed on", OFFICER, "closed_on = today()")
    p.xor("gw_utility_restore", "恢复供应? Restore supply?", OFFICER)
    p.user(
        "utility_restoration",
        "恢复供应 Restore the supply",
        UTILITY,
        form="utility_restoration.json",
        stage="closed",
        docs="恢复供应通知",
        basis="安全生产法 Art. 70",
    )
    p.user(
        "close_out",
        "台账销号 Ledger close-out",
        OFFICER,
        form="close_out.json",
        stage="closed",
        docs="台账销号表",
        basis="PROCEDURE §2.17",
    )
    p.xor("gw_reinspect", "需回头看? Re-inspect?", OFFICER)
    p.event_gateway("wait_reinspection", "回头看等待 Until the re-inspection", OFFICER)
    p.timer(
        "reinspection_due",
        "回头看 Re-inspection due",
        OFFICER,
        start="closed_on",
        period="30 CD",
        local="reinspection_period",
        basis="policy: re-inspection (回头看)",
        stage="reinspection",
        holder="agency",
    )
    p.catch_message("rebuilt_found_w", "发现复建 Rebuilt found", OFFICER, "rebuilt_found")
    p.user(
        "reinspection",
        "回头看 Re-inspection",
        OFFICER,
        form="reinspection.json",
        stage="reinspection",
        docs="现场检查笔录",
        basis="PROCEDURE §2.17 (policy 30 CD)",
    )
    p.boundary_message("rebuilt_found_b", "发现复建 Rebuilt found", "reinspection", "rebuilt_found")
    p.xor("gw_rebuilt", "复建? Rebuilt?", OFFICER)
    p.script("mark_rebuilt", "另案处理 Open a linked case", OFFICER, "rebuilt_found = True")
    p.end("end_closed", "结案 Closed", OFFICER)
    p.end("end_rebuilt", "复建另案 Closed, rebuilt: new case", OFFICER)

    p.flow("case_closure_start", "closure")
    p.chain("closure", "record_closure", "gw_utility_restore")
    p.flow("gw_utility_restore", "utility_restoration", "utility_cut")
    p.flow("gw_utility_restore", "close_out", default=True)
    p.flow("utility_restoration", "close_out")
    p.flow("close_out", "gw_reinspect")
    p.flow("gw_reinspect", "wait_reinspection", f"outcome in {REINSPECTED}")
    p.flow("gw_reinspect", "end_closed", default=True)
    p.flow("wait_reinspection", "reinspection_due")
    p.flow("wait_reinspection", "rebuilt_found_w")
    p.flow("reinspection_due", "reinspection")
    p.flow("rebuilt_found_w", "mark_rebuilt")
    p.flow("rebuilt_found_b", "mark_rebuilt")
    p.flow("reinspection", "gw_rebuilt")
    p.flow("gw_rebuilt", "end_rebuilt", "rebuilt_found")
    p.flow("gw_rebuilt", "end_closed", default=True)
    p.flow("mark_rebuilt", "end_rebuilt")

    p.happy(
        "case_closure_start",
        "closure",
        "record_closure",
        "gw_utility_restore",
        "close_out",
        "gw_reinspect",
        "wait_reinspection",
        "reinspection_due",
        "reinspection",
        "gw_rebuilt",
        "end_closed",
    )
    return p


def enforcement() -> Process:
    p = Process(
        "enforcement",
        "违法建设查处 Illegal construction enforcement",
        [OFFICER, HEAD, GOV],
    )
    p.start(
        "intake",
        "受理线索 Lead received",
        OFFICER,
        formJsonSchemaFilename="intake.json",
        stage="intake",
        documents="案件来源登记表",
    )
    p.script(
        "init_case",
        "登记 Register the lead",
        OFFICER,
        """received_on = today()
reported_at = now()
try:
    legal_basis
except NameError:
    legal_basis = 'URPL64'
try:
    construction_ongoing
except NameError:
    construction_ongoing = False
try:
    party_known
except NameError:
    party_known = True
filed = False
outcome = ''""",
    )
    p.xor("gw_construction_ongoing", "正在施工? Construction ongoing?", OFFICER)
    p.call("fast_track", "即查即拆 Fast track: stop and seal", OFFICER, "sealing")
    p.xor("gw_sealed", "已查封? Sealed?", OFFICER)
    p.parallel("fork_sealing", "查封期间继续办案 Proceed while sealed", OFFICER)
    p.call("sealing_watch", "查封期限 Sealing period", HEAD, "sealing_period")
    p.end("sealing_watch_end", "查封解除 Sealing released", HEAD)
    p.xor("gw_to_lead_check", "核查 To the lead check", OFFICER)
    p.call("intake_filing", "核查与立案 Lead check and filing", OFFICER, "filing")
    p.xor("gw_filed", "已立案? Filed?", OFFICER)
    p.end("not_filed", "不予立案 Not filed", OFFICER)
    p.call("handling", "调查至决定 Investigation to decision", OFFICER, "case_handling")
    p.boundary_timer(
        "decision_deadline",
        "决定期限 Decide within 90 CD of filing",
        "handling",
        start="decision_clock_from",
        period="90 CD",
        basis="APL Art. 60",
        stage="decision",
        holder="agency",
    )
    p.user(
        "decision_overdue",
        "超期督办 Decision overdue",
        HEAD,
        form="decision_overdue.json",
        stage="decision",
        docs="延期审批表",
        basis="APL Art. 60",
    )
    p.end("decision_overdue_end", "督办完毕 Escalation handled", HEAD)
    p.xor("gw_handling_result", "定性结果 Classification", OFFICER)
    p.script("outcome_no_violation", "不予处罚 No violation", OFFICER, "outcome = 'no_violation'")
    p.user(
        "referral",
        "移送司法机关 Refer to the judicial organs",
        OFFICER,
        form="referral.json",
        stage="investigation",
        docs="案件移送书",
        basis="APL Art. 27",
    )
    p.script("outcome_referred", "已移送 Referred", OFFICER, "outcome = 'referred'")
    p.call("decision_service", "送达决定 Serve the decision", OFFICER, "decision_service")
    p.script(
        "start_execution",
        "进入履行期 Start the party's period",
        OFFICER,
        """track = 'planning'
if legal_basis in ('LAL77', 'LAL78'):
    track = 'land'
if classification == 'cannot_demolish':
    track = 'confiscation'
if not remedy_rights_stated:
    lawsuit_window = '1 Y'
elif legal_basis in ('LAL77', 'LAL78'):
    lawsuit_window = '15 CD'
else:
    lawsuit_window = '6 M'
phase = 'remedy_wait' if track == 'confiscation' else 'compliance'
compliance_period = str(int(compliance_days)) + ' CD'
court_ruling = ''
remedy_pending = False
party_act = ''
outcome = ''
try:
    enforcement_decision_issuer
except NameError:
    # URPL Art. 65: the township government decides; otherwise the city's setting (local).
    enforcement_decision_issuer = (
        'government' if legal_basis == 'URPL65' else local("enforcement_decision_issuer")
    )
try:
    government_order_required
except NameError:
    # URPL Art. 68: the county government 责成 the departments to demolish (上海 Art. 10,
    # 浙江 Art. 16); only where a local regulation empowers the agency directly (北京 Arts.
    # 74, 78) does the setting turn the step off.
    government_order_required = local("government_order_required")
    government_ordered = False
# A decision changed on review starts over: the old execution facts must not travel into the
# parallel fine branch (whose data is written back into the case when it ends).
try:
    del demand_served_at
except NameError:
    pass
try:
    del public_notice_at
except NameError:
    pass""",
    )
    p.parallel("fork_fine", "罚款与执行并行 Fine alongside execution", OFFICER)
    p.xor("gw_has_fine", "并处罚款? Fine?", OFFICER)
    p.call("fine_branch", "罚款收缴 Fine collection", OFFICER, "fine_collection")
    p.boundary_signal(
        "fine_set_aside", "决定被撤销或变更 Decision set aside", "fine_branch", "decision_set_aside"
    )
    p.end("fine_done", "罚款处理完毕 Fine handled", OFFICER)
    p.end("fine_cancelled", "罚款程序终止 Fine cancelled", OFFICER)
    p.end("no_fine", "无罚款 No fine", OFFICER)
    p.call("execution", "决定的执行 Execution", OFFICER, "execution")
    p.xor("gw_execution_result", "执行结果 Result", OFFICER)
    p.script(
        "reopen_handling",
        "逾期未改正：作出限期拆除决定 Correction lapsed: decide on demolition",
        OFFICER,
        "decision_clock_from = today()\noutcome = ''",
    )
    p.call("closing", "结案与回头看 Closure and re-inspection", OFFICER, "case_closure")
    p.end("end_case", "结案 Case closed", OFFICER)

    p.chain("intake", "init_case", "gw_construction_ongoing")
    p.flow("gw_construction_ongoing", "fast_track", "construction_ongoing")
    p.flow("gw_construction_ongoing", "gw_to_lead_check", default=True)
    p.flow("fast_track", "gw_sealed")
    p.flow("gw_sealed", "fork_sealing", "sealed")
    p.flow("gw_sealed", "gw_to_lead_check", default=True)
    p.flow("fork_sealing", "sealing_watch")
    p.flow("sealing_watch", "sealing_watch_end")
    p.flow("fork_sealing", "gw_to_lead_check")
    p.chain("gw_to_lead_check", "intake_filing", "gw_filed")
    p.flow("gw_filed", "handling", "filed")
    p.flow("gw_filed", "not_filed", default=True)
    p.chain("decision_deadline", "decision_overdue", "decision_overdue_end")
    p.flow("handling", "gw_handling_result")
    p.flow("gw_handling_result", "outcome_no_violation", "classification == 'no_violation'")
    p.flow("gw_handling_result", "referral", "classification == 'crime'")
    p.flow("gw_handling_result", "decision_service", default=True)
    p.chain("referral", "outcome_referred")
    p.chain("decision_service", "start_execution", "fork_fine")
    p.flow("fork_fine", "gw_has_fine")
    p.flow("gw_has_fine", "fine_branch", "fine_amount > 0 and party_known")
    p.flow("gw_has_fine", "no_fine", default=True)
    p.flow("fine_branch", "fine_done")
    p.flow("fine_set_aside", "fine_cancelled")
    p.flow("fork_fine", "execution")
    p.flow("execution", "gw_execution_result")
    p.flow("gw_execution_result", "start_execution", "outcome == 'changed'")
    # URPL Art. 64: only a 限期拆除 decision is enforced by demolition (Art. 68); a correction
    # order that lapses goes back for a new decision with its own notice, hearing and remedies.
    p.flow("gw_execution_result", "reopen_handling", "outcome == 'correction_lapsed'")
    p.flow("gw_execution_result", "closing", default=True)
    p.flow("reopen_handling", "handling")
    p.flow("outcome_no_violation", "closing")
    p.flow("outcome_referred", "closing")
    p.flow("closing", "end_case")
    p.happy(
        "intake",
        "init_case",
        "gw_construction_ongoing",
        "gw_to_lead_check",
        "intake_filing",
        "gw_filed",
        "handling",
        "gw_handling_result",
        "decision_service",
        "start_execution",
        "fork_fine",
        "execution",
        "gw_execution_result",
        "closing",
        "end_case",
    )
    return p
